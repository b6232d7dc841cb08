/**
 * The Runnable: a typed, lazy description of a step of work (LangChain's `Runnable`, on Effect),
 * with its constructors and the executors that run it.
 *
 * A runnable holds raw behaviour (`run`, `stream`, optionally `transform`); users never call it
 * directly. The executors (`invoke`, `batch`, `stream`, `streamEvents`, ...) wrap it, in one
 * place, into a run: nested runs know their parent through the fiber, events reach whoever
 * listens with `streamEvents`, spans reach a tracer when one is installed, and a run nested too
 * deep dies with `RecursionLimitError`. When nobody observes, a run costs next to nothing.
 *
 * @example
 * ```ts
 * import { Runnable } from "@fxchain/core"
 * import { Effect } from "effect"
 *
 * const double = Runnable.sync((n: number) => n * 2, { name: "double" })
 * const program = Runnable.batch(double, [1, 2, 3], { concurrency: 2 }) // Effect<number[], InvalidOptionError>
 * Effect.runPromise(program).then(console.log) // [2, 4, 6]
 * ```
 *
 * @since 0.1.0
 */
import type * as Effect from "effect/Effect"
import type * as Either from "effect/Either"
import { dual } from "effect/Function"
import type { Pipeable } from "effect/Pipeable"
import type * as Stream from "effect/Stream"
import type { EmptyStreamError, InvalidOptionError } from "./Errors.js"
import * as batches from "./internal/batch.js"
import * as events from "./internal/events.js"
import * as executor from "./internal/executor.js"
import * as internal from "./internal/runnable.js"
import type * as RunConfig from "./RunConfig.js"
import type * as RunEvent from "./RunEvent.js"

/**
 * @since 0.1.0
 * @category type ids
 */
export const TypeId: unique symbol = internal.TypeId

/**
 * @since 0.1.0
 * @category type ids
 */
export type TypeId = typeof TypeId

/**
 * A step of work from `In` to `Out` that may fail with `E` and needs `R`.
 *
 * - `run`: the raw, non-streaming behaviour;
 * - `stream`: the raw streaming behaviour (by default `run`'s result as one chunk);
 * - `transform`: optional; consumes its input as a stream, chunk by chunk (a parser does). A step
 *   without it gathers a streamed input first, by the concat rule (`Concat`);
 * - `sync`: present when the step is a plain synchronous function (`sync`, `identity`,
 *   `succeed`); executors then call it directly when nobody observes the run;
 * - `config`: what `withConfig` layered over the run's configuration.
 *
 * @since 0.1.0
 * @category models
 */
export interface Runnable<in In, out Out, out E = never, out R = never> extends Pipeable {
  readonly [TypeId]: {
    readonly _In: (_: In) => void
    readonly _Out: (_: never) => Out
    readonly _E: (_: never) => E
    readonly _R: (_: never) => R
  }
  readonly name: string
  readonly kind: RunEvent.RunKind
  readonly run: (input: In) => Effect.Effect<Out, E, R>
  readonly stream: (input: In) => Stream.Stream<Out, E, R>
  readonly transform?: (<E2, R2>(input: Stream.Stream<In, E2, R2>) => Stream.Stream<Out, E | E2, R | R2>) | undefined
  readonly sync?: ((input: In) => Out) | undefined
  readonly config?: RunConfig.RunConfigPatch | undefined
}

/**
 * @since 0.1.0
 * @category models
 */
export declare namespace Runnable {
  /** The input type of a runnable. */
  export type Input<T> = T extends Runnable<infer In, any, any, any> ? In : never
  /** The output type of a runnable. */
  export type Output<T> = T extends Runnable<any, infer Out, any, any> ? Out : never
  /** The error type of a runnable. */
  export type Error<T> = T extends Runnable<any, any, infer E, any> ? E : never
  /** The requirements of a runnable. */
  export type Context<T> = T extends Runnable<any, any, any, infer R> ? R : never
  /** Any runnable. */
  export type Any = Runnable<any, any, any, any>
}

/**
 * Options every constructor takes last.
 *
 * @since 0.1.0
 * @category models
 */
export interface ConstructorOptions {
  /** The run's name in events and spans; defaults to the function's name. */
  readonly name?: string | undefined
  /** Defaults to `"lambda"`. */
  readonly kind?: RunEvent.RunKind | undefined
}

/**
 * Options of a single run, given by the caller (combinators use them for their children).
 *
 * @since 0.1.0
 * @category models
 */
export interface RunOptions {
  /**
   * Tags for this run only, not inherited by its descendants (a sequence gives its steps
   * `seq:step:N` this way). Tags that descendants inherit come from `withConfig`.
   */
  readonly runTags?: ReadonlyArray<string> | undefined
}

/**
 * @since 0.1.0
 * @category models
 */
export interface ConcurrencyOptions {
  /** Items run at once; defaults to `RunConfig`'s concurrency. An integer >= 1. */
  readonly concurrency?: number | undefined
}

/**
 * @since 0.1.0
 * @category models
 */
export interface BatchOptions extends ConcurrencyOptions {
  /**
   * `"fail-fast"` (the default): the first failure interrupts every other item and is the batch's
   * error. `"either"`: every item runs to its end and its result is an `Either` in its place
   * (LangChain's `returnExceptions`).
   */
  readonly mode?: "fail-fast" | "either" | undefined
}

/**
 * @since 0.1.0
 * @category models
 */
export interface WithConfigOptions extends RunConfig.RunConfigPatch {
  /** Renames the run (no run is added). */
  readonly runName?: string | undefined
}

/**
 * @since 0.1.0
 * @category guards
 */
export const isRunnable: (u: unknown) => u is Runnable<unknown, unknown, unknown, unknown> = internal.isRunnable

const isDataFirst = (args: IArguments) => internal.isRunnable(args[0])

// -----------------------------------------------------------------------------
// constructors
// -----------------------------------------------------------------------------

/**
 * Makes a runnable from its raw behaviour; only `name` and `run` are required. Give `sync` only
 * when the whole behaviour is that synchronous function (same result as `run`, no nested runs
 * that anyone needs to see): executors then call it directly when nobody observes the run. Give
 * `config` to keep what `withConfig` layered over a runnable whose behaviour you wrap.
 *
 * @example
 * ```ts
 * import { Runnable } from "@fxchain/core"
 * import { Effect, Stream } from "effect"
 *
 * const shout = Runnable.make({
 *   name: "shout",
 *   run: (text: string) => Effect.succeed(text.toUpperCase()),
 *   stream: (text: string) => Stream.fromIterable(text.toUpperCase().split(" "))
 * })
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: <In, Out, E = never, R = never>(options: {
  readonly name: string
  readonly run: (input: In) => Effect.Effect<Out, E, R>
  readonly stream?: ((input: In) => Stream.Stream<Out, E, R>) | undefined
  readonly transform?: (<E2, R2>(input: Stream.Stream<In, E2, R2>) => Stream.Stream<Out, E | E2, R | R2>) | undefined
  readonly sync?: ((input: In) => Out) | undefined
  readonly kind?: RunEvent.RunKind | undefined
  readonly config?: RunConfig.RunConfigPatch | undefined
}) => Runnable<In, Out, E, R> = internal.make

/**
 * A runnable from a synchronous function. A thrown exception is a defect, not a typed failure.
 *
 * @since 0.1.0
 * @category constructors
 */
export const sync: <In, Out>(f: (input: In) => Out, options?: ConstructorOptions) => Runnable<In, Out> = internal.sync

/**
 * A runnable from a function returning an Effect.
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromEffect: <In, Out, E = never, R = never>(
  f: (input: In) => Effect.Effect<Out, E, R>,
  options?: ConstructorOptions
) => Runnable<In, Out, E, R> = internal.fromEffect

/**
 * A runnable from a function returning a Stream. Streaming yields the chunks; invoking combines
 * them by the concat rule, and fails with `EmptyStreamError` when there is none.
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromStream: <In, Out, E = never, R = never>(
  f: (input: In) => Stream.Stream<Out, E, R>,
  options?: ConstructorOptions
) => Runnable<In, Out, E | EmptyStreamError, R> = internal.fromStream

/**
 * A runnable from a function returning a Promise. Interrupting the run aborts `signal`. A
 * rejection fails the run with the rejection's value itself (or what `catch` makes of it).
 *
 * @example
 * ```ts
 * import { Runnable } from "@fxchain/core"
 *
 * const fetchText = Runnable.fromPromise(
 *   (url: string, signal) => fetch(url, { signal }).then((response) => response.text()),
 *   { name: "fetchText" }
 * )
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromPromise: <In, Out, E = unknown>(
  f: (input: In, signal: AbortSignal) => PromiseLike<Out>,
  options?: ConstructorOptions & { readonly catch?: ((reason: unknown) => E) | undefined }
) => Runnable<In, Out, E> = internal.fromPromise

/**
 * A runnable from a function returning an AsyncIterable (an async generator, say): its items are
 * the chunks. Interrupting the run aborts `signal` and closes the iterator.
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromAsyncIterable: <In, Out, E = unknown>(
  f: (input: In, signal: AbortSignal) => AsyncIterable<Out>,
  options?: ConstructorOptions & { readonly catch?: ((reason: unknown) => E) | undefined }
) => Runnable<In, Out, E | EmptyStreamError> = internal.fromAsyncIterable

/**
 * The passthrough: its output is its input, and it streams its input through chunk by chunk.
 *
 * @since 0.1.0
 * @category constructors
 */
export const identity: <A>(options?: ConstructorOptions) => Runnable<A, A> = internal.identity

/**
 * A runnable that ignores its input and returns `value`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const succeed: <A>(value: A, options?: ConstructorOptions) => Runnable<unknown, A> = internal.succeed

// -----------------------------------------------------------------------------
// executors
// -----------------------------------------------------------------------------

/**
 * Runs a runnable once (LangChain's `invoke`). The error is the runnable's own, unchanged.
 *
 * @example
 * ```ts
 * import { Runnable } from "@fxchain/core"
 * import { Effect } from "effect"
 *
 * const greet = Runnable.sync((name: string) => `Hello, ${name}`)
 * const program = greet.pipe(Runnable.invoke("Ada")) // Effect<string>
 * ```
 *
 * @since 0.1.0
 * @category executors
 */
export const invoke: {
  <In>(input: In, options?: RunOptions): <Out, E, R>(self: Runnable<In, Out, E, R>) => Effect.Effect<Out, E, R>
  <In, Out, E, R>(self: Runnable<In, Out, E, R>, input: In, options?: RunOptions): Effect.Effect<Out, E, R>
} = dual(isDataFirst, executor.invoke)

/**
 * Runs a runnable on many inputs with bounded concurrency; outputs come in input order. An empty
 * batch succeeds with `[]`. Fail-fast by default; `mode: "either"` gives one `Either` per input.
 * A bad `concurrency` fails with `InvalidOptionError` before any item runs.
 *
 * @example
 * ```ts
 * import { Runnable } from "@fxchain/core"
 *
 * const length = Runnable.sync((text: string) => text.length)
 * const all = Runnable.batch(length, ["a", "bb"], { concurrency: 4 }) // Effect<number[], InvalidOptionError>
 * const each = Runnable.batch(length, ["a", "bb"], { mode: "either" }) // Effect<Either<number, never>[], ...>
 * ```
 *
 * @since 0.1.0
 * @category executors
 */
export const batch: {
  <In>(
    inputs: Iterable<In>,
    options: BatchOptions & { readonly mode: "either" }
  ): <Out, E, R>(self: Runnable<In, Out, E, R>) => Effect.Effect<Array<Either.Either<Out, E>>, InvalidOptionError, R>
  <In>(
    inputs: Iterable<In>,
    options?: BatchOptions
  ): <Out, E, R>(self: Runnable<In, Out, E, R>) => Effect.Effect<Array<Out>, E | InvalidOptionError, R>
  <In, Out, E, R>(
    self: Runnable<In, Out, E, R>,
    inputs: Iterable<In>,
    options: BatchOptions & { readonly mode: "either" }
  ): Effect.Effect<Array<Either.Either<Out, E>>, InvalidOptionError, R>
  <In, Out, E, R>(
    self: Runnable<In, Out, E, R>,
    inputs: Iterable<In>,
    options?: BatchOptions
  ): Effect.Effect<Array<Out>, E | InvalidOptionError, R>
} = dual(isDataFirst, batches.batch)

/**
 * Runs a runnable on many inputs with bounded concurrency and emits `[index, result]` as each
 * item completes (LangChain's `batch_as_completed`); `index` is the 0-based input position.
 *
 * @since 0.1.0
 * @category executors
 */
export const batchAsCompleted: {
  <In>(
    inputs: Iterable<In>,
    options?: ConcurrencyOptions
  ): <Out, E, R>(
    self: Runnable<In, Out, E, R>
  ) => Stream.Stream<readonly [index: number, result: Either.Either<Out, E>], InvalidOptionError, R>
  <In, Out, E, R>(
    self: Runnable<In, Out, E, R>,
    inputs: Iterable<In>,
    options?: ConcurrencyOptions
  ): Stream.Stream<readonly [index: number, result: Either.Either<Out, E>], InvalidOptionError, R>
} = dual(isDataFirst, batches.batchAsCompleted)

/**
 * Streams a runnable on many inputs at once with bounded concurrency: every item's chunks as they
 * are produced, each tagged with its item's 0-based index. Fail-fast.
 *
 * @since 0.1.0
 * @category executors
 */
export const streamBatch: {
  <In>(
    inputs: Iterable<In>,
    options?: ConcurrencyOptions
  ): <Out, E, R>(self: Runnable<In, Out, E, R>) => Stream.Stream<readonly [index: number, chunk: Out], E | InvalidOptionError, R>
  <In, Out, E, R>(
    self: Runnable<In, Out, E, R>,
    inputs: Iterable<In>,
    options?: ConcurrencyOptions
  ): Stream.Stream<readonly [index: number, chunk: Out], E | InvalidOptionError, R>
} = dual(isDataFirst, batches.streamBatch)

/**
 * Streams a run's output chunks (LangChain's `stream`).
 *
 * @since 0.1.0
 * @category executors
 */
export const stream: {
  <In>(input: In, options?: RunOptions): <Out, E, R>(self: Runnable<In, Out, E, R>) => Stream.Stream<Out, E, R>
  <In, Out, E, R>(self: Runnable<In, Out, E, R>, input: In, options?: RunOptions): Stream.Stream<Out, E, R>
} = dual(isDataFirst, executor.stream)

/**
 * Runs a runnable over a stream of input chunks (LangChain's `transform`). A runnable with its
 * own `transform` consumes the chunks as they arrive; any other gathers them by the concat rule
 * first, and does not run at all when the input stream is empty.
 *
 * @since 0.1.0
 * @category executors
 */
export const transform: {
  <In, E2, R2>(
    input: Stream.Stream<In, E2, R2>,
    options?: RunOptions
  ): <Out, E, R>(self: Runnable<In, Out, E, R>) => Stream.Stream<Out, E | E2, R | R2>
  <In, Out, E, R, E2, R2>(
    self: Runnable<In, Out, E, R>,
    input: Stream.Stream<In, E2, R2>,
    options?: RunOptions
  ): Stream.Stream<Out, E | E2, R | R2>
} = dual(isDataFirst, executor.transform)

/**
 * Streams a run (as `stream` does) and emits the events of it and of every nested run:
 * `Started`, `Streamed`, `Ended`, `Failed`, with run ids, parent ids, names, kinds, tags,
 * metadata and Clock timestamps. Ends when the root run ends; when the root fails, emits its
 * `Failed` event and then fails with the same error.
 *
 * @example
 * ```ts
 * import { Runnable, RunEvent } from "@fxchain/core"
 * import { Effect, Stream } from "effect"
 *
 * const shout = Runnable.sync((text: string) => text.toUpperCase(), { name: "shout" })
 * const printed = Runnable.streamEvents(shout, "hi", { includeNames: ["shout"] }).pipe(
 *   Stream.runForEach((event) => Effect.log(event._tag, event.name))
 * )
 * ```
 *
 * @since 0.1.0
 * @category executors
 */
export const streamEvents: {
  <In>(input: In, filter?: RunEvent.Filter): <Out, E, R>(self: Runnable<In, Out, E, R>) => Stream.Stream<RunEvent.RunEvent, E, R>
  <In, Out, E, R>(self: Runnable<In, Out, E, R>, input: In, filter?: RunEvent.Filter): Stream.Stream<RunEvent.RunEvent, E, R>
} = dual(isDataFirst, events.streamEvents)

/**
 * The same runnable with a run name and configuration layered over the current one when it runs:
 * tags and metadata (inherited, merged, by every nested run), default concurrency, configurable
 * values, maximum depth (LangChain's `withConfig`).
 *
 * @since 0.1.0
 * @category combinators
 */
export const withConfig: {
  (options: WithConfigOptions): <In, Out, E, R>(self: Runnable<In, Out, E, R>) => Runnable<In, Out, E, R>
  <In, Out, E, R>(self: Runnable<In, Out, E, R>, options: WithConfigOptions): Runnable<In, Out, E, R>
} = dual(2, internal.withConfig)

/**
 * Adds attributes to the current run: they go on its span (when a tracer is installed) and into
 * its `Ended` event (when someone listens). A model records its token usage this way. Does
 * nothing outside a run.
 *
 * @since 0.1.0
 * @category annotations
 */
export const annotateRun: (attributes: Readonly<Record<string, unknown>>) => Effect.Effect<void> = events.annotateRun

/**
 * Where the calling code runs: the current run's id and its ancestors' (when someone listens to
 * events; otherwise no ids are made and `runId` is `undefined`) and its nesting depth.
 *
 * @since 0.1.0
 * @category models
 */
export interface CurrentRun {
  readonly runId: string | undefined
  readonly parentIds: ReadonlyArray<string>
  readonly depth: number
}

/**
 * The run the calling code is part of (see `CurrentRun`).
 *
 * @since 0.1.0
 * @category annotations
 */
export const currentRun: Effect.Effect<CurrentRun> = events.currentRun

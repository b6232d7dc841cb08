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
import type * as Cause from "effect/Cause"
import type * as Effect from "effect/Effect"
import type * as Either from "effect/Either"
import { dual } from "effect/Function"
import type { Pipeable } from "effect/Pipeable"
import type * as Scope from "effect/Scope"
import type * as Stream from "effect/Stream"
import type { EmptyStreamError } from "./Errors.js"
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
 * A step of work from `In` to `Out` that may fail with `E` and needs `R`. Run it with the
 * executors (`invoke`, `batch`, `stream`, `streamEvents`, ...): its raw behaviour sits behind
 * `TypeId`, where only executors and combinators reach it.
 *
 * @since 0.1.0
 * @category models
 */
export interface Runnable<in In, out Out, out E = never, out R = never> extends Pipeable {
  readonly [TypeId]: Runnable.Behaviour<In, Out, E, R>
  /** The run's name in events and spans. */
  readonly name: string
  /** What the run is, in LangChain's words (`lambda`, `chain`, `model`, `prompt`, `parser`, `tool`, ...). */
  readonly kind: RunEvent.RunKind
}

/**
 * @since 0.1.0
 * @category models
 */
export declare namespace Runnable {
  /**
   * The raw behaviour of a runnable, for writing combinators: calling it skips the executors (no
   * run, no events, no span, no `withConfig`), so call it only from inside another runnable's
   * behaviour that stands for the same run (`Runnable.wrap` hands it over).
   *
   * - `run`: the non-streaming behaviour;
   * - `stream`: the streaming behaviour, or `undefined` when the output is `run`'s result as one chunk;
   * - `transform`: consumes its input as a stream, chunk by chunk (a parser does); a runnable
   *   without it gathers a streamed input first, by the concat rule (`Concat`);
   * - `sync`: present when the whole behaviour is this synchronous function; executors then call
   *   it directly when nobody observes the run;
   * - `streamsWhenObserved`: an invoke streams (reporting its chunks) when someone listens to its
   *   events (`streamEvents`), as LangChain's chat models do under theirs; a tracer alone does not
   *   make it stream;
   * - `config`: what `withConfig` layered over the run's configuration.
   */
  export interface Behaviour<in In, out Out, out E, out R> {
    readonly run: (input: In) => Effect.Effect<Out, E, R>
    readonly stream: ((input: In) => Stream.Stream<Out, E, R>) | undefined
    readonly transform: (<E2, R2>(input: Stream.Stream<In, E2, R2>) => Stream.Stream<Out, E | E2, R | R2>) | undefined
    readonly sync: ((input: In) => Out) | undefined
    readonly streamsWhenObserved: boolean
    readonly config: RunConfig.RunConfigPatch | undefined
  }
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
 * A runnable's raw behaviour as a combinator gives it (see `Runnable.Behaviour`): only `run` is
 * required.
 *
 * @since 0.2.0
 * @category models
 */
export interface BehaviourOptions<In, Out, E, R> {
  readonly run: (input: In) => Effect.Effect<Out, E, R>
  readonly stream?: ((input: In) => Stream.Stream<Out, E, R>) | undefined
  readonly transform?: (<E2, R2>(input: Stream.Stream<In, E2, R2>) => Stream.Stream<Out, E | E2, R | R2>) | undefined
  readonly sync?: ((input: In) => Out) | undefined
  readonly streamsWhenObserved?: boolean | undefined
}

/**
 * What `make` takes: a name, the raw behaviour, and optionally a kind and a configuration.
 *
 * @since 0.2.0
 * @category models
 */
export interface MakeOptions<In, Out, E, R> extends BehaviourOptions<In, Out, E, R> {
  readonly name: string
  readonly kind?: RunEvent.RunKind | undefined
  readonly config?: RunConfig.RunConfigPatch | undefined
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
 * What a constructor that runs code which may throw or reject makes of the error: `catch`
 * receives the thrown value (or rejection) and the input. Without it, the failure is an
 * `UnknownException` (as `Effect.try` and `Effect.tryPromise` make) whose `error` is the thrown
 * value and whose message is its message.
 *
 * @since 0.2.0
 * @category models
 */
export interface CatchOptions<In, E> extends ConstructorOptions {
  readonly catch: (error: unknown, input: In) => E
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
 * An input that is not a runnable: the data-last form of an executor takes it, so that a call
 * whose first argument is a runnable is always the data-first form, in the types as at run time.
 *
 * @since 0.2.0
 * @category models
 */
export type NotRunnable<A> = A extends { readonly [TypeId]: unknown } ? never : A

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
 * `config` to start from a `withConfig` patch. To wrap another runnable's behaviour and keep its
 * name, kind and configuration, use `wrap`.
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
export const make: <In, Out, E = never, R = never>(options: MakeOptions<In, Out, E, R>) => Runnable<In, Out, E, R> =
  internal.make

/**
 * A runnable with the same name, kind and `withConfig` settings as `self`, and a behaviour made
 * from `self`'s: the one way to write a wrapper that adds no run (a timeout, a rate limit, a
 * mapping, a provided service). `f` receives `self`'s raw behaviour.
 *
 * @example
 * ```ts
 * import { Runnable } from "@fxchain/core"
 * import { Effect } from "effect"
 *
 * const logged = <In, Out, E, R>(self: Runnable.Runnable<In, Out, E, R>) =>
 *   Runnable.wrap(self, (behaviour) => ({
 *     run: (input: In) => Effect.tap(behaviour.run(input), (output) => Effect.log(self.name, output))
 *   }))
 * ```
 *
 * @since 0.2.0
 * @category constructors
 */
export const wrap: <In, Out, E, R, In2 = In, Out2 = Out, E2 = E, R2 = R>(
  self: Runnable<In, Out, E, R>,
  f: (behaviour: Runnable.Behaviour<In, Out, E, R>) => BehaviourOptions<In2, Out2, E2, R2>
) => Runnable<In2, Out2, E2, R2> = internal.wrap

/**
 * A runnable from a synchronous function that does not throw. A thrown exception is a defect, as
 * in `Effect.sync`: `retry`, `withFallbacks` and `mode: "either"` do not see it. For a function
 * that may throw, use `Runnable.try`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const sync: <In, Out>(f: (input: In) => Out, options?: ConstructorOptions) => Runnable<In, Out> = internal.sync

/**
 * A runnable from a synchronous function that may throw (LangChain's `RunnableLambda` of a
 * function that throws): a thrown value is a typed failure, what `catch` makes of it (with the
 * input), or an `UnknownException` without `catch`, as in `Effect.try`.
 *
 * @example
 * ```ts
 * import { Runnable } from "@fxchain/core"
 *
 * class BadJson { readonly _tag = "BadJson"; constructor(readonly text: string) {} }
 * const parse = Runnable.try((text: string): unknown => JSON.parse(text), { catch: (_, text) => new BadJson(text) })
 * // Runnable<string, unknown, BadJson>
 * ```
 *
 * @since 0.2.0
 * @category constructors
 */
export const try_: {
  <In, Out, E>(f: (input: In) => Out, options: CatchOptions<In, E>): Runnable<In, Out, E>
  <In, Out>(f: (input: In) => Out, options?: ConstructorOptions): Runnable<In, Out, Cause.UnknownException>
} = internal.try_

export {
  /**
   * `Runnable.try`: see `try_`.
   *
   * @since 0.2.0
   * @category constructors
   */
  try_ as try
}

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
 * rejection fails the run with what `catch` makes of it (it receives the rejection and the input),
 * or with an `UnknownException` holding it, as `Effect.tryPromise` does.
 *
 * @example
 * ```ts
 * import { Runnable } from "@fxchain/core"
 *
 * class FetchError { readonly _tag = "FetchError"; constructor(readonly url: string, readonly reason: unknown) {} }
 * const fetchText = Runnable.fromPromise(
 *   (url: string, signal) => fetch(url, { signal }).then((response) => response.text()),
 *   { name: "fetchText", catch: (reason, url) => new FetchError(url, reason) }
 * ) // Runnable<string, string, FetchError>
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromPromise: {
  <In, Out, E>(f: (input: In, signal: AbortSignal) => PromiseLike<Out>, options: CatchOptions<In, E>): Runnable<In, Out, E>
  <In, Out>(
    f: (input: In, signal: AbortSignal) => PromiseLike<Out>,
    options?: ConstructorOptions
  ): Runnable<In, Out, Cause.UnknownException>
} = internal.fromPromise

/**
 * A runnable from a function returning an AsyncIterable (an async generator, say): its items are
 * the chunks. Interrupting the run aborts `signal` and closes the iterator. An error thrown by the
 * iterator is handled as by `fromPromise`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromAsyncIterable: {
  <In, Out, E>(
    f: (input: In, signal: AbortSignal) => AsyncIterable<Out>,
    options: CatchOptions<In, E>
  ): Runnable<In, Out, E | EmptyStreamError>
  <In, Out>(
    f: (input: In, signal: AbortSignal) => AsyncIterable<Out>,
    options?: ConstructorOptions
  ): Runnable<In, Out, Cause.UnknownException | EmptyStreamError>
} = internal.fromAsyncIterable

/**
 * The passthrough: its output is its input, and it streams its input through chunk by chunk.
 * Give the type: `Runnable.identity<string>()`.
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

/**
 * A runnable made by an Effect, each time it runs: each run first runs `effect` (in a scope that
 * closes when the run ends, so `effect` may acquire a resource for that run) and then runs the
 * runnable it made, as a nested run, streaming when streamed. The way to build a runnable that
 * needs a scoped resource without losing its streaming.
 *
 * For one resource shared by every run (one rate limiter, one cache, one client), acquire it once
 * outside and close over it, or give it as a service through a `Layer`
 * (`PromiseRunnable.make(runnable, { layer })` does so for the Promise facade).
 *
 * @example
 * ```ts
 * import { Runnable } from "@fxchain/core"
 * import { Effect, Stream } from "effect"
 *
 * const perRun = Runnable.unwrap(
 *   Effect.gen(function*() {
 *     const connection = yield* Effect.acquireRelease(Effect.succeed({ open: true }), () => Effect.log("closed"))
 *     return Runnable.fromStream((query: string) => Stream.make(query, String(connection.open)))
 *   }),
 *   { name: "withConnection" }
 * ) // streams, and closes its connection when each run ends
 * ```
 *
 * @since 0.2.0
 * @category constructors
 */
export const unwrap = <In, Out, E, R, E2, R2>(
  effect: Effect.Effect<Runnable<In, Out, E, R>, E2, R2>,
  options?: ConstructorOptions
): Runnable<In, Out, E | E2, R | Exclude<R2, Scope.Scope>> =>
  internal.unwrap(effect, options, executor.invoke, executor.stream, executor.transform)

// -----------------------------------------------------------------------------
// executors
// -----------------------------------------------------------------------------

/**
 * Runs a runnable once (LangChain's `invoke`). The error is the runnable's own, unchanged.
 *
 * Like every executor, it is dual: `invoke(r, input)` or `r.pipe(invoke(input))`. A call whose
 * first argument is a runnable is the data-first form, whatever the other arguments look like
 * (`invoke(prompt, {})` runs `prompt` on `{}`).
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
  <In, Out, E, R>(self: Runnable<In, Out, E, R>, input: NoInfer<In>, options?: RunOptions): Effect.Effect<Out, E, R>
  <In>(input: NotRunnable<In>, options?: RunOptions): <Out, E, R>(self: Runnable<In, Out, E, R>) => Effect.Effect<Out, E, R>
} = dual(isDataFirst, executor.invoke)

/**
 * Runs a runnable on many inputs with bounded concurrency; outputs come in input order. An empty
 * batch succeeds with `[]`. Fail-fast by default (the first failure interrupts the other items);
 * `mode: "either"` gives one `Either` per input. A bad `concurrency` or `mode` is a defect
 * (`InvalidOptionError`), raised before any item runs.
 *
 * @example
 * ```ts
 * import { Runnable } from "@fxchain/core"
 *
 * const length = Runnable.sync((text: string) => text.length)
 * const all = Runnable.batch(length, ["a", "bb"], { concurrency: 4 }) // Effect<number[]>
 * const each = Runnable.batch(length, ["a", "bb"], { mode: "either" }) // Effect<Either<number, never>[]>
 * ```
 *
 * @since 0.1.0
 * @category executors
 */
export const batch: {
  <In, Out, E, R>(
    self: Runnable<In, Out, E, R>,
    inputs: Iterable<NoInfer<In>>,
    options: BatchOptions & { readonly mode: "either" }
  ): Effect.Effect<Array<Either.Either<Out, E>>, never, R>
  <In, Out, E, R>(
    self: Runnable<In, Out, E, R>,
    inputs: Iterable<NoInfer<In>>,
    options?: BatchOptions
  ): Effect.Effect<Array<Out>, E, R>
  <In>(
    inputs: Iterable<In>,
    options: BatchOptions & { readonly mode: "either" }
  ): <Out, E, R>(self: Runnable<In, Out, E, R>) => Effect.Effect<Array<Either.Either<Out, E>>, never, R>
  <In>(
    inputs: Iterable<In>,
    options?: BatchOptions
  ): <Out, E, R>(self: Runnable<In, Out, E, R>) => Effect.Effect<Array<Out>, E, R>
} = dual(isDataFirst, batches.batch)

/**
 * Runs a runnable on many inputs with bounded concurrency and emits `[index, result]` as each
 * item completes (LangChain's `batch_as_completed`); `index` is the 0-based input position.
 *
 * @since 0.1.0
 * @category executors
 */
export const batchAsCompleted: {
  <In, Out, E, R>(
    self: Runnable<In, Out, E, R>,
    inputs: Iterable<NoInfer<In>>,
    options?: ConcurrencyOptions
  ): Stream.Stream<readonly [index: number, result: Either.Either<Out, E>], never, R>
  <In>(
    inputs: Iterable<In>,
    options?: ConcurrencyOptions
  ): <Out, E, R>(
    self: Runnable<In, Out, E, R>
  ) => Stream.Stream<readonly [index: number, result: Either.Either<Out, E>], never, R>
} = dual(isDataFirst, batches.batchAsCompleted)

/**
 * Streams a runnable on many inputs at once with bounded concurrency: every item's chunks as they
 * are produced, each tagged with its item's 0-based index. Fail-fast.
 *
 * @since 0.1.0
 * @category executors
 */
export const streamBatch: {
  <In, Out, E, R>(
    self: Runnable<In, Out, E, R>,
    inputs: Iterable<NoInfer<In>>,
    options?: ConcurrencyOptions
  ): Stream.Stream<readonly [index: number, chunk: Out], E, R>
  <In>(
    inputs: Iterable<In>,
    options?: ConcurrencyOptions
  ): <Out, E, R>(self: Runnable<In, Out, E, R>) => Stream.Stream<readonly [index: number, chunk: Out], E, R>
} = dual(isDataFirst, batches.streamBatch)

/**
 * Streams a run's output chunks (LangChain's `stream`).
 *
 * @since 0.1.0
 * @category executors
 */
export const stream: {
  <In, Out, E, R>(self: Runnable<In, Out, E, R>, input: NoInfer<In>, options?: RunOptions): Stream.Stream<Out, E, R>
  <In>(input: NotRunnable<In>, options?: RunOptions): <Out, E, R>(self: Runnable<In, Out, E, R>) => Stream.Stream<Out, E, R>
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
  <In, Out, E, R, E2, R2>(
    self: Runnable<In, Out, E, R>,
    input: Stream.Stream<NoInfer<In>, E2, R2>,
    options?: RunOptions
  ): Stream.Stream<Out, E | E2, R | R2>
  <In, E2, R2>(
    input: Stream.Stream<In, E2, R2>,
    options?: RunOptions
  ): <Out, E, R>(self: Runnable<In, Out, E, R>) => Stream.Stream<Out, E | E2, R | R2>
} = dual(isDataFirst, executor.transform)

/**
 * Streams a run (as `stream` does) and emits the events of it and of every nested run:
 * `Started`, `Streamed`, `Ended`, `Failed`, with run ids, parent ids, names, kinds, tags,
 * metadata and Clock timestamps. Ends when the root run ends; when the root fails, emits its
 * `Failed` event and then fails with the same error.
 *
 * The run goes at the consumer's pace: when the consumer falls behind by about a thousand events,
 * the run waits for it (at its next run or chunk). A streamed run keeps only its chunks combined
 * (for its `Ended` event), not the chunks themselves.
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
  <In, Out, E, R>(
    self: Runnable<In, Out, E, R>,
    input: NoInfer<In>,
    filter?: RunEvent.Filter
  ): Stream.Stream<RunEvent.RunEvent, E, R>
  <In>(
    input: NotRunnable<In>,
    filter?: RunEvent.Filter
  ): <Out, E, R>(self: Runnable<In, Out, E, R>) => Stream.Stream<RunEvent.RunEvent, E, R>
} = dual(isDataFirst, events.streamEvents)

/**
 * The same runnable with a run name and configuration layered over the current one when it runs:
 * tags and metadata (inherited, merged, by every nested run), default concurrency, configurable
 * values, maximum depth (LangChain's `withConfig`). A bad option (a `concurrency` or `maxDepth`
 * that is not an integer >= 1, tags that are not strings, ...) throws `InvalidOptionError` here.
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
 * Reports a custom event of the current run: a `RunEvent.Custom` named `event` with `data`, for
 * whoever reads the run's events (`streamEvents`; LangChain's `on_custom_event` through the
 * Promise facade and `toLangChain`). Progress of a long step, a retrieved document's title, what a
 * UI should show before the step ends. Does nothing when nobody listens, or outside a run.
 *
 * @example
 * ```ts
 * import { Runnable } from "@fxchain/core"
 * import { Effect } from "effect"
 *
 * const indexAll = Runnable.fromEffect((files: ReadonlyArray<string>) =>
 *   Effect.forEach(files, (file, index) =>
 *     Runnable.dispatchCustomEvent("progress", { done: index + 1, of: files.length }).pipe(Effect.as(file.length))))
 * ```
 *
 * @since 0.2.0
 * @category annotations
 */
export const dispatchCustomEvent: (event: string, data: unknown) => Effect.Effect<void> = events.dispatchCustomEvent

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

/**
 * A run that fxchain does not execute itself (a LangChain run inside `fromLangChain`, a remote
 * service's steps), reported as a nested run: its events reach `streamEvents` like those of any
 * nested run. Made by a `RunReporter`.
 *
 * @since 0.2.0
 * @category models
 */
export interface ReportedRun {
  /** Its run id in the events. */
  readonly runId: string
  /** Reports one chunk the run yielded (a `Streamed` event). */
  readonly chunk: (chunk: unknown) => void
  /** Reports the run's end with its output (an `Ended` event); `input` replaces the start's input when given. */
  readonly end: (output: unknown, input?: unknown) => void
  /** Reports the run's failure (a `Failed` event). */
  readonly fail: (error: unknown) => void
  /** Reports a custom event of the run (a `Custom` event, as `dispatchCustomEvent`). */
  readonly custom: (event: string, data: unknown) => void
}

/**
 * Reports runs that fxchain does not execute as nested runs: `start` reports a run's `Started`
 * event, under the current run or under an earlier reported run (`parent`), and returns its handle.
 * Its methods are synchronous, for callbacks from outside Effect (LangChain's callback handlers).
 *
 * @since 0.2.0
 * @category models
 */
export interface RunReporter {
  readonly start: (run: {
    readonly name: string
    readonly kind: RunEvent.RunKind
    readonly input: unknown
    readonly tags?: ReadonlyArray<string> | undefined
    readonly metadata?: Readonly<Record<string, unknown>> | undefined
    readonly parent?: ReportedRun | undefined
  }) => ReportedRun
  /** Reports a custom event of the current run itself (as `dispatchCustomEvent` in it would). */
  readonly custom: (event: string, data: unknown) => void
}

/**
 * A `RunReporter` for the current run when someone listens to its events (`streamEvents`), else
 * `undefined` (nothing to report to, nothing to pay).
 *
 * @example
 * ```ts
 * import { Runnable } from "@fxchain/core"
 * import { Effect } from "effect"
 *
 * const remote = Runnable.fromEffect((question: string) =>
 *   Effect.gen(function*() {
 *     const reporter = yield* Runnable.runReporter
 *     const lookup = reporter?.start({ name: "remoteLookup", kind: "retriever", input: question })
 *     const answer = `looked up ${question}`
 *     lookup?.end(answer)
 *     return answer
 *   }))
 * ```
 *
 * @since 0.2.0
 * @category annotations
 */
export const runReporter: Effect.Effect<RunReporter | undefined> = events.runReporter

/** @internal */
import * as Effect from "effect/Effect"
import { pipeArguments } from "effect/Pipeable"
import * as Option from "effect/Option"
import * as Predicate from "effect/Predicate"
import * as Stream from "effect/Stream"
import * as Concat from "../Concat.js"
import { EmptyStreamError } from "../Errors.js"
import type * as RunConfig from "../RunConfig.js"
import type * as RunEvent from "../RunEvent.js"
import type * as Runnable from "../Runnable.js"

/** @internal */
export const TypeId: Runnable.TypeId = Symbol.for("@fxchain/core/Runnable") as Runnable.TypeId

/** @internal */
export const isRunnable = (u: unknown): u is Runnable.Runnable<unknown, unknown, unknown, unknown> =>
  Predicate.hasProperty(u, TypeId)

const variance = {
  _In: (_: unknown) => _,
  _Out: (_: never) => _,
  _E: (_: never) => _,
  _R: (_: never) => _
}

interface Fields {
  readonly name: string
  readonly kind: RunEvent.RunKind
  readonly run: (input: any) => Effect.Effect<any, any, any>
  readonly stream: (input: any) => Stream.Stream<any, any, any>
  readonly transform?: ((input: Stream.Stream<any, any, any>) => Stream.Stream<any, any, any>) | undefined
  readonly sync?: ((input: any) => any) | undefined
  readonly config?: RunConfig.RunConfigPatch | undefined
}

class RunnableImpl implements Fields {
  readonly [TypeId] = variance
  readonly name: string
  readonly kind: RunEvent.RunKind
  readonly run: Fields["run"]
  readonly stream: Fields["stream"]
  readonly transform: Fields["transform"]
  readonly sync: Fields["sync"]
  readonly config: Fields["config"]
  constructor(fields: Fields) {
    this.name = fields.name
    this.kind = fields.kind
    this.run = fields.run
    this.stream = fields.stream
    this.transform = fields.transform
    this.sync = fields.sync
    this.config = fields.config
  }
  pipe() {
    return pipeArguments(this, arguments)
  }
  toJSON() {
    return { _id: "Runnable", name: this.name, kind: this.kind }
  }
  toString() {
    return `Runnable(${this.name})`
  }
}

/**
 * Marks a `stream` that is only `run`'s result as one chunk: the stream executor then runs it as
 * an invoke (one Effect, no stream machinery per run) and reports the result as the chunk.
 *
 * @internal
 */
export const SingleChunk: unique symbol = Symbol.for("@fxchain/core/SingleChunk")

/** @internal */
export const isSingleChunk = (stream: Function): boolean => SingleChunk in stream

const runAsChunk = <In, Out, E, R>(run: (input: In) => Effect.Effect<Out, E, R>) =>
  Object.assign((input: In) => Stream.fromEffect(run(input)), { [SingleChunk]: true })

/** @internal */
export const unsafeMake = <In, Out, E, R>(fields: Fields): Runnable.Runnable<In, Out, E, R> =>
  new RunnableImpl(fields) as unknown as Runnable.Runnable<In, Out, E, R>

/** @internal */
export const make = <In, Out, E = never, R = never>(options: {
  readonly name: string
  readonly run: (input: In) => Effect.Effect<Out, E, R>
  readonly stream?: ((input: In) => Stream.Stream<Out, E, R>) | undefined
  readonly transform?: (<E2, R2>(input: Stream.Stream<In, E2, R2>) => Stream.Stream<Out, E | E2, R | R2>) | undefined
  readonly sync?: ((input: In) => Out) | undefined
  readonly kind?: RunEvent.RunKind | undefined
  readonly config?: RunConfig.RunConfigPatch | undefined
}): Runnable.Runnable<In, Out, E, R> => {
  const run = options.run
  return unsafeMake({
    name: options.name,
    kind: options.kind ?? "lambda",
    run,
    stream: options.stream ?? runAsChunk(run),
    transform: options.transform,
    sync: options.sync,
    config: options.config
  })
}

const nameOf = (f: Function, fallback: string): string => f.name !== "" ? f.name : fallback

/** @internal */
export const sync = <In, Out>(
  f: (input: In) => Out,
  options?: Runnable.ConstructorOptions
): Runnable.Runnable<In, Out> => {
  const run = (input: In) => Effect.sync(() => f(input))
  return unsafeMake({
    name: options?.name ?? nameOf(f, "lambda"),
    kind: options?.kind ?? "lambda",
    run,
    stream: runAsChunk(run),
    sync: f
  })
}

/** @internal */
export const fromEffect = <In, Out, E, R>(
  f: (input: In) => Effect.Effect<Out, E, R>,
  options?: Runnable.ConstructorOptions
): Runnable.Runnable<In, Out, E, R> => make({ name: options?.name ?? nameOf(f, "lambda"), kind: options?.kind, run: f })

const collect = <Out, E, R>(name: string, stream: Stream.Stream<Out, E, R>): Effect.Effect<Out, E | EmptyStreamError, R> =>
  Effect.flatMap(Concat.gather(stream), Option.match({
    onNone: () => Effect.fail(new EmptyStreamError({ runnable: name })),
    onSome: Effect.succeed
  }))

/** @internal */
export const fromStream = <In, Out, E, R>(
  f: (input: In) => Stream.Stream<Out, E, R>,
  options?: Runnable.ConstructorOptions
): Runnable.Runnable<In, Out, E | EmptyStreamError, R> => {
  const name = options?.name ?? nameOf(f, "lambda")
  return make<In, Out, E | EmptyStreamError, R>({
    name,
    kind: options?.kind,
    run: (input) => collect(name, f(input)),
    stream: f
  })
}

/** @internal */
export const fromPromise = <In, Out, E = unknown>(
  f: (input: In, signal: AbortSignal) => PromiseLike<Out>,
  options?: Runnable.ConstructorOptions & { readonly catch?: ((reason: unknown) => E) | undefined }
): Runnable.Runnable<In, Out, E> => {
  const onRejection = options?.catch ?? ((reason: unknown) => reason as E)
  return make({
    name: options?.name ?? nameOf(f, "lambda"),
    kind: options?.kind,
    run: (input: In) => Effect.tryPromise({ try: (signal) => f(input, signal), catch: onRejection })
  })
}

/** @internal */
export const fromAsyncIterable = <In, Out, E = unknown>(
  f: (input: In, signal: AbortSignal) => AsyncIterable<Out>,
  options?: Runnable.ConstructorOptions & { readonly catch?: ((reason: unknown) => E) | undefined }
): Runnable.Runnable<In, Out, E | EmptyStreamError> => {
  const name = options?.name ?? nameOf(f, "lambda")
  const onError = options?.catch ?? ((reason: unknown) => reason as E)
  const stream = (input: In): Stream.Stream<Out, E> =>
    Stream.unwrapScoped(
      Effect.map(
        Effect.acquireRelease(Effect.sync(() => new AbortController()), (controller) => Effect.sync(() => controller.abort())),
        (controller) => Stream.fromAsyncIterable(f(input, controller.signal), onError)
      )
    )
  return make<In, Out, E | EmptyStreamError>({
    name,
    kind: options?.kind,
    run: (input) => collect(name, stream(input)),
    stream
  })
}

/** @internal */
export const identity = <A>(options?: Runnable.ConstructorOptions): Runnable.Runnable<A, A> =>
  unsafeMake({
    name: options?.name ?? "passthrough",
    kind: options?.kind ?? "lambda",
    run: Effect.succeed,
    stream: runAsChunk(Effect.succeed),
    transform: (input: Stream.Stream<any, any, any>) => input,
    sync: (input: A) => input
  })

/** @internal */
export const succeed = <A>(value: A, options?: Runnable.ConstructorOptions): Runnable.Runnable<unknown, A> =>
  unsafeMake({
    name: options?.name ?? "succeed",
    kind: options?.kind ?? "lambda",
    run: () => Effect.succeed(value),
    stream: runAsChunk(() => Effect.succeed(value)),
    sync: () => value
  })

/** @internal */
export const withConfig = <In, Out, E, R>(
  self: Runnable.Runnable<In, Out, E, R>,
  options: Runnable.WithConfigOptions
): Runnable.Runnable<In, Out, E, R> => {
  const { runName, ...patch } = options
  const previous = self.config
  return unsafeMake({
    name: runName ?? self.name,
    kind: self.kind,
    run: self.run,
    stream: self.stream,
    transform: self.transform,
    sync: self.sync,
    config: previous === undefined ? patch : {
      ...previous,
      ...patch,
      tags: [...new Set([...(previous.tags ?? []), ...(patch.tags ?? [])])],
      metadata: { ...previous.metadata, ...patch.metadata },
      configurable: { ...previous.configurable, ...patch.configurable }
    }
  })
}

/** @internal */
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { pipeArguments } from "effect/Pipeable"
import * as Predicate from "effect/Predicate"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import * as Concat from "../Concat.js"
import { EmptyStreamError } from "../Errors.js"
import * as Options from "../Options.js"
import type * as RunConfig from "../RunConfig.js"
import type * as RunEvent from "../RunEvent.js"
import type * as Runnable from "../Runnable.js"

/** @internal */
export const TypeId: Runnable.TypeId = Symbol.for("@fxchain/core/Runnable") as Runnable.TypeId

/** @internal */
export const isRunnable = (u: unknown): u is Runnable.Runnable<unknown, unknown, unknown, unknown> =>
  Predicate.hasProperty(u, TypeId)

type AnyRunnable = Runnable.Runnable<any, any, any, any>
type AnyBehaviour = Runnable.Runnable.Behaviour<any, any, any, any>

/** The raw behaviour of a runnable (what only the executors call). @internal */
export const behaviourOf = (self: AnyRunnable): AnyBehaviour => self[TypeId]

class RunnableImpl {
  readonly [TypeId]: AnyBehaviour
  constructor(readonly name: string, readonly kind: RunEvent.RunKind, behaviour: AnyBehaviour) {
    this[TypeId] = behaviour
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

/** @internal */
export const unsafeMake = <In, Out, E, R>(
  name: string,
  kind: RunEvent.RunKind,
  behaviour: AnyBehaviour
): Runnable.Runnable<In, Out, E, R> => new RunnableImpl(name, kind, behaviour) as unknown as Runnable.Runnable<In, Out, E, R>

const behaviour = (options: Runnable.BehaviourOptions<any, any, any, any>, config: RunConfig.RunConfigPatch | undefined): AnyBehaviour => ({
  run: options.run,
  stream: options.stream,
  transform: options.transform,
  sync: options.sync,
  streamsWhenObserved: options.streamsWhenObserved === true,
  config
})

/** @internal */
export const make = <In, Out, E = never, R = never>(
  options: Runnable.MakeOptions<In, Out, E, R>
): Runnable.Runnable<In, Out, E, R> => {
  const config = options.config === undefined ? undefined : Options.configPatch(options.name, options.config)
  return unsafeMake(options.name, options.kind ?? "lambda", behaviour(options, config))
}

/** @internal */
export const wrap = <In, Out, E, R, In2, Out2, E2, R2>(
  self: Runnable.Runnable<In, Out, E, R>,
  f: (behaviour: Runnable.Runnable.Behaviour<In, Out, E, R>) => Runnable.BehaviourOptions<In2, Out2, E2, R2>
): Runnable.Runnable<In2, Out2, E2, R2> => {
  const own = self[TypeId]
  const options = f(own)
  // a wrapped model is still a model: invoked while observed, it streams (unless the wrapper says otherwise)
  const streamsWhenObserved = options.streamsWhenObserved ?? own.streamsWhenObserved
  return unsafeMake(self.name, self.kind, behaviour({ ...options, streamsWhenObserved }, own.config))
}

const nameOf = (f: Function, fallback: string): string => f.name !== "" ? f.name : fallback

/** What a constructor that catches makes of a thrown value or rejection when given no `catch`. */
const unknownException = (reason: unknown): Cause.UnknownException =>
  new Cause.UnknownException(reason, reason instanceof Error ? reason.message : undefined)

type Catch<In, E> = ((reason: unknown, input: In) => E) | undefined

const catcher = <In, E>(onError: Catch<In, E>): (reason: unknown, input: In) => E =>
  onError ?? (unknownException as unknown as (reason: unknown) => E)

/** @internal */
export const sync = <In, Out>(
  f: (input: In) => Out,
  options?: Runnable.ConstructorOptions
): Runnable.Runnable<In, Out> =>
  unsafeMake(options?.name ?? nameOf(f, "lambda"), options?.kind ?? "lambda", {
    run: (input: In) => Effect.sync(() => f(input)),
    stream: undefined,
    transform: undefined,
    sync: f,
    streamsWhenObserved: false,
    config: undefined
  })

/** @internal */
export const try_ = <In, Out, E>(
  f: (input: In) => Out,
  options?: Runnable.ConstructorOptions & { readonly catch?: Catch<In, E> }
): Runnable.Runnable<In, Out, E> => {
  const onThrow = catcher(options?.catch)
  return make({
    name: options?.name ?? nameOf(f, "lambda"),
    kind: options?.kind,
    run: (input: In) => Effect.try({ try: () => f(input), catch: (error) => onThrow(error, input) })
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
export const fromPromise = <In, Out, E>(
  f: (input: In, signal: AbortSignal) => PromiseLike<Out>,
  options?: Runnable.ConstructorOptions & { readonly catch?: Catch<In, E> }
): Runnable.Runnable<In, Out, E> => {
  const onRejection = catcher(options?.catch)
  return make({
    name: options?.name ?? nameOf(f, "lambda"),
    kind: options?.kind,
    run: (input: In) => Effect.tryPromise({ try: (signal) => f(input, signal), catch: (reason) => onRejection(reason, input) })
  })
}

/** @internal */
export const fromAsyncIterable = <In, Out, E>(
  f: (input: In, signal: AbortSignal) => AsyncIterable<Out>,
  options?: Runnable.ConstructorOptions & { readonly catch?: Catch<In, E> }
): Runnable.Runnable<In, Out, E | EmptyStreamError> => {
  const name = options?.name ?? nameOf(f, "lambda")
  const onError = catcher(options?.catch)
  const stream = (input: In): Stream.Stream<Out, E> =>
    Stream.unwrapScoped(
      Effect.map(
        Effect.acquireRelease(Effect.sync(() => new AbortController()), (controller) => Effect.sync(() => controller.abort())),
        (controller) => Stream.fromAsyncIterable(f(input, controller.signal), (reason) => onError(reason, input))
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
  unsafeMake(options?.name ?? "passthrough", options?.kind ?? "lambda", {
    run: Effect.succeed,
    stream: undefined,
    transform: (input: Stream.Stream<any, any, any>) => input,
    sync: (input: A) => input,
    streamsWhenObserved: false,
    config: undefined
  })

/** @internal */
export const succeed = <A>(value: A, options?: Runnable.ConstructorOptions): Runnable.Runnable<unknown, A> =>
  unsafeMake(options?.name ?? "succeed", options?.kind ?? "lambda", {
    run: () => Effect.succeed(value),
    stream: undefined,
    transform: undefined,
    sync: () => value,
    streamsWhenObserved: false,
    config: undefined
  })

/** @internal */
export const withConfig = <In, Out, E, R>(
  self: Runnable.Runnable<In, Out, E, R>,
  options: Runnable.WithConfigOptions
): Runnable.Runnable<In, Out, E, R> => {
  const { runName, ...given } = options
  if (runName !== undefined && (typeof runName !== "string" || runName === "")) {
    Options.invalid(self.name, "runName", runName, "a non-empty string")
  }
  const patch = Options.configPatch(self.name, given)
  const own = self[TypeId]
  const previous = own.config
  return unsafeMake(runName ?? self.name, self.kind, {
    ...own,
    config: previous === undefined ? patch : {
      ...previous,
      ...patch,
      tags: [...new Set([...(previous.tags ?? []), ...(patch.tags ?? [])])],
      metadata: { ...previous.metadata, ...patch.metadata },
      configurable: { ...previous.configurable, ...patch.configurable }
    }
  })
}

/** @internal */
export const unwrap = <In, Out, E, R, E2, R2>(
  effect: Effect.Effect<Runnable.Runnable<In, Out, E, R>, E2, R2>,
  options: Runnable.ConstructorOptions | undefined,
  invoke: (self: Runnable.Runnable<In, Out, E, R>, input: In) => Effect.Effect<Out, E, R>,
  stream: (self: Runnable.Runnable<In, Out, E, R>, input: In) => Stream.Stream<Out, E, R>,
  transform: (self: Runnable.Runnable<In, Out, E, R>, input: Stream.Stream<In, any, any>) => Stream.Stream<Out, any, any>
): Runnable.Runnable<In, Out, E | E2, R | Exclude<R2, Scope.Scope>> =>
  make<In, Out, E | E2, R | Exclude<R2, Scope.Scope>>({
    name: options?.name ?? "unwrap",
    kind: options?.kind,
    run: (input) => Effect.scoped(Effect.flatMap(effect, (inner) => invoke(inner, input))),
    stream: (input) => Stream.unwrapScoped(Effect.map(effect, (inner) => stream(inner, input))),
    transform: (input) => Stream.unwrapScoped(Effect.map(effect, (inner) => transform(inner, input)))
  })

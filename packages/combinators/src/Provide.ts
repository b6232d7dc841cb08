/**
 * Giving one runnable its own services: a runnable that needs a service gets it from here instead
 * of from the context it runs in (a fallback to a second model, say, when both need
 * `LanguageModel`).
 *
 * @since 0.1.0
 */
import { Runnable } from "@fxchain/core"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import { dual } from "effect/Function"
import * as Stream from "effect/Stream"

const withContext = <In, Out, E, R, R2>(
  self: Runnable.Runnable<In, Out, E, R>,
  provideEffect: <A, E2>(effect: Effect.Effect<A, E2, R>) => Effect.Effect<A, E2, R2>,
  provideStream: <A, E2>(stream: Stream.Stream<A, E2, R>) => Stream.Stream<A, E2, R2>
): Runnable.Runnable<In, Out, E, R2> =>
  Runnable.wrap(self, ({ run, stream, sync, transform }) => ({
    run: (input: In) => provideEffect(run(input)),
    stream: stream === undefined ? undefined : (input: In) => provideStream(stream(input)),
    transform: transform === undefined
      ? undefined
      : (input: Stream.Stream<In, any, any>) => provideStream(transform(input) as Stream.Stream<Out, any, R>),
    sync
  }))

/**
 * The same runnable with one service given: its runs use `service` for `tag`, whatever the
 * context they run in holds. No run is added.
 *
 * @example
 * ```ts
 * import * as Fx from "@fxchain/combinators"
 * import { Model } from "@fxchain/adapters"
 * import { LanguageModel } from "@effect/ai"
 *
 * declare const backupModel: LanguageModel.Service
 * const backup = Fx.provideService(Model.fromLanguageModel({ name: "backup" }), LanguageModel.LanguageModel, backupModel)
 * ```
 *
 * @since 0.1.0
 * @category context
 */
export const provideService: {
  <I, S>(
    tag: Context.Tag<I, S>,
    service: NoInfer<S>
  ): <In, Out, E, R>(self: Runnable.Runnable<In, Out, E, R>) => Runnable.Runnable<In, Out, E, Exclude<R, I>>
  <In, Out, E, R, I, S>(
    self: Runnable.Runnable<In, Out, E, R>,
    tag: Context.Tag<I, S>,
    service: NoInfer<S>
  ): Runnable.Runnable<In, Out, E, Exclude<R, I>>
} = dual(3, <In, Out, E, R, I, S>(self: Runnable.Runnable<In, Out, E, R>, tag: Context.Tag<I, S>, service: S) =>
  withContext(
    self,
    (effect) => Effect.provideService(effect, tag, service),
    (stream) => Stream.provideService(stream, tag, service)
  ))

/**
 * The same runnable with services given from a `Context`: its runs use them, whatever the
 * context they run in holds. No run is added.
 *
 * @since 0.1.0
 * @category context
 */
export const provideContext: {
  <R2>(
    context: Context.Context<R2>
  ): <In, Out, E, R>(self: Runnable.Runnable<In, Out, E, R>) => Runnable.Runnable<In, Out, E, Exclude<R, R2>>
  <In, Out, E, R, R2>(
    self: Runnable.Runnable<In, Out, E, R>,
    context: Context.Context<R2>
  ): Runnable.Runnable<In, Out, E, Exclude<R, R2>>
} = dual(2, <In, Out, E, R, R2>(self: Runnable.Runnable<In, Out, E, R>, context: Context.Context<R2>) =>
  withContext(
    self,
    (effect) => Effect.provide(effect, context) as Effect.Effect<any, any, Exclude<R, R2>>,
    (stream) => Stream.provideSomeContext(stream, context) as Stream.Stream<any, any, Exclude<R, R2>>
  ))

/**
 * The executors: the one place where a runnable's raw behaviour becomes a run (nesting depth,
 * run ids, events, span, config). Two paths:
 *
 * - nobody observes (no event listener, no tracer installed): a synchronous step is a plain
 *   function call; any other run only swaps the fiber's current run to count its depth;
 * - someone observes: an `ObservedRun` gives the run an id, emits its events and opens its span.
 *
 * @internal
 */
import * as Cause from "effect/Cause"
import * as Channel from "effect/Channel"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as FiberId from "effect/FiberId"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import * as Concat from "../Concat.js"
import * as RunConfig from "../RunConfig.js"
import type * as Runnable from "../Runnable.js"
import { isSingleChunk } from "./runnable.js"
import { isTracing, ObservedRun, pastDepthLimit } from "./observedRun.js"
import {
  currentContext,
  currentHolder,
  nested,
  ownHolder,
  type RunContext,
  withContext,
  withContextEachTime,
  withDepth
} from "./runContext.js"

type AnyRunnable = Runnable.Runnable<any, any, any, any>

const callSync = (self: AnyRunnable, input: unknown): Effect.Effect<any> => {
  try {
    return Effect.succeed(self.sync!(input))
  } catch (defect) {
    return Effect.die(defect)
  }
}

/** @internal */
export const invoke = <In, Out, E, R>(
  self: Runnable.Runnable<In, Out, E, R>,
  input: In,
  options?: Runnable.RunOptions
): Effect.Effect<Out, E, R> => run(self, input, options, false)

/** A run; with `asChunk`, an observed run also reports its output as its one streamed chunk. @internal */
export const run = <In, Out, E, R>(
  self: Runnable.Runnable<In, Out, E, R>,
  input: In,
  options: Runnable.RunOptions | undefined,
  asChunk: boolean
): Effect.Effect<Out, E, R> =>
  Effect.withFiberRuntime<Out, E, R>((fiber) => {
    const holder = fiber.getFiberRef(currentHolder)
    const parent = holder.current
    if (parent.listener === undefined && !isTracing(fiber)) {
      if (self.sync !== undefined) return callSync(self, input)
      if (self.config === undefined) {
        const limit = pastDepthLimit(fiber, parent, self.name)
        if (limit !== undefined) return limit
        const effect = self.run(input)
        return withDepth(effect, ownHolder(fiber, holder), nested(parent))
      }
    }
    const observed = new ObservedRun(fiber, parent, self, options)
    const tooDeep = observed.tooDeep
    if (tooDeep !== undefined) return tooDeep
    observed.start(input)
    // `run`, not `sync`: a combinator's `sync` skips its children's runs, which someone observes here
    let effect: Effect.Effect<Out, E, R> = self.run(input)
    if (self.config !== undefined) effect = Effect.provideService(effect, RunConfig.RunConfig, observed.config)
    if (observed.tracing) effect = Effect.withSpan(effect, self.name, observed.spanOptions())
    return withContext(
      Effect.onExit(effect, (exit) =>
        Effect.sync(() => {
          if (Exit.isFailure(exit)) return observed.fail(exit.cause)
          if (asChunk) observed.chunk(exit.value)
          observed.end(input, exit.value)
        })),
      observed.context
    )
  })

/**
 * Runs each pull of a stream as part of the given run (swapping the fiber's current run around
 * the pull), so what the stream's own effects invoke nests under that run.
 */
const pullWithin = <A, E, R>(
  stream: Stream.Stream<A, E, R>,
  context: RunContext,
  onPull: (pull: Effect.Effect<Chunk.Chunk<A>, Option.Option<E>, R>) => Effect.Effect<Chunk.Chunk<A>, Option.Option<E>, R> = (
    pull
  ) => pull
): Stream.Stream<A, E, R> =>
  Stream.unwrapScoped(
    Effect.map(Stream.toPull(stream), (pull) => Stream.fromChannel(repeatPull(onPull(withContextEachTime(pull, context))))))

/**
 * A pull (`Option.none()` at the end) as a channel writing its chunks: `Stream.repeatEffectChunkOption`
 * with a plain channel loop, which costs about a third less per chunk than its `Channel.unwrap`
 * per chunk.
 */
const repeatPull = <A, E, R>(
  pull: Effect.Effect<Chunk.Chunk<A>, Option.Option<E>, R>
): Channel.Channel<Chunk.Chunk<A>, unknown, E, unknown, void, unknown, R> => {
  const next = Effect.catchAll(
    Effect.map(pull, Option.some),
    (error) => Option.isNone(error) ? Effect.succeed(Option.none<Chunk.Chunk<A>>()) : Effect.fail(error.value)
  )
  const loop: Channel.Channel<Chunk.Chunk<A>, unknown, E, unknown, void, unknown, R> = Channel.flatMap(
    Channel.fromEffect(next),
    (chunk) => Option.isNone(chunk) ? Channel.void : Channel.flatMap(Channel.write(chunk.value), () => loop)
  )
  return loop
}


const observedStream = <A, E, R>(
  run: ObservedRun,
  makeStream: () => Stream.Stream<A, E, R>,
  input: unknown,
  upstreamFailed?: () => boolean
): Stream.Stream<A, E, R> =>
  Stream.unwrapScoped(
    Effect.gen(function*() {
      if (upstreamFailed === undefined) run.start(input)
      // the consumer stopped before the end (an early `take`, an interruption)
      yield* Effect.addFinalizer(() => Effect.sync(() => run.fail(Cause.interrupt(FiberId.none), true)))
      const span = run.tracing ? yield* Effect.makeSpanScoped(run.name, run.spanOptions()) : undefined
      const observe = (pull: Effect.Effect<Chunk.Chunk<A>, Option.Option<E>, R>) =>
        pull.pipe(
          Effect.map((chunk) => {
            Chunk.forEach(chunk, (item) => run.chunk(item))
            return chunk
          }),
          Effect.onExit((exit) =>
            Effect.sync(() => {
              if (Exit.isSuccess(exit)) return
              const failure = Cause.failureOption(exit.cause)
              if (failure._tag === "Some" && failure.value._tag === "None") return run.endStream(input)
              // a run consuming a stream that got no chunk yet was never reached: its upstream's
              // failure or an interruption ends it silently
              if (!run.isStarted && upstreamFailed !== undefined && (upstreamFailed() || Cause.isInterruptedOnly(exit.cause))) return
              run.fail(Cause.map(exit.cause, (error) => (error as Option.Option<E>).pipe(Option.getOrUndefined)))
            })
          )
        )
      return pullWithin(
        makeStream(),
        run.context,
        (pull) => span === undefined ? observe(pull) : Effect.withParentSpan(observe(pull), span)
      )
    })
  )

/** @internal */
export const stream = <In, Out, E, R>(
  self: Runnable.Runnable<In, Out, E, R>,
  input: In,
  options?: Runnable.RunOptions
): Stream.Stream<Out, E, R> =>
  isSingleChunk(self.stream) ? Stream.fromEffect(run(self, input, options, true)) : Stream.unwrap(
    Effect.withFiberRuntime<Stream.Stream<Out, E, R>, never, R>((fiber) => {
      const parent = currentContext(fiber)
      if (parent.listener === undefined && !isTracing(fiber)) {
        if (self.config === undefined) {
          const limit = pastDepthLimit(fiber, parent, self.name)
          if (limit !== undefined) return limit
          return Effect.succeed(pullWithin(self.stream(input), nested(parent)))
        }
      }
      const run = new ObservedRun(fiber, parent, self, options)
      const tooDeep = run.tooDeep
      if (tooDeep !== undefined) return tooDeep
      const makeStream = () => {
        const inner = self.stream(input)
        return self.config === undefined ? inner : Stream.provideService(inner, RunConfig.RunConfig, run.config)
      }
      return Effect.succeed(observedStream(run, makeStream, input))
    })
  )

/** @internal */
export const transform = <In, Out, E, R, E2, R2>(
  self: Runnable.Runnable<In, Out, E, R>,
  input: Stream.Stream<In, E2, R2>,
  options?: Runnable.RunOptions
): Stream.Stream<Out, E | E2, R | R2> => {
  const transformer = self.transform
  if (transformer === undefined) {
    return Stream.unwrap(
      Effect.map(Concat.gather(input), (gathered) =>
        Option.isNone(gathered) ? Stream.empty : stream(self, gathered.value, options))
    )
  }
  return Stream.unwrap(
    Effect.withFiberRuntime<Stream.Stream<Out, E | E2, R | R2>, never, R | R2>((fiber) => {
      const parent = currentContext(fiber)
      const upstream = pullWithin(input, parent)
      if (parent.listener === undefined && !isTracing(fiber) && self.config === undefined) {
        const limit = pastDepthLimit(fiber, parent, self.name)
        if (limit !== undefined) return limit
        return Effect.succeed(pullWithin(transformer(upstream), nested(parent)))
      }
      const run = new ObservedRun(fiber, parent, self, options)
      const tooDeep = run.tooDeep
      if (tooDeep !== undefined) return tooDeep
      let failedUpstream = false
      const observedUpstream = upstream.pipe(
        // per Effect chunk, not per item: `Stream.tap` would cut the stream into one-item chunks
        Stream.mapChunks((chunk) => {
          if (Chunk.isNonEmpty(chunk)) run.start(undefined)
          Chunk.forEach(chunk, (item) => run.input(item))
          return chunk
        }),
        Stream.tapErrorCause(() => Effect.sync(() => { failedUpstream = true }))
      )
      const makeStream = () => {
        const inner = transformer(observedUpstream)
        return self.config === undefined ? inner : Stream.provideService(inner, RunConfig.RunConfig, run.config)
      }
      return Effect.succeed(observedStream(run, makeStream, undefined, () => failedUpstream))
    })
  )
}

/**
 * A harness for tests of pipelines: scripted runnables whose latency goes through Effect's
 * `Clock` (so `TestClock.adjust` drives them, no real sleeping), and a probe that counts the runs
 * it sees start, finish, fail and be interrupted, and the most that were in flight at once.
 *
 * @example
 * ```ts
 * import { Runnable, Testing } from "@fxchain/core"
 * import { Effect, Fiber, TestClock } from "effect"
 *
 * const program = Effect.gen(function*() {
 *   const probe = Testing.makeProbe()
 *   const slow = Testing.scripted({ latency: "1 second", respond: (n: number) => n * 2, probe })
 *   const fiber = yield* Effect.fork(Runnable.batch(slow, [1, 2, 3, 4], { concurrency: 2 }))
 *   yield* TestClock.adjust("2 seconds")
 *   const outputs = yield* Fiber.join(fiber) // [2, 4, 6, 8]
 *   const stats = probe.unsafeStats() // { started: 4, finished: 4, maxInFlight: 2, ... }
 * })
 * ```
 *
 * @since 0.1.0
 */
import * as Cause from "effect/Cause"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import { dual } from "effect/Function"
import * as Stream from "effect/Stream"
import * as Tracer from "effect/Tracer"
import * as internal from "./internal/runnable.js"
import type * as RunEvent from "./RunEvent.js"
import type * as Runnable from "./Runnable.js"

/**
 * Counts of the runs a probe saw.
 *
 * @since 0.1.0
 * @category models
 */
export interface ProbeStats {
  readonly started: number
  readonly finished: number
  readonly failed: number
  readonly interrupted: number
  readonly inFlight: number
  readonly maxInFlight: number
}

/**
 * @since 0.1.0
 * @category models
 */
export interface Probe {
  /** The counts now, as an Effect. */
  readonly stats: Effect.Effect<ProbeStats>
  /** The counts now. */
  readonly unsafeStats: () => ProbeStats
  /** Wraps an Effect so that its run is counted. */
  readonly track: <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
  /** Wraps a Stream so that its run (from first pull to end or close) is counted. */
  readonly trackStream: <A, E, R>(stream: Stream.Stream<A, E, R>) => Stream.Stream<A, E, R>
}

/**
 * A new probe with every count at zero.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeProbe = (): Probe => {
  let started = 0
  let finished = 0
  let failed = 0
  let interrupted = 0
  let inFlight = 0
  let maxInFlight = 0
  const unsafeStats = (): ProbeStats => ({ started, finished, failed, interrupted, inFlight, maxInFlight })
  const begin = () => {
    started++
    inFlight++
    maxInFlight = Math.max(maxInFlight, inFlight)
  }
  const complete = (exit: Exit.Exit<unknown, unknown>) => {
    inFlight--
    if (Exit.isSuccess(exit)) finished++
    else if (Cause.isInterruptedOnly(exit.cause)) interrupted++
    else failed++
  }
  return {
    stats: Effect.sync(unsafeStats),
    unsafeStats,
    track: (effect) =>
      Effect.suspend(() => {
        begin()
        return Effect.onExit(effect, (exit) => Effect.sync(() => complete(exit)))
      }),
    trackStream: (stream) =>
      Stream.unwrapScoped(
        Effect.as(Effect.acquireRelease(Effect.sync(begin), (_, exit) => Effect.sync(() => complete(exit))), stream)
      )
  }
}

/**
 * The same runnable, with its runs counted by `probe` (its raw behaviour is wrapped; no run is
 * added).
 *
 * @since 0.1.0
 * @category combinators
 */
export const probed: {
  (probe: Probe): <In, Out, E, R>(self: Runnable.Runnable<In, Out, E, R>) => Runnable.Runnable<In, Out, E, R>
  <In, Out, E, R>(self: Runnable.Runnable<In, Out, E, R>, probe: Probe): Runnable.Runnable<In, Out, E, R>
} = dual(2, <In, Out, E, R>(self: Runnable.Runnable<In, Out, E, R>, probe: Probe): Runnable.Runnable<In, Out, E, R> =>
  internal.wrap(self, (behaviour) => {
    const { stream, transform } = behaviour
    return {
      run: (input: In) => probe.track(behaviour.run(input)),
      stream: stream === undefined ? undefined : (input: In) => probe.trackStream(stream(input)),
      transform: transform === undefined
        ? undefined
        : <E2, R2>(input: Stream.Stream<In, E2, R2>) => probe.trackStream(transform(input))
    }
  }))

/**
 * How a scripted runnable behaves. `call` counts the runnable's runs from 0.
 *
 * @since 0.1.0
 * @category models
 */
export interface ScriptOptions<In, Out, E> {
  readonly name?: string | undefined
  readonly kind?: RunEvent.RunKind | undefined
  /** Waited on the Clock before answering (before the first chunk, when streaming). */
  readonly latency?: Duration.DurationInput | ((input: In, call: number) => Duration.DurationInput) | undefined
  /** The output for an input. */
  readonly respond: (input: In, call: number) => Out
  /** A failure for an input, or `undefined` to answer normally. */
  readonly fail?: ((input: In, call: number) => E | undefined) | undefined
  /** How a streamed output is cut into chunks (default: one chunk). */
  readonly chunks?: ((output: Out) => ReadonlyArray<Out>) | undefined
  /** Waited on the Clock before each chunk after the first. */
  readonly chunkLatency?: Duration.DurationInput | undefined
  /** Counts the runnable's runs. */
  readonly probe?: Probe | undefined
}

/**
 * A runnable that answers from a script, waiting on the Clock: a stand-in for a slow service, a
 * flaky API or a token-streaming model in tests.
 *
 * @since 0.1.0
 * @category constructors
 */
export const scripted = <In, Out, E = never>(options: ScriptOptions<In, Out, E>): Runnable.Runnable<In, Out, E> => {
  let calls = 0
  const latencyOf = (input: In, call: number): Duration.Duration =>
    Duration.decode(
      typeof options.latency === "function" ? options.latency(input, call) : options.latency ?? Duration.zero
    )
  const answer = (input: In, call: number): Effect.Effect<Out, E> =>
    Effect.zipRight(
      Effect.sleep(latencyOf(input, call)),
      Effect.suspend(() => {
        const failure = options.fail?.(input, call)
        return failure === undefined ? Effect.succeed(options.respond(input, call)) : Effect.fail(failure)
      })
    )
  const run = (input: In) => Effect.suspend(() => answer(input, calls++))
  const stream = (input: In): Stream.Stream<Out, E> =>
    Stream.unwrap(
      Effect.map(run(input), (output) => {
        const chunks = options.chunks?.(output) ?? [output]
        const pause = options.chunkLatency === undefined ? Effect.void : Effect.sleep(options.chunkLatency)
        return Stream.fromIterable(chunks).pipe(
          Stream.zipWithIndex,
          Stream.mapEffect(([chunk, index]) => index === 0 ? Effect.succeed(chunk) : Effect.as(pause, chunk))
        )
      })
    )
  const made = internal.make<In, Out, E>({ name: options.name ?? "scripted", kind: options.kind, run, stream })
  return options.probe === undefined ? made : probed(made, options.probe)
}

/**
 * A tracer that keeps every span it opens (Effect's own spans, in memory): install it with
 * `Effect.withTracer` to see the spans of runs in a test, or to make runs traced.
 *
 * @example
 * ```ts
 * import { Runnable, Testing } from "@fxchain/core"
 * import { Effect } from "effect"
 *
 * const { spans, tracer } = Testing.recordingTracer()
 * const program = Runnable.invoke(Runnable.fromEffect((n: number) => Effect.succeed(n), { name: "step" }), 1).pipe(
 *   Effect.withTracer(tracer)
 * ) // afterwards spans.map((span) => span.name) is ["step"]
 * ```
 *
 * @since 0.2.0
 * @category constructors
 */
export const recordingTracer = (): { readonly spans: ReadonlyArray<Tracer.Span>; readonly tracer: Tracer.Tracer } => {
  const spans: Array<Tracer.Span> = []
  const native = Effect.runSync(Effect.tracer)
  const tracer = Tracer.make({
    span: (name, parent, context, links, startTime, kind, options) => {
      const span = native.span(name, parent, context, links, startTime, kind, options)
      spans.push(span)
      return span
    },
    context: (f) => f()
  })
  return { spans, tracer }
}

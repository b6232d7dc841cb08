/**
 * Timeouts that stop the work: when a deadline passes, the run is interrupted (its finalizers
 * run, what it opened is closed) and fails with a typed `TimeoutError`.
 *
 * @since 0.1.0
 */
import { Options, Runnable } from "@fxchain/core"
import * as Chunk from "effect/Chunk"
import * as Clock from "effect/Clock"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import { dual } from "effect/Function"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import { TimeoutError } from "./Errors.js"

/**
 * The deadlines of a stream, besides the whole run's.
 *
 * @since 0.1.0
 * @category models
 */
export interface TimeoutOptions {
  /**
   * The longest wait for the first chunk, from the start of the stream (for a runnable consuming
   * a stream, a step of a streamed sequence: from its first input chunk).
   */
  readonly firstChunk?: Duration.DurationInput | undefined
  /**
   * The longest wait for each next chunk, from the moment the consumer asks for it (for a
   * runnable consuming a stream, waiting for its input counts).
   */
  readonly idle?: Duration.DurationInput | undefined
}

type Deadline = TimeoutError["deadline"]

const decodeOptional = (name: string, option: string, input: Duration.DurationInput | undefined) =>
  input === undefined ? undefined : Options.duration(name, option, input)

/** Pulls until a non-empty chunk (or the end), so that empty chunks reset no deadline. */
const pullChunk = <A, E, R>(pull: Effect.Effect<Chunk.Chunk<A>, Option.Option<E>, R>) => {
  const loop: Effect.Effect<Chunk.Chunk<A>, Option.Option<E>, R> = Effect.flatMap(
    pull,
    (chunk) => Chunk.isEmpty(chunk) ? loop : Effect.succeed(chunk)
  )
  return loop
}

const make = <In, Out, E, R>(
  self: Runnable.Runnable<In, Out, E, R>,
  duration: Duration.DurationInput,
  options?: TimeoutOptions
): Runnable.Runnable<In, Out, E | TimeoutError, R> => {
  const name = self.name
  const total = Options.duration(name, "duration", duration)
  const firstChunk = decodeOptional(name, "firstChunk", options?.firstChunk)
  const idle = decodeOptional(name, "idle", options?.idle)
  const failure = (deadline: Deadline, limit: Duration.Duration) =>
    new TimeoutError({ runnable: name, deadline, durationMillis: Duration.toMillis(limit) })
  const totalFailure = failure("total", total)


  const totalMillis = Duration.toMillis(total)
  const firstChunkMillis = firstChunk === undefined ? Infinity : Duration.toMillis(firstChunk)
  const idleMillis = idle === undefined ? Infinity : Duration.toMillis(idle)
  const firstChunkFailure = firstChunk === undefined ? totalFailure : failure("firstChunk", firstChunk)
  const idleFailure = idle === undefined ? totalFailure : failure("idle", idle)
  const unlimited = totalMillis === Infinity && firstChunkMillis === Infinity && idleMillis === Infinity

  /**
   * Deadlines of a stream whose run began at `begin` (epoch ms), for the pull that began at
   * `pullStart`: the earliest one, the chunk deadline on a tie.
   */
  const deadlineOf = (begin: number, pullStart: number, emitted: boolean): readonly [at: number, error: TimeoutError] => {
    const chunkAt = Math.max(begin, pullStart) + (emitted ? idleMillis : firstChunkMillis)
    const totalAt = begin + totalMillis
    return chunkAt <= totalAt ? [chunkAt, emitted ? idleFailure : firstChunkFailure] : [totalAt, totalFailure]
  }

  /**
   * Applies the deadlines to a stream made by `makeStream`, whose run begins when it calls
   * `markBegin` (at once for `stream`; at the first input chunk for `transform`, as the run's
   * events do, so that waiting for upstream does not count).
   */
  const limitStream = <A, E2, R2>(
    makeStream: (markBegin: Effect.Effect<void>) => Stream.Stream<A, E2, R2>
  ): Stream.Stream<A, E2 | TimeoutError, R2> =>
    Stream.unwrapScoped(
      Effect.gen(function*() {
        let begin: number | undefined
        const began = yield* Deferred.make<number>()
        const markBegin = Effect.suspend(() =>
          begin !== undefined ? Effect.void : Effect.flatMap(Clock.currentTimeMillis, (now) => {
            begin = now
            return Deferred.succeed(began, now)
          })
        )
        const pull: Effect.Effect<Chunk.Chunk<A>, Option.Option<E2 | TimeoutError>, R2> = pullChunk(
          yield* Stream.toPull(makeStream(markBegin))
        )
        let emitted = false
        const timer = (pullStart: number, emittedBefore: boolean) =>
          Effect.gen(function*() {
            const [at, error] = deadlineOf(yield* Deferred.await(began), pullStart, emittedBefore)
            if (at === Infinity) return yield* Effect.never
            const now = yield* Clock.currentTimeMillis
            yield* Effect.sleep(Duration.millis(Math.max(0, at - now)))
            return yield* Effect.fail(Option.some(error))
          })
        const limitedPull = Effect.flatMap(Clock.currentTimeMillis, (pullStart) => {
          if (begin !== undefined) {
            const [at, error] = deadlineOf(begin, pullStart, emitted)
            if (at === Infinity) return pull
            if (at <= pullStart) return Effect.fail(Option.some(error))
          }
          return Effect.raceFirst(pull, timer(pullStart, emitted))
        })
        return Stream.repeatEffectChunkOption(
          unlimited ? pull : Effect.tap(limitedPull, () => {
            emitted = true
          })
        )
      })
    )

  return Runnable.wrap(self, ({ run, stream, transform }) => ({
    run: (input: In): Effect.Effect<Out, E | TimeoutError, R> =>
      Duration.isFinite(total) ? Effect.timeoutFail(run(input), { duration: total, onTimeout: () => totalFailure }) : run(input),
    stream: (input: In) =>
      limitStream((markBegin) =>
        Stream.unwrap(Effect.as(markBegin, stream === undefined ? Stream.fromEffect(run(input)) : stream(input)))
      ),
    transform: transform === undefined ? undefined : <E2, R2>(input: Stream.Stream<In, E2, R2>) =>
      limitStream((markBegin) =>
        transform(
          Stream.mapChunksEffect(input, (chunk) => Chunk.isEmpty(chunk) ? Effect.succeed(chunk) : Effect.as(markBegin, chunk))
        )
      )
  }))
}

/**
 * Gives a runnable deadlines (the timeouts LangChain.js lacks: its `timeout` abandons the work
 * and does not reach `streamEvents`). When one passes, the work is interrupted, not abandoned: its
 * finalizers run and what it opened is closed before the run fails with `TimeoutError`, which
 * names the runnable, the deadline that passed (`"total"`, `"firstChunk"` or `"idle"`) and its
 * duration. Errors of the runnable itself pass through unchanged.
 *
 * - `duration`: the whole run's deadline, for `invoke` and `stream` alike (for a runnable
 *   consuming a stream, from its first input chunk, when its run starts).
 * - `firstChunk` (streaming only): the longest wait for the first chunk.
 * - `idle` (streaming only): the longest wait for each next chunk once the consumer asks for it
 *   (a stalled model stream is the common hang). A consumer that takes its time between chunks
 *   does not count against it.
 *
 * `invoke` has one value and no chunks, so only `duration` applies to it. Every deadline is
 * checked on the `Clock` (so `TestClock` drives it); `Duration.infinity` means no deadline (say,
 * an idle deadline only). When two deadlines would pass at once, the chunk deadline is reported.
 *
 * No run is added: the runnable keeps its name, kind and configuration, and its raw behaviour is
 * wrapped. A bad duration (negative, `NaN`, unreadable) throws `InvalidOptionError` (from
 * `@fxchain/core`'s `Errors`) when the timeout is built, before anything runs.
 *
 * @example
 * ```ts
 * import * as Fx from "@fxchain/combinators"
 * import { Runnable } from "@fxchain/core"
 *
 * declare const model: Runnable.Runnable<string, string, Error>
 *
 * // 30 s in all, the first token within 5 s, then never more than 2 s between tokens
 * const bounded = model.pipe(Fx.timeout("30 seconds", { firstChunk: "5 seconds", idle: "2 seconds" }))
 * const tokens = Runnable.stream(bounded, "Tell me a story") // Stream<string, Error | TimeoutError>
 * ```
 *
 * @since 0.1.0
 * @category recovery
 */
export const timeout: {
  (
    duration: Duration.DurationInput,
    options?: TimeoutOptions
  ): <In, Out, E, R>(self: Runnable.Runnable<In, Out, E, R>) => Runnable.Runnable<In, Out, E | TimeoutError, R>
  <In, Out, E, R>(
    self: Runnable.Runnable<In, Out, E, R>,
    duration: Duration.DurationInput,
    options?: TimeoutOptions
  ): Runnable.Runnable<In, Out, E | TimeoutError, R>
} = dual((args) => Runnable.isRunnable(args[0]), make)

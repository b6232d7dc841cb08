/** @internal */
import { Options, Runnable } from "@fxchain/core"
import * as Chunk from "effect/Chunk"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Predicate from "effect/Predicate"
import * as Schedule from "effect/Schedule"
import * as Stream from "effect/Stream"
import type * as Retry from "../Retry.js"

/** @internal */
export const defaultBase: Duration.Duration = Duration.millis(100)

/** @internal */
export const defaultCap: Duration.Duration = Duration.seconds(10)

/** @internal */
export const defaultTimes = 3

/** @internal */
export const defaultMaxRetryAfter: Duration.Duration = Duration.minutes(1)

/** @internal */
export const defaultSchedule = (times: number): Schedule.Schedule<unknown> =>
  Schedule.exponential(defaultBase).pipe(
    Schedule.jittered,
    Schedule.modifyDelay((_, delay) => Duration.min(delay, defaultCap)),
    Schedule.intersect(Schedule.recurs(times))
  )

/** @internal */
export const retryAfter = (error: unknown): Option.Option<Duration.Duration> =>
  Predicate.hasProperty(error, "retryAfter") ? Duration.decodeUnknown(error.retryAfter) : Option.none()

/** @internal */
export const attemptTagPrefix = "retry:attempt:"

/** @internal */
export const attemptTag = (attempt: number): string => `${attemptTagPrefix}${attempt}`


/**
 * The policy as a schedule fed with the run's errors: the given schedule (or the default one),
 * capped by `times`, stretched to every `retryAfter`, stopped on errors `while` rejects and on a
 * `retryAfter` longer than `maxRetryAfter`.
 *
 * @internal
 */
export const policy = <E, R>(name: string, options: Retry.RetryOptions<E, R> | undefined): Schedule.Schedule<unknown, E, R> => {
  const times = options?.times
  if (times !== undefined) Options.integer(name, "times", times, { min: 0 })
  const maxRetryAfter = options?.maxRetryAfter === undefined
    ? defaultMaxRetryAfter
    : Options.duration(name, "maxRetryAfter", options.maxRetryAfter)
  const given = options?.schedule
  const base: Schedule.Schedule<unknown, E, R> = given === undefined
    ? defaultSchedule(times ?? defaultTimes)
    : times === undefined
    ? given
    : Schedule.intersect(given, Schedule.recurs(times))
  const honoured = Schedule.intersect(base, Schedule.identity<E>()).pipe(
    Schedule.modifyDelay(([_, error], delay) =>
      Option.match(retryAfter(error), {
        onNone: () => delay,
        onSome: (wait) => Duration.max(delay, wait)
      })
    )
  )
  const patient = Schedule.whileInput(honoured, (error: E) =>
    Option.match(retryAfter(error), {
      onNone: () => true,
      onSome: (wait) => Duration.lessThanOrEqualTo(wait, maxRetryAfter)
    }))
  const accepts = options?.while
  return accepts === undefined ? patient : Schedule.whileInput(patient, accepts)
}

/** @internal */
export const retry = <In, Out, E, R, R2>(
  self: Runnable.Runnable<In, Out, E, R>,
  options?: Retry.RetryOptions<E, R2>
): Runnable.Runnable<In, Out, E, R | R2> => {
  const schedule = policy(self.name, options)
  return Runnable.make<In, Out, E, R | R2>({
    name: self.name,
    kind: "chain",
    run: (input) =>
      Effect.suspend(() => {
        let attempt = 0
        const once = Effect.suspend(() => Runnable.invoke(self, input, { runTags: [attemptTag(++attempt)] }))
        return Effect.retry(once, schedule)
      }),
    stream: (input) =>
      Stream.suspend(() => {
        let attempt = 0
        let emitted = false
        const once = Stream.suspend(() => Runnable.stream(self, input, { runTags: [attemptTag(++attempt)] })).pipe(
          Stream.mapChunks((chunk) => {
            if (!Chunk.isEmpty(chunk)) emitted = true
            return chunk
          })
        )
        return Stream.retry(once, Schedule.whileInput(schedule, () => !emitted))
      })
  })
}

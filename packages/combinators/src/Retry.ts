/**
 * Retries: LangChain's `withRetry` (`RunnableRetry`), driven by an Effect `Schedule` on the
 * `Clock`, so `TestClock` drives it in tests.
 *
 * @since 0.1.0
 */
import { Runnable } from "@fxchain/core"
import type * as Duration from "effect/Duration"
import { dual } from "effect/Function"
import type * as Schedule from "effect/Schedule"
import * as internal from "./internal/retry.js"

/**
 * How `retry` retries.
 *
 * @since 0.1.0
 * @category models
 */
export interface RetryOptions<E, R = never> {
  /**
   * The schedule of retries, fed with each error. Used exactly as given (no jitter, cap or retry
   * count is added to it; only `times`, `while` and `retryAfter` apply on top). Without one:
   * exponential from 100 ms (100, 200, 400, ... ms), jittered (each delay times a random factor
   * between 0.8 and 1.2), each delay capped at 10 seconds, and at most 3 retries (`times`).
   */
  readonly schedule?: Schedule.Schedule<unknown, NoInfer<E>, R> | undefined
  /**
   * The most retries after the first attempt (an integer >= 0; `0` retries nothing). With the
   * default schedule it replaces its cap of 3; with a given schedule it stops that schedule early.
   */
  readonly times?: number | undefined
  /**
   * Which typed failures are retried (by default every one). Defects and interruptions are never
   * retried, whatever this says.
   */
  readonly while?: ((error: E) => boolean) | undefined
  /**
   * The longest `retryAfter` (see `RetryAfter`) that is waited for; an error asking for longer
   * ends the retries at once and comes out, so that a fallback can take over rather than the
   * caller being held (a `Retry-After: 86400` would otherwise wait a day). Defaults to 1 minute,
   * the longest `Retry-After` OpenAI's SDKs honour; `Duration.infinity` waits for any.
   */
  readonly maxRetryAfter?: Duration.DurationInput | undefined
}

/**
 * An error that says how long to wait before trying again, as a `retryAfter` field (a
 * `Duration.DurationInput`, a number being milliseconds): an HTTP 429 or 503 mapped to an error
 * value, say. `retry` finds the field on any error object; this type only documents its shape.
 *
 * @since 0.1.0
 * @category models
 */
export interface RetryAfter {
  readonly retryAfter: Duration.DurationInput
}

/**
 * The default schedule's first delay: 100 ms (then doubling).
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultRetryBase: Duration.Duration = internal.defaultBase

/**
 * The default schedule's longest delay between two attempts: 10 seconds.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultRetryCap: Duration.Duration = internal.defaultCap

/**
 * The default schedule's number of retries: 3 (so 4 attempts in all).
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultRetryTimes: number = internal.defaultTimes

/**
 * The longest `retryAfter` that `retry` waits for unless `maxRetryAfter` says otherwise: 1 minute.
 *
 * @since 0.2.0
 * @category constants
 */
export const defaultMaxRetryAfter: Duration.Duration = internal.defaultMaxRetryAfter

/**
 * Retries a runnable when it fails (LangChain's `withRetry`), on an Effect `Schedule` whose waits
 * go through the `Clock`.
 *
 * - Which failures: every typed failure that `while` accepts (all of them by default). A defect
 *   (an exception thrown in user code) or an interruption is never retried. The error type stays
 *   the runnable's: after the last attempt, its last error comes out unchanged.
 * - How often and when: `schedule` exactly as given, or by default exponential from 100 ms,
 *   jittered, capped at 10 s per wait, at most 3 retries; `times` caps the retries of either.
 * - `retryAfter`: when an error carries a `retryAfter` field (see `RetryAfter`), the wait before
 *   the next attempt is at least that long, whatever the schedule says (a schedule that would stop
 *   still stops). A `retryAfter` longer than `maxRetryAfter` (1 minute by default) is not waited
 *   for: the retries end and the error comes out at once. Every wait is on the `Clock`.
 * - Streaming: a stream that fails before its first chunk is retried; once a chunk has been
 *   emitted it is not, and the error comes out as is. Chunks already delivered downstream cannot
 *   be taken back, and running the runnable again would deliver them a second time.
 * - Runs: the retry is itself a run, of kind `"chain"`, named after the runnable it retries (as
 *   LangChain's `RunnableRetry` is; rename it with `Runnable.withConfig({ runName })`). Each
 *   attempt is a nested run of the runnable, tagged `retry:attempt:N` (1-based, the first attempt
 *   included, unlike LangChain which tags from the second).
 * - A streamed input (the runnable as a step of a streamed sequence) is gathered before the first
 *   attempt, since every attempt needs the whole input again.
 * - A bad `times` (negative, fractional, not a number) or `maxRetryAfter` (negative, unreadable)
 *   throws `InvalidOptionError` (from `@fxchain/core`'s `Errors`) when the retry is built: it is a
 *   programming error, found before anything runs, and it stays out of the runnable's error type.
 *
 * @example
 * ```ts
 * import * as Fx from "@fxchain/combinators"
 * import { Runnable } from "@fxchain/core"
 * import { Effect, Schedule } from "effect"
 *
 * class RateLimited {
 *   readonly _tag = "RateLimited"
 *   constructor(readonly retryAfter: string) {}
 * }
 * declare const callApi: (question: string) => Effect.Effect<string, RateLimited | Error>
 *
 * const api = Runnable.fromEffect(callApi, { name: "api" })
 * // default schedule: up to 3 retries, 100 ms, 200 ms, 400 ms apart (jittered), or `retryAfter`
 * const patient = api.pipe(Fx.retry())
 * // only rate limits, every second, at most 5 times
 * const picky = Fx.retry(api, {
 *   schedule: Schedule.spaced("1 second"),
 *   times: 5,
 *   while: (error) => error instanceof RateLimited
 * })
 * ```
 *
 * @since 0.1.0
 * @category recovery
 */
export const retry: {
  <E, R2 = never>(
    options?: RetryOptions<E, R2>
  ): <In, Out, R>(self: Runnable.Runnable<In, Out, E, R>) => Runnable.Runnable<In, Out, E, R | R2>
  <In, Out, E, R, R2 = never>(
    self: Runnable.Runnable<In, Out, E, R>,
    options?: RetryOptions<E, R2>
  ): Runnable.Runnable<In, Out, E, R | R2>
} = dual((args) => Runnable.isRunnable(args[0]), internal.retry)

/**
 * The prefix of the tag each attempt's run carries (`retry:attempt:N`, 1-based), for tools that
 * read runs, such as the OpenTelemetry metrics of `@fxchain/adapters/otel`.
 *
 * @since 0.1.0
 * @category constants
 */
export const retryAttemptTagPrefix: string = internal.attemptTagPrefix

/**
 * Rate limits: at most so many runs (or so much cost, tokens say) per interval, with one Effect
 * `RateLimiter` shared by every run that uses it, across fibers and batches. Waits go through the
 * `Clock` (so `TestClock` drives them in tests), and the time each run waited for the limiter is
 * added to the run: its `Ended` event's attributes and its span carry
 * `"fxchain.rateLimit.waitMillis"`.
 *
 * @example
 * ```ts
 * import * as Fx from "@fxchain/combinators"
 * import { Runnable } from "@fxchain/core"
 * import { Effect } from "effect"
 *
 * declare const model: Runnable.Runnable<string, string>
 *
 * const program = Effect.scoped(
 *   Effect.gen(function*() {
 *     // at most 2 calls per second, whoever makes them
 *     const limited = yield* Fx.rateLimit(model, { limit: 2, interval: "1 second" })
 *     return yield* Runnable.batch(limited, ["a", "b", "c"]) // the third starts after 1 second
 *   })
 * )
 * ```
 *
 * @since 0.1.0
 */
import { Runnable } from "@fxchain/core"
import type * as Duration from "effect/Duration"
import type * as Effect from "effect/Effect"
import { dual } from "effect/Function"
import type * as RateLimiter from "effect/RateLimiter"
import type * as Scope from "effect/Scope"
import * as internal from "./internal/rateLimit.js"

/**
 * How `withRateLimiter` takes a limiter for each run.
 *
 * @since 0.1.0
 * @category models
 */
export interface WithRateLimiterOptions<In> {
  /**
   * What one run costs, computed from its input: the limiter then counts costs per interval
   * instead of runs (tokens per minute rather than requests per minute, as providers throttle).
   * By default every run costs 1. It must return a finite number >= 0; anything else is a bug in
   * the function and the run dies with `InvalidOptionError` (option `"cost"`). With
   * `withRateLimiter`, a cost above the limiter's `limit` waits forever (the limiter never has
   * that much to give), as Effect's `RateLimiter.withCost` does; `rateLimit` knows its limit and
   * caps the cost at it instead.
   */
  readonly cost?: ((input: In) => number) | undefined
}

/**
 * How `rateLimit` limits a runnable.
 *
 * @since 0.1.0
 * @category models
 */
export interface RateLimitOptions<In> extends WithRateLimiterOptions<In> {
  /** Runs (or, with `cost`, cost) allowed per `interval`: an integer >= 1. */
  readonly limit: number
  /** The window: a positive, finite duration ("1 minute", `Duration.seconds(1)`, a number of ms). */
  readonly interval: Duration.DurationInput
  /**
   * Effect's `RateLimiter` algorithm. The default, `"fixed-window"`, lets at most `limit` runs
   * start per window, a window beginning with the first run after the previous one ended: the
   * quota as providers state it ("2 per second" lets a third run start at 1 s). `"token-bucket"`
   * lets `limit` start at once and then refills one every `interval / limit` (the third of
   * "2 per second" starts at 500 ms), so a burst can exceed `limit` within one interval.
   */
  readonly algorithm?: "fixed-window" | "token-bucket" | undefined
}

/**
 * The attribute, on a rate-limited run's `Ended` event and span, holding the milliseconds the
 * run waited for the limiter (0 when it did not wait).
 *
 * @since 0.1.0
 * @category constants
 */
export const waitMillisAttribute: "fxchain.rateLimit.waitMillis" = internal.waitMillisAttribute

/**
 * Shares an existing Effect `RateLimiter` across runnables: every run of every runnable given
 * the same limiter counts against it (all the calls to one provider, say, whichever model or
 * chain makes them).
 *
 * - The limiter is taken when a run starts, before its work; waiting is interruptible. Only
 *   starts are limited, not how many runs are in flight (bound that with `concurrency`).
 * - `cost` counts per input (see `WithRateLimiterOptions`); with it, a streamed input (the
 *   runnable as a step of a streamed sequence) is gathered first, as the cost needs all of it.
 * - The time a run waited goes into its `Ended` event's attributes and its span as
 *   `"fxchain.rateLimit.waitMillis"`, measured on the Clock.
 * - No run is added: the result is the runnable itself (same name, kind and configuration),
 *   rate limited.
 *
 * @example
 * ```ts
 * import * as Fx from "@fxchain/combinators"
 * import { Runnable } from "@fxchain/core"
 * import { Effect, RateLimiter } from "effect"
 *
 * declare const summarize: Runnable.Runnable<string, string>
 * declare const translate: Runnable.Runnable<string, string>
 *
 * const program = Effect.scoped(
 *   Effect.gen(function*() {
 *     // the provider allows 90,000 tokens per minute, whichever runnable spends them
 *     const provider = yield* RateLimiter.make({ limit: 90_000, interval: "1 minute", algorithm: "fixed-window" })
 *     const tokens = { cost: (text: string) => Math.ceil(text.length / 4) }
 *     const limitedSummarize = summarize.pipe(Fx.withRateLimiter(provider, tokens))
 *     const limitedTranslate = Fx.withRateLimiter(translate, provider, tokens)
 *     // ...
 *   })
 * )
 * ```
 *
 * @since 0.1.0
 * @category policies
 */
export const withRateLimiter: {
  <In>(
    limiter: RateLimiter.RateLimiter,
    options?: WithRateLimiterOptions<In>
  ): <Out, E, R>(self: Runnable.Runnable<In, Out, E, R>) => Runnable.Runnable<In, Out, E, R>
  <In, Out, E, R>(
    self: Runnable.Runnable<In, Out, E, R>,
    limiter: RateLimiter.RateLimiter,
    options?: WithRateLimiterOptions<NoInfer<In>>
  ): Runnable.Runnable<In, Out, E, R>
} = dual(
  (args) => Runnable.isRunnable(args[0]),
  <In, Out, E, R>(
    self: Runnable.Runnable<In, Out, E, R>,
    limiter: RateLimiter.RateLimiter,
    options?: WithRateLimiterOptions<In>
  ): Runnable.Runnable<In, Out, E, R> => internal.withRateLimiter(self, limiter, options)
)

/**
 * Rate limits a runnable with a new limiter (Effect's `RateLimiter.make`) that lives in the
 * `Scope`: every run of the returned runnable counts against it, from any fiber, in any batch
 * or nested in any chain. At most `limit` runs start per `interval` (or, with `cost`, at most
 * `limit` cost); the others wait on the Clock. A cost above `limit` is capped at `limit` (such a
 * run has a whole window to itself rather than waiting forever).
 *
 * To share one limit across different runnables, make one `RateLimiter` and give it to
 * `withRateLimiter` for each; see there for waits, events and streaming.
 *
 * Bad options are programming errors, not conditions a caller handles: a `limit` that is not an
 * integer >= 1, an `interval` that is not a positive finite duration or an unknown `algorithm`
 * throw `InvalidOptionError` (from `@fxchain/core`'s `Errors`, naming the option) when
 * `rateLimit` is called, as every bad option does (see core's `Options`).
 *
 * @example
 * ```ts
 * import * as Fx from "@fxchain/combinators"
 * import { Runnable } from "@fxchain/core"
 * import { Effect } from "effect"
 *
 * declare const model: Runnable.Runnable<string, string>
 *
 * const program = Effect.scoped(
 *   Effect.gen(function*() {
 *     const limited = yield* model.pipe(Fx.rateLimit({ limit: 60, interval: "1 minute" }))
 *     return yield* Runnable.batch(limited, ["a", "b", "c"], { concurrency: 8 })
 *   })
 * )
 * ```
 *
 * @since 0.1.0
 * @category policies
 */
export const rateLimit: {
  <In>(
    options: RateLimitOptions<In>
  ): <Out, E, R>(
    self: Runnable.Runnable<In, Out, E, R>
  ) => Effect.Effect<Runnable.Runnable<In, Out, E, R>, never, Scope.Scope>
  <In, Out, E, R>(
    self: Runnable.Runnable<In, Out, E, R>,
    options: RateLimitOptions<NoInfer<In>>
  ): Effect.Effect<Runnable.Runnable<In, Out, E, R>, never, Scope.Scope>
} = dual(2, internal.rateLimit)

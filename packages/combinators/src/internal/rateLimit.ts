/** @internal */
import { Options, Runnable } from "@fxchain/core"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as RateLimiter from "effect/RateLimiter"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import type * as RateLimit from "../RateLimit.js"

/** @internal */
export const waitMillisAttribute = "fxchain.rateLimit.waitMillis"

/** @internal */
export const defaultAlgorithm = "fixed-window" as const

/** The options of `rateLimit`, checked when it is called (see `Options`); returns the interval. */
const validate = (name: string, options: RateLimit.RateLimitOptions<never>): Duration.Duration => {
  const { algorithm, interval, limit } = options
  Options.integer(name, "limit", limit, { min: 1 })
  const decoded = Options.duration(name, "interval", interval)
  if (!Duration.isFinite(decoded) || Duration.toMillis(decoded) <= 0) {
    Options.invalid(name, "interval", interval, "a positive, finite Duration.DurationInput")
  }
  if (algorithm !== undefined && algorithm !== "fixed-window" && algorithm !== "token-bucket") {
    Options.invalid(name, "algorithm", algorithm, `"fixed-window" or "token-bucket"`)
  }
  return decoded
}

/**
 * Takes the limiter once for an input: its cost is set around the take only (so a limiter used
 * inside the work does not inherit it), the wait is measured on the Clock and added to the run.
 */
const acquire = (limiter: RateLimiter.RateLimiter, cost: number): Effect.Effect<void> =>
  Effect.flatMap(Clock.currentTimeMillis, (start) =>
    limiter(Clock.currentTimeMillis).pipe(
      RateLimiter.withCost(cost),
      Effect.flatMap((end) => Runnable.annotateRun({ [waitMillisAttribute]: end - start }))
    ))

/** @internal */
export const withRateLimiter = <In, Out, E, R>(
  self: Runnable.Runnable<In, Out, E, R>,
  limiter: RateLimiter.RateLimiter,
  options?: RateLimit.WithRateLimiterOptions<In>,
  maximumCost = Number.POSITIVE_INFINITY
): Runnable.Runnable<In, Out, E, R> => {
  const name = self.name
  const costOf = options?.cost
  const take = (input: In): Effect.Effect<void> =>
    Effect.suspend(() => {
      if (costOf === undefined) return acquire(limiter, 1)
      // a cost given at run time: a bad one is a defect (see `Options`)
      return acquire(limiter, Math.min(Options.number(name, "cost", costOf(input), { min: 0 }), maximumCost))
    })
  return Runnable.wrap(self, ({ run, stream, transform }) => ({
    run: (input: In) => Effect.zipRight(take(input), run(input)),
    stream: stream === undefined ? undefined : (input: In) => Stream.unwrap(Effect.map(take(input), () => stream(input))),
    // a cost is a function of the whole input, which a streamed input only is once gathered
    transform: transform === undefined || costOf !== undefined
      ? undefined
      : <E2, R2>(input: Stream.Stream<In, E2, R2>) => Stream.unwrap(Effect.map(acquire(limiter, 1), () => transform(input)))
  }))
}

/** @internal */
export const rateLimit = <In, Out, E, R>(
  self: Runnable.Runnable<In, Out, E, R>,
  options: RateLimit.RateLimitOptions<In>
): Effect.Effect<Runnable.Runnable<In, Out, E, R>, never, Scope.Scope> => {
  const interval = validate(self.name, options)
  return Effect.map(
    RateLimiter.make({ limit: options.limit, interval, algorithm: options.algorithm ?? defaultAlgorithm }),
    (limiter) => withRateLimiter(self, limiter, { cost: options.cost }, options.limit)
  )
}

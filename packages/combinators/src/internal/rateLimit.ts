/** @internal */
import { Errors, Runnable } from "@fxchain/core"
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

const invalid = (runnable: string, option: string, value: unknown, expected: string) =>
  new Errors.InvalidOptionError({ runnable, option, value, expected })

const validate = (
  name: string,
  options: RateLimit.RateLimitOptions<never>
): Errors.InvalidOptionError | Duration.Duration => {
  const { algorithm, interval, limit } = options
  if (typeof limit !== "number" || !Number.isInteger(limit) || limit < 1) {
    return invalid(name, "limit", limit, "an integer >= 1 (the requests, or the cost, allowed per interval)")
  }
  const decoded = Duration.decodeUnknown(interval)
  if (decoded._tag === "None" || !Duration.isFinite(decoded.value) || Duration.toMillis(decoded.value) <= 0) {
    return invalid(name, "interval", interval, "a positive, finite Duration.DurationInput")
  }
  if (algorithm !== undefined && algorithm !== "fixed-window" && algorithm !== "token-bucket") {
    return invalid(name, "algorithm", algorithm, `"fixed-window" or "token-bucket"`)
  }
  return decoded.value
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
      const cost = costOf(input)
      if (typeof cost !== "number" || !Number.isFinite(cost) || cost < 0) {
        return Effect.die(invalid(name, "cost", cost, "a finite number >= 0 (returned by `cost` for the input)"))
      }
      return acquire(limiter, Math.min(cost, maximumCost))
    })
  const transform = self.transform
  return Runnable.make<In, Out, E, R>({
    config: self.config,
    name,
    kind: self.kind,
    run: (input) => Effect.zipRight(take(input), self.run(input)),
    stream: (input) => Stream.unwrap(Effect.map(take(input), () => self.stream(input))),
    // a cost is a function of the whole input, which a streamed input only is once gathered
    transform: transform === undefined || costOf !== undefined
      ? undefined
      : (input) => Stream.unwrap(Effect.map(acquire(limiter, 1), () => transform(input)))
  })
}

/** @internal */
export const rateLimit = <In, Out, E, R>(
  self: Runnable.Runnable<In, Out, E, R>,
  options: RateLimit.RateLimitOptions<In>
): Effect.Effect<Runnable.Runnable<In, Out, E, R>, never, Scope.Scope> =>
  Effect.suspend(() => {
    const interval = validate(self.name, options)
    if (interval instanceof Errors.InvalidOptionError) return Effect.die(interval)
    return Effect.map(
      RateLimiter.make({ limit: options.limit, interval, algorithm: options.algorithm ?? defaultAlgorithm }),
      (limiter) => withRateLimiter(self, limiter, { cost: options.cost }, options.limit)
    )
  })

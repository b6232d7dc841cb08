import { it, expect } from "@effect/vitest"
import { Runnable } from "@fxchain/core"
import { Effect, RateLimiter } from "effect"
import { cached } from "../src/Cached.js"
import { rateLimit, withRateLimiter } from "../src/RateLimit.js"
it.scoped("data-last policies infer the input of cost and key from the piped runnable", () => Effect.gen(function*() {
  const r = Runnable.fromEffect((n: number) => Effect.succeed(`${n}`))
  const a = yield* r.pipe(cached({ capacity: 10, timeToLive: "1 minute" }))
  const b = yield* r.pipe(cached({ capacity: 10, timeToLive: "1 minute", key: (n) => n.toFixed(0) }))
  const c = yield* r.pipe(rateLimit({ limit: 1, interval: "1 second", cost: (n) => n.toFixed(0).length }))
  const c2 = yield* r.pipe(rateLimit({ limit: 1, interval: "1 second" }))
  const limiter = yield* RateLimiter.make({ limit: 1, interval: "1 second" })
  const d = r.pipe(withRateLimiter(limiter, { cost: (n) => n.toFixed(0).length }))
  const e = r.pipe(withRateLimiter(limiter))
  const all: Array<Runnable.Runnable<number, string>> = [a, b, c, c2, d, e]
  expect(all.length).toBe(6)
}))

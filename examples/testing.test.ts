/** Samples for docs/testing.md: simulated time with TestClock, scripted runnables and a probe. */
import { describe, expect, it } from "@effect/vitest"
import { Runnable, Testing } from "@fxchain/core"
import { Effect, Fiber, TestClock } from "effect"

describe("testing with simulated time", () => {
  it.effect("a batch of 10 one-second calls at concurrency 5 takes 2 simulated seconds", () =>
    Effect.gen(function*() {
      const probe = Testing.makeProbe()
      const api = Testing.scripted({ name: "api", latency: "1 second", respond: (n: number) => n * 2, probe })

      const fiber = yield* Effect.fork(Runnable.batch(api, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], { concurrency: 5 }))
      yield* TestClock.adjust("1 second")
      expect(probe.unsafeStats().finished).toBe(5) // the first wave is done, the second in flight
      yield* TestClock.adjust("1 second")

      expect(yield* Fiber.join(fiber)).toEqual([0, 2, 4, 6, 8, 10, 12, 14, 16, 18])
      expect(probe.unsafeStats()).toMatchObject({ started: 10, finished: 10, maxInFlight: 5 })
    }))

  it.effect("a failing call interrupts the rest of a fail-fast batch", () =>
    Effect.gen(function*() {
      const probe = Testing.makeProbe()
      const flaky = Testing.scripted({
        latency: (n: number) => `${n} seconds`,
        respond: (n: number) => n,
        fail: (n) => n === 1 ? "rate limited" : undefined,
        probe
      })

      const fiber = yield* Effect.fork(Effect.flip(Runnable.batch(flaky, [3, 1, 2], { concurrency: 3 })))
      yield* TestClock.adjust("1 second")

      expect(yield* Fiber.join(fiber)).toBe("rate limited")
      expect(probe.unsafeStats()).toMatchObject({ failed: 1, interrupted: 2 })
    }))
})

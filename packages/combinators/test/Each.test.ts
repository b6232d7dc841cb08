import { describe, expect, it } from "@effect/vitest"
import { Errors, Runnable, Testing } from "@fxchain/core"
import { Effect, Fiber, TestClock } from "effect"
import { each } from "../src/Each.js"

describe("each", () => {
  it.effect("maps an array input with bounded concurrency, output in input order", () =>
    Effect.gen(function*() {
      const probe = Testing.makeProbe()
      const slow = Testing.scripted({ latency: (n: number) => `${10 - n} millis`, respond: (n: number) => n * n, probe })
      const fiber = yield* Effect.fork(Runnable.invoke(each(slow, { concurrency: 3 }), [1, 2, 3, 4, 5, 6]))
      yield* TestClock.adjust("1 second")
      expect(yield* Fiber.join(fiber)).toEqual([1, 4, 9, 16, 25, 36])
      expect(probe.unsafeStats().maxInFlight).toBe(3)
    }))

  it.effect("fails fast with the element's error, and throws InvalidOptionError for a bad concurrency when built", () =>
    Effect.gen(function*() {
      const parse = Runnable.fromEffect((text: string) =>
        Number.isNaN(Number(text)) ? Effect.fail(`bad ${text}`) : Effect.succeed(Number(text)))
      expect(yield* Effect.flip(Runnable.invoke(each(parse), ["1", "x"]))).toBe("bad x")
      for (const concurrency of [0, 2.5, Number.NaN, Infinity]) {
        expect(() => each(parse, { concurrency })).toThrow(Errors.InvalidOptionError)
      }
    }))
})

import { describe, expect, it } from "@effect/vitest"
import { Chunk, Effect, Fiber, Stream, TestClock } from "effect"
import { Runnable, Testing } from "../src/index.js"

describe("Testing", () => {
  it.effect("scripted runnables wait on the Clock and count their calls", () =>
    Effect.gen(function*() {
      const step = Testing.scripted({ latency: "2 seconds", respond: (text: string, call) => `${text}#${call}` })
      const fiber = yield* Effect.fork(Effect.all([Runnable.invoke(step, "a"), Runnable.invoke(step, "b")]))
      yield* TestClock.adjust("3 seconds")
      expect(fiber.unsafePoll()).toBeNull()
      yield* TestClock.adjust("1 second")
      expect(yield* Fiber.join(fiber)).toEqual(["a#0", "b#1"])
    }))

  it.effect("scripted failures and streamed chunks with their own latency", () =>
    Effect.gen(function*() {
      const flaky = Testing.scripted({ respond: (n: number) => n, fail: (_, call) => call < 2 ? `attempt ${call}` : undefined })
      expect(yield* Effect.flip(Runnable.invoke(flaky, 1))).toBe("attempt 0")
      expect(yield* Effect.flip(Runnable.invoke(flaky, 1))).toBe("attempt 1")
      expect(yield* Runnable.invoke(flaky, 1)).toBe(1)

      const tokens = Testing.scripted({
        latency: "100 millis",
        respond: (_: null) => "Hello world",
        chunks: (text) => text.split(/(?= )/),
        chunkLatency: "10 millis"
      })
      const seen: Array<readonly [string, number]> = []
      const fiber = yield* Effect.fork(
        Runnable.stream(tokens, null).pipe(
          Stream.mapEffect((chunk) => Effect.map(TestClock.currentTimeMillis, (now) => [chunk, now] as const)),
          Stream.runForEach((entry) => Effect.sync(() => seen.push(entry)))
        )
      )
      yield* TestClock.adjust("1 second")
      yield* Fiber.join(fiber)
      expect(seen).toEqual([["Hello", 100], [" world", 110]])
    }))

  it.effect("the probe counts started, finished, failed, interrupted and the peak in flight", () =>
    Effect.gen(function*() {
      const probe = Testing.makeProbe()
      const step = Testing.scripted({ latency: "1 second", respond: (n: number) => n, fail: (n) => n < 0 ? "negative" : undefined, probe })
      const fiber = yield* Effect.fork(Effect.all([Runnable.invoke(step, 1), Runnable.invoke(step, 2)], { concurrency: 2 }))
      yield* TestClock.adjust("1 second")
      yield* Fiber.join(fiber)
      yield* Effect.either(Runnable.invoke(step, -1).pipe(Effect.fork, Effect.tap(() => TestClock.adjust("1 second")), Effect.flatMap(Fiber.join)))
      const interrupted = yield* Effect.fork(Runnable.invoke(step, 3))
      yield* TestClock.adjust("1 millis")
      yield* Fiber.interrupt(interrupted)
      expect(yield* probe.stats).toEqual({ started: 4, finished: 2, failed: 1, interrupted: 1, inFlight: 0, maxInFlight: 2 })

      const streamed = Testing.makeProbe()
      const tokens = Testing.probed(Runnable.fromStream((text: string) => Stream.fromIterable(text.split(""))), streamed)
      expect(Chunk.join(yield* Stream.runCollect(Runnable.stream(tokens, "abc")), "")).toBe("abc")
      yield* Stream.runDrain(Stream.take(Runnable.stream(tokens, "abc"), 1))
      expect(streamed.unsafeStats()).toMatchObject({ started: 2, finished: 2, inFlight: 0 })
    }))
})

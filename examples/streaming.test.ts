import { describe, expect, it, vi } from "@effect/vitest"
import { Runnable } from "@fxchain/core"
import { Clock, Effect, Fiber, Layer, Stream, TestClock } from "effect"
import * as streaming from "./streaming.js"

/**
 * Runs a stream in a fiber on `layer`, moves the clock by `millis`, and returns each chunk with the
 * time it arrived (in milliseconds since the stream started).
 */
const timed = <A, E, R>(stream: Stream.Stream<A, E, R>, layer: Layer.Layer<R>, millis = 2_000) =>
  Effect.gen(function*() {
    const received: Array<readonly [number, A]> = []
    const start = yield* Clock.currentTimeMillis
    const fiber = yield* Effect.fork(
      Stream.runForEach(stream, (chunk) => Effect.map(Clock.currentTimeMillis, (now) => void received.push([now - start, chunk]))).pipe(
        Effect.provide(layer)
      )
    )
    yield* TestClock.adjust(millis)
    yield* Fiber.join(fiber)
    return received
  })

describe("examples/streaming (docs/streaming.md)", () => {
  it.effect("a model streams message chunks, one per token, then the finish reason and usage", () =>
    Effect.gen(function*() {
      const chunks = yield* timed(streaming.messages, streaming.FakeLive)
      expect(chunks.map(([time, chunk]) => [time, chunk.text])).toEqual([
        [500, "Fibers "],
        [600, "are "],
        [700, "cheap "],
        [800, "threads"],
        [800, ""]
      ])
      expect(chunks[4]![1]).toMatchObject({ finishReason: "stop", usage: { outputTokens: 4 } })
    }))

  it.effect("consuming a stream chunk by chunk", () =>
    Effect.gen(function*() {
      const written: Array<string> = []
      const write = vi.spyOn(process.stdout, "write").mockImplementation((text) => (written.push(String(text)), true))
      const fiber = yield* Effect.fork(Effect.provide(streaming.printed, streaming.FakeLive))
      yield* TestClock.adjust("600 millis")
      expect(written).toEqual(["Fibers ", "are "])
      yield* TestClock.adjust("200 millis")
      yield* Fiber.join(fiber)
      write.mockRestore()
      expect(written.join("")).toBe("Fibers are cheap threads")
    }))

  it.effect("transform: a parser consumes chunks as they arrive, any other runnable gathers them", () =>
    Effect.gen(function*() {
      expect(Array.from(yield* Stream.runCollect(streaming.colours))).toEqual([["red"], ["green"], ["blue"]])
      expect(Array.from(yield* Stream.runCollect(streaming.gathered))).toEqual([16])
    }))

  it.effect("through a sequence: the first parsed chunk comes at 500 ms, before the model finished at 800 ms", () =>
    Effect.gen(function*() {
      expect(yield* timed(streaming.tokens, streaming.FakeLive)).toEqual([
        [500, "Fibers "],
        [600, "are "],
        [700, "cheap "],
        [800, "threads"]
      ])
      const fiber = yield* Effect.fork(Effect.provide(streaming.answer, streaming.FakeLive))
      yield* TestClock.adjust("799 millis")
      expect(fiber.unsafePoll()).toBeNull()
      yield* TestClock.adjust("1 millis")
      expect(yield* Fiber.join(fiber)).toBe("Fibers are cheap threads")
      expect(yield* timed(streaming.shouted, streaming.FakeLive)).toEqual([[800, "FIBERS ARE CHEAP THREADS"]])
    }))

  it.effect("streamEvents: the parser starts and streams as the model's chunks arrive", () =>
    Effect.gen(function*() {
      const lines = (yield* timed(streaming.timeline, streaming.FakeLive)).map(([, line]) => line)
      expect(lines).toEqual([
        "0 ms Started model",
        "500 ms Streamed model",
        "500 ms Started StringOutputParser",
        "500 ms Streamed StringOutputParser \"Fibers \"",
        "600 ms Streamed model",
        "600 ms Streamed StringOutputParser \"are \"",
        "700 ms Streamed model",
        "700 ms Streamed StringOutputParser \"cheap \"",
        "800 ms Streamed model",
        "800 ms Streamed model",
        "800 ms Streamed StringOutputParser \"threads\"",
        "800 ms Ended model",
        "800 ms Ended StringOutputParser"
      ])
    }))

  it.effect("streamBatch: both inputs stream at once, each chunk tagged with its index", () =>
    Effect.gen(function*() {
      const chunks = yield* timed(streaming.both, streaming.FakeLive)
      const of = (index: number) => chunks.filter(([, [i]]) => i === index).map(([time, [, chunk]]) => [time, chunk])
      expect(of(0)).toEqual([[500, "Fibers "], [600, "are "], [700, "cheap "], [800, "threads"]])
      expect(of(1)).toEqual([[500, "Scopes "], [600, "close "], [700, "what "], [800, "they "], [900, "open"]])
      const progress = yield* timed(streaming.progress, streaming.FakeLive)
      expect(progress[0]).toEqual([0, ["", ""]])
      expect(progress.at(-1)).toEqual([900, ["Fibers are cheap threads", "Scopes close what they open"]])
    }))

  it.effect("json(): differences that combine into the value; accumulate: the partial values", () =>
    Effect.gen(function*() {
      expect(yield* timed(streaming.differences, streaming.JsonLive)).toEqual([
        [500, {}],
        [600, { city: "Paris" }],
        [800, { tags: ["old"] }],
        [900, { tags: ["big"] }]
      ])
      expect((yield* timed(streaming.partials, streaming.JsonLive)).map(([, value]) => value)).toEqual([
        {},
        { city: "Paris" },
        { city: "Paris", tags: ["old"] },
        { city: "Paris", tags: ["old", "big"] }
      ])
      const invoked = yield* Effect.fork(Effect.provide(Runnable.invoke(streaming.cityCard, { city: "Paris" }), streaming.JsonLive))
      yield* TestClock.adjust("900 millis")
      expect(yield* Fiber.join(invoked)).toEqual({ city: "Paris", tags: ["old", "big"] })
    }))
})

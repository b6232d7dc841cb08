/**
 * `streamEvents` is bounded: a slow consumer slows the run instead of letting it buffer, and a
 * streamed run keeps its chunks combined (for its `Ended` event), not the chunks themselves.
 */
import { describe, expect, it } from "@effect/vitest"
import { Chunk, Effect, Option, Stream } from "effect"
import { setFlagsFromString } from "node:v8"
import { runInNewContext } from "node:vm"
import { Runnable } from "../src/index.js"

setFlagsFromString("--expose-gc")
const gc: () => void = runInNewContext("gc")

/** Live heap now, after a full collection. */
const liveHeap = () => {
  gc()
  return process.memoryUsage().heapUsed
}

describe("streamEvents is bounded", () => {
  it.effect("a consumer that stops pulling stops the run: it is never more than about a thousand events ahead", () =>
    Effect.gen(function*() {
      let produced = 0
      const source = Runnable.fromStream((n: number) =>
        Stream.range(1, n, 1).pipe(Stream.tap(() => Effect.sync(() => produced++))), { name: "source" })
      const pull = yield* Stream.toPull(Runnable.streamEvents(source, 100_000))
      const first = yield* pull
      expect(Chunk.isNonEmpty(first)).toBe(true)
      // the consumer takes what it has and then does nothing for a while: the run must wait
      for (let tick = 0; tick < 2_000; tick++) yield* Effect.yieldNow()
      const ahead = produced
      expect(ahead).toBeLessThan(2_100)
      for (let tick = 0; tick < 2_000; tick++) yield* Effect.yieldNow()
      expect(produced).toBe(ahead)
      // and it resumes when the consumer does, losing nothing
      let events = Chunk.size(first)
      for (;;) {
        const next = yield* Effect.option(pull)
        if (Option.isNone(next)) break
        events += Chunk.size(next.value)
      }
      expect(produced).toBe(100_000)
      expect(events).toBe(100_000 + 2)
    }).pipe(Effect.scoped))

  it.live("a million-chunk run under streamEvents, with a consumer that keeps up, holds the heap flat", () =>
    Effect.gen(function*() {
      const samples: Array<number> = []
      const source = Runnable.fromStream((n: number) =>
        Stream.range(1, n, 1).pipe(Stream.mapChunks((chunk) => {
          if (Chunk.unsafeLast(chunk) % 100_000 === 0) samples.push(liveHeap())
          return chunk
        })), {
        name: "source"
      })
      const before = liveHeap()
      let last: unknown
      yield* Stream.runForEachChunk(Runnable.streamEvents(source, 1_000_000), (events) =>
        Effect.sync(() => {
          last = Chunk.unsafeLast(events)
        }))
      expect(last).toMatchObject({ _tag: "Ended", output: 1_000_000 })
      expect(samples).toHaveLength(10)
      const growth = Math.max(...samples) - before
      // 1.2 MB measured; the bound is 10 MB, and keeping every chunk (8 MB of numbers) fails this one
      expect(growth).toBeLessThan(4 * 1024 * 1024)
    }), 60_000)
})

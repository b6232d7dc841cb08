import { describe, expect, it } from "@effect/vitest"
import { PromiseRunnable } from "@fxchain/adapters"
import { Runnable } from "@fxchain/core"
import { Chunk, Effect, Fiber, Stream, TestClock } from "effect"
import * as resources from "./resources.js"

describe("examples/resources (docs/resources.md)", () => {
  it.effect("a run's resource is released when the run ends", () =>
    Effect.gen(function*() {
      resources.connections.length = 0
      const fiber = yield* Effect.fork(Runnable.invoke(resources.readTable, "users"))
      yield* TestClock.adjust("1 second")
      expect(yield* Fiber.join(fiber)).toBe("rows of users")
      expect(resources.connections).toEqual(["open users", "close users"])
    }))

  it.effect("Runnable.unwrap: a streaming run holds its resource while it streams, and releases it at its end", () =>
    Effect.gen(function*() {
      resources.connections.length = 0
      const fiber = yield* Effect.fork(Stream.runCollect(Runnable.stream(resources.tailTable, 2)))
      yield* TestClock.adjust("1 second")
      expect(resources.connections).toEqual(["open events"])
      yield* TestClock.adjust("1 second")
      expect(Chunk.toReadonlyArray(yield* Fiber.join(fiber))).toEqual(["rows of events", "rows of events"])
      expect(resources.connections).toEqual(["open events", "close events"])
    }))

  it.effect("interrupting a batch: in-flight items are interrupted and released, no queued item starts", () =>
    Effect.gen(function*() {
      resources.connections.length = 0
      const fiber = yield* Effect.fork(resources.backup)
      yield* TestClock.adjust("1500 millis")
      yield* Fiber.interrupt(fiber) // returns once the interrupted items' finalizers ran
      // at 1 s, users and orders close as tickets and invoices open, in an order the scheduler picks
      expect([...resources.connections].sort()).toEqual([
        "close invoices (interrupted)",
        "close orders",
        "close tickets (interrupted)",
        "close users",
        "open invoices",
        "open orders",
        "open tickets",
        "open users"
      ])
      expect(resources.connections.slice(0, 2)).toEqual(["open users", "open orders"])
      yield* TestClock.adjust("10 seconds")
      expect(resources.connections).toHaveLength(8)
    }))

  it.effect("a timeout on a parallel interrupts both branches: the connection closes, the signal aborts", () =>
    Effect.gen(function*() {
      resources.connections.length = 0
      resources.aborted.length = 0
      const fiber = yield* Effect.fork(Effect.flip(Runnable.invoke(resources.overview, "tickets")))
      yield* TestClock.adjust("499 millis")
      expect(fiber.unsafePoll()).toBeNull()
      yield* TestClock.adjust("1 millis")
      expect(yield* Fiber.join(fiber)).toMatchObject({ _tag: "TimeoutError", deadline: "total" })
      expect(resources.connections).toEqual(["open tickets", "close tickets (interrupted)"])
      expect(resources.aborted).toEqual(["tickets"])
    }))

  it.effect("a consumer that stops early closes the async generator", () =>
    Effect.gen(function*() {
      expect(Chunk.toReadonlyArray(yield* Stream.runCollect(resources.firstThree))).toEqual([1, 2, 3])
      expect(resources.generator).toEqual(["closed"])
    }))

  it.effect("a rate limiter and a cache made once in a scoped layer, shared by the whole batch", () =>
    Effect.gen(function*() {
      const fiber = yield* Effect.fork(resources.searches)
      yield* TestClock.adjust("1999 millis")
      expect(fiber.unsafePoll()).toBeNull()
      yield* TestClock.adjust("1 millis")
      expect(yield* Fiber.join(fiber)).toEqual([
        "results for a",
        "results for b",
        "results for c",
        "results for d",
        "results for e",
        "results for f",
        "results for a"
      ])
      expect(resources.searchProbe.unsafeStats()).toMatchObject({ started: 6, finished: 6 })
    }))

  it("dispose(): the run in flight rejects with DisposedError, then the layer is released", async () => {
    const pending = resources.reportApi.invoke("select 1").catch((error: unknown) => error)
    await new Promise((resolve) => setTimeout(resolve, 20))
    expect(resources.lifecycle).toEqual(["pool opened"])
    const started = Date.now()
    await resources.reportApi.dispose()
    expect(Date.now() - started).toBeLessThan(900)
    expect(await pending).toBeInstanceOf(PromiseRunnable.DisposedError)
    expect(resources.lifecycle).toEqual(["pool opened", "pool closed"])
    expect(await resources.reportApi.invoke("select 2").catch((error: unknown) => error)).toBeInstanceOf(
      PromiseRunnable.DisposedError
    )
  })
})

import { describe, expect, it } from "@effect/vitest"
import { Cause, Chunk, Effect, Either, Exit, Fiber, Option, Stream, TestClock } from "effect"
import { Errors, RunConfig, Runnable, Testing } from "../src/index.js"

const range = (n: number) => Array.from({ length: n }, (_, i) => i)

describe("batch", () => {
  it.effect("keeps input order and runs at most `concurrency` items at once", () =>
    Effect.gen(function*() {
      const probe = Testing.makeProbe()
      // later items answer sooner, so completion order differs from input order
      const slow = Testing.scripted({ latency: (n: number) => `${100 - n} millis`, respond: (n: number) => n * 10, probe })
      const fiber = yield* Effect.fork(Runnable.batch(slow, range(20), { concurrency: 4 }))
      yield* TestClock.adjust("1 millis")
      expect(probe.unsafeStats().inFlight).toBe(4)
      yield* TestClock.adjust("1 second")
      expect(yield* Fiber.join(fiber)).toEqual(range(20).map((n) => n * 10))
      expect(probe.unsafeStats()).toMatchObject({ started: 20, finished: 20, maxInFlight: 4, inFlight: 0 })
    }))

  it.effect("takes its default concurrency from RunConfig, bounded by default", () =>
    Effect.gen(function*() {
      const probe = Testing.makeProbe()
      const slow = Testing.scripted({ latency: "10 millis", respond: (n: number) => n, probe })
      const fiber = yield* Effect.fork(Runnable.batch(slow, range(100)))
      yield* TestClock.adjust("1 second")
      yield* Fiber.join(fiber)
      expect(probe.unsafeStats().maxInFlight).toBe(RunConfig.defaults.concurrency)

      // a runnable's own withConfig concurrency bounds a batch of it (LangChain's maxConcurrency)
      const own = Testing.makeProbe()
      const viaOwnConfig = Runnable.withConfig(Testing.probed(slow, own), { concurrency: 3 })
      const second = yield* Effect.fork(Runnable.batch(viaOwnConfig, range(12)))
      yield* TestClock.adjust("1 second")
      yield* Fiber.join(second)
      expect(own.unsafeStats().maxInFlight).toBe(3)

      // an enclosing run's withConfig concurrency is inherited by the batches inside it
      const inherited = Testing.makeProbe()
      const inner = Runnable.fromEffect((items: Array<number>) => Runnable.batch(Testing.probed(slow, inherited), items))
      const third = yield* Effect.fork(Runnable.invoke(Runnable.withConfig(inner, { concurrency: 5 }), range(20)))
      yield* TestClock.adjust("1 second")
      yield* Fiber.join(third)
      expect(inherited.unsafeStats().maxInFlight).toBe(5)
    }))

  it.effect("fail-fast: the first failure interrupts the other items and no further item starts", () =>
    Effect.gen(function*() {
      const probe = Testing.makeProbe()
      const flaky = Testing.scripted({
        latency: (n: number) => n === 2 ? "5 millis" : "1 second",
        respond: (n: number) => n,
        fail: (n) => n === 2 ? "item 2 failed" : undefined,
        probe
      })
      const fiber = yield* Effect.fork(Effect.flip(Runnable.batch(flaky, range(10), { concurrency: 4 })))
      yield* TestClock.adjust("10 millis")
      expect(yield* Fiber.join(fiber)).toBe("item 2 failed")
      expect(probe.unsafeStats()).toMatchObject({ started: 4, failed: 1, interrupted: 3, finished: 0, inFlight: 0 })
    }))

  it.effect("mode either: every item runs and holds its own result, in input order", () =>
    Effect.gen(function*() {
      const flaky = Testing.scripted({
        latency: "1 millis",
        respond: (n: number) => n,
        fail: (n) => n % 3 === 0 ? `bad ${n}` : undefined
      })
      const fiber = yield* Effect.fork(Runnable.batch(flaky, range(7), { concurrency: 2, mode: "either" }))
      yield* TestClock.adjust("1 second")
      const results = yield* Fiber.join(fiber)
      expect(results).toEqual(range(7).map((n) => n % 3 === 0 ? Either.left(`bad ${n}`) : Either.right(n)))
    }))

  it.effect("an empty batch succeeds with [] at once", () =>
    Effect.gen(function*() {
      const never = Runnable.fromEffect((_: number) => Effect.never)
      expect(yield* Runnable.batch(never, [])).toEqual([])
    }))

  it.effect("bad concurrency or mode is a defect (InvalidOptionError) naming the option and value, before any item runs", () =>
    Effect.gen(function*() {
      const probe = Testing.makeProbe()
      const step = Testing.scripted({ name: "step", respond: (n: number) => n, probe })
      const defectOf = <A, E>(effect: Effect.Effect<A, E>) =>
        Effect.map(Effect.exit(effect), (exit) => Exit.isFailure(exit) ? Option.getOrUndefined(Cause.dieOption(exit.cause)) : undefined)
      for (const concurrency of [0, -1, Number.NaN, 2.5, Infinity, "4" as unknown as number]) {
        const error = yield* defectOf(Runnable.batch(step, [1, 2], { concurrency }))
        expect(error).toBeInstanceOf(Errors.InvalidOptionError)
        expect(error).toMatchObject({ _tag: "InvalidOptionError", runnable: "step", option: "concurrency" })
        expect(Object.is((error as Errors.InvalidOptionError).value, concurrency)).toBe(true)
        expect((error as Errors.InvalidOptionError).message).toContain("concurrency")
      }
      const badMode = yield* defectOf(Runnable.batch(step, [1], { mode: "fail-slow" as "either" }))
      expect(badMode).toMatchObject({ _tag: "InvalidOptionError", option: "mode", value: "fail-slow" })
      const viaStream = yield* defectOf(Stream.runDrain(Runnable.batchAsCompleted(step, [1], { concurrency: 0 })))
      expect(viaStream).toBeInstanceOf(Errors.InvalidOptionError)
      const viaStreamBatch = yield* defectOf(Stream.runDrain(Runnable.streamBatch(step, [1], { concurrency: 0 })))
      expect(viaStreamBatch).toBeInstanceOf(Errors.InvalidOptionError)
      expect(probe.unsafeStats().started).toBe(0)
    }))

  it.effect("a batch of synchronous steps runs them all, and a defect still dies", () =>
    Effect.gen(function*() {
      const inc = Runnable.sync((n: number) => n + 1)
      expect(yield* Runnable.batch(inc, range(5), { mode: "either" })).toEqual(range(5).map((n) => Either.right(n + 1)))
      const bad = Runnable.sync((_: number): number => {
        throw new Error("bug")
      })
      const exit = yield* Effect.exit(Runnable.batch(bad, [1]))
      expect(exit._tag).toBe("Failure")
    }))
})

describe("batchAsCompleted", () => {
  it.effect("emits [index, result] in completion order with 0-based input indices", () =>
    Effect.gen(function*() {
      const latencies = [30, 10, 20, 5]
      const step = Testing.scripted({
        latency: (n: number) => `${latencies[n]} millis`,
        respond: (n: number) => `item ${n}`,
        fail: (n) => n === 2 ? "third failed" : undefined
      })
      const fiber = yield* Effect.fork(Stream.runCollect(Runnable.batchAsCompleted(step, range(4), { concurrency: 4 })))
      yield* TestClock.adjust("1 second")
      const results = Chunk.toReadonlyArray(yield* Fiber.join(fiber))
      expect(results).toEqual([
        [3, Either.right("item 3")],
        [1, Either.right("item 1")],
        [2, Either.left("third failed")],
        [0, Either.right("item 0")]
      ])
    }))
})

describe("streamBatch", () => {
  it.effect("interleaves every item's chunks as they are produced, tagged with the item index", () =>
    Effect.gen(function*() {
      const words = Testing.scripted({
        latency: (text: string) => text === "a b" ? "1 millis" : "2 millis",
        respond: (text: string) => text,
        chunks: (text) => text.split(" "),
        chunkLatency: "2 millis"
      })
      const fiber = yield* Effect.fork(Stream.runCollect(Runnable.streamBatch(words, ["a b", "c d"], { concurrency: 2 })))
      yield* TestClock.adjust("1 second")
      expect(Chunk.toReadonlyArray(yield* Fiber.join(fiber))).toEqual([[0, "a"], [1, "c"], [0, "b"], [1, "d"]])
    }))
})

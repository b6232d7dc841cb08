import { describe, expect, it } from "@effect/vitest"
import { Cause, Chunk, Effect, Exit, Fiber, Option, Stream, TestClock } from "effect"
import { Errors, RunConfig, Runnable, Testing } from "../src/index.js"

class Boom {
  readonly _tag = "Boom"
  constructor(readonly reason: string) {}
}

describe("constructors", () => {
  it.effect("make, sync, fromEffect, succeed and identity run and keep name and kind", () =>
    Effect.gen(function*() {
      const made = Runnable.make({ name: "made", run: (n: number) => Effect.succeed(n + 1), kind: "tool" })
      expect([made.name, made.kind]).toEqual(["made", "tool"])
      expect(yield* Runnable.invoke(made, 1)).toBe(2)
      function double(n: number) {
        return n * 2
      }
      const sync = Runnable.sync(double)
      expect([sync.name, sync.kind]).toEqual(["double", "lambda"])
      expect(yield* Runnable.invoke(sync, 4)).toBe(8)
      expect(yield* Runnable.invoke(Runnable.fromEffect((s: string) => Effect.succeed(s.length)), "abc")).toBe(3)
      expect(yield* Runnable.invoke(Runnable.succeed("fixed"), 123)).toBe("fixed")
      expect(yield* Runnable.invoke(Runnable.identity<string>(), "same")).toBe("same")
      expect(Runnable.isRunnable(sync)).toBe(true)
      expect(Runnable.isRunnable({ name: "x" })).toBe(false)
    }))

  it.effect("executors are dual: data-first and in a pipe", () =>
    Effect.gen(function*() {
      const inc = Runnable.sync((n: number) => n + 1)
      expect(yield* inc.pipe(Runnable.invoke(1))).toBe(2)
      expect(yield* inc.pipe(Runnable.batch([1, 2]))).toEqual([2, 3])
      expect(yield* Runnable.batch(inc, [1, 2])).toEqual([2, 3])
      expect(Chunk.toReadonlyArray(yield* Stream.runCollect(inc.pipe(Runnable.stream(5))))).toEqual([6])
    }))

  it.effect("a user's error passes through unchanged; a thrown exception is a defect", () =>
    Effect.gen(function*() {
      const boom = new Boom("no")
      const failing = Runnable.fromEffect((_: number) => Effect.fail(boom))
      expect(yield* Effect.flip(Runnable.invoke(failing, 1))).toBe(boom)
      const throwing = Runnable.sync((_: number): number => {
        throw new Error("bug")
      })
      const exit = yield* Effect.exit(Runnable.invoke(throwing, 1))
      expect(Exit.isFailure(exit) && Cause.isDie(exit.cause)).toBe(true)
      expect(Exit.isFailure(exit) && Option.isNone(Cause.failureOption(exit.cause))).toBe(true)
    }))

  it.effect("fromStream streams its chunks and invokes to their concatenation", () =>
    Effect.gen(function*() {
      const words = Runnable.fromStream((text: string) => Stream.fromIterable(text.split(/(?<= )/)))
      expect(Chunk.toReadonlyArray(yield* Stream.runCollect(Runnable.stream(words, "a b c")))).toEqual(["a ", "b ", "c"])
      expect(yield* Runnable.invoke(words, "a b c")).toBe("a b c")
      const empty = Runnable.fromStream((_: string) => Stream.empty, { name: "silent" })
      const error = yield* Effect.flip(Runnable.invoke(empty, "x"))
      expect(error).toBeInstanceOf(Errors.EmptyStreamError)
      expect(error.message).toContain("silent")
    }))

  it.effect("stream and invoke agree through the concat rule for record chunks", () =>
    Effect.gen(function*() {
      const parts = [{ text: "Hel", calls: [] as Array<string> }, { text: "lo", calls: ["search"] }]
      const message = Runnable.fromStream((_: null) => Stream.fromIterable(parts))
      const streamed = yield* Stream.runCollect(Runnable.stream(message, null))
      expect(Chunk.toReadonlyArray(streamed)).toEqual(parts)
      expect(yield* Runnable.invoke(message, null)).toEqual({ text: "Hello", calls: ["search"] })
    }))

  it.effect("fromPromise: interruption aborts the signal; a rejection fails with the original value", () =>
    Effect.gen(function*() {
      let aborted = false
      let started = false
      const hanging = Runnable.fromPromise((_: string, signal: AbortSignal) =>
        new Promise<string>(() => {
          started = true
          signal.addEventListener("abort", () => {
            aborted = true
          })
        })
      )
      const fiber = yield* Effect.fork(Runnable.invoke(hanging, "x"))
      yield* Effect.yieldNow()
      expect(started).toBe(true)
      yield* Fiber.interrupt(fiber)
      expect(aborted).toBe(true)

      const reason = new Boom("rejected")
      const rejecting = Runnable.fromPromise((_: string) => Promise.reject(reason))
      expect(yield* Effect.flip(Runnable.invoke(rejecting, "x"))).toBe(reason)
      const mapped = Runnable.fromPromise((_: string) => Promise.reject(reason), { catch: (r) => `caught ${(r as Boom).reason}` })
      expect(yield* Effect.flip(Runnable.invoke(mapped, "x"))).toBe("caught rejected")
    }))

  it.effect("interrupting an effect run runs its finalizers", () =>
    Effect.gen(function*() {
      let finalized = 0
      const slow = Runnable.fromEffect((_: number) =>
        Effect.sleep("1 hour").pipe(Effect.ensuring(Effect.sync(() => finalized++)))
      )
      const fiber = yield* Effect.fork(Runnable.invoke(slow, 1))
      yield* TestClock.adjust("1 second")
      yield* Fiber.interrupt(fiber)
      expect(finalized).toBe(1)
    }))

  it.live("fromAsyncIterable streams the iterator's items and closes it when the consumer stops", () =>
    Effect.gen(function*() {
      let closed = false
      let aborted = false
      const counter = Runnable.fromAsyncIterable(async function*(limit: number, signal: AbortSignal) {
        signal.addEventListener("abort", () => {
          aborted = true
        })
        try {
          for (let i = 0; i < limit; i++) yield i
        } finally {
          closed = true
        }
      })
      const firstTwo = yield* Stream.runCollect(Stream.take(Runnable.stream(counter, 1_000_000), 2))
      expect(Chunk.toReadonlyArray(firstTwo)).toEqual([0, 1])
      expect(closed).toBe(true)
      expect(aborted).toBe(true)
      expect(yield* Runnable.invoke(Runnable.fromAsyncIterable(async function*(n: number) {
        yield [n]
        yield [n + 1]
      }), 1)).toEqual([1, 2])
    }))
})

describe("transform", () => {
  it.effect("a runnable without transform gathers its input by the concat rule, and does not run on no input", () =>
    Effect.gen(function*() {
      const probe = Testing.makeProbe()
      const length = Testing.probed(Runnable.sync((text: string) => text.length), probe)
      const out = yield* Stream.runCollect(Runnable.transform(length, Stream.make("ab", "cd", "e")))
      expect(Chunk.toReadonlyArray(out)).toEqual([5])
      const none = yield* Stream.runCollect(Runnable.transform(length, Stream.empty))
      expect(Chunk.size(none)).toBe(0)
      expect(probe.unsafeStats().started).toBe(1)
    }))

  it.effect("a runnable with transform consumes chunks as they arrive", () =>
    Effect.gen(function*() {
      const upper = Runnable.make({
        name: "upper",
        run: (text: string) => Effect.succeed(text.toUpperCase()),
        transform: (input) => Stream.map(input, (text) => text.toUpperCase())
      })
      const source = Stream.make("a", "b").pipe(Stream.concat(Stream.fromEffect(Effect.never)))
      const firstTwo = yield* Stream.runCollect(Stream.take(Runnable.transform(upper, source), 2))
      expect(Chunk.toReadonlyArray(firstTwo)).toEqual(["A", "B"])
      const passthrough = yield* Stream.runCollect(Runnable.transform(Runnable.identity<number>(), Stream.make(1, 2)))
      expect(Chunk.toReadonlyArray(passthrough)).toEqual([1, 2])
    }))
})

describe("recursion limit", () => {
  it.effect("a runnable that invokes itself forever dies with RecursionLimitError at maxDepth", () =>
    Effect.gen(function*() {
      let depth = 0
      const forever: Runnable.Runnable<number, number> = Runnable.fromEffect((n: number) =>
        Effect.suspend(() => {
          depth = Math.max(depth, n)
          return Runnable.invoke(forever, n + 1)
        }), { name: "forever" })
      const exit = yield* Effect.exit(Runnable.invoke(Runnable.withConfig(forever, { maxDepth: 10 }), 1))
      expect(depth).toBe(10)
      const defect = Exit.isFailure(exit) ? Cause.dieOption(exit.cause) : Option.none()
      expect(Option.isSome(defect) && defect.value instanceof Errors.RecursionLimitError).toBe(true)
      const error = Option.getOrThrow(defect) as Errors.RecursionLimitError
      expect([error._tag, error.runnable, error.depth, error.limit]).toEqual(["RecursionLimitError", "forever", 11, 10])
      // the same limit holds with the default configuration (100) on the fast path
      const unbounded = yield* Effect.exit(Runnable.invoke(forever, 1))
      expect(Exit.isFailure(unbounded) && Cause.isDie(unbounded.cause)).toBe(true)
      expect(depth).toBe(100)
    }))

  it.effect("depth is restored after each run, so sequential runs do not accumulate it", () =>
    Effect.gen(function*() {
      const leaf = Runnable.fromEffect((n: number) => Effect.succeed(n))
      const twice = Runnable.fromEffect((n: number) =>
        Effect.zipRight(Runnable.invoke(leaf, n), Runnable.invoke(leaf, n))
      )
      const loop = Effect.forEach(Array.from({ length: 50 }, (_, i) => i), (i) => Runnable.invoke(twice, i))
      const outputs = yield* loop.pipe(RunConfig.withPatch({ maxDepth: 2 }))
      expect(outputs).toHaveLength(50)
    }))
})

import { describe, expect, it } from "@effect/vitest"
import { Cause, Chunk, Effect, Either, Exit, Fiber, Option, Stream, TestClock } from "effect"
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

  it.effect("fromPromise: interruption aborts the signal; a rejection is an UnknownException holding it, or what catch makes of it", () =>
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
      const unknown = yield* Effect.flip(Runnable.invoke(rejecting, "x"))
      expect(unknown).toBeInstanceOf(Cause.UnknownException)
      expect(unknown.error).toBe(reason)
      const erroring = Runnable.fromPromise((_: string) => Promise.reject(new Error("network down")))
      expect((yield* Effect.flip(Runnable.invoke(erroring, "x"))).message).toBe("network down")
      const mapped = Runnable.fromPromise((_: string) => Promise.reject(reason), {
        catch: (r, input) => `caught ${(r as Boom).reason} for ${input}`
      })
      expect(yield* Effect.flip(Runnable.invoke(mapped, "x"))).toBe("caught rejected for x")
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

describe("recursion limit, streamed", () => {
  const countdown: Runnable.Runnable<number, number, Errors.EmptyStreamError> = Runnable.fromStream(
    (n: number) => n === 0 ? Stream.make(0) : Runnable.stream(countdown, n - 1),
    { name: "countdown" }
  )
  const deepest = (n: number) =>
    Runnable.stream(countdown, n).pipe(Stream.runCollect, Effect.map(Chunk.toReadonlyArray))

  it.effect("a stream recursing through its own stream counts its depth, observed or not", () =>
    Effect.gen(function*() {
      expect(yield* deepest(50)).toEqual([0])
      const exit = yield* Effect.exit(deepest(200))
      const defect = Exit.isFailure(exit) ? Cause.dieOption(exit.cause) : Option.none()
      expect(Option.getOrThrow(defect)).toMatchObject({ _tag: "RecursionLimitError", runnable: "countdown", depth: 101, limit: 100 })
      const observed = yield* Effect.exit(Stream.runDrain(Runnable.streamEvents(countdown, 200)))
      expect(Exit.isFailure(observed) && Option.isSome(Cause.dieOption(observed.cause))).toBe(true)
      const events = yield* Stream.runCollect(Runnable.streamEvents(Runnable.withConfig(countdown, { maxDepth: 1000 }), 300))
      const started = Chunk.toReadonlyArray(Chunk.filter(events, (event) => event._tag === "Started"))
      expect(started).toHaveLength(301)
      // every event names all its ancestors, root first, however deep (past 64, made when read)
      started.forEach((event, depth) => expect(event.parentIds).toEqual(started.slice(0, depth).map((parent) => parent.runId)))
      const bottom = Chunk.toReadonlyArray(events).filter((event) => event.runId === started[300]!.runId)
      expect(bottom.map((event) => [event._tag, event.parentIds.length])).toEqual([["Started", 300], ["Streamed", 300], ["Ended", 300]])
    }))
})

describe("Runnable.try", () => {
  class BadNumber {
    readonly _tag = "BadNumber"
    constructor(readonly text: string, readonly reason: unknown) {}
  }
  const strict = (text: string): number => {
    const value = Number(text)
    if (Number.isNaN(value)) throw new Error(`not a number: ${text}`)
    return value
  }

  it.effect("a throw is a typed failure: what catch makes of it (with the input), else an UnknownException", () =>
    Effect.gen(function*() {
      const parse = Runnable.try(strict, { catch: (reason, text) => new BadNumber(text, reason) })
      expect(parse.name).toBe("strict")
      expect(yield* Runnable.invoke(parse, "4")).toBe(4)
      const failure = yield* Effect.flip(Runnable.invoke(parse, "x"))
      expect(failure).toBeInstanceOf(BadNumber)
      expect(failure.text).toBe("x")
      const unknown = yield* Effect.flip(Runnable.invoke(Runnable.try(strict), "x"))
      expect(unknown).toBeInstanceOf(Cause.UnknownException)
      expect(unknown.message).toBe("not a number: x")
      // so batch's "either" mode sees it, as retry and fallbacks do
      const results = yield* Runnable.batch(parse, ["1", "y"], { mode: "either" })
      expect(Either.isRight(results[0]!) && Either.isLeft(results[1]!)).toBe(true)
    }))
})

describe("Runnable.unwrap", () => {
  it.effect("each run acquires the resource, streams through the runnable made, and releases it at its end", () =>
    Effect.gen(function*() {
      const log: Array<string> = []
      let opened = 0
      const perRun = Runnable.unwrap(
        Effect.gen(function*() {
          const id = yield* Effect.acquireRelease(Effect.sync(() => ++opened), (id) => Effect.sync(() => log.push(`close ${id}`)))
          return Runnable.fromStream((text: string) => Stream.make(`${text}:${id}:a`, "b"))
        }),
        { name: "withConnection" }
      )
      expect(perRun.name).toBe("withConnection")
      const chunks = yield* Stream.runCollect(Runnable.stream(perRun, "q"))
      expect(Chunk.toReadonlyArray(chunks)).toEqual(["q:1:a", "b"])
      expect(yield* Runnable.invoke(perRun, "r")).toBe("r:2:ab")
      expect(log).toEqual(["close 1", "close 2"])
      const events = yield* Stream.runCollect(Runnable.streamEvents(perRun, "s"))
      const streamed = Chunk.filter(events, (event) => event._tag === "Streamed" && event.name === "withConnection")
      expect(streamed).toHaveLength(2)
    }))
})

describe("Runnable.wrap", () => {
  it.effect("keeps the wrapped runnable's name, kind and withConfig settings, and hands over its raw behaviour", () =>
    Effect.gen(function*() {
      const base = Runnable.withConfig(Runnable.sync((n: number) => n + 1, { name: "inc", kind: "tool" }), { tags: ["t"] })
      const doubled = Runnable.wrap(base, (behaviour) => ({
        run: (n: number) => Effect.map(behaviour.run(n), (x) => x * 2)
      }))
      expect([doubled.name, doubled.kind, doubled[Runnable.TypeId].config?.tags]).toEqual(["inc", "tool", ["t"]])
      expect(yield* Runnable.invoke(doubled, 1)).toBe(4)
      const events = yield* Stream.runCollect(Runnable.streamEvents(doubled, 1))
      expect(Chunk.toReadonlyArray(events).map((event) => [event._tag, event.name, event.tags])).toEqual([
        ["Started", "inc", ["t"]],
        ["Streamed", "inc", ["t"]],
        ["Ended", "inc", ["t"]]
      ])
    }))
})

describe("executors' duals", () => {
  it.effect("a call whose first argument is a runnable is data-first, whatever the input looks like", () =>
    Effect.gen(function*() {
      const keys = Runnable.sync((input: object) => Object.keys(input).length)
      expect(yield* Runnable.invoke(keys, {})).toBe(0)
      expect(yield* Runnable.invoke(keys, { runTags: ["x"] })).toBe(1)
      const echo = Runnable.identity<unknown>()
      expect(yield* Runnable.invoke(echo, undefined)).toBe(undefined)
      expect(Chunk.toReadonlyArray(yield* Stream.runCollect(Runnable.stream(keys, {})))).toEqual([0])
      expect(Chunk.size(yield* Stream.runCollect(Runnable.streamEvents(keys, {})))).toBe(3)
      expect(yield* Runnable.batch(keys, [{}, { a: 1 }])).toEqual([0, 1])
    }))
})

describe("depth", () => {
  it.effect("a stream recursing 10,000 deep streams, and streams its events, at about the cost of invoking it", () =>
    Effect.gen(function*() {
      const countdown: Runnable.Runnable<number, number, Errors.EmptyStreamError> = Runnable.fromStream(
        (n: number) => n === 0 ? Stream.make(0) : Runnable.stream(countdown, n - 1),
        { name: "countdown" }
      )
      const deep = RunConfig.withPatch({ maxDepth: 20_000 })
      expect(Chunk.toReadonlyArray(yield* deep(Stream.runCollect(Runnable.stream(countdown, 10_000))))).toEqual([0])
      let events = 0
      yield* deep(Stream.runForEachChunk(Runnable.streamEvents(countdown, 10_000), (chunk) => Effect.sync(() => (events += chunk.length))))
      expect(events).toBe(3 * 10_001)
    }))
})

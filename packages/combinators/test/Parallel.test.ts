import { describe, expect, it } from "@effect/vitest"
import { Concat, Runnable, RunEvent, Testing } from "@fxchain/core"

import { Chunk, Effect, Fiber, Stream, Supervisor, TestClock } from "effect"
import { assign, parallel, pick } from "../src/Parallel.js"
import { sequence } from "../src/Sequence.js"

const collect = <A, E, R>(stream: Stream.Stream<A, E, R>) => Effect.map(Stream.runCollect(stream), Chunk.toReadonlyArray)

/** Counts every fiber started under it. */
class ForkCounter extends Supervisor.AbstractSupervisor<number> {
  count = 0
  get value() {
    return Effect.sync(() => this.count)
  }
  override onStart() {
    this.count++
  }
}

/** How many fibers an effect forks. */
const forkedBy = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.gen(function*() {
    const counter = new ForkCounter()
    const result = yield* Effect.supervised(effect, counter)
    return [result, yield* counter.value] as const
  })

describe("parallel", () => {
  it.effect("runs every branch on the same input, record and tuple forms", () =>
    Effect.gen(function*() {
      const stats = parallel({
        length: Runnable.sync((text: string) => text.length),
        upper: Runnable.fromEffect((text: string) => Effect.succeed(text.toUpperCase())),
        words: Runnable.fromEffect((text: string) => Effect.succeed(text.split(" ").length))
      })
      const output: { length: number; upper: string; words: number } = yield* Runnable.invoke(stats, "a b")
      expect(output).toEqual({ length: 3, upper: "A B", words: 2 })
      const pair = parallel([Runnable.sync((n: number) => n + 1), Runnable.sync((n: number) => `${n}`)])
      const tuple: [number, string] = yield* Runnable.invoke(pair, 1)
      expect(tuple).toEqual([2, "1"])
      expect(yield* collect(Runnable.stream(pair, 1))).toEqual([[2, "1"]])
    }))

  it.effect("branches run at once: the slowest sets the time", () =>
    Effect.gen(function*() {
      const slow = (ms: number) => Testing.scripted({ latency: `${ms} millis`, respond: (n: number) => n + ms })
      const fiber = yield* Effect.fork(Runnable.invoke(parallel({ a: slow(100), b: slow(300), c: slow(200) }), 0))
      yield* TestClock.adjust("299 millis")
      expect(fiber.unsafePoll()).toBeNull()
      yield* TestClock.adjust("1 millis")
      expect(yield* Fiber.join(fiber)).toEqual({ a: 100, b: 300, c: 200 })
    }))

  it.effect("a failure interrupts the other branches at once, their finalizers run, the error is the first failure's", () =>
    Effect.gen(function*() {
      const probe = Testing.makeProbe()
      let finalized = 0
      const slow = Runnable.fromEffect((_: number) =>
        Effect.sleep("1 hour").pipe(Effect.ensuring(Effect.sync(() => finalized++)), Effect.as(0))
      )
      const failsAt = (ms: number, error: string) =>
        Testing.scripted({ latency: `${ms} millis`, respond: (_: number) => 0, fail: () => error, probe })
      const map = parallel({ slow, second: failsAt(20, "second"), first: failsAt(10, "first"), other: slow })
      const fiber = yield* Effect.fork(Effect.flip(Runnable.invoke(map, 0)))
      yield* TestClock.adjust("10 millis")
      expect(yield* Fiber.join(fiber)).toBe("first")
      expect(finalized).toBe(2)
      expect(probe.unsafeStats()).toMatchObject({ failed: 1, interrupted: 1, inFlight: 0 })
    }))

  it.effect("synchronous branches fork no fiber, invoked or observed", () =>
    Effect.gen(function*() {
      const syncBranches = Object.fromEntries(
        Array.from({ length: 5 }, (_, index) => [`k${index}`, Runnable.sync((n: number) => n + index)])
      )
      const [output, forks] = yield* forkedBy(Runnable.invoke(parallel(syncBranches), 1))
      expect(output).toEqual({ k0: 1, k1: 2, k2: 3, k3: 4, k4: 5 })
      expect(forks).toBe(0)
      // observed runs go through the executors for each branch, still without forks
      const [events, observedForks] = yield* forkedBy(collect(Runnable.streamEvents(parallel(syncBranches), 1)))
      expect(events.filter(RunEvent.$is("Ended")).length).toBe(6)
      const [, oneBranchForks] = yield* forkedBy(collect(Runnable.streamEvents(parallel({ k0: syncBranches.k0! }), 1)))
      expect(observedForks).toBe(oneBranchForks) // no fiber per branch
      const effectful = Runnable.fromEffect((n: number) => Effect.succeed(n))
      const [, mixedForks] = yield* forkedBy(Runnable.invoke(parallel({ ...syncBranches, a: effectful, b: effectful }), 1))
      const [, asyncOnlyForks] = yield* forkedBy(Runnable.invoke(parallel({ a: effectful, b: effectful }), 1))
      expect(asyncOnlyForks).toBeGreaterThan(0)
      expect(mixedForks).toBe(asyncOnlyForks) // the synchronous branches added none
    }))

  it.effect("streams keyed partial records that combine into the output; branches are tagged map:key:KEY", () =>
    Effect.gen(function*() {
      const tokens = (text: string, latency: number) =>
        Testing.scripted({ latency: `${latency} millis`, respond: (_: null) => text, chunks: (t) => t.split(""), chunkLatency: "10 millis" })
      const map = parallel({ a: tokens("xy", 10), b: tokens("zw", 15) })
      const fiber = yield* Effect.fork(collect(Runnable.stream(map, null)))
      yield* TestClock.adjust("1 second")
      const chunks = yield* Fiber.join(fiber)
      expect(chunks).toEqual([{ a: "x" }, { b: "z" }, { a: "y" }, { b: "w" }])
      expect(Concat.combineAll(chunks)).toEqual({ a: "xy", b: "zw" })
      const events = yield* collect(Runnable.streamEvents(parallel({ one: Runnable.sync((n: number) => n) }), 1))
      expect(events.find((event) => event.name !== "parallel")?.tags).toEqual(["map:key:one"])
    }))
})

describe("assign and pick", () => {
  it.effect("assign adds keys computed in parallel; streams the input keys first", () =>
    Effect.gen(function*() {
      const enrich = assign({
        length: Runnable.sync((input: { text: string }) => input.text.length),
        shout: Runnable.fromEffect((input: { text: string }) => Effect.succeed(input.text.toUpperCase()))
      })
      const output = yield* Runnable.invoke(enrich, { text: "hi" })
      expect(output).toEqual({ text: "hi", length: 2, shout: "HI" })
      const chunks = yield* collect(Runnable.stream(enrich, { text: "hi" }))
      expect(chunks[0]).toEqual({ text: "hi" })
      expect(Concat.combineAll(chunks)).toEqual(output)
    }))

  it.effect("pick(key) gives the value itself, pick([keys]) a record of the keys that have one (LangChain's RunnablePick)", () =>
    Effect.gen(function*() {
      expect(yield* Runnable.invoke(pick("a"), { a: 1, b: 2 })).toBe(1)
      expect(yield* Runnable.invoke(pick("z"), { a: 1 })).toBeUndefined()
      expect(yield* Runnable.invoke(pick(["a", "c"]), { a: 1, b: 2 })).toEqual({ a: 1 })
      expect(yield* Runnable.invoke(pick(["y", "z"]), { a: 1 })).toBeUndefined()
      expect(() => pick(3 as unknown as string)).toThrow("keys")
    }))
})

describe("streaming through parallel, assign and pick", () => {
  /** A stream of record chunks, one key at a time: what a streamed upstream step yields. */
  const letters = Runnable.fromStream((text: string) => Stream.fromIterable(text.split("").map((letter) => ({ text: letter }))), {
    name: "letters"
  })
  const upper = Runnable.make({
    name: "upper",
    run: (input: { text: string }) => Effect.succeed(input.text.toUpperCase()),
    transform: (input: Stream.Stream<{ text: string }, any, any>) => Stream.map(input, (chunk) => chunk.text.toUpperCase())
  })

  it.effect("identity → assign → pick streams chunk by chunk, as LangChain does, and combines to the invoke output", () =>
    Effect.gen(function*() {
      const chain = sequence(letters, Runnable.identity<{ text: string }>(), assign({ upper }), pick("upper"))
      const chunks = yield* collect(Runnable.stream(chain, "streaming"))
      expect(chunks).toEqual("STREAMING".split(""))
      expect(yield* Runnable.invoke(chain, "streaming")).toBe("STREAMING")
      const both = sequence(letters, assign({ upper }), pick(["text", "upper"]))
      const records = yield* collect(Runnable.stream(both, "abc"))
      expect(records).toEqual([{ text: "a" }, { text: "b" }, { text: "c" }, { upper: "A" }, { upper: "B" }, { upper: "C" }])
      expect(Concat.combineAll(records)).toEqual(yield* Runnable.invoke(both, "abc"))
    }))

  it.effect("an assign passes its input's chunks through as they arrive, without the keys its branches compute", () =>
    Effect.gen(function*() {
      const gathered = Runnable.sync((input: { text: string }) => input.text.length, { name: "length" })
      const chain = sequence(letters, assign({ text: upper, length: gathered }))
      const chunks = yield* collect(Runnable.stream(chain, "hey"))
      // the input's own `text` is computed by a branch: only the branches give it
      expect(chunks.filter((chunk) => "length" in chunk)).toEqual([{ length: 3 }])
      expect(Concat.combineAll(chunks)).toEqual({ text: "HEY", length: 3 })
      expect(yield* Runnable.invoke(chain, "hey")).toEqual({ text: "HEY", length: 3 })
    }))

  it.effect("each branch of a parallel transforms its own copy of a streamed input; others gather theirs", () =>
    Effect.gen(function*() {
      const length = Runnable.sync((input: { text: string }) => input.text.length, { name: "length" })
      const chain = sequence(letters, parallel({ upper, length }))
      const chunks = yield* collect(Runnable.stream(chain, "abcd"))
      expect(chunks.filter((chunk) => "upper" in chunk)).toEqual([{ upper: "A" }, { upper: "B" }, { upper: "C" }, { upper: "D" }])
      expect(chunks.filter((chunk) => "length" in chunk)).toEqual([{ length: 4 }])
      expect(Concat.combineAll(chunks)).toEqual(yield* Runnable.invoke(chain, "abcd"))
    }))

  it.effect("under streamEvents each branch's run starts with its first input chunk and streams its own chunks", () =>
    Effect.gen(function*() {
      const chain = sequence(letters, parallel({ upper }))
      const events = yield* collect(Runnable.streamEvents(chain, "ab"))
      const ofUpper = events.filter((event) => event.name === "upper")
      expect(ofUpper.map((event) => event._tag)).toEqual(["Started", "Streamed", "Streamed", "Ended"])
      expect(ofUpper.at(-1)).toMatchObject({ input: { text: "ab" }, output: "AB", tags: ["map:key:upper"] })
      const ofParallel = events.filter((event) => event.name === "parallel")
      expect(ofParallel.filter((event) => event._tag === "Streamed").map((event) => (event as { chunk: unknown }).chunk)).toEqual([
        { upper: "A" },
        { upper: "B" }
      ])
    }))

  it.effect("a long streamed input through a parallel neither deadlocks nor loses chunks", () =>
    Effect.gen(function*() {
      const many = Runnable.fromStream((n: number) => Stream.range(1, n).pipe(Stream.map((i) => ({ text: String(i % 10) }))))
      const counted = Runnable.make({
        name: "count",
        run: (_: { text: string }) => Effect.succeed(1),
        transform: (input: Stream.Stream<{ text: string }, any, any>) => Stream.map(input, () => 1)
      })
      const slow = Runnable.sync((input: { text: string }) => input.text.length, { name: "slow" })
      const outputs = yield* collect(Runnable.stream(sequence(many, parallel({ counted, slow })), 5_000))
      expect(outputs.filter((chunk) => "counted" in chunk)).toHaveLength(5_000)
      expect(outputs.filter((chunk) => "slow" in chunk)).toEqual([{ slow: 5_000 }])
      const assigned = yield* collect(Runnable.stream(sequence(many, assign({ counted })), 5_000))
      expect(assigned).toHaveLength(10_000)
    }))
})

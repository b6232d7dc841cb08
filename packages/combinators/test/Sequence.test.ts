import { describe, expect, it } from "@effect/vitest"
import { Runnable, RunEvent, Testing } from "@fxchain/core"
import { Chunk, Effect, Either, Fiber, Stream, TestClock } from "effect"
import { pipeTo, sequence } from "../src/Sequence.js"

const upper = Runnable.make({
  name: "upper",
  kind: "parser",
  run: (text: string) => Effect.succeed(text.toUpperCase()),
  transform: (input) => Stream.map(input, (text) => text.toUpperCase())
})

const collect = <A, E, R>(stream: Stream.Stream<A, E, R>) => Effect.map(Stream.runCollect(stream), Chunk.toReadonlyArray)

describe("sequence", () => {
  it.effect("invokes each step in order, each output the next input", () =>
    Effect.gen(function*() {
      const trace: Array<string> = []
      const step = (name: string, f: (n: number) => number) =>
        Runnable.fromEffect((n: number) => Effect.sync(() => (trace.push(name), f(n))), { name })
      const chain = sequence(step("a", (n) => n + 1), step("b", (n) => n * 10), step("c", (n) => n - 3))
      expect(yield* Runnable.invoke(chain, 1)).toBe(17)
      expect(trace).toEqual(["a", "b", "c"])
      expect([chain.name, chain.kind]).toEqual(["sequence", "chain"])
    }))

  it.effect("a failing step stops the sequence with its own error; later steps never run", () =>
    Effect.gen(function*() {
      const probe = Testing.makeProbe()
      const failing = Runnable.fromEffect((_: number) => Effect.fail({ _tag: "Nope" as const }))
      const later = Testing.probed(Runnable.sync((n: number) => n), probe)
      const chain = sequence(Runnable.sync((n: number) => n), failing, later)
      expect(yield* Effect.flip(Runnable.invoke(chain, 1))).toEqual({ _tag: "Nope" })
      expect(probe.unsafeStats().started).toBe(0)
    }))

  it.effect("streams through: a transform step yields its first chunk while the model still produces", () =>
    Effect.gen(function*() {
      const model = Testing.scripted({
        name: "model",
        latency: "200 millis",
        respond: (_: string) => "abc",
        chunks: (text) => text.split(""),
        chunkLatency: "100 millis"
      })
      const chain = sequence(Runnable.identity<string>(), model, upper)
      const seen: Array<readonly [string, number]> = []
      const fiber = yield* Effect.fork(
        Runnable.stream(chain, "prompt").pipe(
          Stream.mapEffect((chunk) => Effect.map(TestClock.currentTimeMillis, (now) => [chunk, now] as const)),
          Stream.runForEach((entry) => Effect.sync(() => seen.push(entry)))
        )
      )
      yield* TestClock.adjust("1 second")
      yield* Fiber.join(fiber)
      expect(seen).toEqual([["A", 200], ["B", 300], ["C", 400]])
      expect(yield* Runnable.invoke(chain, "prompt").pipe(Effect.fork, Effect.tap(() => TestClock.adjust("1 second")), Effect.flatMap(Fiber.join)))
        .toBe("ABC")
    }))

  it.effect("a step without transform gathers its input first (concat rule)", () =>
    Effect.gen(function*() {
      const words = Runnable.fromStream((text: string) => Stream.fromIterable(text.split(" ")))
      const length = Runnable.sync((text: string) => text.length)
      expect(yield* collect(Runnable.stream(sequence(words, length), "a bb ccc"))).toEqual([6])
    }))

  it.effect("steps are nested runs tagged seq:step:N, started in order; a step never reached emits nothing", () =>
    Effect.gen(function*() {
      const first = Runnable.sync((n: number) => n + 1, { name: "first" })
      const second = Runnable.fromEffect((n: number) => Effect.succeed(n * 2), { name: "second" })
      const events = yield* collect(Runnable.streamEvents(sequence(first, second), 1))
      const starts = events.filter(RunEvent.$is("Started"))
      expect(starts.map((event) => [event.name, event.tags])).toEqual([
        ["sequence", []],
        ["first", ["seq:step:1"]],
        ["second", ["seq:step:2"]]
      ])
      expect(starts[1]!.parentIds).toEqual([starts[0]!.runId])
      expect(events.at(-1)).toMatchObject({ _tag: "Ended", name: "sequence", output: 4 })

      const empty = Runnable.fromStream((_: number) => Stream.empty, { name: "empty" })
      const never = Runnable.sync((n: number) => n, { name: "never" })
      const partial = yield* collect(
        Runnable.streamEvents(sequence(empty, never), 1).pipe(Stream.catchAll(() => Stream.empty))
      )
      expect(partial.some((event) => event.name === "never")).toBe(false)
    }))

  it.effect("streamed and observed, a lambda step starts at its first input chunk and ends once its output moved on (LangChain's order)", () =>
    Effect.gen(function*() {
      const reverse = (name: string) => Runnable.sync((text: string) => text.split("").reverse().join(""), { name })
      const events = yield* collect(Runnable.streamEvents(sequence(reverse("1"), reverse("2"), reverse("3")), "hello"))
      expect(events.map((event) => `${event._tag} ${event.name}`)).toEqual([
        "Started sequence",
        "Started 1",
        "Streamed 1",
        "Started 2",
        "Ended 1",
        "Streamed 2",
        "Started 3",
        "Ended 2",
        "Streamed 3",
        "Streamed sequence",
        "Ended 3",
        "Ended sequence"
      ])
      // a lambda consuming a stream gets its input on its end, combined
      expect(events.find((event) => event._tag === "Started" && event.name === "1")).toMatchObject({ input: undefined })
      expect(events.find((event) => event._tag === "Ended" && event.name === "2")).toMatchObject({ input: "olleh", output: "hello" })
      // a step that is not a lambda gathers its input first, and starts with it
      const shout = Runnable.sync((text: string) => text.toUpperCase(), { name: "shout", kind: "prompt" })
      const gathered = yield* collect(Runnable.streamEvents(sequence(reverse("1"), shout), "hello"))
      expect(gathered.find((event) => event._tag === "Started" && event.name === "shout")).toMatchObject({ input: "olleh" })
      expect(gathered.map((event) => `${event._tag} ${event.name}`).indexOf("Ended 1")).toBeLessThan(
        gathered.map((event) => `${event._tag} ${event.name}`).indexOf("Started shout")
      )
    }))

  it.effect("sequences of sequences flatten; pipeTo builds the same sequence", () =>
    Effect.gen(function*() {
      const a = Runnable.sync((n: number) => n + 1, { name: "a" })
      const b = Runnable.sync((n: number) => n * 2, { name: "b" })
      const c = Runnable.sync((n: number) => `${n}`, { name: "c" })
      const piped = a.pipe(pipeTo(b), pipeTo(c))
      expect(yield* Runnable.invoke(piped, 1)).toBe("4")
      const names = yield* collect(Stream.map(Runnable.streamEvents(piped, 1), (event) => `${event._tag} ${event.name} ${event.tags}`))
      expect(names.filter((name) => name.startsWith("Started"))).toEqual([
        "Started sequence ",
        "Started a seq:step:1",
        "Started b seq:step:2",
        "Started c seq:step:3"
      ])
      const kept = sequence(Runnable.withConfig(sequence(a, b), { runName: "inner" }), c)
      const keptNames = yield* collect(Stream.map(Runnable.streamEvents(kept, 1), (event) => event.name))
      expect(new Set(keptNames)).toEqual(new Set(["sequence", "inner", "a", "b", "c"]))
    }))

  it.effect("all-synchronous sequences run as one function call when nobody observes", () =>
    Effect.gen(function*() {
      const chain = sequence(Runnable.sync((n: number) => n + 1), Runnable.sync((n: number) => n * 2))
      expect(chain[Runnable.TypeId].sync?.(1)).toBe(4)
      const mixed = sequence(Runnable.sync((n: number) => n + 1), Runnable.fromEffect((n: number) => Effect.succeed(n)))
      expect(mixed[Runnable.TypeId].sync).toBeUndefined()
    }))

  it.effect("batching a sequence in either mode gives the failed item its error and never feeds it on", () =>
    Effect.gen(function*() {
      const seen: Array<unknown> = []
      const parse = Runnable.fromEffect((text: string) =>
        Number.isNaN(Number(text)) ? Effect.fail(`not a number: ${text}`) : Effect.succeed(Number(text)))
      const record = Runnable.sync((n: number) => (seen.push(n), n * 2))
      const results = yield* Runnable.batch(sequence(parse, record), ["1", "x", "3"], { mode: "either" })
      expect(results).toEqual([Either.right(2), Either.left("not a number: x"), Either.right(6)])
      expect(seen).toEqual([1, 3])
    }))
})

describe("long sequences", () => {
  it.effect("a 10,000-step sequence invokes, streams and streams its events", () =>
    Effect.gen(function*() {
      const steps = Array.from({ length: 10_000 }, (_, index) => Runnable.sync((n: number) => n + 1, { name: `step${index}` }))
      const source = Runnable.fromStream((n: number) => Stream.make(n), { name: "source" })
      const long = sequence(source, ...steps)
      expect(yield* Runnable.invoke(long, 0)).toBe(10_000)
      expect(Chunk.toReadonlyArray(yield* Stream.runCollect(Runnable.stream(long, 0)))).toEqual([10_000])
      const events = yield* Stream.runCollect(Runnable.streamEvents(long, 0))
      expect(Chunk.size(events)).toBe(3 * 10_002)
      expect(Chunk.unsafeLast(events)).toMatchObject({ _tag: "Ended", name: "sequence", output: 10_000 })
    }))
})

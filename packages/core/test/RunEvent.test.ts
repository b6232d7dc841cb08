import { describe, expect, it } from "@effect/vitest"
import { Chunk, Effect, Either, Fiber, Option, Stream, TestClock } from "effect"
import { Concat, RunEvent, Runnable, Testing } from "../src/index.js"

const collect = <E, R>(events: Stream.Stream<RunEvent.RunEvent, E, R>) =>
  Effect.map(Stream.runCollect(events), Chunk.toReadonlyArray)

const summary = (events: ReadonlyArray<RunEvent.RunEvent>) => events.map((event) => `${event._tag} ${event.name}`)

const addOne = Runnable.sync((n: number) => n + 1, { name: "addOne" })
const double = Runnable.fromEffect((n: number) => Effect.succeed(n * 2), { name: "double" })
const outer = Runnable.fromEffect(
  (n: number) => Effect.flatMap(Runnable.invoke(addOne, n), (x) => Runnable.invoke(double, x)),
  { name: "outer", kind: "chain" }
)

describe("streamEvents", () => {
  it.effect("nested runs report their parent ids, inherited tags and metadata, inputs and outputs", () =>
    Effect.gen(function*() {
      const tagged = Runnable.withConfig(outer, { runName: "pipeline", tags: ["team-a"], metadata: { user: "u1" } })
      const events = yield* collect(Runnable.streamEvents(tagged, 1))
      expect(summary(events)).toEqual([
        "Started pipeline",
        "Started addOne",
        "Ended addOne",
        "Started double",
        "Ended double",
        "Streamed pipeline",
        "Ended pipeline"
      ])
      const [root, addStart, addEnd, doubleStart, doubleEnd, chunk, rootEnd] = events as Array<any>
      expect(root.parentIds).toEqual([])
      expect(root.kind).toBe("chain")
      for (const child of [addStart, addEnd, doubleStart, doubleEnd]) {
        expect(child.parentIds).toEqual([root.runId])
        expect(child.tags).toEqual(["team-a"])
        expect(child.metadata).toEqual({ user: "u1" })
      }
      expect(addStart.runId).toBe(addEnd.runId)
      expect(addStart.runId).not.toBe(doubleStart.runId)
      expect([addStart.input, addEnd.output, doubleStart.input, doubleEnd.output]).toEqual([1, 2, 2, 4])
      expect(chunk.chunk).toBe(4)
      expect([rootEnd.input, rootEnd.output]).toEqual([1, 4])
      expect(new Set(events.map((event) => event.runId)).size).toBe(3)
    }))

  it.effect("deeper nesting lists every ancestor, root first", () =>
    Effect.gen(function*() {
      const top = Runnable.fromEffect((n: number) => Runnable.invoke(outer, n), { name: "top" })
      const events = yield* collect(Runnable.streamEvents(top, 1))
      const byName = (name: string) => events.find((event) => event.name === name && event._tag === "Started")!
      expect(byName("double").parentIds).toEqual([byName("top").runId, byName("outer").runId])
    }))

  it.effect("events carry Clock timestamps, so TestClock drives them", () =>
    Effect.gen(function*() {
      const slow = Testing.scripted({ name: "slow", latency: "5 seconds", respond: (n: number) => n })
      const fiber = yield* Effect.fork(collect(Runnable.streamEvents(slow, 1)))
      yield* TestClock.adjust("5 seconds")
      const events = yield* Fiber.join(fiber)
      expect(events.map((event) => event.timestamp)).toEqual([0, 5000, 5000])
    }))

  it.effect("a streamed run emits one Streamed per chunk and ends with the chunks combined", () =>
    Effect.gen(function*() {
      const words = Runnable.fromStream((text: string) => Stream.fromIterable(text.split(" ")), { name: "words" })
      const events = yield* collect(Runnable.streamEvents(words, "a b c"))
      expect(summary(events)).toEqual(["Started words", "Streamed words", "Streamed words", "Streamed words", "Ended words"])
      expect(events.filter(RunEvent.$is("Streamed")).map((event) => event.chunk)).toEqual(["a", "b", "c"])
      expect((events.at(-1) as RunEvent.RunEvent & { output: unknown }).output).toBe("abc")
    }))

  it.effect("a streamed run's output and input on Ended are combined as invoke combines them, a replacement first included", () =>
    Effect.gen(function*() {
      const replaced = Runnable.fromStream((text: string) => Stream.make(Concat.replace(text)), { name: "replaced" })
      expect(yield* Runnable.invoke(replaced, "x")).toBe("x")
      const ended = (yield* collect(Runnable.streamEvents(replaced, "x"))).filter(RunEvent.$is("Ended"))
      expect(ended.map((event) => event.output)).toEqual(["x"])
      const consumer = Runnable.withConfig(Runnable.identity<string>(), { runName: "consumer" })
      const chain = Runnable.fromStream((text: string) => Runnable.transform(consumer, Stream.make(Concat.replace(text) as unknown as string)), { name: "chain" })
      const consumed = (yield* collect(Runnable.streamEvents(chain, "y"))).filter(RunEvent.$is("Ended")).find((event) => event.name === "consumer")
      expect(consumed?.input).toBe("y")
    }))

  it.effect("a run consuming a stream reports its input on Ended; a step never reached reports nothing", () =>
    Effect.gen(function*() {
      const upper = Runnable.make({
        name: "upper",
        run: (text: string) => Effect.succeed(text.toUpperCase()),
        transform: (input) => Stream.map(input, (text) => text.toUpperCase())
      })
      const root = Runnable.fromStream((source: ReadonlyArray<string>) =>
        Runnable.transform(upper, Stream.fromIterable(source), { runTags: ["seq:step:2"] }), { name: "root" })
      const events = yield* collect(Runnable.streamEvents(root, ["a", "b"]))
      const upperEvents = events.filter((event) => event.name === "upper")
      expect(summary(upperEvents)).toEqual(["Started upper", "Streamed upper", "Streamed upper", "Ended upper"])
      expect(upperEvents[0]).toMatchObject({ input: undefined, tags: ["seq:step:2"] })
      expect(upperEvents.at(-1)).toMatchObject({ input: "ab", output: "AB" })

      const silent = yield* collect(Runnable.streamEvents(root, []).pipe(Stream.catchAll(() => Stream.empty)))
      expect(silent.filter((event) => event.name === "upper")).toEqual([])
    }))

  it.effect("a step consuming a stream that is interrupted before its first input chunk emits nothing", () =>
    Effect.gen(function*() {
      const upper = Runnable.make({
        name: "upper",
        run: (text: string) => Effect.succeed(text.toUpperCase()),
        transform: (input) => Stream.map(input, (text) => text.toUpperCase())
      })
      // the root cancels a streamed step still waiting for its first input chunk, and goes on
      const root = Runnable.fromEffect((_: null) =>
        Effect.gen(function*() {
          const waiting = yield* Effect.fork(Stream.runDrain(Runnable.transform(upper, Stream.fromEffect(Effect.never))))
          yield* Effect.sleep("1 second")
          yield* Fiber.interrupt(waiting)
          return "cancelled"
        }), { name: "root" })
      const fiber = yield* Effect.fork(collect(Runnable.streamEvents(root, null)))
      yield* TestClock.adjust("1 second")
      expect(summary(yield* Fiber.join(fiber))).toEqual(["Started root", "Streamed root", "Ended root"])
    }))

  it.effect("run tags are not inherited, withConfig tags are", () =>
    Effect.gen(function*() {
      const parent = Runnable.fromEffect((n: number) => Runnable.invoke(addOne, n), { name: "parent" })
      const root = Runnable.fromEffect((n: number) => Runnable.invoke(parent, n, { runTags: ["seq:step:1"] }), { name: "root" })
      const events = yield* collect(Runnable.streamEvents(Runnable.withConfig(root, { tags: ["shared"] }), 1))
      const tagsOf = (name: string) => events.find((event) => event.name === name)!.tags
      expect(tagsOf("root")).toEqual(["shared"])
      expect(tagsOf("parent")).toEqual(["seq:step:1", "shared"])
      expect(tagsOf("addOne")).toEqual(["shared"])
    }))

  it.effect("when the root fails, emits Failed (not Ended) and then fails with the same error", () =>
    Effect.gen(function*() {
      const error = { _tag: "Refused" as const }
      const failing = Runnable.fromEffect((_: number) => Effect.fail(error), { name: "failing" })
      const root = Runnable.fromEffect((n: number) => Runnable.invoke(failing, n), { name: "root" })
      const seen: Array<RunEvent.RunEvent> = []
      const result = yield* Runnable.streamEvents(root, 1).pipe(
        Stream.runForEach((event) => Effect.sync(() => seen.push(event))),
        Effect.flip
      )
      expect(result).toBe(error)
      expect(summary(seen)).toEqual(["Started root", "Started failing", "Failed failing", "Failed root"])
      const failed = seen.at(-1) as Extract<RunEvent.RunEvent, { _tag: "Failed" }>
      expect([failed.error, failed.interrupted]).toEqual([error, false])
    }))

  it.effect("siblings interrupted by a failure are reported as interrupted, never as ended", () =>
    Effect.gen(function*() {
      const slow = Testing.scripted({ name: "slow", latency: "1 second", respond: (n: number) => n })
      const fast = Testing.scripted({ name: "fast", latency: "1 millis", respond: (n: number) => n, fail: () => "fast failed" })
      const both = Runnable.fromEffect(
        (n: number) => Effect.all([Runnable.invoke(slow, n), Runnable.invoke(fast, n)], { concurrency: "unbounded" }),
        { name: "both" }
      )
      const seen: Array<RunEvent.RunEvent> = []
      const recorded = yield* Effect.fork(
        Runnable.streamEvents(both, 1).pipe(Stream.runForEach((event) => Effect.sync(() => seen.push(event))), Effect.either)
      )
      yield* TestClock.adjust("10 millis")
      expect(yield* Fiber.join(recorded)).toEqual(Either.left("fast failed"))
      const slowEnd = seen.filter((event) => event.name === "slow" && event._tag !== "Started")
      expect(slowEnd).toHaveLength(1)
      expect(slowEnd[0]).toMatchObject({ _tag: "Failed", interrupted: true })
      expect(seen.some((event) => event._tag === "Ended")).toBe(false)
    }))

  it.effect("batch items inside a run are its children, each with its own run id", () =>
    Effect.gen(function*() {
      const root = Runnable.fromEffect((items: Array<number>) => Runnable.batch(addOne, items, { concurrency: 2 }), { name: "root" })
      const events = yield* collect(Runnable.streamEvents(root, [1, 2, 3]))
      const rootId = events[0]!.runId
      const items = events.filter((event) => event.name === "addOne" && event._tag === "Ended")
      expect(items.map((event) => (event as any).output).sort()).toEqual([2, 3, 4])
      expect(items.every((event) => event.parentIds.length === 1 && event.parentIds[0] === rootId)).toBe(true)
      expect(new Set(items.map((event) => event.runId)).size).toBe(3)
    }))

  it.effect("filters by name, kind and tag as LangChain does (any include, then excludes)", () =>
    Effect.gen(function*() {
      const names = (filter: RunEvent.Filter) =>
        Effect.map(collect(Runnable.streamEvents(outer, 1, filter)), (events) => [...new Set(events.map((event) => event.name))])
      expect(yield* names({ includeNames: ["double"] })).toEqual(["double"])
      expect(yield* names({ includeKinds: ["chain"] })).toEqual(["outer"])
      expect(yield* names({ includeNames: ["double"], includeKinds: ["chain"] })).toEqual(["outer", "double"])
      expect(yield* names({ excludeNames: ["outer"] })).toEqual(["addOne", "double"])
      expect(yield* names((event) => event._tag === "Ended" && event.name === "addOne")).toEqual(["addOne"])
    }))

  it.effect("annotateRun adds attributes to the run's Ended event", () =>
    Effect.gen(function*() {
      const model = Runnable.fromEffect((text: string) =>
        Effect.as(Runnable.annotateRun({ inputTokens: 3, outputTokens: 5 }), text), { name: "model", kind: "model" })
      const events = yield* collect(Runnable.streamEvents(model, "hi"))
      expect(events.at(-1)).toMatchObject({ _tag: "Ended", attributes: { inputTokens: 3, outputTokens: 5 } })
      yield* Runnable.invoke(model, "no listener, no effect")
    }))

  it.effect("dispatchCustomEvent reports a Custom event of the run it is called in, nested or not, and does nothing unobserved", () =>
    Effect.gen(function*() {
      const step = Runnable.fromEffect((n: number) =>
        Effect.as(Runnable.dispatchCustomEvent("progress", { done: n }), n), { name: "step" })
      const chain = Runnable.fromEffect((n: number) =>
        Effect.gen(function*() {
          yield* Runnable.dispatchCustomEvent("begin", n)
          return yield* Runnable.invoke(step, n + 1)
        }), { name: "chain", kind: "chain" }).pipe(Runnable.withConfig({ tags: ["t"], metadata: { user: "u1" } }))
      const events = yield* collect(Runnable.streamEvents(chain, 1))
      expect(events.map((event) => event._tag === "Custom" ? `Custom ${event.name} ${event.event}` : `${event._tag} ${event.name}`)).toEqual([
        "Started chain",
        "Custom chain begin",
        "Started step",
        "Custom step progress",
        "Ended step",
        "Streamed chain",
        "Ended chain"
      ])
      const [begin, progress] = events.filter(RunEvent.$is("Custom"))
      expect(begin).toMatchObject({ runId: events[0]!.runId, parentIds: [], data: 1, tags: ["t"], metadata: { user: "u1" }, kind: "chain" })
      expect(progress).toMatchObject({ runId: events[2]!.runId, parentIds: [events[0]!.runId], data: { done: 2 }, tags: ["t"] })
      // the filter sees the reporting run's name, kind and tags
      const onlyStep = yield* collect(Runnable.streamEvents(chain, 1, { includeNames: ["step"] }))
      expect(onlyStep.map((event) => event._tag)).toEqual(["Started", "Custom", "Ended"])
      // nobody listening, or outside a run: nothing to report, nothing fails
      expect(yield* Runnable.invoke(chain, 1)).toBe(2)
      yield* Runnable.dispatchCustomEvent("outside", null)
    }))

  it.effect("stopping the event stream early interrupts the run", () =>
    Effect.gen(function*() {
      const probe = Testing.makeProbe()
      const slow = Testing.scripted({ name: "slow", latency: "1 hour", respond: (n: number) => n, probe })
      const first = yield* Stream.runHead(Runnable.streamEvents(slow, 1))
      expect(Option.map(first, (event) => event._tag)).toEqual(Option.some("Started"))
      expect(probe.unsafeStats()).toMatchObject({ started: 1, interrupted: 1, inFlight: 0 })
    }))
})

describe("spans", () => {
  it.effect("every run is a span named after the runnable, nested as runs nest, with kind, tags and metadata", () =>
    Effect.gen(function*() {
      const { spans, tracer } = Testing.recordingTracer()
      const tagged = Runnable.withConfig(outer, { tags: ["t1"], metadata: { tenant: "acme" } })
      expect(yield* Runnable.invoke(tagged, 1).pipe(Effect.withTracer(tracer))).toBe(4)
      expect(spans.map((span) => span.name)).toEqual(["outer", "addOne", "double"])
      const [root, first] = spans
      expect(Option.map(first!.parent, (parent) => parent.spanId)).toEqual(Option.some(root!.spanId))
      expect(root!.attributes.get("fxchain.run.kind")).toBe("chain")
      expect(first!.attributes.get("fxchain.run.tags")).toEqual(["t1"])
      expect(first!.attributes.get("fxchain.metadata.tenant")).toBe("acme")
    }))

  it.effect("a streamed run is one span, and nested runs inside it are its children", () =>
    Effect.gen(function*() {
      const { spans, tracer } = Testing.recordingTracer()
      const streaming = Runnable.fromStream((n: number) =>
        Stream.fromEffect(Runnable.invoke(addOne, n)).pipe(Stream.concat(Stream.make(0))), { name: "streaming" })
      yield* Stream.runDrain(Runnable.stream(streaming, 1)).pipe(Effect.withTracer(tracer))
      expect(spans.map((span) => span.name)).toEqual(["streaming", "addOne"])
      expect(Option.map(spans[1]!.parent, (parent) => parent.spanId)).toEqual(Option.some(spans[0]!.spanId))
    }))

  it.effect("without an installed tracer no span is opened", () =>
    Effect.gen(function*() {
      const seen = Runnable.fromEffect((_: number) => Effect.option(Effect.currentSpan), { name: "seen" })
      expect(yield* Runnable.invoke(seen, 1)).toEqual(Option.none())
    }))
})

describe("runReporter", () => {
  it.effect("reports runs fxchain does not execute as nested runs of the current one, and of each other", () =>
    Effect.gen(function*() {
      const remote = Runnable.fromEffect((question: string) =>
        Effect.gen(function*() {
          const reporter = yield* Runnable.runReporter
          const outer = reporter!.start({ name: "remoteChain", kind: "chain", input: question, tags: ["remote"] })
          const inner = reporter!.start({ name: "remoteModel", kind: "model", input: question, parent: outer, metadata: { vendor: "x" } })
          inner.chunk("a")
          inner.chunk("b")
          inner.end("ab")
          outer.end("ab!")
          const failing = reporter!.start({ name: "remoteTool", kind: "tool", input: 1 })
          failing.fail("boom")
          return "done"
        }), { name: "remote" })
      const events = Chunk.toReadonlyArray(yield* Stream.runCollect(Runnable.streamEvents(remote, "q")))
      const root = events[0]!.runId
      const byName = (name: string) => events.filter((event) => event.name === name)
      const outerId = byName("remoteChain")[0]!.runId
      expect(byName("remoteChain").map((event) => [event._tag, event.parentIds, event.tags])).toEqual([
        ["Started", [root], ["remote"]],
        ["Ended", [root], ["remote"]]
      ])
      expect(byName("remoteModel").map((event) => event._tag)).toEqual(["Started", "Streamed", "Streamed", "Ended"])
      expect(byName("remoteModel").every((event) => event.parentIds.join() === [root, outerId].join())).toBe(true)
      expect(byName("remoteModel")[0]!.metadata).toEqual({ vendor: "x" })
      expect(byName("remoteModel").at(-1)).toMatchObject({ _tag: "Ended", input: "q", output: "ab" })
      expect(byName("remoteTool").map((event) => event._tag)).toEqual(["Started", "Failed"])
      expect(byName("remoteTool")[1]).toMatchObject({ error: "boom", interrupted: false })
    }))

  it.effect("reports custom events of a reported run and of the current run", () =>
    Effect.gen(function*() {
      const remote = Runnable.fromEffect((question: string) =>
        Effect.gen(function*() {
          const reporter = yield* Runnable.runReporter
          reporter!.custom("accepted", question)
          const inner = reporter!.start({ name: "remoteStep", kind: "chain", input: question })
          inner.custom("halfway", 50)
          inner.end("done")
          return "done"
        }), { name: "remote" })
      const events = Chunk.toReadonlyArray(yield* Stream.runCollect(Runnable.streamEvents(remote, "q")))
      const custom = events.filter(RunEvent.$is("Custom"))
      expect(custom.map((event) => [event.name, event.event, event.data])).toEqual([
        ["remote", "accepted", "q"],
        ["remoteStep", "halfway", 50]
      ])
      expect(custom[1]!.parentIds).toEqual([events[0]!.runId])
    }))

  it.effect("is undefined when nobody listens", () =>
    Effect.gen(function*() {
      expect(yield* Runnable.runReporter).toBeUndefined()
      const inside = Runnable.fromEffect((_: number) => Runnable.runReporter)
      expect(yield* Runnable.invoke(inside, 1)).toBeUndefined()
    }))
})

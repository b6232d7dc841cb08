import { describe, expect, expectTypeOf, it } from "@effect/vitest"
import { Runnable, RunEvent, Testing } from "@fxchain/core"
import { Cause, Chunk, Context, Effect, Exit, Fiber, Stream, TestClock } from "effect"
import { withListeners } from "../src/Listeners.js"

const tracing = () => {
  const trace: Array<string> = []
  const log = (line: string) => Effect.sync(() => void trace.push(line))
  return { trace, log }
}

describe("withListeners", () => {
  it.effect("onStart runs before the work, onEnd after it with the output", () =>
    Effect.gen(function*() {
      const { log, trace } = tracing()
      const double = Runnable.fromEffect((n: number) => Effect.as(log(`work ${n}`), n * 2), { name: "double" })
      const listened = double.pipe(withListeners({
        onStart: ({ input }) => log(`start ${input}`),
        onEnd: ({ input, output }) => log(`end ${input} -> ${output}`),
        onError: () => log("error")
      }))
      expectTypeOf(listened).toEqualTypeOf<Runnable.Runnable<number, number>>()
      expect(yield* Runnable.invoke(listened, 21)).toBe(42)
      expect(trace).toEqual(["start 21", "work 21", "end 21 -> 42"])
      expect([listened.name, listened.kind]).toEqual(["double", "lambda"])
    }))

  it.effect("onError runs with the error (and its cause) instead of onEnd; the error is unchanged", () =>
    Effect.gen(function*() {
      const { log, trace } = tracing()
      const failing = Runnable.fromEffect((n: number) => Effect.fail({ _tag: "TooBig" as const, n }))
      const causes: Array<Cause.Cause<unknown>> = []
      const listened = withListeners(failing, {
        onStart: ({ input }) => log(`start ${input}`),
        onEnd: () => log("end"),
        onError: ({ cause, error, input }) => Effect.zipRight(log(`error ${error._tag} ${error.n} for ${input}`), Effect.sync(() => causes.push(cause)))
      })
      expect(yield* Effect.flip(Runnable.invoke(listened, 7))).toEqual({ _tag: "TooBig", n: 7 })
      expect(trace).toEqual(["start 7", "error TooBig 7 for 7"])
      expect(Cause.failures(causes[0]!).pipe(Chunk.toReadonlyArray)).toEqual([{ _tag: "TooBig", n: 7 }])
    }))

  it.effect("the run id is the event's runId when streamEvents listens", () =>
    Effect.gen(function*() {
      const ids: Array<string> = []
      const record = ({ runId }: { readonly runId: string }) => Effect.sync(() => void ids.push(runId))
      const step = withListeners(Runnable.sync((text: string) => text.toUpperCase(), { name: "upper" }), {
        onStart: record,
        onEnd: record
      })
      const events = Chunk.toReadonlyArray(yield* Stream.runCollect(Runnable.streamEvents(step, "a")))
      const started = events.find(RunEvent.$is("Started"))!
      expect(started.name).toBe("upper")
      expect(ids).toEqual([started.runId, started.runId])
    }))

  it.effect("when nobody listens to events, each run gets a fresh UUID, the same for its start and end", () =>
    Effect.gen(function*() {
      const ids: Array<string> = []
      const record = ({ runId }: { readonly runId: string }) => Effect.sync(() => void ids.push(runId))
      const step = withListeners(Runnable.sync((n: number) => n), { onStart: record, onEnd: record })
      yield* Runnable.invoke(step, 1)
      yield* Runnable.invoke(step, 2)
      expect(ids).toHaveLength(4)
      for (const id of ids) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/)
      expect(ids[0]).toBe(ids[1])
      expect(ids[2]).toBe(ids[3])
      expect(ids[0]).not.toBe(ids[2])
    }))

  it.effect("listeners run inside the run: it ends only when they are done", () =>
    Effect.gen(function*() {
      const step = withListeners(Runnable.sync((n: number) => n, { name: "step" }), {
        onEnd: () => Effect.sleep("1 second")
      })
      const fiber = yield* Effect.fork(Stream.runCollect(Runnable.streamEvents(step, 1)))
      yield* TestClock.adjust("999 millis")
      expect(fiber.unsafePoll()).toBeNull()
      yield* TestClock.adjust("1 millis")
      const ended = Chunk.toReadonlyArray(yield* Fiber.join(fiber)).find(RunEvent.$is("Ended"))!
      expect(ended.timestamp).toBe(1000)
    }))

  it.effect("a failing listener fails the run; onError's failure comes after the run's own error", () =>
    Effect.gen(function*() {
      const probe = Testing.makeProbe()
      const work = Testing.scripted({ respond: (n: number) => n, fail: (n) => n < 0 ? "negative" : undefined, probe })

      const refused = withListeners(work, { onStart: () => Effect.fail("not now" as const) })
      expectTypeOf(refused).toEqualTypeOf<Runnable.Runnable<number, number, "negative" | "not now">>()
      expect(yield* Effect.flip(Runnable.invoke(refused, 1))).toBe("not now")
      expect(probe.unsafeStats().started).toBe(0)

      const unsaved = withListeners(work, { onEnd: () => Effect.fail("could not save" as const) })
      expect(yield* Effect.flip(Runnable.invoke(unsaved, 1))).toBe("could not save")
      expect(probe.unsafeStats().finished).toBe(1)

      const badReport = withListeners(work, { onError: () => Effect.fail("report failed" as const) })
      const exit = yield* Effect.exit(Runnable.invoke(badReport, -1))
      expect(Exit.isFailure(exit) && Chunk.toReadonlyArray(Cause.failures(exit.cause))).toEqual(["negative", "report failed"])
      expect(yield* Effect.flip(Runnable.invoke(badReport, -1))).toBe("negative")
    }))

  it.effect("defects and interruptions skip onError", () =>
    Effect.gen(function*() {
      const { log, trace } = tracing()
      const listeners = { onStart: () => log("start"), onEnd: () => log("end"), onError: () => log("error") }
      const broken = withListeners(Runnable.sync((_: number): number => { throw new Error("bug") }), listeners)
      const exit = yield* Effect.exit(Runnable.invoke(broken, 1))
      expect(Exit.isFailure(exit) && Cause.isDie(exit.cause)).toBe(true)
      const slow = withListeners(Testing.scripted({ latency: "1 second", respond: (n: number) => n }), listeners)
      const fiber = yield* Effect.fork(Runnable.invoke(slow, 1))
      yield* TestClock.adjust("500 millis")
      yield* Fiber.interrupt(fiber)
      expect(trace).toEqual(["start", "start"])
    }))

  it.effect("streaming: onStart before the first chunk, onEnd after the last with the chunks combined", () =>
    Effect.gen(function*() {
      const { log, trace } = tracing()
      const tokens = Runnable.make({
        name: "tokens",
        run: (text: string) => Effect.succeed(text),
        stream: (text: string) => Stream.fromIterable(text.split(/(?= )/))
      })
      const listened = withListeners(tokens, {
        onStart: ({ input }) => log(`start ${input}`),
        onEnd: ({ output }) => log(`end ${output}`),
        onError: ({ error }) => log(`error ${error}`)
      })
      yield* Runnable.stream(listened, "hello big world").pipe(Stream.runForEach((chunk) => log(`chunk ${chunk}`)))
      expect(trace).toEqual(["start hello big world", "chunk hello", "chunk  big", "chunk  world", "end hello big world"])

      trace.length = 0
      const failing = withListeners(
        Runnable.make({
          name: "failing",
          run: (_: string) => Effect.fail("boom"),
          stream: (_: string) => Stream.concat(Stream.make("a"), Stream.fail("boom"))
        }),
        { onStart: () => log("start"), onEnd: () => log("end"), onError: ({ error }) => log(`error ${error}`) }
      )
      const error = yield* Effect.flip(Stream.runForEach(Runnable.stream(failing, "x"), (chunk) => log(`chunk ${chunk}`)))
      expect(error).toBe("boom")
      expect(trace).toEqual(["start", "chunk a", "error boom"])
    }))

  it.effect("listeners may need services, which the runnable then needs", () =>
    Effect.gen(function*() {
      class Audit extends Context.Tag("Audit")<Audit, Array<string>>() {}
      const audited = withListeners(Runnable.sync((n: number) => n + 1), {
        onEnd: ({ output }) => Effect.map(Audit, (audit) => audit.push(`gave ${output}`))
      })
      expectTypeOf(audited).toEqualTypeOf<Runnable.Runnable<number, number, never, Audit>>()
      const audit: Array<string> = []
      yield* Runnable.invoke(audited, 1).pipe(Effect.provideService(Audit, audit))
      expect(audit).toEqual(["gave 2"])
    }))

  it.effect("keeps the configuration given with withConfig", () =>
    Effect.gen(function*() {
      const configured = Runnable.withConfig(Runnable.sync((n: number) => n, { name: "kept" }), { tags: ["kept"] })
      const listened = withListeners(configured, { onStart: () => Effect.void })
      const events = yield* Stream.runCollect(Runnable.streamEvents(listened, 1))
      expect(Chunk.toReadonlyArray(events).every((event) => event.tags.includes("kept"))).toBe(true)
    }))
})

describe("withListeners in a pipe", () => {
  it.effect("infers the listeners' input, output and error types from the piped runnable", () =>
    Effect.gen(function*() {
      const seen: Array<string> = []
      const parse = Runnable.fromEffect((n: number) => n > 0 ? Effect.succeed(`${n}`) : Effect.fail({ _tag: "Negative" as const }))
      const watched = parse.pipe(withListeners({
        onStart: ({ input }) => Effect.sync(() => seen.push(`start ${input.toFixed(1)}`)),
        onEnd: ({ output }) => Effect.sync(() => seen.push(`end ${output.length}`)),
        onError: ({ error }) => Effect.sync(() => seen.push(`error ${error._tag}`))
      }))
      const typed: Runnable.Runnable<number, string, { readonly _tag: "Negative" }> = watched
      yield* Runnable.invoke(typed, 12)
      yield* Effect.either(Runnable.invoke(typed, -1))
      expect(seen).toEqual(["start 12.0", "end 2", "start -1.0", "error Negative"])
    }))
})

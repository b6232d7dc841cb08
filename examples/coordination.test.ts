import { describe, expect, it } from "@effect/vitest"
import * as Fx from "@fxchain/combinators"
import { RunConfig, Runnable, RunEvent, Testing } from "@fxchain/core"
import { Clock, Effect, Exit, Fiber, ParseResult, Stream, TestClock } from "effect"
import * as coordination from "./coordination.js"

/** Forks `effect`, moves the clock to just before `millis` (still running), then to `millis` (done). */
const finishesAt = <A, E>(effect: Effect.Effect<A, E>, millis: number) =>
  Effect.gen(function*() {
    const start = yield* Clock.currentTimeMillis
    const fiber = yield* Effect.fork(effect)
    yield* TestClock.adjust(millis - 1)
    expect(fiber.unsafePoll(), `still running at ${millis - 1} ms`).toBeNull()
    yield* TestClock.adjust(1)
    expect(fiber.unsafePoll(), `done at ${millis} ms`).not.toBeNull()
    expect((yield* Clock.currentTimeMillis) - start).toBe(millis)
    return yield* Fiber.await(fiber)
  })

/** The runs a probe saw start since `before`. */
const startedSince = (probe: Testing.Probe, before: number) => probe.unsafeStats().started - before

describe("examples/coordination (docs/coordination.md)", () => {
  it.effect("rateLimit: 2 per second across a batch of 5 running at once", () =>
    Effect.gen(function*() {
      const before = coordination.modelProbe.unsafeStats().started
      const fiber = yield* Effect.fork(coordination.limitedBatch)
      yield* TestClock.adjust(999)
      expect(startedSince(coordination.modelProbe, before)).toBe(2)
      yield* TestClock.adjust(1)
      expect(startedSince(coordination.modelProbe, before)).toBe(4)
      yield* TestClock.adjust(1000)
      expect(startedSince(coordination.modelProbe, before)).toBe(5)
      yield* TestClock.adjust(999)
      expect(fiber.unsafePoll()).toBeNull()
      yield* TestClock.adjust(1)
      expect(yield* Fiber.join(fiber)).toEqual(["a", "b", "c", "d", "e"].map((prompt) => `answer to ${prompt}`))
    }))

  it.effect("rateLimit, token bucket: 2 at once, then one every 2 s", () =>
    Effect.gen(function*() {
      const before = coordination.modelProbe.unsafeStats().started
      const fiber = yield* Effect.fork(coordination.bursty)
      yield* TestClock.adjust(1999)
      expect(startedSince(coordination.modelProbe, before)).toBe(2)
      yield* TestClock.adjust(1)
      expect(startedSince(coordination.modelProbe, before)).toBe(3)
      yield* TestClock.adjust(1999)
      expect(startedSince(coordination.modelProbe, before)).toBe(3)
      yield* TestClock.adjust(1)
      expect(startedSince(coordination.modelProbe, before)).toBe(4)
      yield* TestClock.adjust(999)
      expect(fiber.unsafePoll()).toBeNull()
      yield* TestClock.adjust(1)
      expect(yield* Fiber.join(fiber)).toHaveLength(4)
    }))

  it.effect("withRateLimiter: one limiter shared by two runnables, counting tokens", () =>
    Effect.gen(function*() {
      const exit = yield* finishesAt(coordination.sharedLimit, 61_000)
      expect(exit).toEqual(Exit.succeed([
        "tl;dr the customer cannot log in since Monday",
        ["fr: good morning", "fr: thank you for waiting"]
      ]))
    }))

  it.effect("the time a run waited for the limiter is on its Ended event", () =>
    Effect.scoped(Effect.gen(function*() {
      const echo = Testing.scripted({ name: "echo", respond: (text: string) => text })
      const limited = yield* Fx.rateLimit(echo, { limit: 1, interval: "1 second" })
      const fiber = yield* Effect.fork(
        Effect.all([Runnable.streamEvents(limited, "a"), Runnable.streamEvents(limited, "b")].map(Stream.runCollect))
      )
      yield* TestClock.adjust("1 second")
      const ended = (yield* Fiber.join(fiber)).flatMap((events) => Array.from(events).filter(RunEvent.$is("Ended")))
      expect(ended.map((event) => event.attributes[Fx.waitMillisAttribute])).toEqual([0, 1000])
      expect(Fx.waitMillisAttribute).toBe("fxchain.rateLimit.waitMillis")
    })))

  it.effect("cached: concurrent calls share a run, entries expire after their time to live", () =>
    Effect.gen(function*() {
      const fiber = yield* Effect.fork(coordination.embeddings)
      yield* TestClock.adjust("1 second")
      expect(coordination.embedProbe.unsafeStats()).toMatchObject({ started: 2, finished: 2 })
      yield* TestClock.adjust("2 hours")
      expect(coordination.embedProbe.unsafeStats()).toMatchObject({ started: 3, inFlight: 1 })
      yield* TestClock.adjust("999 millis")
      expect(fiber.unsafePoll()).toBeNull()
      yield* TestClock.adjust("1 millis")
      expect(yield* Fiber.join(fiber)).toEqual({
        first: [[11, 2], [11, 2], [6, 1]],
        again: [11, 2],
        later: [11, 2]
      })
      expect(coordination.embedProbe.unsafeStats().started).toBe(3)
    }))

  it.effect("cached: a failure is not kept", () =>
    Effect.gen(function*() {
      const exit = yield* finishesAt(coordination.searches, 2000)
      expect(exit).toEqual(Exit.succeed({
        failed: new coordination.SearchDown(),
        found: ["a page about effect"],
        kept: ["a page about effect"]
      }))
      expect(coordination.searchProbe.unsafeStats()).toMatchObject({ started: 2, failed: 1, finished: 1 })
    }))

  it.effect("cached: the work runs with its first caller's configuration, so cache each alternative", () =>
    Effect.scoped(Effect.gen(function*() {
      const cachedModel = yield* Fx.cached(coordination.chatModel, { capacity: 10, timeToLive: "1 hour" })
      const configured = Runnable.withConfig(cachedModel, { configurable: { model: "fast" } })
      const fast = yield* finishesAt(Runnable.invoke(configured, "hi"), 500)
      expect(fast).toEqual(Exit.succeed("quick: hi"))
      expect(yield* Runnable.invoke(cachedModel, "hi")).toBe("quick: hi") // the default caller gets the fast answer
    })))

  it.effect("withSchema: input decoded before the run, output after", () =>
    Effect.gen(function*() {
      const question = { text: "Why use Effect?", maxWords: "2" }
      const good = yield* finishesAt(Runnable.invoke(coordination.checkedAnswer, question), 1000)
      expect(good).toEqual(Exit.succeed({ text: "Why use", confidence: 0.9 }))
      expect(coordination.answerProbe.unsafeStats().started).toBe(1)

      const badInput = yield* Effect.flip(Runnable.invoke(coordination.checkedAnswer, { text: "", maxWords: "two" }))
      expect(badInput).toBeInstanceOf(Fx.SchemaError)
      expect(badInput).toMatchObject({ _tag: "SchemaError", runnable: "answer", boundary: "input" })
      expect(badInput.parseError).toBeInstanceOf(ParseResult.ParseError)
      expect(coordination.answerProbe.unsafeStats().started).toBe(1) // the model never ran

      const badOutput = yield* finishesAt(
        Effect.flip(Runnable.invoke(coordination.checkedAnswer, { text: "Tell me about fibers.", maxWords: "3" })),
        1000
      )
      expect(badOutput).toEqual(Exit.succeed(expect.objectContaining({ runnable: "answer", boundary: "output" })))
      expect(coordination.answerProbe.unsafeStats()).toMatchObject({ started: 2, finished: 2 })
    }))

  it.effect("alternatives: chosen from configurable values, default otherwise", () =>
    Effect.gen(function*() {
      const careful = Exit.succeed("careful: hi")
      const quick = Exit.succeed("quick: hi")
      expect(yield* finishesAt(Runnable.invoke(coordination.chatModel, "hi"), 3000)).toEqual(careful)
      expect(yield* finishesAt(Runnable.invoke(coordination.fastModel, "hi"), 500)).toEqual(quick)
      expect(yield* finishesAt(Runnable.invoke(coordination.fastAssistant, "  hi "), 500)).toEqual(quick)
      const patched = Runnable.invoke(coordination.chatModel, "hi").pipe(
        RunConfig.withPatch({ configurable: { model: "fast" } })
      )
      expect(yield* finishesAt(patched, 500)).toEqual(quick)

      const error = yield* Effect.flip(Runnable.invoke(coordination.unknownModel, "hi"))
      expect(error).toBeInstanceOf(Fx.AlternativeNotFound)
      expect(error).toMatchObject({
        runnable: "chatModel",
        key: "model",
        choice: "turbo",
        available: ["default", "fast"]
      })
    }))

  it.effect("alternatives: the chosen one is a nested run; its name is on the Ended attributes", () =>
    Effect.gen(function*() {
      const fiber = yield* Effect.fork(Stream.runCollect(Runnable.streamEvents(coordination.fastModel, "hi")))
      yield* TestClock.adjust("500 millis")
      const events = Array.from(yield* Fiber.join(fiber))
      const runs = events.filter((event) => event._tag !== "Streamed")
      expect(runs.map((event) => `${event._tag} ${event.name}`)).toEqual([
        "Started chatModel",
        "Started quick",
        "Ended quick",
        "Ended chatModel"
      ])
      const ended = events.filter(RunEvent.$is("Ended")).find((event) => event.name === "chatModel")!
      expect(ended.attributes[Fx.choiceAttribute]).toBe("fast")
    }))

  it.effect("withListeners: run inside each run, in order, with Clock times", () =>
    Effect.gen(function*() {
      const both = Effect.zip(
        Runnable.invoke(coordination.auditedHelpDesk, "Where is my refund?"),
        Effect.flip(Runnable.invoke(coordination.auditedHelpDesk, ""))
      )
      expect(yield* finishesAt(both, 1000)).toEqual(
        Exit.succeed(["re: Where is my refund?", new coordination.EmptyQuestion()])
      )
      expect(coordination.auditTrail).toEqual([
        `0 ms: start "Where is my refund?"`,
        `500 ms: end "re: Where is my refund?"`,
        `500 ms: start ""`,
        `1000 ms: error EmptyQuestion`
      ])
    }))

  it.effect("withListeners: the run id is the events' runId, or a fresh UUID per run", () =>
    Effect.gen(function*() {
      const ids: Array<string> = []
      const record = ({ runId }: { readonly runId: string }) => Effect.sync(() => void ids.push(runId))
      const upper = Fx.withListeners(Runnable.sync((text: string) => text.toUpperCase(), { name: "upper" }), {
        onStart: record,
        onEnd: record
      })
      const events = Array.from(yield* Stream.runCollect(Runnable.streamEvents(upper, "a")))
      const started = events.find(RunEvent.$is("Started"))!
      expect(ids).toEqual([started.runId, started.runId])
      yield* Runnable.invoke(upper, "b")
      expect(ids[2]).toBe(ids[3])
      expect(ids[2]).not.toBe(started.runId)
    }))
})

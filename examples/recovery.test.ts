import { describe, expect, it } from "@effect/vitest"
import * as Fx from "@fxchain/combinators"
import { Runnable } from "@fxchain/core"
import { Clock, Effect, Exit, Fiber, Stream, TestClock } from "effect"
import * as recovery from "./recovery.js"

/** Runs a stream in a fiber, recording each chunk with the Clock time it arrived at. */
const forkCollect = <A, E>(stream: Stream.Stream<A, E>) =>
  Effect.gen(function*() {
    const received: Array<readonly [A, number]> = []
    const fiber = yield* Effect.fork(
      Stream.runForEach(stream, (chunk) =>
        Effect.map(Clock.currentTimeMillis, (now) => {
          received.push([chunk, now])
        }))
    )
    return { fiber, received }
  })

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

describe("examples/recovery (docs/recovery.md)", () => {
  it.effect("retry, default schedule: two failures, then the answer after ~100 ms and ~200 ms waits", () =>
    Effect.gen(function*() {
      const fiber = yield* Effect.fork(Runnable.invoke(recovery.patient, "q"))
      // 3 calls of 1 s, and waits of 100 ms and 200 ms, each jittered by at most 20%
      yield* TestClock.adjust(3000 + 80 + 160 - 1)
      expect(fiber.unsafePoll()).toBeNull()
      yield* TestClock.adjust((120 + 240) - (80 + 160) + 1)
      expect(yield* Fiber.join(fiber)).toBe("answer to q")
    }))

  it.effect("retry, a given schedule with times: 3 attempts, 1 s then 2 s apart; the last error comes out", () =>
    Effect.gen(function*() {
      const exit = yield* finishesAt(Runnable.invoke(recovery.steady, "q"), 6000)
      expect(exit).toEqual(Exit.fail(new recovery.Unavailable()))
    }))

  it.effect("retry, while: the 400 is not retried", () =>
    Effect.gen(function*() {
      const exit = yield* finishesAt(Runnable.invoke(recovery.picky, "q"), 3000)
      expect(exit).toEqual(Exit.fail(new recovery.BadRequest({ reason: "long" })))
    }))

  it.effect("retry, retryAfter: the second attempt starts 5 s after the 429, not ~100 ms", () =>
    Effect.gen(function*() {
      const exit = yield* finishesAt(Runnable.invoke(recovery.throttled, "q"), 7000)
      expect(exit).toEqual(Exit.succeed("answer to q"))
    }))

  it.effect("retry: each attempt is a nested run, tagged retry:attempt:N, seen by its listeners", () =>
    Effect.gen(function*() {
      const fiber = yield* Effect.fork(Stream.runCollect(Runnable.streamEvents(recovery.observed, "q")))
      // 1 s call, ~100 ms wait, 1 s call, 2 s wait (retryAfter), 1 s call
      yield* TestClock.adjust(5000 + 80 - 1)
      expect(fiber.unsafePoll()).toBeNull()
      yield* TestClock.adjust(40 + 1)
      const events = Array.from(yield* Fiber.join(fiber))
      expect(recovery.failedAttempts).toEqual(["Unavailable", "RateLimited"])
      const root = events[0]!
      expect([root._tag, root.name, root.kind]).toEqual(["Started", "provider", "chain"])
      const attempts = events.filter((event) => event.parentIds.at(-1) === root.runId && event._tag !== "Streamed")
      expect(attempts.map((event) => `${event._tag} ${event.tags.join(",")}`)).toEqual([
        "Started retry:attempt:1",
        "Failed retry:attempt:1",
        "Started retry:attempt:2",
        "Failed retry:attempt:2",
        "Started retry:attempt:3",
        "Ended retry:attempt:3"
      ])
    }))

  it.effect("retry, streams: retried before the first chunk, never after", () =>
    Effect.gen(function*() {
      const { fiber, received } = yield* forkCollect(recovery.retriedStream)
      yield* TestClock.adjust("3 seconds")
      yield* Fiber.join(fiber)
      expect(received).toEqual([["Effect", 3000], [" is", 3000], [" fast", 3000]])

      const delivered: Array<string> = []
      const exit = yield* Effect.exit(
        Stream.runForEach(recovery.cutShort, (chunk) => Effect.sync(() => delivered.push(chunk)))
      )
      expect(exit).toEqual(Exit.fail(new recovery.Unavailable()))
      expect(delivered).toEqual(["Once", " upon"])
      expect(recovery.droppingProbe.unsafeStats().started).toBe(1)
    }))

  it.effect("withFallbacks: in order until one answers", () =>
    Effect.gen(function*() {
      expect(yield* finishesAt(Runnable.invoke(recovery.answer, "What is Effect?"), 3000)).toEqual(
        Exit.succeed("claude: What is Effect?")
      )
      const long = "What happens when every model is overloaded?"
      expect(yield* finishesAt(Runnable.invoke(recovery.answer, long), 3000)).toEqual(
        Exit.succeed("We are busy, please try again later.")
      )
      expect(yield* finishesAt(Runnable.invoke(recovery.answerOrOverloaded, long), 3000)).toEqual(
        Exit.fail(new recovery.Overloaded({ model: "claude" }))
      )
      // a stream that fails before its first chunk falls back too
      const { fiber, received } = yield* forkCollect(Runnable.stream(recovery.answer, "What is Effect?"))
      const start = yield* Clock.currentTimeMillis
      yield* TestClock.adjust("3 seconds")
      yield* Fiber.join(fiber)
      expect(received).toEqual([["claude: What is Effect?", start + 3000]])
    }))

  it.effect("withFallbacks: when, refinements, exceptionKey", () =>
    Effect.gen(function*() {
      const password = "What is my password?"
      // the refusal comes out at once, at 2 s: claude never runs
      expect(yield* finishesAt(Runnable.invoke(recovery.onlyOverloads, password), 2000)).toEqual(
        Exit.fail(new recovery.Refused())
      )
      expect(yield* finishesAt(Runnable.invoke(recovery.onlyOverloads, "What is Effect?"), 3000)).toEqual(
        Exit.succeed("claude: What is Effect?")
      )
      expect(yield* finishesAt(Runnable.invoke(recovery.refusalsStay, password), 2000)).toEqual(
        Exit.fail(new recovery.Refused())
      )
      expect(yield* finishesAt(Runnable.invoke(recovery.refusalsStay, "What is Effect?"), 2000)).toEqual(
        Exit.succeed("We are busy, please try again later.")
      )
      expect(yield* finishesAt(Runnable.invoke(recovery.apologetic, { question: password }), 2000)).toEqual(
        Exit.succeed(`Sorry, no answer to "What is my password?" (Refused)`)
      )
    }))

  it.effect("timeout: total, firstChunk, idle; the work is interrupted", () =>
    Effect.gen(function*() {
      const total = yield* finishesAt(Runnable.invoke(recovery.total, "q"), 1000)
      const error = new Fx.TimeoutError({ runnable: "model", deadline: "total", durationMillis: 1000 })
      expect(total).toEqual(Exit.fail(error))
      expect(error.message).toBe(`Runnable "model" timed out: did not finish within 1000 ms (total deadline)`)
      expect(recovery.modelProbe.unsafeStats()).toMatchObject({ started: 1, interrupted: 1, inFlight: 0 })
      const totalStreamed = yield* forkCollect(Runnable.stream(recovery.total, "q"))
      yield* TestClock.adjust("1 minute")
      expect(yield* Fiber.await(totalStreamed.fiber)).toEqual(Exit.fail(error))
      expect(totalStreamed.received).toEqual([])

      const first = yield* forkCollect(Runnable.stream(recovery.firstChunk, "q"))
      yield* TestClock.adjust("1 minute")
      expect(yield* Fiber.await(first.fiber)).toEqual(
        Exit.fail(new Fx.TimeoutError({ runnable: "model", deadline: "firstChunk", durationMillis: 1000 }))
      )
      expect(first.received).toEqual([])

      const base = yield* Clock.currentTimeMillis
      const idle = yield* forkCollect(Runnable.stream(recovery.idle, "q"))
      yield* TestClock.adjust("1 minute")
      expect(yield* Fiber.await(idle.fiber)).toEqual(
        Exit.fail(new Fx.TimeoutError({ runnable: "model", deadline: "idle", durationMillis: 1000 }))
      )
      expect(idle.received).toEqual([["Fibers", base + 2000]])

      // invoke has no chunks: only the total deadline applies
      expect(yield* finishesAt(Runnable.invoke(recovery.idle, "q"), 2000)).toEqual(
        Exit.succeed("Fibers all the way down")
      )

      const start = yield* Clock.currentTimeMillis
      const roomy = yield* forkCollect(Runnable.stream(recovery.roomy, "q"))
      yield* TestClock.adjust("1 minute")
      yield* Fiber.join(roomy.fiber)
      expect(roomy.received.map(([chunk, at]) => [chunk, at - start])).toEqual([
        ["Fibers", 2000],
        [" all", 3500],
        [" the", 5000],
        [" way", 6500],
        [" down", 8000]
      ])
      expect(recovery.modelProbe.unsafeStats()).toMatchObject({ started: 6, finished: 2, inFlight: 0 })
    }))

  it.effect("together: timeout per attempt, one retry, then the fallback", () =>
    Effect.gen(function*() {
      // attempt 1 times out at 1 s, attempt 2 runs from 1.5 s and times out at 2.5 s
      expect(yield* finishesAt(Runnable.invoke(recovery.resilient, "q"), 2500)).toEqual(
        Exit.succeed("We are busy, please try again later.")
      )
    }))
})

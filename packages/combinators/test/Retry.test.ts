import { describe, expect, it } from "@effect/vitest"
import { Errors, RunEvent, Runnable } from "@fxchain/core"
import { Cause, Chunk, Clock, Duration, Effect, Either, Exit, Fiber, Option, Schedule, Stream, TestClock } from "effect"
import { defaultMaxRetryAfter, retry } from "../src/Retry.js"
import type { RetryOptions } from "../src/Retry.js"

class Transient {
  readonly _tag = "Transient"
  constructor(readonly attempt: number) {}
}
class Fatal {
  readonly _tag = "Fatal"
}
class RateLimited {
  readonly _tag = "RateLimited"
  constructor(readonly retryAfter: string | number) {}
}

/**
 * A runnable failing with `errors(n)` on its n-th call (0-based), answering when that is
 * `undefined`; `times` records the Clock time of each call, from the first one.
 */
const flaky = <E>(errors: (call: number) => E | undefined, name = "flaky") => {
  const times: Array<number> = []
  let origin: number | undefined
  const runnable = Runnable.fromEffect(
    (input: string) =>
      Effect.gen(function*() {
        const now = yield* Clock.currentTimeMillis
        origin ??= now
        times.push(Math.round(now - origin))
        const error = errors(times.length - 1)
        if (error !== undefined) return yield* Effect.fail(error)
        return `${input}!`
      }),
    { name }
  )
  return { runnable, times }
}

const gaps = (times: ReadonlyArray<number>) => times.slice(1).map((time, index) => Math.round(time - times[index]!))

/** Forks `effect`, moves the TestClock by `duration`, and joins. */
const runFor = <A, E>(effect: Effect.Effect<A, E>, duration: Duration.DurationInput) =>
  Effect.gen(function*() {
    const fiber = yield* Effect.fork(effect)
    yield* TestClock.adjust(duration)
    return yield* Fiber.await(fiber)
  })

describe("retry", () => {
  it.effect("retries on the given schedule, at the times it gives, and answers", () =>
    Effect.gen(function*() {
      const { runnable, times } = flaky((call) => call < 3 ? new Transient(call) : undefined)
      const retried = retry(runnable, { schedule: Schedule.exponential("1 second") })
      const fiber = yield* Effect.fork(Runnable.invoke(retried, "hi"))
      yield* TestClock.adjust("999 millis")
      expect(times).toEqual([0])
      yield* TestClock.adjust("1 millis")
      expect(times).toEqual([0, 1000])
      yield* TestClock.adjust("2 seconds")
      expect(times).toEqual([0, 1000, 3000])
      yield* TestClock.adjust("4 seconds")
      expect(yield* Fiber.join(fiber)).toBe("hi!")
      expect(times).toEqual([0, 1000, 3000, 7000])
    }))

  it.effect("a given schedule is used as given: no retry cap is added", () =>
    Effect.gen(function*() {
      const { runnable, times } = flaky((call) => call < 10 ? new Transient(call) : undefined)
      const exit = yield* runFor(Runnable.invoke(retry(runnable, { schedule: Schedule.spaced("1 second") }), "x"), "1 minute")
      expect(exit).toEqual(Exit.succeed("x!"))
      expect(times).toEqual([0, 1000, 2000, 3000, 4000, 5000, 6000, 7000, 8000, 9000, 10000])
    }))

  it.effect("the default schedule: exponential from 100 ms, jittered, at most 3 retries", () =>
    Effect.gen(function*() {
      const { runnable, times } = flaky((call) => new Transient(call))
      const exit = yield* runFor(Runnable.invoke(retry(runnable), "x"), "1 hour")
      expect(exit).toEqual(Exit.fail(new Transient(3)))
      expect(times).toHaveLength(4)
      const [first, second, third] = gaps(times) as [number, number, number]
      expect(first).toBeGreaterThanOrEqual(80)
      expect(first).toBeLessThanOrEqual(120)
      expect(second).toBeGreaterThanOrEqual(160)
      expect(second).toBeLessThanOrEqual(240)
      expect(third).toBeGreaterThanOrEqual(320)
      expect(third).toBeLessThanOrEqual(480)
    }))

  it.effect("the default schedule waits at most 10 seconds between attempts", () =>
    Effect.gen(function*() {
      const { runnable, times } = flaky((call) => new Transient(call))
      const exit = yield* runFor(Runnable.invoke(retry(runnable, { times: 9 }), "x"), "1 hour")
      expect(exit).toEqual(Exit.fail(new Transient(9)))
      const waits = gaps(times)
      expect(waits).toHaveLength(9)
      // 100 ms x 2^7 = 12.8 s and 25.6 s, jittered by at most 20%, are both cut to 10 s
      expect(waits.slice(-2)).toEqual([10_000, 10_000])
      expect(Math.max(...waits)).toBe(10_000)
    }))

  it.effect("times caps the retries of a given schedule; the last error comes out unchanged", () =>
    Effect.gen(function*() {
      const errors = [new Transient(0), new Transient(1), new Transient(2), new Transient(3)]
      const { runnable, times } = flaky((call) => errors[call])
      const exit = yield* runFor(
        Runnable.invoke(retry(runnable, { schedule: Schedule.spaced("1 second"), times: 2 }), "x"),
        "1 minute"
      )
      expect(times).toEqual([0, 1000, 2000])
      expect(Exit.isFailure(exit) && Cause.failureOption(exit.cause)._tag === "Some").toBe(true)
      const failure = Exit.isFailure(exit) ? Cause.failureOption(exit.cause) : undefined
      expect(failure?._tag === "Some" && failure.value).toBe(errors[2])

      const once = flaky((call) => new Transient(call))
      const exitOnce = yield* Effect.exit(Runnable.invoke(retry(once.runnable, { times: 0 }), "x"))
      expect(exitOnce).toEqual(Exit.fail(new Transient(0)))
      expect(once.times).toEqual([0])
    }))

  it.effect("while decides which errors are retried", () =>
    Effect.gen(function*() {
      const { runnable, times } = flaky<Transient | Fatal>((call) => call === 0 ? new Transient(0) : new Fatal())
      const retried = runnable.pipe(retry({ schedule: Schedule.spaced("1 second"), while: (error) => error._tag === "Transient" }))
      const exit = yield* runFor(Runnable.invoke(retried, "x"), "1 minute")
      expect(exit).toEqual(Exit.fail(new Fatal()))
      expect(times).toEqual([0, 1000])
    }))

  it.effect("defects and interruptions are never retried", () =>
    Effect.gen(function*() {
      let calls = 0
      const boom = Runnable.fromEffect((_: string) => Effect.suspend(() => (calls++, Effect.die(new Error("boom")))), { name: "boom" })
      const exit = yield* runFor(Runnable.invoke(retry(boom, { schedule: Schedule.spaced("1 second") }), "x"), "1 minute")
      expect(Exit.isFailure(exit) && Cause.isDie(exit.cause)).toBe(true)
      expect(calls).toBe(1)

      let interruptedCalls = 0
      const interrupted = Runnable.fromEffect((_: string) => Effect.suspend(() => (interruptedCalls++, Effect.interrupt)))
      const interruptedExit = yield* runFor(
        Runnable.invoke(retry(interrupted, { schedule: Schedule.spaced("1 second") }), "x"),
        "1 minute"
      )
      expect(Exit.isInterrupted(interruptedExit)).toBe(true)
      expect(interruptedCalls).toBe(1)
    }))

  it.effect("interrupting a retry while it waits stops it: no attempt follows", () =>
    Effect.gen(function*() {
      const { runnable, times } = flaky((call) => new Transient(call))
      const fiber = yield* Effect.fork(Runnable.invoke(retry(runnable, { schedule: Schedule.spaced("1 second") }), "x"))
      yield* TestClock.adjust("1500 millis")
      yield* Fiber.interrupt(fiber)
      yield* TestClock.adjust("1 minute")
      expect(times).toEqual([0, 1000])
    }))

  it.effect("an error's retryAfter makes the wait at least that long", () =>
    Effect.gen(function*() {
      const limited = flaky((call) => call === 0 ? new RateLimited("2 seconds") : undefined)
      const exit = yield* runFor(Runnable.invoke(retry(limited.runnable), "x"), "1 minute")
      expect(exit).toEqual(Exit.succeed("x!"))
      // the default schedule would have waited ~100 ms
      expect(limited.times).toEqual([0, 2000])

      // milliseconds; a longer wait of the schedule wins
      const mixed = flaky((call) => call === 0 ? new RateLimited(500) : call === 1 ? new RateLimited(3000) : undefined)
      yield* runFor(Runnable.invoke(retry(mixed.runnable, { schedule: Schedule.spaced("1 second") }), "x"), "1 minute")
      expect(mixed.times).toEqual([0, 1000, 4000])
    }))

  it.effect("retryAfter does not retry what the schedule would stop", () =>
    Effect.gen(function*() {
      const { runnable, times } = flaky((_) => new RateLimited("1 second"))
      const exit = yield* runFor(Runnable.invoke(retry(runnable, { times: 1 }), "x"), "1 minute")
      expect(exit).toEqual(Exit.fail(new RateLimited("1 second")))
      expect(times).toEqual([0, 1000])
    }))

  it.effect("a retryAfter longer than maxRetryAfter (1 minute by default) ends the retries at once", () =>
    Effect.gen(function*() {
      const day = flaky((call) => call === 0 ? new RateLimited("1 day") : undefined)
      const fiber = yield* Effect.fork(Runnable.invoke(retry(day.runnable, { times: 3 }), "x"))
      // a millisecond later the failure is out: nothing waited
      yield* TestClock.adjust("1 millis")
      expect(fiber.unsafePoll()).toEqual(Exit.fail(new RateLimited("1 day")))
      expect(day.times).toEqual([0])

      // exactly the cap is still waited for
      const minute = flaky((call) => call === 0 ? new RateLimited("1 minute") : undefined)
      expect(yield* runFor(Runnable.invoke(retry(minute.runnable), "x"), "2 minutes")).toEqual(Exit.succeed("x!"))
      expect(minute.times).toEqual([0, 60_000])
      expect(Duration.toMillis(defaultMaxRetryAfter)).toBe(60_000)

      // a longer cap waits longer; Duration.infinity waits for any
      for (const maxRetryAfter of ["2 hours", Duration.infinity] as const) {
        const hour = flaky((call) => call === 0 ? new RateLimited("1 hour") : undefined)
        const patient = retry(hour.runnable, { maxRetryAfter })
        expect(yield* runFor(Runnable.invoke(patient, "x"), "2 hours")).toEqual(Exit.succeed("x!"))
        expect(hour.times).toEqual([0, 3_600_000])
      }

      // streams too
      let attempts = 0
      const streamed = Runnable.fromStream((_: string) =>
        Stream.suspend(() => {
          attempts++
          return Stream.fail(new RateLimited("10 minutes"))
        }), { name: "streamed" })
      const streamExit = yield* runFor(Stream.runCollect(Runnable.stream(retry(streamed), "x")), "1 hour")
      expect(Exit.isFailure(streamExit) && Cause.failureOption(streamExit.cause)).toEqual(
        Exit.isFailure(streamExit) && Option.some(new RateLimited("10 minutes"))
      )
      expect(attempts).toBe(1)
    }))

  it.effect("a stream failing before its first chunk is retried", () =>
    Effect.gen(function*() {
      let calls = 0
      const tokens = Runnable.make({
        name: "tokens",
        run: (_: string) => Effect.succeed("ab"),
        stream: (_: string) =>
          Stream.suspend(() =>
            calls++ === 0
              ? Stream.fail(new Transient(0))
              : Stream.fromIterable(["a", "b"])
          )
      })
      const fiber = yield* Effect.fork(
        Stream.runCollect(Runnable.stream(retry(tokens, { schedule: Schedule.spaced("1 second") }), "x"))
      )
      yield* TestClock.adjust("1 second")
      expect(Chunk.toReadonlyArray(yield* Fiber.join(fiber))).toEqual(["a", "b"])
      expect(calls).toBe(2)
    }))

  it.effect("a stream failing after a chunk is not retried: its chunks are not delivered twice", () =>
    Effect.gen(function*() {
      let calls = 0
      const tokens = Runnable.make({
        name: "tokens",
        run: (_: string) => Effect.succeed("ab"),
        stream: (_: string) =>
          Stream.suspend(() => (calls++, Stream.concat(Stream.make("a"), Stream.fail(new Transient(0)))))
      })
      const delivered: Array<string> = []
      const exit = yield* runFor(
        Runnable.stream(retry(tokens, { schedule: Schedule.spaced("1 second") }), "x").pipe(
          Stream.runForEach((chunk) => Effect.sync(() => delivered.push(chunk)))
        ),
        "1 minute"
      )
      expect(exit).toEqual(Exit.fail(new Transient(0)))
      expect(delivered).toEqual(["a"])
      expect(calls).toBe(1)
    }))

  it.effect("the retry is a run; each attempt a nested run tagged retry:attempt:N", () =>
    Effect.gen(function*() {
      const retriedModel = () =>
        retry(flaky((call) => call < 2 ? new Transient(call) : undefined, "model").runnable, {
          schedule: Schedule.spaced("1 second")
        })
      const check = (events: ReadonlyArray<RunEvent.RunEvent>, rootTag: string) => {
        const root = events.find((event) => event._tag === "Started" && event.kind === "chain")!
        const attempts = events.filter((event) => event.name === "model" && event.kind === "lambda" && event._tag !== "Streamed")
        const origin = events[0]!.timestamp
        expect(root.name).toBe("model")
        expect(root.tags).toEqual([])
        expect(attempts.map((event) => `${event._tag} ${event.tags.join(",")} @${event.timestamp - origin}`)).toEqual([
          "Started retry:attempt:1 @0",
          "Failed retry:attempt:1 @0",
          "Started retry:attempt:2 @1000",
          "Failed retry:attempt:2 @1000",
          "Started retry:attempt:3 @2000",
          "Ended retry:attempt:3 @2000"
        ])
        for (const attempt of attempts) expect(attempt.parentIds.at(-1)).toBe(root.runId)
        expect(events.filter((event) => event.runId === root.runId).map((event) => event._tag)).toContain("Ended")
        expect(events[0]!.name).toBe(rootTag)
      }

      // streamed (the root is the retry)
      const streamed = yield* runFor(Stream.runCollect(Runnable.streamEvents(retriedModel(), "x")), "1 minute")
      check(Chunk.toReadonlyArray(Exit.getOrElse(streamed, () => Chunk.empty())), "model")

      // invoked (inside a parent)
      const retried = retriedModel()
      const parent = Runnable.fromEffect((input: string) => Runnable.invoke(retried, input), { name: "parent" })
      const invoked = yield* runFor(Stream.runCollect(Runnable.streamEvents(parent, "x")), "1 minute")
      check(Chunk.toReadonlyArray(Exit.getOrElse(invoked, () => Chunk.empty())), "parent")
    }))

  it.effect("a bad times or maxRetryAfter throws InvalidOptionError when the retry is built", () =>
    Effect.sync(() => {
      const { runnable } = flaky((_) => undefined)
      const bad: ReadonlyArray<readonly [string, RetryOptions<unknown>]> = [
        ["times", { times: -1 }],
        ["times", { times: 1.5 }],
        ["times", { times: Number.NaN }],
        ["maxRetryAfter", { maxRetryAfter: -1 }],
        ["maxRetryAfter", { maxRetryAfter: Number.NaN }],
        ["maxRetryAfter", { maxRetryAfter: "soon" as Duration.DurationInput }]
      ]
      for (const [option, options] of bad) {
        let thrown: unknown
        try {
          retry(runnable, options)
        } catch (error) {
          thrown = error
        }
        expect(thrown).toBeInstanceOf(Errors.InvalidOptionError)
        expect(thrown).toMatchObject({ _tag: "InvalidOptionError", runnable: "flaky", option })
      }
    }))

  it.effect("types: the error type stays the runnable's; while is typed from it in a pipe", () =>
    Effect.gen(function*() {
      const { runnable } = flaky<Transient | Fatal>((_) => undefined)
      const piped = runnable.pipe(retry({ while: (error) => error._tag === "Transient" }))
      const plain = runnable.pipe(retry())
      const first = retry(runnable, { schedule: Schedule.spaced("1 second") })
      const effects: Array<Effect.Effect<string, Transient | Fatal>> = [
        Runnable.invoke(piped, "x"),
        Runnable.invoke(plain, "x"),
        Runnable.invoke(first, "x")
      ]
      // @ts-expect-error the error type is not widened
      const _unknown: Runnable.Runnable<string, string, Transient> = piped
      expect(yield* Effect.all(effects)).toEqual(["x!", "x!", "x!"])
      expect(Either.isRight(yield* Effect.either(Runnable.invoke(piped, "y")))).toBe(true)
    }))
})

import { describe, expect, it } from "@effect/vitest"
import { Errors, Runnable, RunEvent } from "@fxchain/core"
import { Cause, Chunk, Clock, Effect, Exit, Fiber, Option, RateLimiter, Stream, TestClock } from "effect"
import { rateLimit, waitMillisAttribute, withRateLimiter } from "../src/RateLimit.js"

/** A runnable that answers with its input and the Clock time at which its work started. */
const stamped = (name = "stamped") =>
  Runnable.fromEffect((input: string) => Effect.map(Clock.currentTimeMillis, (now) => [input, now] as const), { name })

const startTimes = (results: ReadonlyArray<readonly [string, number]>) => results.map(([, at]) => at).sort((a, b) => a - b)

const dieError = (exit: Exit.Exit<unknown, unknown>): unknown =>
  Exit.isFailure(exit) ? Option.getOrUndefined(Cause.dieOption(exit.cause)) : undefined

describe("rateLimit", () => {
  it.scoped("limit 2 per second: the third call waits until 1 second", () =>
    Effect.gen(function*() {
      const limited = yield* rateLimit(stamped(), { limit: 2, interval: "1 second" })
      const fiber = yield* Effect.fork(
        Effect.all(["a", "b", "c"].map((input) => Runnable.invoke(limited, input)), { concurrency: "unbounded" })
      )
      yield* TestClock.adjust("999 millis")
      expect(fiber.unsafePoll()).toBeNull()
      yield* TestClock.adjust("1 millis")
      expect(startTimes(yield* Fiber.join(fiber))).toEqual([0, 0, 1000])
    }))

  it.scoped("one limiter is shared by every run: across a batch and across concurrent batches", () =>
    Effect.gen(function*() {
      const limited = yield* stamped().pipe(rateLimit({ limit: 2, interval: "1 second" }))
      const fiber = yield* Effect.fork(
        Effect.all([
          Runnable.batch(limited, ["a", "b", "c"], { concurrency: 3 }),
          Runnable.batch(limited, ["d", "e"], { concurrency: 2 })
        ], { concurrency: 2 })
      )
      yield* TestClock.adjust("3 seconds")
      const [first, second] = yield* Fiber.join(fiber)
      expect(startTimes([...first, ...second])).toEqual([0, 0, 1000, 1000, 2000])
      expect(first.map(([input]) => input)).toEqual(["a", "b", "c"])
    }))

  it.scoped("cost counts tokens per window instead of requests", () =>
    Effect.gen(function*() {
      const limited = yield* rateLimit(stamped(), { limit: 10, interval: "1 second", cost: (text) => text.length })
      const fiber = yield* Effect.fork(
        Effect.all(["aaaaaa", "bbbb", "cc"].map((input) => Runnable.invoke(limited, input)))
      )
      yield* TestClock.adjust("1 second")
      expect((yield* Fiber.join(fiber)).map(([input, at]) => [input.length, at])).toEqual([[6, 0], [4, 0], [2, 1000]])
    }))

  it.scoped("a cost above the limit is capped at it: the run gets a whole window, it does not wait forever", () =>
    Effect.gen(function*() {
      const limited = yield* rateLimit(stamped(), { limit: 10, interval: "1 second", cost: () => 50 })
      const fiber = yield* Effect.fork(Effect.all([Runnable.invoke(limited, "a"), Runnable.invoke(limited, "b")]))
      yield* TestClock.adjust("1 second")
      const done = fiber.unsafePoll()
      expect(done !== null && Exit.isSuccess(done) ? startTimes(done.value) : done).toEqual([0, 1000])
    }))

  it.scoped("the cost is set around the limiter only: a limiter inside the work counts its own cost", () =>
    Effect.gen(function*() {
      const inner = yield* RateLimiter.make({ limit: 1, interval: "1 second" })
      const work = Runnable.fromEffect((text: string) => inner(Effect.succeed(text.length)))
      const limited = yield* rateLimit(work, { limit: 10, interval: "1 second", cost: (text) => text.length })
      // with the outer cost (5) leaking into the inner limiter (limit 1), this would never finish
      const fiber = yield* Effect.fork(Runnable.invoke(limited, "hello"))
      yield* TestClock.adjust("1 millis")
      expect(fiber.unsafePoll()).toEqual(Exit.succeed(5))
    }))

  it.scoped("the token-bucket algorithm refills one call every interval / limit", () =>
    Effect.gen(function*() {
      const limited = yield* rateLimit(stamped(), { limit: 2, interval: "1 second", algorithm: "token-bucket" })
      const fiber = yield* Effect.fork(Effect.all(["a", "b", "c"].map((input) => Runnable.invoke(limited, input))))
      yield* TestClock.adjust("1 second")
      expect(startTimes(yield* Fiber.join(fiber))).toEqual([0, 0, 500])
    }))

  it.scoped("the time waited for the limiter is in the run's Ended event attributes", () =>
    Effect.gen(function*() {
      const limited = yield* rateLimit(stamped("model"), { limit: 1, interval: "1 second" })
      const fiber = yield* Effect.fork(
        Effect.all([
          Runnable.streamEvents(limited, "a").pipe(Stream.runCollect),
          Runnable.streamEvents(limited, "b").pipe(Stream.runCollect)
        ])
      )
      yield* TestClock.adjust("1 second")
      const ended = (yield* Fiber.join(fiber)).flatMap((events) => Chunk.toReadonlyArray(events).filter(RunEvent.$is("Ended")))
      expect(ended.map((event) => [event.name, event.attributes[waitMillisAttribute]])).toEqual([["model", 0], [
        "model",
        1000
      ]])
      expect(waitMillisAttribute).toBe("fxchain.rateLimit.waitMillis")
    }))

  it.scoped("streams are limited too, and the runnable keeps its name and kind", () =>
    Effect.gen(function*() {
      const source = Runnable.make({
        name: "tokens",
        kind: "model",
        run: (text: string) => Effect.succeed(text),
        stream: (text: string) => Stream.fromIterable(text.split(""))
      })
      const limited = yield* rateLimit(source, { limit: 1, interval: "1 second" })
      expect([limited.name, limited.kind]).toEqual(["tokens", "model"])
      yield* Runnable.invoke(limited, "x")
      const fiber = yield* Effect.fork(Stream.runCollect(Runnable.stream(limited, "ab")))
      yield* TestClock.adjust("999 millis")
      expect(fiber.unsafePoll()).toBeNull()
      yield* TestClock.adjust("1 millis")
      expect(Chunk.toReadonlyArray(yield* Fiber.join(fiber))).toEqual(["a", "b"])
    }))

  it.scoped("a runnable consuming a streamed input keeps doing so, limited before it starts", () =>
    Effect.gen(function*() {
      const upper = Runnable.make({
        name: "upper",
        run: (text: string) => Effect.succeed(text.toUpperCase()),
        transform: (input) => Stream.map(input, (text: string) => text.toUpperCase())
      })
      const limited = yield* rateLimit(upper, { limit: 1, interval: "1 second" })
      expect(limited[Runnable.TypeId].transform).toBeDefined()
      yield* Runnable.invoke(limited, "x")
      const fiber = yield* Effect.fork(Stream.runCollect(Runnable.transform(limited, Stream.make("a", "b"))))
      yield* TestClock.adjust("999 millis")
      expect(fiber.unsafePoll()).toBeNull()
      yield* TestClock.adjust("1 millis")
      expect(Chunk.toReadonlyArray(yield* Fiber.join(fiber))).toEqual(["A", "B"])
      // with a cost, the input is gathered first (the cost needs all of it)
      const costed = yield* rateLimit(upper, { limit: 10, interval: "1 second", cost: (text) => text.length })
      expect(costed[Runnable.TypeId].transform).toBeUndefined()
      expect(Chunk.toReadonlyArray(yield* Stream.runCollect(Runnable.transform(costed, Stream.make("a", "b"))))).toEqual(["AB"])
    }))

  it.scoped("keeps the configuration given with withConfig", () =>
    Effect.gen(function*() {
      const configured = Runnable.withConfig(stamped("configured"), { tags: ["kept"] })
      const limited = yield* rateLimit(configured, { limit: 1, interval: "1 second" })
      const events = yield* Stream.runCollect(Runnable.streamEvents(limited, "a"))
      expect(Chunk.toReadonlyArray(events).every((event) => event.tags.includes("kept"))).toBe(true)
    }))

  it.effect("bad options make the constructor throw InvalidOptionError naming the option", () =>
    Effect.sync(() => {
      const bad: ReadonlyArray<readonly [Record<string, unknown>, string]> = [
        [{ limit: 0, interval: "1 second" }, "limit"],
        [{ limit: 1.5, interval: "1 second" }, "limit"],
        [{ limit: 2, interval: 0 }, "interval"],
        [{ limit: 2, interval: "soon" }, "interval"],
        [{ limit: 2, interval: "-1 second" }, "interval"],
        [{ limit: 2, interval: Number.NaN }, "interval"],
        [{ limit: Infinity, interval: "1 second" }, "limit"],
        [{ limit: 2, interval: "1 second", algorithm: "leaky" }, "algorithm"]
      ]
      for (const [options, option] of bad) {
        expect(() => rateLimit(stamped(), options as any)).toThrow(Errors.InvalidOptionError)
        try {
          rateLimit(stamped(), options as any)
        } catch (error) {
          expect(error).toMatchObject({ option, runnable: "stamped" })
        }
      }
    }))

  it.scoped("a cost function returning a bad number makes the run die with InvalidOptionError", () =>
    Effect.gen(function*() {
      const limited = yield* rateLimit(stamped(), { limit: 10, interval: "1 second", cost: () => Number.NaN })
      const error = dieError(yield* Effect.exit(Runnable.invoke(limited, "a")))
      expect(error).toMatchObject({ _tag: "InvalidOptionError", option: "cost" })
    }))
})

describe("withRateLimiter", () => {
  it.scoped("one RateLimiter shared by two different runnables", () =>
    Effect.gen(function*() {
      const provider = yield* RateLimiter.make({ limit: 2, interval: "1 second", algorithm: "fixed-window" })
      const summarize = stamped("summarize").pipe(withRateLimiter(provider))
      const translate = withRateLimiter(stamped("translate"), provider)
      const fiber = yield* Effect.fork(
        Effect.all([
          Runnable.invoke(summarize, "s1"),
          Runnable.invoke(translate, "t1"),
          Runnable.invoke(summarize, "s2"),
          Runnable.invoke(translate, "t2")
        ], { concurrency: "unbounded" })
      )
      yield* TestClock.adjust("999 millis")
      expect(fiber.unsafePoll()).toBeNull()
      yield* TestClock.adjust("1 millis")
      expect(startTimes(yield* Fiber.join(fiber))).toEqual([0, 0, 1000, 1000])
      expect([summarize.name, translate.name]).toEqual(["summarize", "translate"])
    }))

  it.scoped("cost per runnable on a shared limiter", () =>
    Effect.gen(function*() {
      const provider = yield* RateLimiter.make({ limit: 100, interval: "1 minute", algorithm: "fixed-window" })
      const big = stamped("big").pipe(withRateLimiter<string>(provider, { cost: () => 60 }))
      const small = withRateLimiter(stamped("small"), provider, { cost: (text) => text.length })
      const fiber = yield* Effect.fork(Effect.all([Runnable.invoke(big, "x"), Runnable.invoke(small, "x".repeat(40)), Runnable.invoke(small, "y")]))
      yield* TestClock.adjust("1 minute")
      expect(startTimes(yield* Fiber.join(fiber))).toEqual([0, 0, 60_000])
    }))

  it.scoped("waiting for the limiter is interruptible and leaves the work unstarted", () =>
    Effect.gen(function*() {
      const provider = yield* RateLimiter.make({ limit: 1, interval: "1 second", algorithm: "fixed-window" })
      let started = 0
      const work = withRateLimiter(Runnable.fromEffect((_: string) => Effect.sync(() => started++)), provider)
      yield* Runnable.invoke(work, "first")
      const waiting = yield* Effect.fork(Runnable.invoke(work, "second"))
      yield* TestClock.adjust("500 millis")
      yield* Fiber.interrupt(waiting)
      yield* TestClock.adjust("1 second")
      expect(started).toBe(1)
    }))
})

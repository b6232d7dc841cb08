import { describe, expect, it } from "@effect/vitest"
import { Errors, Runnable, RunEvent, Testing } from "@fxchain/core"
import { Cause, Chunk, Context, Duration, Effect, Exit, Fiber, Scope, Stream, TestClock } from "effect"
import { cached, hitAttribute } from "../src/Cached.js"

const slowDouble = (probe: Testing.Probe, latency: Duration.DurationInput = "1 second") =>
  Testing.scripted({ name: "double", latency, respond: (n: number) => n * 2, probe })

describe("cached", () => {
  it.scoped("a repeated input is answered from the cache; another input runs the work", () =>
    Effect.gen(function*() {
      const probe = Testing.makeProbe()
      const double = yield* cached(slowDouble(probe, "0 millis"), { capacity: 10, timeToLive: "1 minute" })
      expect(yield* Runnable.invoke(double, 2)).toBe(4)
      expect(yield* Runnable.invoke(double, 2)).toBe(4)
      expect(yield* Runnable.invoke(double, 3)).toBe(6)
      expect(probe.unsafeStats().started).toBe(2)
      expect([double.name, double.kind]).toEqual(["double", "lambda"])
    }))

  it.scoped("entries expire after timeToLive on the Clock", () =>
    Effect.gen(function*() {
      const probe = Testing.makeProbe()
      const double = yield* slowDouble(probe, "0 millis").pipe(cached({ capacity: 10, timeToLive: "1 second" }))
      yield* Runnable.invoke(double, 1)
      yield* TestClock.adjust("1 second")
      yield* Runnable.invoke(double, 1)
      expect(probe.unsafeStats().started).toBe(1)
      yield* TestClock.adjust("1 millis")
      yield* Runnable.invoke(double, 1)
      expect(probe.unsafeStats().started).toBe(2)
      yield* Runnable.invoke(double, 1)
      expect(probe.unsafeStats().started).toBe(2)
    }))

  it.scoped("concurrent calls with the same key run the work once", () =>
    Effect.gen(function*() {
      const probe = Testing.makeProbe()
      const double = yield* cached(slowDouble(probe), { capacity: 10, timeToLive: "1 minute" })
      const fiber = yield* Effect.fork(
        Effect.all([1, 1, 1, 2].map((n) => Runnable.invoke(double, n)), { concurrency: "unbounded" })
      )
      yield* TestClock.adjust("1 second")
      expect(yield* Fiber.join(fiber)).toEqual([2, 2, 2, 4])
      expect(probe.unsafeStats()).toMatchObject({ started: 2, finished: 2, maxInFlight: 2 })
    }))

  it.scoped("failures are not cached: the next call runs the work again, even at the same instant", () =>
    Effect.gen(function*() {
      const probe = Testing.makeProbe()
      const flaky = Testing.scripted({
        latency: "1 second",
        respond: (n: number) => n,
        fail: (_, call) => call === 0 ? "overloaded" : undefined,
        probe
      })
      const once = yield* cached(flaky, { capacity: 10, timeToLive: "1 minute" })
      // both callers waited on the same failing run: both get its error, the work ran once
      const failing = yield* Effect.fork(
        Effect.all([Runnable.invoke(once, 7), Runnable.invoke(once, 7)].map(Effect.flip), { concurrency: 2 })
      )
      yield* TestClock.adjust("1 second")
      expect(yield* Fiber.join(failing)).toEqual(["overloaded", "overloaded"])
      expect(probe.unsafeStats().started).toBe(1)
      const retried = yield* Effect.fork(Runnable.invoke(once, 7))
      yield* TestClock.adjust("1 second")
      expect(yield* Fiber.join(retried)).toBe(7)
      expect(yield* Runnable.invoke(once, 7)).toBe(7)
      expect(probe.unsafeStats().started).toBe(2)
    }))

  it.scoped("capacity bounds the entries kept: past it, the oldest are dropped", () =>
    Effect.gen(function*() {
      const probe = Testing.makeProbe()
      const two = yield* cached(slowDouble(probe, "0 millis"), { capacity: 2, timeToLive: "1 minute" })
      for (const n of [1, 2, 3, 3, 1]) yield* Runnable.invoke(two, n)
      // 1, 2, 3 run (3 drops 1); 3 is a hit; 1 runs again
      expect(probe.unsafeStats().started).toBe(4)

      const other = Testing.makeProbe()
      const three = yield* cached(slowDouble(other, "0 millis"), { capacity: 3, timeToLive: "1 minute" })
      for (const n of [1, 2, 3, 3, 1]) yield* Runnable.invoke(three, n)
      expect(other.unsafeStats().started).toBe(3)
    }))

  it.scoped("key: inputs with the same key share an output; by default objects are keyed by their JSON", () =>
    Effect.gen(function*() {
      const probe = Testing.makeProbe()
      const describe = Testing.scripted({ respond: (input: { id: number; note: string }) => `#${input.id}`, probe })
      const byId = yield* cached(describe, { capacity: 10, timeToLive: "1 minute", key: (input) => input.id })
      yield* Runnable.invoke(byId, { id: 1, note: "a" })
      yield* Runnable.invoke(byId, { id: 1, note: "b" })
      expect(probe.unsafeStats().started).toBe(1)

      const byJson = yield* cached(describe, { capacity: 10, timeToLive: "1 minute" })
      yield* Runnable.invoke(byJson, { id: 1, note: "a" })
      yield* Runnable.invoke(byJson, { id: 1, note: "a" })
      yield* Runnable.invoke(byJson, { id: 1, note: "b" })
      expect(probe.unsafeStats().started).toBe(3)
    }))

  it.scoped("a caller that is interrupted only stops waiting: the others still get the output", () =>
    Effect.gen(function*() {
      const probe = Testing.makeProbe()
      const double = yield* cached(slowDouble(probe), { capacity: 10, timeToLive: "1 minute" })
      const first = yield* Effect.fork(Runnable.invoke(double, 5))
      const second = yield* Effect.fork(Runnable.invoke(double, 5))
      yield* TestClock.adjust("500 millis")
      yield* Fiber.interrupt(first)
      yield* TestClock.adjust("500 millis")
      expect(yield* Fiber.join(second)).toBe(10)
      expect(probe.unsafeStats()).toMatchObject({ started: 1, finished: 1, interrupted: 0 })
      expect(yield* Runnable.invoke(double, 5)).toBe(10)
    }))

  it.scoped("when every caller waiting on a key is interrupted, the work is interrupted and nothing is cached", () =>
    Effect.gen(function*() {
      const probe = Testing.makeProbe()
      const double = yield* cached(slowDouble(probe), { capacity: 10, timeToLive: "1 minute" })
      const first = yield* Effect.fork(Runnable.invoke(double, 5))
      const second = yield* Effect.fork(Runnable.invoke(double, 5))
      yield* TestClock.adjust("500 millis")
      yield* Fiber.interrupt(first)
      yield* Fiber.interrupt(second)
      expect(probe.unsafeStats()).toMatchObject({ started: 1, interrupted: 1, inFlight: 0 })
      const again = yield* Effect.fork(Runnable.invoke(double, 5))
      yield* TestClock.adjust("1 second")
      expect(yield* Fiber.join(again)).toBe(10)
      expect(probe.unsafeStats().started).toBe(2)
    }))

  it.effect("closing the scope interrupts the work in flight", () =>
    Effect.gen(function*() {
      const probe = Testing.makeProbe()
      const scope = yield* Scope.make()
      const double = yield* Scope.extend(cached(slowDouble(probe), { capacity: 10, timeToLive: "1 minute" }), scope)
      const caller = yield* Effect.fork(Runnable.invoke(double, 1))
      yield* TestClock.adjust("500 millis")
      yield* Scope.close(scope, Exit.void)
      const exit = yield* Fiber.await(caller)
      expect(Exit.isFailure(exit) && Cause.isInterrupted(exit.cause)).toBe(true)
      expect(probe.unsafeStats()).toMatchObject({ started: 1, interrupted: 1, inFlight: 0 })
    }))

  it.scoped("the work runs with its caller's services, provided when it is invoked", () =>
    Effect.gen(function*() {
      class Greeting extends Context.Tag("Greeting")<Greeting, string>() {}
      const greet = Runnable.fromEffect((name: string) => Effect.map(Greeting, (greeting) => `${greeting}, ${name}`))
      const cachedGreet = yield* cached(greet, { capacity: 10, timeToLive: "1 minute" })
      const answer = yield* Runnable.invoke(cachedGreet, "Ada").pipe(Effect.provideService(Greeting, "Hello"))
      expect(answer).toBe("Hello, Ada")
    }))

  it.scoped("the run says whether its output came from the cache; a stream yields it as one chunk", () =>
    Effect.gen(function*() {
      const probe = Testing.makeProbe()
      const double = yield* cached(slowDouble(probe, "0 millis"), { capacity: 10, timeToLive: "1 minute" })
      const hits: Array<unknown> = []
      for (let i = 0; i < 2; i++) {
        const events = yield* Stream.runCollect(Runnable.streamEvents(double, 21))
        for (const event of events) if (RunEvent.$is("Ended")(event)) hits.push(event.attributes[hitAttribute])
      }
      expect(hits).toEqual([false, true])
      expect(Chunk.toReadonlyArray(yield* Stream.runCollect(Runnable.stream(double, 21)))).toEqual([42])
      expect(probe.unsafeStats().started).toBe(1)
    }))

  it.effect("bad options make cached throw InvalidOptionError naming the option", () =>
    Effect.sync(() => {
      const probe = Testing.makeProbe()
      for (
        const [options, option] of [
          [{ capacity: 0, timeToLive: "1 minute" }, "capacity"],
          [{ capacity: 2.5, timeToLive: "1 minute" }, "capacity"],
          [{ capacity: 10, timeToLive: "a while" }, "timeToLive"],
          [{ capacity: 10, timeToLive: -1 }, "timeToLive"],
          [{ capacity: 10, timeToLive: Number.NaN }, "timeToLive"],
          [{ capacity: 10, timeToLive: "-5 seconds" }, "timeToLive"]
        ] as const
      ) {
        const error = (() => {
          try {
            cached(slowDouble(probe), options as any)
          } catch (error) {
            return error
          }
        })()
        expect(error).toBeInstanceOf(Errors.InvalidOptionError)
        expect(error).toMatchObject({ option, runnable: "double" })
      }
    }))
})

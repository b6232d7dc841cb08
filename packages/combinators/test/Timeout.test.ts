import { describe, expect, it } from "@effect/vitest"
import { Errors, Runnable, Testing } from "@fxchain/core"
import { Cause, Chunk, Duration, Effect, Exit, Fiber, Option, Stream, TestClock } from "effect"
import { TimeoutError } from "../src/Errors.js"
import { timeout } from "../src/Timeout.js"

class Refused {
  readonly _tag = "Refused"
}

/** Forks a stream, collecting its chunks as they come with their Clock times. */
const forkStream = <A, E>(stream: Stream.Stream<A, E>) =>
  Effect.gen(function*() {
    const start = yield* TestClock.currentTimeMillis
    const received: Array<readonly [A, number]> = []
    const fiber = yield* Effect.fork(
      Stream.runForEach(stream, (chunk) =>
        Effect.map(TestClock.currentTimeMillis, (now) => {
          received.push([chunk, now - start])
        }))
    )
    return { fiber, received }
  })

const tokens = (options: {
  readonly latency: Duration.DurationInput
  readonly chunkLatency?: Duration.DurationInput
  readonly probe?: Testing.Probe
}) =>
  Testing.scripted({
    name: "tokens",
    kind: "model",
    latency: options.latency,
    chunkLatency: options.chunkLatency,
    respond: (_: string) => "a b c",
    chunks: (text) => text.split(" "),
    probe: options.probe
  })

describe("timeout", () => {
  it.effect("invoke: the total deadline interrupts the work and fails with TimeoutError", () =>
    Effect.gen(function*() {
      const probe = Testing.makeProbe()
      const slow = Testing.scripted({ name: "slow", latency: "5 seconds", respond: (n: number) => n, probe })
      const fiber = yield* Effect.fork(Runnable.invoke(timeout(slow, "2 seconds"), 1))
      yield* TestClock.adjust("1999 millis")
      expect(fiber.unsafePoll()).toBeNull()
      yield* TestClock.adjust("1 millis")
      const exit = yield* Fiber.await(fiber)
      const error = new TimeoutError({ runnable: "slow", deadline: "total", durationMillis: 2000 })
      expect(exit).toEqual(Exit.fail(error))
      expect(error.message).toBe(`Runnable "slow" timed out: did not finish within 2000 ms (total deadline)`)
      expect(probe.unsafeStats()).toMatchObject({ started: 1, interrupted: 1, inFlight: 0 })
    }))

  it.effect("invoke: the interrupted work's finalizers have run when the TimeoutError comes out", () =>
    Effect.gen(function*() {
      const log: Array<string> = []
      const hanging = Runnable.fromEffect(
        (_: string) =>
          Effect.never.pipe(Effect.ensuring(Effect.sync(() => log.push("finalizer ran")))),
        { name: "hanging" }
      )
      const fiber = yield* Effect.fork(
        Runnable.invoke(hanging.pipe(timeout(Duration.millis(500))), "x").pipe(
          Effect.tapError((error) => Effect.sync(() => log.push(`failed: ${error._tag} ${error.deadline}`)))
        )
      )
      yield* TestClock.adjust("500 millis")
      yield* Fiber.await(fiber)
      expect(log).toEqual(["finalizer ran", "failed: TimeoutError total"])
    }))

  it.effect("invoke: in time, the output; the runnable's own errors pass through unchanged", () =>
    Effect.gen(function*() {
      const quick = Testing.scripted({ name: "quick", latency: "1 second", respond: (n: number) => n * 2 })
      const answered = yield* Effect.fork(Runnable.invoke(timeout(quick, "2 seconds"), 21))
      yield* TestClock.adjust("1 second")
      expect(yield* Fiber.join(answered)).toBe(42)

      const refused = new Refused()
      const refusing = Testing.scripted<number, number, Refused>({ latency: "1 second", respond: (n) => n, fail: () => refused })
      const failed = yield* Effect.fork(Runnable.invoke(timeout(refusing, "2 seconds"), 1))
      yield* TestClock.adjust("1 second")
      expect(yield* Effect.flip(Fiber.join(failed))).toBe(refused)
      // no timer left: nothing happens when the deadline would have passed
      yield* TestClock.adjust("5 seconds")
    }))

  it.effect("invoke uses only the total deadline", () =>
    Effect.gen(function*() {
      const slow = tokens({ latency: "5 seconds" })
      const fiber = yield* Effect.fork(
        Runnable.invoke(timeout(slow, "10 seconds", { firstChunk: "1 second", idle: "1 second" }), "x")
      )
      yield* TestClock.adjust("5 seconds")
      expect(yield* Fiber.join(fiber)).toBe("a b c")
    }))

  it.effect("stream: the total deadline cuts the stream where it is", () =>
    Effect.gen(function*() {
      const probe = Testing.makeProbe()
      const timed = tokens({ latency: "100 millis", chunkLatency: "100 millis", probe }).pipe(timeout("250 millis"))
      const { fiber, received } = yield* forkStream(Runnable.stream(timed, "x"))
      yield* TestClock.adjust("1 second")
      expect(yield* Fiber.await(fiber)).toEqual(
        Exit.fail(new TimeoutError({ runnable: "tokens", deadline: "total", durationMillis: 250 }))
      )
      expect(received).toEqual([["a", 100], ["b", 200]])
      expect(probe.unsafeStats()).toMatchObject({ started: 1, finished: 0, inFlight: 0 })
    }))

  it.effect("stream: the first chunk deadline", () =>
    Effect.gen(function*() {
      const timed = timeout(tokens({ latency: "5 seconds" }), "1 minute", { firstChunk: "1 second" })
      const { fiber, received } = yield* forkStream(Runnable.stream(timed, "x"))
      yield* TestClock.adjust("999 millis")
      expect(fiber.unsafePoll()).toBeNull()
      yield* TestClock.adjust("1 millis")
      const error = new TimeoutError({ runnable: "tokens", deadline: "firstChunk", durationMillis: 1000 })
      expect(yield* Fiber.await(fiber)).toEqual(Exit.fail(error))
      expect(error.message).toBe(`Runnable "tokens" timed out: produced no first chunk within 1000 ms (firstChunk deadline)`)
      expect(received).toEqual([])

      // a first chunk in time, then no limit on the next ones but the total
      const inTime = timeout(tokens({ latency: "500 millis", chunkLatency: "10 seconds" }), "1 minute", { firstChunk: "1 second" })
      const later = yield* forkStream(Runnable.stream(inTime, "x"))
      yield* TestClock.adjust("1 minute")
      yield* Fiber.join(later.fiber)
      expect(later.received).toEqual([["a", 500], ["b", 10_500], ["c", 20_500]])
    }))

  it.effect("stream: the idle deadline between chunks", () =>
    Effect.gen(function*() {
      const timed = timeout(tokens({ latency: "100 millis", chunkLatency: "3 seconds" }), "1 minute", { idle: "1 second" })
      const { fiber, received } = yield* forkStream(Runnable.stream(timed, "x"))
      yield* TestClock.adjust("1 minute")
      const error = new TimeoutError({ runnable: "tokens", deadline: "idle", durationMillis: 1000 })
      expect(yield* Fiber.await(fiber)).toEqual(Exit.fail(error))
      expect(error.message).toBe(`Runnable "tokens" timed out: produced no next chunk within 1000 ms (idle deadline)`)
      expect(received).toEqual([["a", 100]])
    }))

  it.effect("stream: a consumer slow between chunks does not count against idle", () =>
    Effect.gen(function*() {
      const timed = timeout(tokens({ latency: "100 millis", chunkLatency: "500 millis" }), Duration.infinity, { idle: "1 second" })
      const slowConsumer = Runnable.stream(timed, "x").pipe(Stream.tap(() => Effect.sleep("5 seconds")))
      const { fiber, received } = yield* forkStream(slowConsumer)
      yield* TestClock.adjust("1 minute")
      yield* Fiber.join(fiber)
      expect(received).toEqual([["a", 5100], ["b", 10_600], ["c", 16_100]])
    }))

  it.effect("stream: the interrupted stream's finalizers have run when the TimeoutError comes out", () =>
    Effect.gen(function*() {
      const log: Array<string> = []
      const connection = Stream.acquireRelease(
        Effect.sync(() => log.push("opened")),
        () => Effect.sync(() => log.push("closed"))
      )
      const stalled = Runnable.make({
        name: "stalled",
        run: (_: string) => Effect.never,
        stream: (_: string) => Stream.flatMap(connection, () => Stream.concat(Stream.make("first"), Stream.never))
      })
      const fiber = yield* Effect.fork(
        Stream.runForEach(Runnable.stream(timeout(stalled, "1 minute", { idle: "1 second" }), "x"), (chunk) =>
          Effect.sync(() => log.push(chunk))).pipe(
            Effect.tapError((error) => Effect.sync(() => log.push(`failed: ${error.deadline}`)))
          )
      )
      yield* TestClock.adjust("1 second")
      yield* Fiber.await(fiber)
      expect(log).toEqual(["opened", "first", "closed", "failed: idle"])
    }))

  it.effect("stream: the runnable's own errors pass through unchanged", () =>
    Effect.gen(function*() {
      const refused = new Refused()
      const refusing = Runnable.make({
        name: "refusing",
        run: (_: string) => Effect.fail(refused),
        stream: (_: string) => Stream.concat(Stream.make("a"), Stream.fail(refused))
      })
      const exit = yield* Effect.exit(Stream.runDrain(Runnable.stream(timeout(refusing, "1 second", { idle: "1 second" }), "x")))
      expect(exit).toEqual(Exit.fail(refused))
      expect(Exit.isFailure(exit) && Cause.failureOption(exit.cause).pipe(Option.getOrUndefined)).toBe(refused)
    }))

  it.effect("transform: deadlines count from the first input chunk", () =>
    Effect.gen(function*() {
      const upper = Runnable.make({
        name: "upper",
        run: (text: string) => Effect.succeed(text.toUpperCase()),
        transform: (input) => Stream.map(input, (text) => text.toUpperCase())
      })
      const timed = timeout(upper, "10 seconds", { firstChunk: "1 second", idle: "1 second" })
      const input = Stream.fromIterable([["a", 5000], ["b", 500], ["c", 3000]] as const).pipe(
        Stream.mapEffect(([text, wait]) => Effect.as(Effect.sleep(wait), text))
      )
      const { fiber, received } = yield* forkStream(Runnable.transform(timed, input))
      yield* TestClock.adjust("1 minute")
      expect(yield* Fiber.await(fiber)).toEqual(
        Exit.fail(new TimeoutError({ runnable: "upper", deadline: "idle", durationMillis: 1000 }))
      )
      expect(received).toEqual([["A", 5000], ["B", 5500]])
    }))

  it.effect("no run is added: the runnable keeps its name, kind and configuration", () =>
    Effect.gen(function*() {
      const configured = Runnable.withConfig(tokens({ latency: "5 seconds" }), { tags: ["team-a"] })
      const timed = timeout(configured, "1 second")
      expect([timed.name, timed.kind]).toEqual(["tokens", "model"])
      const events: Array<any> = []
      const eventsFiber = yield* Effect.fork(
        Runnable.streamEvents(timed, "x").pipe(Stream.runForEach((event) => Effect.sync(() => events.push(event))))
      )
      yield* TestClock.adjust("1 second")
      yield* Fiber.await(eventsFiber)
      expect(events.map((event) => `${event._tag} ${event.name} ${event.kind} ${event.tags}`)).toEqual([
        "Started tokens model team-a",
        "Failed tokens model team-a"
      ])
      expect(events[1].error).toEqual(new TimeoutError({ runnable: "tokens", deadline: "total", durationMillis: 1000 }))
    }))

  it.effect("types: the TimeoutError joins the runnable's error type", () =>
    Effect.gen(function*() {
      const refusing = Runnable.fromEffect((n: number) => n > 0 ? Effect.succeed(n) : Effect.fail(new Refused()))
      const piped: Effect.Effect<number, Refused | TimeoutError> = Runnable.invoke(refusing.pipe(timeout("1 second")), 1)
      const first: Stream.Stream<number, Refused | TimeoutError> = Runnable.stream(timeout(refusing, 1000, { idle: 10 }), 1)
      // @ts-expect-error the TimeoutError is in the type
      const _wrong: Effect.Effect<number, Refused> = Runnable.invoke(timeout(refusing, "1 second"), 1)
      expect(yield* piped).toBe(1)
      expect(Chunk.toReadonlyArray(yield* Stream.runCollect(first))).toEqual([1])
    }))

  it.effect("bad durations throw InvalidOptionError when the timeout is built", () =>
    Effect.sync(() => {
      const slow = tokens({ latency: "1 second" })
      const untyped = timeout as (...args: Array<unknown>) => unknown
      const cases: Array<readonly [() => unknown, string]> = [
        [() => untyped(slow, -1), "duration"],
        [() => untyped(slow, Number.NaN), "duration"],
        [() => untyped(slow, "soon"), "duration"],
        [() => untyped(slow, "1 second", { firstChunk: -5 }), "firstChunk"],
        [() => untyped(slow, "1 second", { idle: "a while" }), "idle"]
      ]
      for (const [build, option] of cases) {
        let thrown: unknown
        try {
          build()
        } catch (error) {
          thrown = error
        }
        expect(thrown).toBeInstanceOf(Errors.InvalidOptionError)
        expect(thrown).toMatchObject({ runnable: "tokens", option })
      }
    }))
})

describe("timeout and nested runs", () => {
  it.effect("runs nested in a timed runnable keep their parent, invoked or streamed", () =>
    Effect.gen(function*() {
      const child = Testing.scripted({ name: "child", latency: "1 second", respond: (n: number) => n + 1 })
      const outer = Runnable.fromEffect((n: number) => Runnable.invoke(child, n), { name: "outer", kind: "chain" })
      const timed = timeout(outer, "1 minute", { idle: "10 seconds" })
      const parent = Runnable.fromEffect((n: number) => Runnable.invoke(timed, n), { name: "parent" })
      for (const root of [timed, parent] as const) {
        const events: Array<any> = []
        const fiber = yield* Effect.fork(
          Runnable.streamEvents(root as Runnable.Runnable<number, number, TimeoutError>, 1).pipe(
            Stream.runForEach((event) => Effect.sync(() => events.push(event)))
          )
        )
        yield* TestClock.adjust("1 second")
        yield* Fiber.join(fiber)
        const started = (name: string) => events.find((event) => event._tag === "Started" && event.name === name)
        expect(started("child").parentIds.at(-1)).toBe(started("outer").runId)
        expect(events.filter((event) => event._tag === "Ended").map((event) => event.name)).toContain("outer")
      }
    }))
})

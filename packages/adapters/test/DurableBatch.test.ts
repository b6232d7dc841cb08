import { describe, expect, it } from "@effect/vitest"
import { DurableBatch } from "@fxchain/adapters/cluster"
import { Errors, Runnable } from "@fxchain/core"
import { Chunk, Deferred, Effect, Either, Fiber, Layer, Schedule, Schema, Stream } from "effect"

class Rejected extends Schema.TaggedError<Rejected>()("Rejected", { input: Schema.Number }) {}

/** Counts each input's invocations; odd inputs fail with `Rejected`, negative ones die. */
const makeCounted = (gate?: (input: number) => Effect.Effect<void>) => {
  const invocations = new Map<number, number>()
  const runnable = Runnable.fromEffect((input: number) =>
    Effect.gen(function*() {
      invocations.set(input, (invocations.get(input) ?? 0) + 1)
      if (gate) yield* gate(input)
      if (input < 0) return yield* Effect.die(new Error(`poison ${input}`))
      if (input % 2 === 1) return yield* new Rejected({ input })
      return input * 10
    }), { name: "counted" })
  return { invocations, runnable }
}

const makeBatch = (runnable: Runnable.Runnable<number, number, Rejected>, name = "numbers") =>
  DurableBatch.make(name, runnable, {
    key: (input) => String(input),
    input: Schema.Number,
    success: Schema.Number,
    error: Rejected,
    concurrency: 4
  })

/** A runner on a fresh in-memory store, with the batches registered. */
const embedded = (batch: DurableBatch.DurableBatch<number, number, Rejected>) =>
  DurableBatch.toLayer(batch).pipe(Layer.provideMerge(DurableBatch.layerEmbedded({ filename: ":memory:" })))

/** Waits (on the real clock: the engine runs on it) until the batch's progress satisfies `done`. */
const waitForProgress = (
  batch: DurableBatch.DurableBatch<number, number, Rejected>,
  inputs: ReadonlyArray<number>,
  done: (progress: DurableBatch.Progress) => boolean
) =>
  DurableBatch.progress(batch, inputs).pipe(
    Effect.filterOrFail(done),
    Effect.retry(Schedule.spaced("20 millis")),
    Effect.timeout("60 seconds"),
    Effect.orDie
  )

describe("DurableBatch (embedded)", () => {
  it("make throws InvalidOptionError for bad options", () => {
    const { runnable } = makeCounted()
    for (const concurrency of [0, 1.5, Number.NaN]) {
      expect(() => DurableBatch.make("x", runnable, { key: String, input: Schema.Number, success: Schema.Number, error: Rejected, concurrency }))
        .toThrow(Errors.InvalidOptionError)
    }
    expect(() => DurableBatch.make("x", runnable, { key: String, input: Schema.Number, success: Schema.Number, error: Rejected, defectAttempts: 0 }))
      .toThrow(Errors.InvalidOptionError)
    expect(() => DurableBatch.make("", runnable, { key: String, input: Schema.Number, success: Schema.Number, error: Rejected }))
      .toThrow(Errors.InvalidOptionError)
  })

  it.live("run dies with InvalidOptionError for a mode it does not know", () => {
    const { invocations, runnable } = makeCounted()
    const batch = makeBatch(runnable)
    return Effect.gen(function*() {
      const exit = yield* Effect.exit(DurableBatch.run(batch, [2], { mode: "eager" as "either" }))
      expect(exit).toMatchObject({ _tag: "Failure", cause: { _tag: "Die", defect: { _tag: "InvalidOptionError", option: "mode" } } })
      expect(invocations.size).toBe(0)
    }).pipe(Effect.provide(embedded(batch)))
  })

  it.live("gives results in input order, each item run once, and counts them in progress", () => {
    const { invocations, runnable } = makeCounted()
    const batch = makeBatch(runnable)
    const inputs = [8, 2, 6, 4, 0, 12, 10]
    return Effect.gen(function*() {
      expect(yield* DurableBatch.run(batch, inputs)).toEqual([80, 20, 60, 40, 0, 120, 100])
      expect(yield* DurableBatch.progress(batch, inputs)).toMatchObject({ total: 7, done: 7, failed: 0, inFlight: 0, left: 0 })
      // a second run reads the stored results
      expect(yield* DurableBatch.run(batch, inputs)).toEqual([80, 20, 60, 40, 0, 120, 100])
      expect([...invocations.values()]).toEqual(inputs.map(() => 1))
    }).pipe(Effect.provide(embedded(batch)))
  })

  it.live("an item is idempotent by its key: duplicates and other batches of the same name reuse its result", () => {
    const { invocations, runnable } = makeCounted()
    const batch = makeBatch(runnable)
    return Effect.gen(function*() {
      expect(yield* DurableBatch.run(batch, [2, 4, 2])).toEqual([20, 40, 20])
      expect(yield* DurableBatch.run(batch, [4, 6])).toEqual([40, 60])
      expect(Object.fromEntries(invocations)).toEqual({ 2: 1, 4: 1, 6: 1 })
    }).pipe(Effect.provide(embedded(batch)))
  })

  it.live("stream emits every index once as results are stored; mode either stores typed failures in place", () => {
    const { runnable } = makeCounted()
    const batch = makeBatch(runnable)
    const inputs = [2, 3, 4, 5]
    return Effect.gen(function*() {
      const streamed = Chunk.toReadonlyArray(yield* Stream.runCollect(DurableBatch.stream(batch, inputs)))
      expect(streamed.map(([index]) => index).sort()).toEqual([0, 1, 2, 3])
      const results = yield* DurableBatch.run(batch, inputs, { mode: "either" })
      expect(results).toEqual([
        Either.right(20),
        Either.left(new Rejected({ input: 3 })),
        Either.right(40),
        Either.left(new Rejected({ input: 5 }))
      ])
      expect(yield* DurableBatch.progress(batch, inputs)).toMatchObject({ done: 2, failed: 2, inFlight: 0, left: 0 })
      // the default mode fails with the first stored failure (in completion order)
      const failure = yield* Effect.flip(DurableBatch.run(batch, inputs))
      expect(failure._tag).toBe("Rejected")
      expect([3, 5]).toContain((failure as Rejected).input)
    }).pipe(Effect.provide(embedded(batch)))
  })

  it.live("a poison input is retried defectAttempts times, then stored as an ItemDefect without blocking the batch", () => {
    const { invocations, runnable } = makeCounted()
    const batch = makeBatch(runnable)
    const inputs = [2, -1, 4, 6, 8]
    return Effect.gen(function*() {
      const results = yield* DurableBatch.run(batch, inputs, { mode: "either" })
      expect(results.filter(Either.isRight)).toEqual([Either.right(20), Either.right(40), Either.right(60), Either.right(80)])
      const poison = results[1]
      expect(Either.isLeft(poison) && poison.left._tag === "ItemDefect" ? poison.left.key : undefined).toBe("-1")
      expect(invocations.get(-1)).toBe(3)
      expect(yield* DurableBatch.progress(batch, inputs)).toMatchObject({ done: 4, failed: 1, left: 0 })
      // stored: running again neither retries it nor waits for it
      const again = yield* DurableBatch.run(batch, inputs, { mode: "either" })
      expect(Either.isLeft(again[1])).toBe(true)
      expect(invocations.get(-1)).toBe(3)
    }).pipe(Effect.provide(embedded(batch)))
  })

  it.live("interrupting run stops dispatching and keeps what is done; running again resumes", () => {
    const inputs = Array.from({ length: 40 }, (_, index) => index * 2)
    return Effect.gen(function*() {
      const release = yield* Deferred.make<void>()
      // inputs from 16 on (the ninth item on) wait for the release: the batch cannot finish before the interruption
      const { invocations, runnable } = makeCounted((input) => input >= 16 ? Deferred.await(release) : Effect.void)
      const batch = makeBatch(runnable, "resumable")
      yield* Effect.gen(function*() {
        const fiber = yield* Effect.fork(DurableBatch.run(batch, inputs))
        yield* waitForProgress(batch, inputs, (progress) => progress.done === 8 && progress.inFlight === 4)
        yield* Fiber.interrupt(fiber)
        yield* Deferred.succeed(release, undefined)
        const paused = yield* waitForProgress(batch, inputs, (progress) => progress.inFlight === 0)
        expect(paused).toMatchObject({ done: 12, left: 28 })
        // paused: the workflow dispatches nothing more, whatever wakes it
        expect(invocations.size).toBe(12)

        const results = yield* DurableBatch.run(batch, inputs)
        expect(results).toEqual(inputs.map((input) => input * 10))
        expect([...invocations.values()].every((count) => count === 1)).toBe(true)
        expect(invocations.size).toBe(40)
      }).pipe(Effect.provide(embedded(batch)))
    })
  })

  it.live("two runs of one batch: the one that ends early does not stop the other", () =>
    Effect.gen(function*() {
      const release = yield* Deferred.make<void>()
      const inputs = Array.from({ length: 20 }, (_, index) => index * 2)
      const { invocations, runnable } = makeCounted((input) => input >= 8 ? Deferred.await(release) : Effect.void)
      const batch = makeBatch(runnable, "shared")
      yield* Effect.gen(function*() {
        const patient = yield* Effect.fork(DurableBatch.run(batch, inputs))
        const hasty = yield* Effect.fork(DurableBatch.run(batch, inputs))
        yield* waitForProgress(batch, inputs, (progress) => progress.done === 4 && progress.inFlight === 4)
        yield* Fiber.interrupt(hasty)
        yield* Deferred.succeed(release, undefined)
        expect(yield* Fiber.join(patient)).toEqual(inputs.map((input) => input * 10))
        expect([...invocations.values()].every((count) => count === 1)).toBe(true)
      }).pipe(Effect.provide(embedded(batch)))
    }))
})

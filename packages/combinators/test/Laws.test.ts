/**
 * The laws of composition, as property tests, under each way a run goes (plain, observed by
 * `streamEvents`, traced): the observed path must give the same results as the plain one.
 */
import { describe, expect, it } from "@effect/vitest"
import { Concat, Runnable, Testing } from "@fxchain/core"
import { Chunk, Effect, Fiber, Stream, TestClock } from "effect"
import * as fc from "effect/FastCheck"
import { parallel } from "../src/Parallel.js"
import { sequence } from "../src/Sequence.js"
import { inMode, modes } from "./support/modes.js"

const collect = <A, E>(stream: Stream.Stream<A, E>) => Effect.map(Stream.runCollect(stream), Chunk.toReadonlyArray)

const upper = Runnable.make({
  name: "upper",
  run: (text: string) => Effect.succeed(text.toUpperCase()),
  transform: (input: Stream.Stream<string, any, any>) => Stream.map(input, (text) => text.toUpperCase())
})
const steps = [
  Runnable.sync((text: string) => text + "!", { name: "exclaim" }),
  Runnable.fromStream((text: string) => Stream.fromIterable(text.split(" ")), { name: "split" }),
  upper,
  Runnable.fromEffect((text: string) => Effect.succeed(text.replace(/A/g, "4")), { name: "leet" }),
  Runnable.identity<string>(),
  Runnable.withConfig(Runnable.identity<string>({ name: "configured" }), { tags: ["t"], metadata: { m: 1 } })
] as const
const stepArbitrary = fc.constantFrom(...steps)
const inputArbitrary = fc.string({ maxLength: 12 }).map((text) => text.replace(/\s+/g, " ") + " x")

describe("modes", () => {
  it.effect("each mode takes hold: observed runs have ids, traced runs open spans", () =>
    Effect.gen(function*() {
      const where = Runnable.fromEffect((_: null) => Effect.map(Runnable.currentRun, (current) => current.runId))
      expect(yield* inMode("plain", Runnable.invoke(where, null))).toBeUndefined()
      expect(yield* inMode("observed", Runnable.invoke(where, null))).toBeTypeOf("string")
      const { spans, tracer } = Testing.recordingTracer()
      yield* Runnable.invoke(where, null).pipe(Effect.withTracer(tracer))
      expect(spans.map((span) => span.name)).toEqual(["lambda"])
    }))
})

for (const mode of modes) {
  describe(`laws (${mode})`, () => {
    it.effect.prop(
      "sequence(sequence(a, b), c) and sequence(a, sequence(b, c)) agree on outputs and streamed chunks",
      [stepArbitrary, stepArbitrary, stepArbitrary, inputArbitrary],
      ([a, b, c, input]) =>
        inMode(
          mode,
          Effect.gen(function*() {
            const left = sequence(Runnable.withConfig(sequence(a, b), { runName: "ab" }), c)
            const right = sequence(a, Runnable.withConfig(sequence(b, c), { runName: "bc" }))
            expect(yield* Runnable.invoke(left, input)).toEqual(yield* Runnable.invoke(right, input))
            expect(yield* collect(Runnable.stream(left, input))).toEqual(yield* collect(Runnable.stream(right, input)))
          })
        ),
      { fastCheck: { numRuns: 50 } }
    )

    it.effect.prop(
      "invoke equals the streamed chunks combined",
      [stepArbitrary, stepArbitrary, inputArbitrary],
      ([a, b, input]) =>
        inMode(
          mode,
          Effect.gen(function*() {
            const chain = sequence(a, b)
            const chunks = yield* collect(Runnable.stream(chain, input))
            expect(chunks.join("")).toEqual(yield* Runnable.invoke(chain, input))
          })
        ),
      { fastCheck: { numRuns: 50 } }
    )

    it.effect.prop(
      "batch output order equals input order",
      [fc.array(fc.integer({ min: 0, max: 50 }), { maxLength: 30 }), fc.integer({ min: 1, max: 8 })],
      ([latencies, concurrency]) =>
        inMode(
          mode,
          Effect.gen(function*() {
            const slow = Testing.scripted({ latency: (n: number) => `${n} millis`, respond: (n: number) => n * 2 })
            const chain = sequence(slow, Runnable.sync((n: number) => n + 1))
            const fiber = yield* Effect.fork(Runnable.batch(chain, latencies, { concurrency }))
            yield* TestClock.adjust("10 seconds")
            expect(yield* Fiber.join(fiber)).toEqual(latencies.map((n) => n * 2 + 1))
          })
        ),
      { fastCheck: { numRuns: 20 } }
    )

    it.effect.prop(
      "parallel equals running each branch, invoked and streamed",
      [fc.uniqueArray(fc.constantFrom("a", "b", "c", "d"), { minLength: 1 }), fc.array(stepArbitrary, { minLength: 4, maxLength: 4 }), inputArbitrary],
      ([keys, branches, input]) =>
        inMode(
          mode,
          Effect.gen(function*() {
            const map = parallel(Object.fromEntries(keys.map((key, index) => [key, branches[index]!])))
            const expected: Record<string, unknown> = {}
            for (const [index, key] of keys.entries()) expected[key] = yield* Runnable.invoke(branches[index]!, input)
            expect(yield* Runnable.invoke(map, input)).toEqual(expected)
            expect(Concat.combineAll(yield* collect(Runnable.stream(map, input)))).toEqual(expected)
          })
        ),
      { fastCheck: { numRuns: 50 } }
    )
  })
}

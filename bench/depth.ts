/**
 * Cost in depth and length (issue 13): a runnable recursing 10,000 deep, and a sequence of 10,000
 * steps, each invoked, streamed and drained through `streamEvents`. Reported: time per level and
 * the heap the run holds (above a full GC before it, sampled at the deepest point), against
 * invoke's time per level.
 *
 * - recursion: `Runnable.fromStream((n) => n === 0 ? Stream.make(0) : Runnable.stream(self, n - 1))`
 *   (one chunk from the bottom, through every level), and for invoke the same shape with
 *   `Runnable.fromEffect((n) => n === 0 ? Effect.succeed(0) : Runnable.invoke(self, n - 1))`;
 *   `RunConfig.withPatch({ maxDepth: 20_000 })` around each run. Baseline: the same recursion as
 *   plain Effect streams (`Stream.unwrap(Effect.sync(() => inner))` nested 10,000 deep).
 * - sequence: `Fx.sequence` of 10,000 `Runnable.sync((text: string) => text)` steps after a
 *   streaming source of one chunk.
 *
 * Target: stream within 3x invoke's time per level, and streamEvents of the streamed runs within
 * 3x streamEvents of the same runs invoked (every event names all its ancestors, so events cost
 * more the deeper they are, streamed or invoked); heap not growing with depth beyond the runs in
 * flight.
 */
import * as Fx from "@fxchain/combinators"
import { RunConfig, Runnable } from "@fxchain/core"
import { Effect, Stream } from "effect"
import { collectGarbage, log, median, report, round, type Row } from "./harness.js"

const began = performance.now()
const quick = process.argv.includes("--quick")
const depth = quick ? 1_000 : 10_000
const rounds = quick ? 3 : 5

const deep = RunConfig.withPatch({ maxDepth: 2 * depth })

// -----------------------------------------------------------------------------
// the workloads
// -----------------------------------------------------------------------------

let heapAtBottom = 0
const atBottom = () => {
  heapAtBottom = process.memoryUsage().heapUsed
}

const invoked: Runnable.Runnable<number, number> = Runnable.fromEffect((n: number) =>
  n === 0 ? Effect.sync(() => (atBottom(), 0)) : Runnable.invoke(invoked, n - 1), { name: "recursive" })
const streamed: Runnable.Runnable<number, number, unknown> = Runnable.fromStream((n: number) =>
  n === 0 ? Stream.sync(() => (atBottom(), 0)) : Runnable.stream(streamed, n - 1), { name: "recursive" })
const plainEffect = (n: number): Stream.Stream<number> =>
  n === 0 ? Stream.sync(() => (atBottom(), 0)) : Stream.unwrap(Effect.sync(() => plainEffect(n - 1)))

const source = Runnable.fromStream((text: string) => Stream.make(text), { name: "source" })
const steps = Array.from({ length: depth }, (_, index) =>
  Runnable.sync((text: string) => (index === depth - 1 && atBottom(), text), { name: `step${index}` }))
const longSequence = Fx.sequence(source, ...steps)
const invokingSequence = Runnable.fromEffect((text: string) => Runnable.invoke(longSequence, text), { name: "invoking" })

const workloads = {
  recursionInvoke: () => Runnable.invoke(invoked, depth),
  recursionStream: () => Stream.runDrain(Runnable.stream(streamed, depth)),
  recursionEvents: () => Stream.runDrain(Runnable.streamEvents(streamed, depth)),
  recursionInvokeEvents: () => Stream.runDrain(Runnable.streamEvents(invoked, depth)),
  recursionPlainEffect: () => Stream.runDrain(plainEffect(depth)),
  sequenceInvoke: () => Runnable.invoke(longSequence, "x"),
  sequenceStream: () => Stream.runDrain(Runnable.stream(longSequence, "x")),
  sequenceEvents: () => Stream.runDrain(Runnable.streamEvents(longSequence, "x")),
  sequenceInvokeEvents: () => Stream.runDrain(Runnable.streamEvents(invokingSequence, "x"))
} satisfies Record<string, () => Effect.Effect<unknown, unknown>>
type Name = keyof typeof workloads

interface Sample {
  readonly millis: number
  readonly heapBytes: number
}

const measure = async (name: Name): Promise<Sample> => {
  collectGarbage()
  const before = process.memoryUsage().heapUsed
  heapAtBottom = before
  const start = performance.now()
  await Effect.runPromise(deep(workloads[name]()) as Effect.Effect<unknown, unknown>)
  return { millis: performance.now() - start, heapBytes: heapAtBottom - before }
}

for (const name of Object.keys(workloads) as Array<Name>) await measure(name)
const samples = Object.fromEntries(Object.keys(workloads).map((name) => [name, [] as Array<Sample>])) as Record<Name, Array<Sample>>
for (let round_ = 0; round_ < rounds; round_++) {
  for (const name of Object.keys(workloads) as Array<Name>) {
    const sample = await measure(name)
    samples[name].push(sample)
    log(`${name}: ${sample.millis.toFixed(1)} ms, ${(sample.heapBytes / 2 ** 20).toFixed(1)} MB at the deepest point`)
  }
}

const perLevel = (name: Name) => (median(samples[name].map((sample) => sample.millis)) * 1000) / depth
const heapMB = (name: Name) => median(samples[name].map((sample) => sample.heapBytes)) / 2 ** 20
const ratio = (name: Name, invoke: Name) => perLevel(name) / perLevel(invoke)

const row = (label: string, name: Name, invoke: Name): Row => ({
  workload: `${label}: µs per level (invoke ${round(perLevel(invoke))} µs); heap at the deepest point ${round(heapMB(name), 1)} MB (invoke ${round(heapMB(invoke), 1)} MB)`,
  unit: "µs/op",
  fxchain: round(perLevel(name)),
  langchain: null,
  plain: name.startsWith("recursion") ? round(perLevel("recursionPlainEffect")) : null,
  ratio: round(ratio(name, invoke)),
  ratioOf: "fxchain / its invoke, per level",
  target: "<= 3x invoke's time per level",
  met: ratio(name, invoke) <= 3,
  details: { samples: samples[name], invoke: samples[invoke] }
})

report({
  workload: "depth",
  rows: [
    row(`stream a ${depth}-deep recursion`, "recursionStream", "recursionInvoke"),
    row(`streamEvents of a ${depth}-deep streamed recursion, against streamEvents of the invoked one`, "recursionEvents", "recursionInvokeEvents"),
    row(`stream a ${depth}-step sequence`, "sequenceStream", "sequenceInvoke"),
    row(`streamEvents of a streamed ${depth}-step sequence, against streamEvents of it invoked`, "sequenceEvents", "sequenceInvokeEvents")
  ],
  notes: [
    `Medians of ${rounds} runs after a warm-up of each; RunConfig.withPatch({ maxDepth: ${2 * depth} }) around each. ` +
    `The plain column of the recursion rows is the same recursion as plain Effect streams (Stream.unwrap nested ${depth} deep, no fxchain): ` +
    `${round(perLevel("recursionPlainEffect"))} µs per level, ${round(heapMB("recursionPlainEffect"), 1)} MB.`,
    "Heap: heapUsed when the deepest level runs, above a full GC before the run; it holds every level in flight (each is a run " +
    "that has not ended), so it grows with the depth by what one level in flight needs."
  ],
  seconds: round((performance.now() - began) / 1000, 1)
})

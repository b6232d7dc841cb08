/**
 * Composition overhead (issue 4), each call started from a Promise as a user would
 * (`await Effect.runPromise(Runnable.invoke(r, i))`):
 *
 * - a 3-step `Fx.sequence` of `Runnable.sync` steps, against a `RunnableSequence` of three
 *   `RunnableLambda`s (@langchain/core, tracing off), plain async functions and the same three
 *   steps hand-written with `Effect.flatMap`; extra row: a 3-step `Fx.sequence` of
 *   `Runnable.fromEffect` steps (no synchronous fast path);
 * - `Fx.parallel` of 5 `Runnable.sync` branches, against `RunnableMap.from` of 5 `RunnableLambda`s
 *   (`RunnableParallel` is the same class), `Promise.all` of 5 async functions and `Effect.all` of
 *   5 `Effect.sync` with `concurrency: "unbounded"`.
 */
import * as Fx from "@fxchain/combinators"
import { Runnable } from "@fxchain/core"
import { Effect } from "effect"
import { disableLangChainTracing, log, microsPerOp, report, round, type Row } from "./harness.js"
import { f1, f2, f3, handWritten, langChainSequence, p1, p2, p3, plainSequence } from "./threeSteps.js"

disableLangChainTracing()
const { RunnableLambda, RunnableMap, RunnableSequence } = await import("@langchain/core/runnables")

const began = performance.now()
const quick = process.argv.includes("--quick")
const scale = quick ? 0.1 : 1
const repeats = 5

const f4 = (x: number) => x * x
const f5 = (x: number) => -x

// -----------------------------------------------------------------------------
// (a) 3-step sequence
// -----------------------------------------------------------------------------

const fxSequence = Fx.sequence(
  Runnable.sync(f1, { name: "f1" }),
  Runnable.sync(f2, { name: "f2" }),
  Runnable.sync(f3, { name: "f3" })
)
const fxEffectSequence = Fx.sequence(
  Runnable.fromEffect((x: number) => Effect.succeed(f1(x)), { name: "f1" }),
  Runnable.fromEffect((x: number) => Effect.succeed(f2(x)), { name: "f2" }),
  Runnable.fromEffect((x: number) => Effect.succeed(f3(x)), { name: "f3" })
)
const lcSequence = langChainSequence({ RunnableSequence, RunnableLambda })

// -----------------------------------------------------------------------------
// (b) parallel map of 5 synchronous branches
// -----------------------------------------------------------------------------

const fxParallel = Fx.parallel({
  a: Runnable.sync(f1, { name: "a" }),
  b: Runnable.sync(f2, { name: "b" }),
  c: Runnable.sync(f3, { name: "c" }),
  d: Runnable.sync(f4, { name: "d" }),
  e: Runnable.sync(f5, { name: "e" })
})
const effectAll = (n: number) =>
  Effect.all({
    a: Effect.sync(() => f1(n)),
    b: Effect.sync(() => f2(n)),
    c: Effect.sync(() => f3(n)),
    d: Effect.sync(() => f4(n)),
    e: Effect.sync(() => f5(n))
  }, { concurrency: "unbounded" })
const q4 = async (x: number) => f4(x)
const q5 = async (x: number) => f5(x)
const plainParallel = async (n: number) => {
  const [a, b, c, d, e] = await Promise.all([p1(n), p2(n), p3(n), q4(n), q5(n)])
  return { a, b, c, d, e }
}
const lcParallel = RunnableMap.from({
  a: RunnableLambda.from(f1),
  b: RunnableLambda.from(f2),
  c: RunnableLambda.from(f3),
  d: RunnableLambda.from(f4),
  e: RunnableLambda.from(f5)
})

// sanity: every variant computes what it should
const expectedSequence = f3(f2(f1(5)))
const expectedParallel = JSON.stringify({ a: f1(5), b: f2(5), c: f3(5), d: f4(5), e: f5(5) })
const checks: Array<[string, unknown, unknown]> = [
  ["Fx.sequence", await Effect.runPromise(Runnable.invoke(fxSequence, 5)), expectedSequence],
  ["Fx.sequence of fromEffect", await Effect.runPromise(Runnable.invoke(fxEffectSequence, 5)), expectedSequence],
  ["hand-written", await Effect.runPromise(handWritten(5)), expectedSequence],
  ["plain sequence", await plainSequence(5), expectedSequence],
  ["RunnableSequence", await lcSequence.invoke(5), expectedSequence],
  ["Fx.parallel", JSON.stringify(await Effect.runPromise(Runnable.invoke(fxParallel, 5))), expectedParallel],
  ["Effect.all", JSON.stringify(await Effect.runPromise(effectAll(5))), expectedParallel],
  ["Promise.all", JSON.stringify(await plainParallel(5)), expectedParallel],
  ["RunnableMap", JSON.stringify(await lcParallel.invoke(5)), expectedParallel]
]
for (const [name, actual, expected] of checks) {
  if (actual !== expected) throw new Error(`${name}: got ${String(actual)}, expected ${String(expected)}`)
}

const perOp = (name: string, micros: number) => log(`${name}: ${micros.toFixed(2)} µs/op`)
const fast = { iterations: 200_000 * scale, warmup: 50_000 * scale }
const slow = { iterations: 10_000 * scale, warmup: 2_000 * scale }

const sequences = await microsPerOp({
  fxchain: { ...fast, op: (i) => Effect.runPromise(Runnable.invoke(fxSequence, i)) },
  fxchainFromEffect: { ...fast, op: (i) => Effect.runPromise(Runnable.invoke(fxEffectSequence, i)) },
  handWritten: { ...fast, op: (i) => Effect.runPromise(handWritten(i)) },
  plain: { ...fast, op: plainSequence },
  langchain: { ...slow, op: (i) => lcSequence.invoke(i) }
}, repeats, (name, micros) => perOp(`sequence ${name}`, micros))

const parallels = await microsPerOp({
  fxchain: { ...fast, op: (i) => Effect.runPromise(Runnable.invoke(fxParallel, i)) },
  effectAll: { ...slow, op: (i) => Effect.runPromise(effectAll(i)) },
  plain: { ...fast, op: plainParallel },
  langchain: { ...slow, op: (i) => lcParallel.invoke(i) }
}, repeats, (name, micros) => perOp(`parallel ${name}`, micros))

const sequenceSpeedup = sequences.langchain.median / sequences.fxchain.median
const parallelSpeedup = parallels.langchain.median / parallels.fxchain.median
const fromEffectSpeedup = sequences.langchain.median / sequences.fxchainFromEffect.median

const rows: Array<Row> = [
  {
    workload: `sequence of 3 \`Runnable.sync\` steps, invoke, µs/op (hand-written Effect.flatMap x3: ${round(sequences.handWritten.median)} µs)`,
    unit: "µs/op",
    fxchain: round(sequences.fxchain.median),
    langchain: round(sequences.langchain.median),
    plain: round(sequences.plain.median),
    ratio: round(sequenceSpeedup, 1),
    ratioOf: "LangChain / fxchain",
    target: ">= 25x faster",
    met: sequenceSpeedup >= 25,
    details: {
      fxchainSamples: sequences.fxchain.samples,
      langchainSamples: sequences.langchain.samples,
      plainSamples: sequences.plain.samples,
      handWrittenMedian: sequences.handWritten.median,
      handWrittenSamples: sequences.handWritten.samples,
      fxchainOverHandWritten: round(sequences.fxchain.median / sequences.handWritten.median)
    }
  },
  {
    workload: "sequence of 3 `Runnable.fromEffect` steps (extra), invoke, µs/op",
    unit: "µs/op",
    fxchain: round(sequences.fxchainFromEffect.median),
    langchain: round(sequences.langchain.median),
    plain: round(sequences.plain.median),
    ratio: round(fromEffectSpeedup, 1),
    ratioOf: "LangChain / fxchain",
    target: "-",
    met: null,
    details: {
      fxchainSamples: sequences.fxchainFromEffect.samples,
      fxchainOverHandWritten: round(sequences.fxchainFromEffect.median / sequences.handWritten.median)
    }
  },
  {
    workload: `parallel map of 5 \`Runnable.sync\` branches, invoke, µs/op (Effect.all unbounded: ${round(parallels.effectAll.median)} µs)`,
    unit: "µs/op",
    fxchain: round(parallels.fxchain.median),
    langchain: round(parallels.langchain.median),
    plain: round(parallels.plain.median),
    ratio: round(parallelSpeedup, 1),
    ratioOf: "LangChain / fxchain",
    target: ">= 5x faster",
    met: parallelSpeedup >= 5,
    details: {
      fxchainSamples: parallels.fxchain.samples,
      langchainSamples: parallels.langchain.samples,
      plainSamples: parallels.plain.samples,
      effectAllMedian: parallels.effectAll.median,
      effectAllSamples: parallels.effectAll.samples
    }
  }
]

report({
  workload: "sequence-parallel",
  rows,
  notes: [
    `Operations per timed run: ${fast.iterations} (fxchain, hand-written Effect, async/await), ` +
    `${slow.iterations} (LangChain, Effect.all); median of ${repeats} runs, the variants taking turns after a warm-up of each; ` +
    "every operation awaited from a Promise (`Effect.runPromise` for fxchain and Effect).",
    `sequence: fxchain / hand-written Effect.flatMap x3 = ${round(sequences.fxchain.median / sequences.handWritten.median)}x ` +
    `(\`Runnable.sync\` steps), ${round(sequences.fxchainFromEffect.median / sequences.handWritten.median)}x (\`fromEffect\` steps).`,
    `parallel: Effect.all of 5 Effect.sync, concurrency unbounded = ${round(parallels.effectAll.median)} µs/op ` +
    `(LangChain / Effect.all = ${round(parallels.langchain.median / parallels.effectAll.median, 1)}x); ` +
    "LangChain's map is `RunnableMap.from` (`RunnableParallel` extends it without changes)."
  ],
  seconds: round((performance.now() - began) / 1000, 1)
})

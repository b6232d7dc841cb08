/**
 * A batch of 100,000 trivial items at concurrency 1,000: time, and peak heap above the heap in
 * use before the run. fxchain's item is `Runnable.fromEffect((n) => Effect.succeed(n + 1))` (not
 * the synchronous fast path); the `Runnable.sync` item is an extra row. Plain async/await is a
 * pool of 1,000 promise workers over an async function; LangChain is `RunnableLambda.batch` with
 * `maxConcurrency: 1000` (skipped when a pilot run projects more than 60 s).
 *
 * Needs `--expose-gc` for the heap numbers (a full GC before each run).
 */
import { Runnable } from "@fxchain/core"
import { Effect } from "effect"
import { setMaxListeners } from "node:events"
import {
  disableLangChainTracing,
  effectPool,
  collectGarbage,
  hasGc,
  HeapSampler,
  log,
  median,
  promisePool,
  report,
  round,
  timeMs,
  type Row
} from "./harness.js"

disableLangChainTracing()
const { RunnableLambda } = await import("@langchain/core/runnables")

const began = performance.now()
const quick = process.argv.includes("--quick")
const items = quick ? 10_000 : 100_000
const concurrency = 1_000
const repeats = 7
const heapRepeats = 3
const langchainBudgetMs = 60_000
const inputs = Array.from({ length: items }, (_, i) => i)
const notes: Array<string> = []
if (!hasGc()) notes.push("Run without --expose-gc: heap numbers include garbage left from earlier runs.")

/** The fxchain, plain and hand-written Effect variants, given what the item does besides its work (nothing when timing, a heap sample when measuring heap). */
const makeVariants = (before: () => void) => {
  const effectItem = Runnable.fromEffect((n: number) => {
    before()
    return Effect.succeed(n + 1)
  }, { name: "increment" })
  const syncItem = Runnable.sync((n: number) => {
    before()
    return n + 1
  }, { name: "increment" })
  const asyncItem = async (n: number) => {
    before()
    return n + 1
  }
  return {
    fxchain: () => Effect.runPromise(Runnable.batch(effectItem, inputs, { concurrency })),
    fxchainSync: () => Effect.runPromise(Runnable.batch(syncItem, inputs, { concurrency })),
    plain: () => promisePool(inputs, concurrency, asyncItem),
    effect: () =>
      Effect.runPromise(effectPool(inputs, concurrency, (n: number) => {
        before()
        return Effect.succeed(n + 1)
      }))
  }
}
type Variant = keyof ReturnType<typeof makeVariants> | "langchain"

const check = (name: string, outputs: ReadonlyArray<number>) => {
  if (outputs.length !== items || outputs[0] !== 1 || outputs[items - 1] !== items) throw new Error(`${name}: wrong output`)
}

// LangChain: a pilot on a tenth of the items decides whether the full batch fits the budget; the
// full batch then runs once, timed and heap-sampled in the same run, and is aborted past the budget
const pilotItems = inputs.slice(0, items / 10)
const pilotLambda = RunnableLambda.from(async (n: number) => n + 1)
await pilotLambda.batch(pilotItems, { maxConcurrency: concurrency })
const pilotMs = await timeMs(() => pilotLambda.batch(pilotItems, { maxConcurrency: concurrency }))
const projectedMs = pilotMs * 10
log(`LangChain pilot: ${pilotItems.length} items in ${pilotMs.toFixed(0)} ms (x10 = ${(projectedMs / 1000).toFixed(1)} s)`)

const fxchainVariants = ["fxchain", "fxchainSync", "plain", "effect"] as const
const timed = makeVariants(() => {})
for (let warmup = 0; warmup < 2; warmup++) {
  for (const variant of fxchainVariants) check(variant, await timed[variant]()) // with an output check
}

// time: variants take turns
const times: Record<Variant, Array<number>> = { fxchain: [], fxchainSync: [], plain: [], effect: [], langchain: [] }
for (let repeat = 0; repeat < repeats; repeat++) {
  for (const variant of fxchainVariants) {
    collectGarbage()
    const ms = await timeMs(timed[variant])
    times[variant].push(ms)
    log(`time ${variant}: ${ms.toFixed(0)} ms`)
  }
}

// peak heap: the same runs with a heap reading every 1,000 items and every 2 ms
const heaps: Record<Variant, Array<number>> = { fxchain: [], fxchainSync: [], plain: [], effect: [], langchain: [] }
const sampler = new HeapSampler(1_000)
const sampled = makeVariants(sampler.sample)
for (let repeat = 0; repeat < heapRepeats; repeat++) {
  for (const variant of fxchainVariants) {
    sampler.start()
    const outputs = await sampled[variant]()
    const bytes = sampler.stop()
    check(variant, outputs)
    heaps[variant].push(bytes)
    log(`heap ${variant}: ${(bytes / 1e6).toFixed(1)} MB`)
  }
}

if (projectedMs > langchainBudgetMs) {
  notes.push(`LangChain skipped: a pilot of ${pilotItems.length} items took ${round(pilotMs, 0)} ms, projecting more than 60 s.`)
} else {
  const lambda = RunnableLambda.from(async (n: number) => {
    sampler.sample()
    return n + 1
  })
  const signal = AbortSignal.timeout(langchainBudgetMs)
  setMaxListeners(0, signal) // LangChain adds a listener per item
  sampler.start()
  const start = performance.now()
  try {
    const outputs = await lambda.batch(inputs, { maxConcurrency: concurrency, signal })
    const ms = performance.now() - start
    const bytes = sampler.stop()
    check("langchain", outputs)
    times.langchain.push(ms)
    heaps.langchain.push(bytes)
    log(`time and heap langchain: ${ms.toFixed(0)} ms, ${(bytes / 1e6).toFixed(1)} MB`)
    notes.push(`LangChain: one run, timed and heap-sampled together (a pilot of ${pilotItems.length} items took ${round(pilotMs, 0)} ms).`)
  } catch (error) {
    sampler.stop()
    notes.push(`LangChain aborted after 60 s (${String(error)}).`)
  }
}

const ms = (variant: Variant) => (times[variant].length === 0 ? null : median(times[variant]))
const mb = (variant: Variant) => (heaps[variant].length === 0 ? null : median(heaps[variant]) / 1e6)
const fxTime = ms("fxchain")!
const syncTime = ms("fxchainSync")!
const plainTime = ms("plain")!
const fxHeap = mb("fxchain")!
const syncHeap = mb("fxchainSync")!
const plainHeap = mb("plain")!
const effectTime = ms("effect")!
const effectHeap = mb("effect")!
const maybe = (value: number | null, digits = 1) => (value === null ? null : round(value, digits))
const samples = (variant: Variant) => ({
  ms: times[variant].map((value) => round(value, 1)),
  heapMB: heaps[variant].map((value) => round(value / 1e6, 2))
})

const label = `batch ${items / 1000}k trivial items, concurrency ${concurrency}`
const rows: Array<Row> = [
  {
    workload: `${label}: time (ms), fromEffect item; hand-written Effect pool ${round(effectTime, 1)} ms`,
    unit: "ms",
    fxchain: round(fxTime, 1),
    langchain: maybe(ms("langchain")),
    plain: round(plainTime, 1),
    ratio: round(fxTime / plainTime),
    ratioOf: "fxchain / async/await",
    target: "<= 5x",
    met: fxTime / plainTime <= 5,
    details: {
      fxchain: samples("fxchain"),
      langchain: samples("langchain"),
      plain: samples("plain"),
      handWrittenEffect: samples("effect")
    }
  },
  {
    workload: `${label}: peak heap (MB), fromEffect item; hand-written Effect pool ${round(effectHeap)} MB`,
    unit: "MB",
    fxchain: round(fxHeap),
    langchain: maybe(mb("langchain")),
    plain: round(plainHeap),
    ratio: round(fxHeap / plainHeap),
    ratioOf: "fxchain / async/await",
    target: "<= 1.5x",
    met: fxHeap / plainHeap <= 1.5
  },
  {
    workload: `${label}: time (ms), \`Runnable.sync\` item (extra)`,
    unit: "ms",
    fxchain: round(syncTime, 1),
    langchain: maybe(ms("langchain")),
    plain: round(plainTime, 1),
    ratio: round(syncTime / plainTime),
    ratioOf: "fxchain / async/await",
    target: "-",
    met: null,
    details: { fxchainSync: samples("fxchainSync") }
  },
  {
    workload: `${label}: peak heap (MB), \`Runnable.sync\` item (extra)`,
    unit: "MB",
    fxchain: round(syncHeap),
    langchain: maybe(mb("langchain")),
    plain: round(plainHeap),
    ratio: round(syncHeap / plainHeap),
    ratioOf: "fxchain / async/await",
    target: "-",
    met: null
  }
]

report({
  workload: "batch-100k",
  rows,
  notes: [
    ...notes,
    `Hand-written Effect: ${concurrency} fibers taking the next item in turn, running Effect.succeed(n + 1), no fxchain ` +
    `(${round(effectTime, 1)} ms, ${round(effectHeap)} MB).`,
    `Time: median of ${repeats} runs after two warm-up runs each. Peak heap: heapUsed above the post-GC baseline, ` +
    `read every 1,000 items and every 2 ms, median of ${heapRepeats} runs; it includes garbage not yet collected.`
  ],
  seconds: round((performance.now() - began) / 1000, 1)
})

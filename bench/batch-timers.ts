/**
 * Batch under simulated I/O: 20,000 items at concurrency 500, each a real 10 ms timer wait.
 * Reports time / ideal, where ideal = ceil(N / concurrency) x 10 ms = 400 ms. fxchain runs
 * `Runnable.batch`, LangChain `RunnableLambda.batch` with `maxConcurrency`, plain async/await a
 * pool of 500 promise workers.
 */
import { Runnable } from "@fxchain/core"
import { Effect } from "effect"
import { disableLangChainTracing, effectPool, log, median, promisePool, report, round, timeMs, type Row } from "./harness.js"

disableLangChainTracing()
const { RunnableLambda } = await import("@langchain/core/runnables")

const began = performance.now()
const quick = process.argv.includes("--quick")
const items = quick ? 2_000 : 20_000
const concurrency = 500
const latencyMs = 10
const repeats = 3
const idealMs = Math.ceil(items / concurrency) * latencyMs
const inputs = Array.from({ length: items }, (_, i) => i)

const wait = Runnable.fromEffect(() => Effect.sleep(`${latencyMs} millis`), { name: "wait" })
const sleep = () => new Promise<void>((resolve) => setTimeout(resolve, latencyMs))
const lambda = RunnableLambda.from(async () => new Promise<void>((resolve) => setTimeout(resolve, latencyMs)))

const variants = {
  fxchain: () => Effect.runPromise(Runnable.batch(wait, inputs, { concurrency })),
  plain: () => promisePool(inputs, concurrency, sleep),
  effect: () => Effect.runPromise(effectPool(inputs, concurrency, () => Effect.sleep(`${latencyMs} millis`))),
  langchain: () => lambda.batch(inputs, { maxConcurrency: concurrency })
}

const samples: Record<keyof typeof variants, Array<number>> = { fxchain: [], plain: [], effect: [], langchain: [] }
// one short warm-up of each, then the variants take turns so that drift hits them alike
for (const run of Object.values(variants)) await run()
for (let repeat = 0; repeat < repeats; repeat++) {
  for (const [name, run] of Object.entries(variants) as Array<[keyof typeof variants, () => Promise<unknown>]>) {
    const ms = await timeMs(run)
    samples[name].push(ms)
    log(`${name}: ${ms.toFixed(0)} ms (${(ms / idealMs).toFixed(2)}x ideal)`)
  }
}

const fx = median(samples.fxchain)
const effect = median(samples.effect)
const rows: Array<Row> = [
  {
    workload: `batch ${items} x ${latencyMs} ms timer, concurrency ${concurrency}: time / ideal (${idealMs} ms); ` +
      `hand-written Effect pool ${round(effect / idealMs)}x`,
    unit: "x ideal",
    fxchain: round(fx / idealMs),
    langchain: round(median(samples.langchain) / idealMs),
    plain: round(median(samples.plain) / idealMs),
    ratio: round(fx / idealMs),
    ratioOf: "fxchain / ideal",
    target: "<= 1.10x",
    met: fx / idealMs <= 1.1,
    details: {
      idealMs,
      fxchainMs: samples.fxchain.map((ms) => round(ms, 1)),
      langchainMs: samples.langchain.map((ms) => round(ms, 1)),
      plainMs: samples.plain.map((ms) => round(ms, 1)),
      handWrittenEffectMs: samples.effect.map((ms) => round(ms, 1))
    }
  }
]

report({
  workload: "batch-timers",
  rows,
  notes: [
    `Median of ${repeats} runs per variant after one warm-up run each; real timers (setTimeout / Effect.sleep on the live Clock).`,
    `Milliseconds: fxchain ${round(fx, 0)}, LangChain ${round(median(samples.langchain), 0)}, async/await ${round(median(samples.plain), 0)}, ` +
    `hand-written Effect (${concurrency} fibers running Effect.sleep, no fxchain) ${round(effect, 0)}; ideal ${idealMs}.`
  ],
  seconds: round((performance.now() - began) / 1000, 1)
})

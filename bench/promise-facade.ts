/**
 * The Promise facade (issue 6), `PromiseRunnable` from @fxchain/adapters:
 *
 * - invoke overhead: `PromiseRunnable.make(Fx.sequence(a, b, c)).invoke(i)` with three
 *   `Runnable.sync` steps, against `RunnableSequence.from([RunnableLambda.from(f1), …])`'s `invoke`
 *   (@langchain/core, tracing off) and plain async functions; also the same with a `signal` that
 *   is never aborted, and `Effect.runPromise(Runnable.invoke(seq, i))` without the facade;
 * - an aborted batch: 1,000 items, each a real 10 ms timer wait, at most 50 at once, the signal
 *   aborted 10 ms after the batch started. Counted: items started after the abort, items still
 *   running when the Promise settled, items started in the 200 ms after it settled; timed: from
 *   `controller.abort()` to the Promise settling. fxchain: `PromiseRunnable.batch(inputs,
 *   { maxConcurrency: 50, signal })` over `Runnable.fromEffect(() => Effect.sleep("10 millis"))`
 *   (extra: over `Runnable.fromPromise` of a timer that honours its signal); LangChain:
 *   `RunnableLambda.from(async () => setTimeout-wait).batch(inputs, { maxConcurrency: 50, signal })`
 *   (extra: the lambda's wait honours `config.signal`); plain: a pool of 50 promise workers that
 *   stops taking items once aborted, its waits cleared by the abort; and for the time to settle,
 *   the same pool hand-written with Effect (no fxchain) run by `Effect.runPromise(pool, { signal })`.
 *   After each batch the workload waits until every item is over (LangChain's keep running).
 */
import { PromiseRunnable } from "@fxchain/adapters"
import * as Fx from "@fxchain/combinators"
import { Runnable } from "@fxchain/core"
import { Effect } from "effect"
import { setMaxListeners } from "node:events"
import { collectGarbage, disableLangChainTracing, effectPool, log, median, microsPerOp, report, round, type Row } from "./harness.js"
import { f1, f2, f3, langChainSequence, plainSequence } from "./threeSteps.js"

disableLangChainTracing()
const { RunnableLambda, RunnableSequence } = await import("@langchain/core/runnables")

const began = performance.now()
const quick = process.argv.includes("--quick")
const scale = quick ? 0.1 : 1

// -----------------------------------------------------------------------------
// (1) invoke of a 3-step sequence
// -----------------------------------------------------------------------------

const fxSequence = Fx.sequence(
  Runnable.sync(f1, { name: "f1" }),
  Runnable.sync(f2, { name: "f2" }),
  Runnable.sync(f3, { name: "f3" })
)
const facade = PromiseRunnable.make(fxSequence)
const neverAborted = new AbortController().signal
const lcSequence = langChainSequence({ RunnableSequence, RunnableLambda })

const expected = f3(f2(f1(5)))
const checks: Array<[string, unknown]> = [
  ["PromiseRunnable.invoke", await facade.invoke(5)],
  ["PromiseRunnable.invoke with a signal", await facade.invoke(5, { signal: neverAborted })],
  ["Effect.runPromise(Runnable.invoke)", await Effect.runPromise(Runnable.invoke(fxSequence, 5))],
  ["plain", await plainSequence(5)],
  ["RunnableSequence", await lcSequence.invoke(5)]
]
for (const [name, actual] of checks) {
  if (actual !== expected) throw new Error(`${name}: got ${String(actual)}, expected ${expected}`)
}

/** The first invoke of a new facade builds its runtime (from `Layer.empty` here). */
const firstInvokeMicros: Array<number> = []
for (let i = 0; i < 20; i++) {
  const fresh = PromiseRunnable.make(fxSequence)
  const start = performance.now()
  await fresh.invoke(i)
  firstInvokeMicros.push((performance.now() - start) * 1000)
  await fresh.dispose()
}

const repeats = 5
const fast = { iterations: 100_000 * scale, warmup: 30_000 * scale }
const slow = { iterations: 10_000 * scale, warmup: 2_000 * scale }
const invokes = await microsPerOp({
  facade: { ...fast, op: (i) => facade.invoke(i) },
  facadeSignal: { ...fast, op: (i) => facade.invoke(i, { signal: neverAborted }) },
  runPromise: { ...fast, op: (i) => Effect.runPromise(Runnable.invoke(fxSequence, i)) },
  plain: { ...fast, op: plainSequence },
  langchain: { ...slow, op: (i) => lcSequence.invoke(i) }
}, repeats, (name, micros) => log(`invoke ${name}: ${micros.toFixed(2)} µs/op`))

// -----------------------------------------------------------------------------
// (2) a 1,000-item batch aborted after 10 ms
// -----------------------------------------------------------------------------

const items = 1_000
const concurrency = 50
const itemMs = 10
const abortAfterMs = 10
const windowMs = 200
const batchRounds = quick ? 3 : 9
const inputs = Array.from({ length: items }, (_, i) => i)

/** What the items of one batch did, by the phase of the batch they did it in. */
class Tracker {
  phase: "running" | "aborted" | "settled" | "closed" = "running"
  started = 0
  startedAfterAbort = 0
  startedAfterSettle = 0
  /** Started once the 200 ms window after settling was over. */
  startedLater = 0
  /** Items whose wait ran to its end. */
  completed = 0
  completedAfterSettle = 0
  /** Started and not yet over (completed, interrupted or rejected). */
  active = 0
  /** The most items running at once from the abort on (those in flight at the abort included). */
  peakActiveAfterAbort = 0
  lastActivity = performance.now()
  lastStart = Number.NaN

  readonly start = (): void => {
    this.started++
    this.active++
    this.lastActivity = performance.now()
    this.lastStart = this.lastActivity
    if (this.phase !== "running" && this.active > this.peakActiveAfterAbort) this.peakActiveAfterAbort = this.active
    if (this.phase === "aborted") this.startedAfterAbort++
    else if (this.phase === "settled") {
      this.startedAfterAbort++
      this.startedAfterSettle++
    } else if (this.phase === "closed") {
      this.startedAfterAbort++
      this.startedLater++
    }
  }

  readonly complete = (): void => {
    this.completed++
    if (this.phase === "settled" || this.phase === "closed") this.completedAfterSettle++
  }

  readonly leave = (): void => {
    this.active--
    this.lastActivity = performance.now()
  }
}

/** The tracker of the batch being measured; items read it when they start. */
let tracker = new Tracker()

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))
/** A timer wait that the signal cancels: it clears the timer and rejects with `signal.reason`. */
const abortableSleep = (ms: number, signal: AbortSignal | undefined) =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted === true) return reject(signal.reason)
    const onAbort = () => {
      clearTimeout(timer)
      reject(signal?.reason)
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort)
      resolve()
    }, ms)
    signal?.addEventListener("abort", onAbort, { once: true })
  })

/** Runs `wait` as one item of the current batch, recording its start, completion and end. */
const tracked = async (wait: () => Promise<void>): Promise<void> => {
  const t = tracker
  t.start()
  try {
    await wait()
    t.complete()
  } finally {
    t.leave()
  }
}

const effectWait = Effect.suspend(() => {
  const t = tracker
  t.start()
  return Effect.sleep(`${itemMs} millis`).pipe(
    Effect.tap(() => Effect.sync(t.complete)),
    Effect.ensuring(Effect.sync(t.leave))
  )
})
const fxItem = Runnable.fromEffect((_: number) => effectWait, { name: "wait" })
const fxFacade = PromiseRunnable.make(fxItem)
const fxPromiseFacade = PromiseRunnable.make(
  Runnable.fromPromise((_: number, signal) => tracked(() => abortableSleep(itemMs, signal)), { name: "wait" })
)
const lcLambda = RunnableLambda.from(async (_: number) => tracked(() => sleep(itemMs)))
const lcSignalLambda = RunnableLambda.from(async (_: number, config) => tracked(() => abortableSleep(itemMs, config?.signal)))

/** A pool of `concurrency` promise workers that stops taking items once `signal` is aborted. */
const plainBatch = async (signal: AbortSignal): Promise<Array<void>> => {
  const results = new Array<void>(inputs.length)
  let next = 0
  const worker = async (): Promise<void> => {
    while (next < inputs.length) {
      signal.throwIfAborted()
      const index = next++
      results[index] = await tracked(() => abortableSleep(itemMs, signal))
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker))
  return results
}

const batchVariants = {
  fxchain: (signal: AbortSignal) => fxFacade.batch(inputs, { maxConcurrency: concurrency, signal }),
  fxchainFromPromise: (signal: AbortSignal) => fxPromiseFacade.batch(inputs, { maxConcurrency: concurrency, signal }),
  langchain: (signal: AbortSignal) => lcLambda.batch(inputs, { maxConcurrency: concurrency, signal }),
  langchainSignal: (signal: AbortSignal) => lcSignalLambda.batch(inputs, { maxConcurrency: concurrency, signal }),
  plain: plainBatch,
  /** The same pool hand-written with Effect (no fxchain), interrupted by `Effect.runPromise`'s signal. */
  effect: (signal: AbortSignal) => Effect.runPromise(effectPool(inputs, concurrency, () => effectWait), { signal })
}
type BatchVariant = keyof typeof batchVariants

interface BatchSample {
  readonly startedBeforeAbort: number
  readonly startedAfterAbort: number
  readonly activeAtSettle: number
  readonly startedAfterSettle: number
  readonly startedLater: number
  readonly completedAfterSettle: number
  readonly startedInAll: number
  /** The most items running at once from the abort on (the batch's bound is `concurrency`). */
  readonly peakActiveAfterAbort: number
  /** From the Promise settling to the last item's start (NaN when none started after it). */
  readonly lastStartAfterSettleMs: number
  readonly settleMs: number
  /** Node timers (`Timeout` resources) pending when the Promise settled, above those before the batch. */
  readonly timersAtSettle: number
  readonly outcome: string
}

const pendingTimers = () => process.getActiveResourcesInfo().filter((resource) => resource === "Timeout").length

const runBatch = async (run: (signal: AbortSignal) => Promise<unknown>): Promise<BatchSample> => {
  collectGarbage() // with --expose-gc (as bench/index.ts runs it): LangChain's runs leave much garbage behind
  const t = new Tracker()
  tracker = t
  const controller = new AbortController()
  // LangChain adds an abort listener per item in flight (and so do the waits honouring a signal):
  // above Node's default of 10 it prints a MaxListenersExceededWarning on stderr
  setMaxListeners(items + 10, controller.signal)
  const timersBefore = pendingTimers()
  let startedBeforeAbort = 0
  let abortAt = Number.NaN
  let settleAt = Number.NaN
  let activeAtSettle = Number.NaN
  let timersAtSettle = Number.NaN
  let outcome = "resolved"
  const abortTimer = setTimeout(() => {
    startedBeforeAbort = t.started
    t.phase = "aborted"
    t.peakActiveAfterAbort = t.active
    abortAt = performance.now()
    controller.abort()
  }, abortAfterMs)
  const settled = () => {
    settleAt = performance.now()
    t.phase = "settled"
    activeAtSettle = t.active
    timersAtSettle = pendingTimers() - timersBefore
  }
  await run(controller.signal).then(settled, (error: unknown) => {
    settled()
    outcome = error instanceof Error || error instanceof DOMException ? `${error.name}: ${error.message}` : String(error)
  })
  clearTimeout(abortTimer)
  await sleep(windowMs)
  t.phase = "closed"
  // let whatever is still running (LangChain's queued items) finish before the next batch
  const drainStart = performance.now()
  while ((t.active > 0 || performance.now() - t.lastActivity < 50) && performance.now() - drainStart < 5_000) await sleep(10)
  return {
    startedBeforeAbort,
    startedAfterAbort: t.startedAfterAbort,
    activeAtSettle,
    startedAfterSettle: t.startedAfterSettle,
    startedLater: t.startedLater,
    completedAfterSettle: t.completedAfterSettle,
    startedInAll: t.started,
    peakActiveAfterAbort: t.peakActiveAfterAbort,
    lastStartAfterSettleMs: t.startedAfterSettle + t.startedLater > 0 ? t.lastStart - settleAt : Number.NaN,
    settleMs: settleAt - abortAt,
    timersAtSettle,
    outcome
  }
}

const batchSamples = Object.fromEntries(
  Object.keys(batchVariants).map((name) => [name, [] as Array<BatchSample>])
) as Record<BatchVariant, Array<BatchSample>>
const entries = Object.entries(batchVariants) as Array<[BatchVariant, (signal: AbortSignal) => Promise<unknown>]>
for (const [, run] of entries) await runBatch(run) // warm-up
for (let round_ = 0; round_ < batchRounds; round_++) {
  for (const [name, run] of entries) {
    const sample = await runBatch(run)
    batchSamples[name].push(sample)
    log(
      `batch ${name}: started before abort ${sample.startedBeforeAbort}, after ${sample.startedAfterAbort}, ` +
        `running at settle ${sample.activeAtSettle}, started ${windowMs} ms after settle ${sample.startedAfterSettle}, ` +
        `settle ${sample.settleMs.toFixed(2)} ms, timers at settle ${sample.timersAtSettle}, ` +
        `at most ${sample.peakActiveAfterAbort} running after the abort (${sample.outcome})`
    )
  }
}

await facade.dispose()
await fxFacade.dispose()
await fxPromiseFacade.dispose()

// -----------------------------------------------------------------------------
// results
// -----------------------------------------------------------------------------

const stat = (name: BatchVariant, key: Exclude<keyof BatchSample, "outcome">) =>
  median(batchSamples[name].map((sample) => sample[key]))
const all = (name: BatchVariant, key: keyof BatchSample) => batchSamples[name].map((sample) => sample[key])
const batchRow = (
  workload: string,
  unit: string,
  key: Exclude<keyof BatchSample, "outcome">,
  target: string,
  met: (fxchain: number) => boolean | null,
  digits = 0
): Row => ({
  workload,
  unit,
  fxchain: round(stat("fxchain", key), digits),
  langchain: round(stat("langchain", key), digits),
  plain: round(stat("plain", key), digits),
  ratio: null,
  ratioOf: "",
  target,
  met: met(stat("fxchain", key)),
  details: Object.fromEntries(
    (Object.keys(batchVariants) as Array<BatchVariant>).map((name) => [
      name,
      all(name, key).map((value) => (typeof value === "number" ? round(value, 3) : value))
    ])
  )
})

const speedup = invokes.langchain.median / invokes.facade.median
const batchLabel = `batch of ${items} x ${itemMs} ms timer, maxConcurrency ${concurrency}, aborted after ${abortAfterMs} ms`
const rows: Array<Row> = [
  {
    workload: `\`PromiseRunnable.invoke\` of a 3-step \`Fx.sequence\` of \`Runnable.sync\`, µs/op ` +
      `(\`Effect.runPromise(Runnable.invoke(seq, i))\`: ${round(invokes.runPromise.median)} µs)`,
    unit: "µs/op",
    fxchain: round(invokes.facade.median),
    langchain: round(invokes.langchain.median),
    plain: round(invokes.plain.median),
    ratio: round(speedup, 1),
    ratioOf: "LangChain / fxchain",
    target: ">= 20x faster",
    met: speedup >= 20,
    details: {
      facadeSamples: invokes.facade.samples,
      langchainSamples: invokes.langchain.samples,
      plainSamples: invokes.plain.samples,
      runPromiseSamples: invokes.runPromise.samples,
      facadeOverRunPromise: round(invokes.facade.median / invokes.runPromise.median),
      firstInvokeOfNewFacadeMicros: firstInvokeMicros.map((micros) => round(micros, 1))
    }
  },
  {
    workload: "`PromiseRunnable.invoke` with a `signal` (never aborted) (extra), µs/op",
    unit: "µs/op",
    fxchain: round(invokes.facadeSignal.median),
    langchain: round(invokes.langchain.median),
    plain: round(invokes.plain.median),
    ratio: round(invokes.langchain.median / invokes.facadeSignal.median, 1),
    ratioOf: "LangChain / fxchain",
    target: "-",
    met: null,
    details: { facadeSignalSamples: invokes.facadeSignal.samples }
  },
  batchRow(`${batchLabel}: items started after the abort`, "items", "startedAfterAbort", "0", (fx) => fx === 0),
  batchRow(`${batchLabel}: ms from \`abort()\` to the Promise settling`, "ms", "settleMs", "-", () => null, 2),
  batchRow(`${batchLabel}: items still running when the Promise settled`, "items", "activeAtSettle", "0 (facade's doc)", (fx) => fx === 0),
  batchRow(`${batchLabel}: items started in the ${windowMs} ms after the Promise settled`, "items", "startedAfterSettle", "0", (fx) => fx === 0),
  batchRow(`${batchLabel}: most items running at once from the abort on`, "items", "peakActiveAfterAbort", "-", () => null)
]

/** Median of the samples that are numbers (`lastStartAfterSettleMs` is NaN when nothing started). */
const statDefined = (name: BatchVariant, key: "lastStartAfterSettleMs") => {
  const values = batchSamples[name].map((sample) => sample[key]).filter((value) => !Number.isNaN(value))
  return values.length === 0 ? "-" : `${round(median(values), 1)} ms`
}
const summary = (name: BatchVariant) =>
  `started after the abort ${stat(name, "startedAfterAbort")}, running at settle ${stat(name, "activeAtSettle")}, ` +
  `started in the ${windowMs} ms after settling ${stat(name, "startedAfterSettle")}, ` +
  `completed after settling ${stat(name, "completedAfterSettle")}, settle ${round(stat(name, "settleMs"), 2)} ms`

report({
  workload: "promise-facade",
  rows,
  notes: [
    `invoke: ${fast.iterations} operations per timed run (LangChain: ${slow.iterations}), median of ${repeats} runs, ` +
      `the variants taking turns after a warm-up of each; facade / \`Effect.runPromise(Runnable.invoke)\` = ` +
      `${round(invokes.facade.median / invokes.runPromise.median)}x; the first invoke of a new facade (builds its ` +
      `runtime from \`Layer.empty\`) takes ${round(median(firstInvokeMicros), 0)} µs (median of ${firstInvokeMicros.length}).`,
    `aborted batch: median of ${batchRounds} batches per variant after one warm-up each, the variants taking turns; ` +
      `items started before the abort: fxchain ${stat("fxchain", "startedBeforeAbort")}, LangChain ${stat("langchain", "startedBeforeAbort")}, ` +
      `async/await ${stat("plain", "startedBeforeAbort")}. Rejected with: fxchain "${batchSamples.fxchain[0]?.outcome}", ` +
      `LangChain "${batchSamples.langchain[0]?.outcome}".`,
    `aborted batch, LangChain: every queued item still starts (${stat("langchain", "startedInAll")} of ${items} in all), ` +
      `the last ${statDefined("langchain", "lastStartAfterSettleMs")} after the Promise settled, and with no bound: ` +
      `up to ${stat("langchain", "peakActiveAfterAbort")} items running at once after the abort (maxConcurrency ${concurrency}; ` +
      `fxchain ${stat("fxchain", "peakActiveAfterAbort")}), since each item's \`raceWithSignal\` rejects at once and frees its slot ` +
      `while its function keeps running; ${stat("langchain", "completedAfterSettle")} item waits ran to their end after it settled ` +
      `(fxchain ${stat("fxchain", "completedAfterSettle")}); Node timers pending at settle, above those before the batch: ` +
      `LangChain ${stat("langchain", "timersAtSettle")}, fxchain ${stat("fxchain", "timersAtSettle")}, async/await ${stat("plain", "timersAtSettle")}.`,
    `aborted batch, time to settle: the same pool hand-written with Effect (${concurrency} fibers running \`Effect.sleep\`, ` +
      `no fxchain, \`Effect.runPromise(pool, { signal })\`) ${round(stat("effect", "settleMs"), 2)} ms; async/await's pool rejects ` +
      `as soon as the abort listeners ran (its waits cleared by the same event).`,
    `aborted batch, extra variants: fxchain over \`Runnable.fromPromise\` of a wait honouring its signal: ${summary("fxchainFromPromise")}; ` +
      `LangChain with the lambda's wait honouring \`config.signal\`: ${summary("langchainSignal")}. LangChain's batch adds an abort ` +
      `listener per item in flight (Node prints a MaxListenersExceededWarning above 10); the workload raises the signal's limit.`
  ],
  seconds: round((performance.now() - began) / 1000, 1)
})

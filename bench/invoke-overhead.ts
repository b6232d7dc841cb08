/**
 * Invoke overhead of three runs: a runnable that invokes two nested `Runnable.sync` steps, each
 * call started from a Promise as a user would (`await Effect.runPromise(Runnable.invoke(r, i))`),
 * against the same three steps hand-written with `Effect.flatMap`, plain async functions, and a
 * three-step `RunnableSequence` of @langchain/core (tracing off). Also: the time to drain
 * `Runnable.streamEvents` of the same runnable, against its `invoke`.
 */
import { Runnable } from "@fxchain/core"
import { Effect, Stream } from "effect"
import { disableLangChainTracing, log, microsPerOp, report, round, type Row } from "./harness.js"
import { f1, f2, f3, handWritten, langChainSequence, plainSequence } from "./threeSteps.js"

disableLangChainTracing()
const { RunnableLambda, RunnableSequence } = await import("@langchain/core/runnables")

const began = performance.now()
const quick = process.argv.includes("--quick")
const scale = quick ? 0.1 : 1
const repeats = 5

// fxchain: the headline, a run invoking two nested runs (three runs in all)
const a = Runnable.sync(f1, { name: "a" })
const b = Runnable.sync(f2, { name: "b" })
const nested = Runnable.fromEffect(
  (n: number) => Runnable.invoke(a, n).pipe(Effect.flatMap((x) => Runnable.invoke(b, x))),
  { name: "nested" }
)
// fxchain, extra: three `Runnable.sync` runs invoked one after another, no outer run (the sync path only)
const c = Runnable.sync(f3, { name: "c" })
const threeSyncRuns = (n: number) =>
  Runnable.invoke(a, n).pipe(
    Effect.flatMap((x) => Runnable.invoke(b, x)),
    Effect.flatMap((x) => Runnable.invoke(c, x))
  )

// the same three steps hand-written with Effect, as async functions and in @langchain/core
const plain = plainSequence
const sequence = langChainSequence({ RunnableSequence, RunnableLambda })

// sanity: every variant computes what it should
if ((await Effect.runPromise(Runnable.invoke(nested, 5))) !== f2(f1(5))) throw new Error("nested: wrong output")
if ((await Effect.runPromise(threeSyncRuns(5))) !== f3(f2(f1(5)))) throw new Error("threeSyncRuns: wrong output")
if ((await Effect.runPromise(handWritten(5))) !== f3(f2(f1(5)))) throw new Error("handWritten: wrong output")
if ((await plain(5)) !== f3(f2(f1(5)))) throw new Error("plain: wrong output")
if ((await sequence.invoke(5)) !== f3(f2(f1(5)))) throw new Error("sequence: wrong output")
const events = await Effect.runPromise(Stream.runCollect(Runnable.streamEvents(nested, 5)))
const started = Array.from(events).filter((event) => event._tag === "Started").length
if (started !== 3) throw new Error(`streamEvents: expected 3 runs started, got ${started}`)

const perOp = (name: string, micros: number) => log(`${name}: ${micros.toFixed(2)} µs/op`)
const effect = { iterations: 200_000 * scale, warmup: 50_000 * scale }
const invoked = await microsPerOp({
  fxchainNested: { ...effect, op: (i) => Effect.runPromise(Runnable.invoke(nested, i)) },
  fxchainSync: { ...effect, op: (i) => Effect.runPromise(threeSyncRuns(i)) },
  handWritten: { ...effect, op: (i) => Effect.runPromise(handWritten(i)) },
  plain: { ...effect, op: plain },
  langchain: { iterations: 10_000 * scale, warmup: 2_000 * scale, op: (i) => sequence.invoke(i) }
}, repeats, perOp)
const streamed = await microsPerOp({
  fxchainEvents: {
    iterations: 2_000 * scale,
    warmup: 500 * scale,
    op: (i) => Effect.runPromise(Stream.runDrain(Runnable.streamEvents(nested, i)))
  },
  langchainEvents: {
    iterations: 1_000 * scale,
    warmup: 300 * scale,
    op: async (i) => {
      for await (const _ of sequence.streamEvents(i, { version: "v2" })) {
        // drain
      }
    }
  }
}, repeats, perOp)
const fxNested = invoked.fxchainNested
const fxSync = invoked.fxchainSync
const hand = invoked.handWritten
const asyncAwait = invoked.plain
const langchain = invoked.langchain
const fxEvents = streamed.fxchainEvents
const langchainEvents = streamed.langchainEvents

const speedup = langchain.median / fxNested.median
const overHand = fxNested.median / hand.median
const rows: Array<Row> = [
  {
    workload: "invoke, 3 runs (2 nested in 1), µs/op",
    unit: "µs/op",
    fxchain: round(fxNested.median),
    langchain: round(langchain.median),
    plain: round(asyncAwait.median),
    ratio: round(speedup, 1),
    ratioOf: "LangChain / fxchain",
    target: ">= 25x faster",
    met: speedup >= 25,
    details: { fxchainSamples: fxNested.samples, langchainSamples: langchain.samples, plainSamples: asyncAwait.samples }
  },
  {
    workload: `invoke, 3 runs vs hand-written Effect.flatMap x3 (${round(hand.median)} µs/op)`,
    unit: "µs/op",
    fxchain: round(fxNested.median),
    langchain: null,
    plain: null,
    ratio: round(overHand),
    ratioOf: "fxchain / hand-written Effect",
    target: "<= 1.5x",
    met: overHand <= 1.5,
    details: { handWrittenMedian: hand.median, handWrittenSamples: hand.samples }
  },
  {
    workload: "invoke, 3 `Runnable.sync` runs, no outer run (extra), µs/op",
    unit: "µs/op",
    fxchain: round(fxSync.median),
    langchain: round(langchain.median),
    plain: round(asyncAwait.median),
    ratio: round(fxSync.median / hand.median),
    ratioOf: "fxchain / hand-written Effect",
    target: "-",
    met: null,
    details: { fxchainSamples: fxSync.samples }
  },
  {
    workload: "streamEvents overhead: drain streamEvents of the 3-run runnable, µs/op",
    unit: "µs/op",
    fxchain: round(fxEvents.median),
    langchain: round(langchainEvents.median),
    plain: null,
    ratio: round(fxEvents.median / fxNested.median, 1),
    ratioOf: "fxchain streamEvents / fxchain invoke",
    target: "-",
    met: null,
    details: {
      fxchainSamples: fxEvents.samples,
      langchainSamples: langchainEvents.samples,
      langchainStreamEventsOverInvoke: round(langchainEvents.median / langchain.median, 1)
    }
  }
]

report({
  workload: "invoke-overhead",
  rows,
  notes: [
    `Operations per timed run: ${effect.iterations} (fxchain, hand-written Effect, async/await), ${10_000 * scale} (LangChain invoke), ` +
    `${2_000 * scale} (fxchain streamEvents), ${1_000 * scale} (LangChain streamEvents); median of ${repeats} runs, ` +
    "the variants taking turns after a warm-up of each; every operation awaited from a Promise.",
    "The fxchain runnable computes f2(f1(n)) (its outer run does no work of its own); the other variants compute f3(f2(f1(n))).",
    "LangChain's streamEvents is its v2 event stream of the same RunnableSequence."
  ],
  seconds: round((performance.now() - began) / 1000, 1)
})

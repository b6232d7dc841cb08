/**
 * Streaming 100,000 small chunks through three steps (issue 4): a source and two steps that
 * transform the stream chunk by chunk.
 *
 * - fxchain: `Fx.sequence(source, plusOne, double)` with `source = Runnable.fromStream((n) =>
 *   Stream.range(0, n - 1))` and each step `Runnable.make({ name, run, transform: (s) =>
 *   Stream.map(s, f) })`, consumed with `Runnable.stream` (`Stream.runForEachChunk`, visiting
 *   every item). `Stream.range` packs 4,096 items in each Effect chunk; the extra rows use
 *   `Stream.range(0, n - 1, 1)`, one item per Effect chunk, as a model's token stream arrives.
 * - plain async generators: source generator → map generator → map generator, `for await`.
 * - LangChain (@langchain/core, tracing off): `RunnableLambda.from(async function* (n) { ... })`
 *   piped into two streaming steps written as LangChain writes its own (a `Runnable` subclass whose
 *   `transform` goes through `_transformStreamWithConfig`, as `RunnablePick` and the output parsers
 *   do; a `RunnableLambda` would gather its whole input before running), `for await` over `.stream(n)`.
 *
 * Measured: chunks per second and the time to the first chunk; then `streamEvents` over the same
 * stream, drained (a `Streamed` event for every chunk of every step and of the sequence), against
 * LangChain's `streamEvents(n, { version: "v2" })`, which LangChain runs on 10,000 chunks (it is
 * slow; compared per chunk).
 */
import * as Fx from "@fxchain/combinators"
import { Runnable } from "@fxchain/core"
import { Chunk, Effect, Stream } from "effect"
import { collectGarbage, disableLangChainTracing, log, median, report, round, type Row } from "./harness.js"

disableLangChainTracing()
const { Runnable: LcRunnable, RunnableLambda } = await import("@langchain/core/runnables")
type LcConfig = Parameters<InstanceType<typeof RunnableLambda>["invoke"]>[1]

const began = performance.now()
const quick = process.argv.includes("--quick")
const scale = quick ? 0.1 : 1
const chunks = 100_000 * scale
const langchainEventChunks = 10_000 * scale
const rounds = quick ? 3 : 5
/** Rounds of the slow variants (the event streams and the one-item-per-chunk stream). */
const slowRounds = 3

const plusOne = (x: number) => x + 1
const double = (x: number) => x * 2
/** The sum of every output for inputs 0 .. n-1, to check each variant streamed everything. */
const expectedSum = (n: number) => n * (n + 1) // sum of 2 * (i + 1)

// -----------------------------------------------------------------------------
// fxchain
// -----------------------------------------------------------------------------

const step = (name: string, f: (x: number) => number) =>
  Runnable.make({
    name,
    run: (x: number) => Effect.succeed(f(x)),
    transform: (input) => Stream.map(input, f)
  })
const pipeline = (chunkSize: number) =>
  Fx.sequence(
    Runnable.fromStream((n: number) => Stream.range(0, n - 1, chunkSize), { name: "source" }),
    step("plusOne", plusOne),
    step("double", double)
  )
const chunked = pipeline(4096)
const itemByItem = pipeline(1)

/** The same three steps written as a plain Effect stream, no fxchain (the baseline of issue 13). */
const effectSteps = (chunkSize: number) => (n: number) =>
  Stream.range(0, n - 1, chunkSize).pipe(Stream.map(plusOne), Stream.map(double))

interface Drained {
  readonly millis: number
  readonly firstMillis: number
  readonly sum: number
}

/** Drains a stream with the consumer every Effect variant shares: `Stream.runForEachChunk` visiting every item. */
const drainEffect = (make: (n: number) => Stream.Stream<number, unknown>) => async (n: number): Promise<Drained> => {
  const start = performance.now()
  let firstMillis = -1
  let sum = 0
  await Effect.runPromise(
    Stream.runForEachChunk(make(n), (chunk) =>
      Effect.sync(() => {
        if (firstMillis < 0) firstMillis = performance.now() - start
        for (const item of chunk) sum += item
      }))
  )
  return { millis: performance.now() - start, firstMillis, sum }
}

const fxStream = (sequence: typeof chunked) => drainEffect((n) => Runnable.stream(sequence, n))

/** Drains `streamEvents`; `sum` adds the chunks of the sequence's own `Streamed` events. */
const fxEvents = (sequence: typeof chunked) => async (n: number): Promise<Drained & { readonly events: number }> => {
  const start = performance.now()
  let firstMillis = -1
  let sum = 0
  let events = 0
  await Effect.runPromise(
    Stream.runForEachChunk(Runnable.streamEvents(sequence, n), (chunk) =>
      Effect.sync(() => {
        events += chunk.length
        Chunk.forEach(chunk, (event) => {
          if (event._tag === "Streamed" && event.name === "sequence") {
            if (firstMillis < 0) firstMillis = performance.now() - start
            sum += event.chunk as number
          }
        })
      }))
  )
  return { millis: performance.now() - start, firstMillis, sum, events }
}

// -----------------------------------------------------------------------------
// plain async generators
// -----------------------------------------------------------------------------

async function* source(n: number): AsyncGenerator<number> {
  for (let i = 0; i < n; i++) yield i
}
async function* map<A, B>(input: AsyncIterable<A>, f: (a: A) => B): AsyncGenerator<B> {
  for await (const item of input) yield f(item)
}
const plainStream = async (n: number): Promise<Drained> => {
  const start = performance.now()
  let firstMillis = -1
  let sum = 0
  for await (const item of map(map(source(n), plusOne), double)) {
    if (firstMillis < 0) firstMillis = performance.now() - start
    sum += item
  }
  return { millis: performance.now() - start, firstMillis, sum }
}

// -----------------------------------------------------------------------------
// LangChain
// -----------------------------------------------------------------------------

/** A streaming step as LangChain writes its own (RunnablePick, the output parsers). */
class MapChunks extends LcRunnable<number, number> {
  lc_namespace = ["bench", "streaming"]

  constructor(private readonly f: (x: number) => number, private readonly stepName: string) {
    super()
  }

  override getName(): string {
    return this.stepName
  }

  override async invoke(input: number, options?: LcConfig): Promise<number> {
    return this._callWithConfig(async (x: number) => this.f(x), input, options)
  }

  async *mapChunks(input: AsyncGenerator<number>): AsyncGenerator<number> {
    for await (const item of input) yield this.f(item)
  }

  override transform(input: AsyncGenerator<number>, options?: LcConfig): AsyncGenerator<number> {
    return this._transformStreamWithConfig(input, this.mapChunks.bind(this), options)
  }
}

/**
 * The source: a lambda returning an async generator, whose items LangChain streams one by one
 * (its `invoke` would combine them). Its types say the output is the generator itself, hence
 * the cast.
 */
const lcSource = RunnableLambda.from<number, number>(
  (async function*(n: number) {
    for (let i = 0; i < n; i++) yield i
  }) as unknown as (n: number) => Promise<number>
)
const lcSequence = lcSource.pipe(new MapChunks(plusOne, "plusOne")).pipe(new MapChunks(double, "double"))

const langchainStream = async (n: number): Promise<Drained> => {
  const start = performance.now()
  let firstMillis = -1
  let sum = 0
  for await (const item of await lcSequence.stream(n)) {
    if (firstMillis < 0) firstMillis = performance.now() - start
    sum += item
  }
  return { millis: performance.now() - start, firstMillis, sum }
}

const langchainEvents = async (n: number): Promise<Drained & { readonly events: number }> => {
  const start = performance.now()
  let firstMillis = -1
  let sum = 0
  let events = 0
  let root: string | undefined
  for await (const event of lcSequence.streamEvents(n, { version: "v2" })) {
    events++
    // the sequence's own chunks (its run starts first)
    root ??= event.run_id
    if (event.event === "on_chain_stream" && event.run_id === root) {
      if (firstMillis < 0) firstMillis = performance.now() - start
      sum += event.data.chunk as number
    }
  }
  return { millis: performance.now() - start, firstMillis, sum, events }
}

// -----------------------------------------------------------------------------
// sanity, warm-up, measurement
// -----------------------------------------------------------------------------

interface Variant {
  readonly run: (n: number) => Promise<Drained & { readonly events?: number }>
  readonly n: number
  /** Events expected (`streamEvents` variants): 4 runs (the sequence and its 3 steps) x (n Streamed + Started + Ended). */
  readonly events?: number
  readonly rounds: number
}
const variants = {
  fxchain: { run: fxStream(chunked), n: chunks, rounds },
  plain: { run: plainStream, n: chunks, rounds },
  langchain: { run: langchainStream, n: chunks, rounds },
  fxchainItemByItem: { run: fxStream(itemByItem), n: chunks, rounds },
  effect: { run: drainEffect(effectSteps(4096)), n: chunks, rounds },
  effectItemByItem: { run: drainEffect(effectSteps(1)), n: chunks, rounds },
  fxchainEvents: { run: fxEvents(chunked), n: chunks, events: 4 * (chunks + 2), rounds: slowRounds },
  fxchainEventsItemByItem: { run: fxEvents(itemByItem), n: chunks, events: 4 * (chunks + 2), rounds: slowRounds },
  langchainEvents: {
    run: langchainEvents,
    n: langchainEventChunks,
    events: 4 * (langchainEventChunks + 2),
    rounds: slowRounds
  }
} satisfies Record<string, Variant>
type Name = keyof typeof variants

for (const [name, variant] of Object.entries(variants) as Array<[Name, Variant]>) {
  // warm-up on a tenth of the size, checked
  const small = Math.max(10, Math.floor(variant.n / 10))
  const drained = await variant.run(small)
  if (drained.sum !== expectedSum(small)) throw new Error(`${name}: sum ${drained.sum}, expected ${expectedSum(small)}`)
  const expectedEvents = variant.events === undefined ? undefined : 4 * (small + 2)
  if (expectedEvents !== undefined && drained.events !== expectedEvents) {
    throw new Error(`${name}: ${drained.events} events, expected ${expectedEvents}`)
  }
}

const samples = Object.fromEntries(
  Object.keys(variants).map((name) => [name, { millis: [] as Array<number>, firstMillis: [] as Array<number> }])
) as Record<Name, { millis: Array<number>; firstMillis: Array<number> }>

for (let round_ = 0; round_ < rounds; round_++) {
  for (const [name, variant] of Object.entries(variants) as Array<[Name, Variant]>) {
    if (round_ >= variant.rounds) continue
    collectGarbage()
    const drained = await variant.run(variant.n)
    if (drained.sum !== expectedSum(variant.n)) throw new Error(`${name}: sum ${drained.sum}, expected ${expectedSum(variant.n)}`)
    if (variant.events !== undefined && drained.events !== variant.events) {
      throw new Error(`${name}: ${drained.events} events, expected ${variant.events}`)
    }
    samples[name].millis.push(drained.millis)
    samples[name].firstMillis.push(drained.firstMillis)
    log(`${name}: ${drained.millis.toFixed(1)} ms for ${variant.n} chunks, first after ${drained.firstMillis.toFixed(3)} ms`)
  }
}

// time to first chunk, on its own: fresh 100k streams, each stopped after its first chunk
const firstChunkRuns = quick ? 20 : 200
const firstOnly = {
  fxchain: async (n: number) => {
    const start = performance.now()
    let firstMillis = -1
    await Effect.runPromise(
      Stream.runForEachChunk(Stream.take(Runnable.stream(chunked, n), 1), () =>
        Effect.sync(() => {
          if (firstMillis < 0) firstMillis = performance.now() - start
        }))
    )
    return firstMillis
  },
  plain: async (n: number) => {
    const start = performance.now()
    for await (const _ of map(map(source(n), plusOne), double)) break
    return performance.now() - start
  },
  langchain: async (n: number) => {
    const start = performance.now()
    for await (const _ of await lcSequence.stream(n)) break
    return performance.now() - start
  }
}
type FirstName = keyof typeof firstOnly
const firstSamples = { fxchain: [] as Array<number>, plain: [] as Array<number>, langchain: [] as Array<number> }
for (let i = 0; i < firstChunkRuns; i++) {
  for (const name of Object.keys(firstOnly) as Array<FirstName>) firstSamples[name].push(await firstOnly[name](chunks))
}
// the first tenth was the warm-up
const firstAlone = (name: FirstName) => median(firstSamples[name].slice(Math.floor(firstChunkRuns / 10)))

// -----------------------------------------------------------------------------
// results
// -----------------------------------------------------------------------------

const millis = (name: Name) => median(samples[name].millis)
const first = (name: Name) => median(samples[name].firstMillis)
/** Millions of chunks per second. */
const rate = (name: Name) => variants[name].n / millis(name) / 1000
/** µs per chunk (every event of the chunk, for the event streams). */
const perChunk = (name: Name) => (millis(name) * 1000) / variants[name].n

const fxOverPlain = rate("fxchain") / rate("plain")
const plainOverLangchain = rate("plain") / rate("langchain")
/** Time of fxchain's 3-step sequence over the same steps as a plain Effect stream, one item per chunk (issue 13: <= 1.25). */
const itemOverEffect = millis("fxchainItemByItem") / millis("effectItemByItem")
const itemOverLangchain = rate("fxchainItemByItem") / rate("langchain")
const chunkedOverEffect = millis("fxchain") / millis("effect")
const eventsSpeedup = perChunk("langchainEvents") / perChunk("fxchainEvents")
const eventsOverStream = millis("fxchainEvents") / millis("fxchain")
const itemEventsSpeedup = perChunk("langchainEvents") / perChunk("fxchainEventsItemByItem")
const itemEventsOverStream = millis("fxchainEventsItemByItem") / millis("fxchainItemByItem")
const samplesOf = (...names: Array<Name>) =>
  Object.fromEntries(names.map((name) => [name, { millis: samples[name].millis, firstMillis: samples[name].firstMillis }]))

const rows: Array<Row> = [
  {
    workload: `stream ${chunks} chunks through 3 steps: million chunks/s (async generators / LangChain: ${round(plainOverLangchain, 1)}x)`,
    unit: "M chunks/s",
    fxchain: round(rate("fxchain")),
    langchain: round(rate("langchain"), 3),
    plain: round(rate("plain")),
    ratio: round(fxOverPlain, 1),
    ratioOf: "fxchain / async generators",
    target: ">= 1x async generators, which are >= 10x LangChain",
    met: fxOverPlain >= 1 && plainOverLangchain >= 10,
    details: samplesOf("fxchain", "plain", "langchain")
  },
  {
    workload: `stream ${chunks} chunks through 3 steps: time to first chunk (ms), in the timed runs above`,
    unit: "ms",
    fxchain: round(first("fxchain"), 3),
    langchain: round(first("langchain"), 3),
    plain: round(first("plain"), 3),
    ratio: null,
    ratioOf: "",
    target: "<= 1 ms",
    met: first("fxchain") <= 1
  },
  {
    workload: `stream ${chunks} chunks through 3 steps: time to first chunk (ms), ${firstChunkRuns} fresh streams each stopped after it`,
    unit: "ms",
    fxchain: round(firstAlone("fxchain"), 3),
    langchain: round(firstAlone("langchain"), 3),
    plain: round(firstAlone("plain"), 3),
    ratio: null,
    ratioOf: "",
    target: "<= 1 ms",
    met: firstAlone("fxchain") <= 1,
    details: { samples: firstSamples }
  },
  {
    workload: `stream ${chunks} chunks, one item per Effect chunk (a model's tokens): million chunks/s; ratio: time over the same 3 steps as a plain Effect stream (${round(rate("effectItemByItem"), 3)} M/s)`,
    unit: "M chunks/s",
    fxchain: round(rate("fxchainItemByItem"), 3),
    langchain: round(rate("langchain"), 3),
    plain: round(rate("plain")),
    ratio: round(itemOverEffect, 2),
    ratioOf: "fxchain time / plain Effect stream time",
    target: "<= 1.25x the plain Effect stream; >= 2x LangChain's chunks/s",
    met: itemOverEffect <= 1.25 && itemOverLangchain >= 2,
    details: {
      ...samplesOf("fxchainItemByItem", "effectItemByItem"),
      firstChunkMillis: round(first("fxchainItemByItem"), 3),
      fxchainOverLangchain: round(itemOverLangchain, 2)
    }
  },
  {
    workload: `stream ${chunks} chunks, 4,096 items per Effect chunk: time over the same 3 steps as a plain Effect stream (${round(rate("effect"))} M/s)`,
    unit: "x",
    fxchain: round(chunkedOverEffect, 2),
    langchain: null,
    plain: null,
    ratio: round(chunkedOverEffect, 2),
    ratioOf: "fxchain time / plain Effect stream time",
    target: "-",
    met: null,
    details: samplesOf("effect")
  },
  {
    workload: `streamEvents over the 3-step stream, drained: µs per chunk (fxchain ${chunks} chunks, LangChain ${langchainEventChunks})`,
    unit: "µs/op",
    fxchain: round(perChunk("fxchainEvents")),
    langchain: round(perChunk("langchainEvents")),
    plain: null,
    ratio: round(eventsSpeedup, 1),
    ratioOf: "LangChain / fxchain",
    target: ">= 10x faster",
    met: eventsSpeedup >= 10,
    details: samplesOf("fxchainEvents", "langchainEvents")
  },
  {
    workload: `streamEvents over the 3-step stream: time / the plain stream's (${round(millis("fxchainEvents"), 1)} ms / ${round(millis("fxchain"), 1)} ms)`,
    unit: "x",
    fxchain: round(eventsOverStream, 1),
    langchain: round(millis("langchainEvents") / ((millis("langchain") * langchainEventChunks) / chunks), 1),
    plain: null,
    ratio: round(eventsOverStream, 1),
    ratioOf: "fxchain streamEvents / fxchain stream",
    target: "<= 1.5x",
    met: eventsOverStream <= 1.5
  },
  {
    workload: "streamEvents, one item per Effect chunk (extra): µs per chunk; time / its plain stream's",
    unit: "µs/op",
    fxchain: round(perChunk("fxchainEventsItemByItem")),
    langchain: round(perChunk("langchainEvents")),
    plain: null,
    ratio: round(itemEventsOverStream, 2),
    ratioOf: "fxchain streamEvents / fxchain stream",
    target: "<= 1.5x; >= 10x faster than LangChain",
    met: itemEventsOverStream <= 1.5 && itemEventsSpeedup >= 10,
    details: { ...samplesOf("fxchainEventsItemByItem"), langchainOverFxchain: round(itemEventsSpeedup, 2) }
  }
]

report({
  workload: "streaming",
  rows,
  notes: [
    `Medians of ${rounds} runs (${slowRounds} for the one-item-per-chunk stream and every streamEvents run), the variants taking ` +
    "turns after a checked warm-up of each on a tenth of the size; every run checks the sum of what it streamed.",
    `Sizes: ${chunks} chunks for every variant but LangChain's streamEvents (${langchainEventChunks}: ` +
    `${round(millis("langchainEvents"))} ms for them); streamEvents is compared per chunk. LangChain's stream of ${chunks} ` +
    `took ${round(millis("langchain"))} ms, async generators ${round(millis("plain"), 1)} ms, fxchain ${round(millis("fxchain"), 1)} ms ` +
    `(one item per Effect chunk: ${round(millis("fxchainItemByItem"))} ms).`,
    "Events per run: 4 x (chunks + 2) in both libraries (a Streamed event per chunk of the sequence and of each of its 3 steps, " +
    "plus Started and Ended each); the LangChain column of the 'time / plain stream' row is its streamEvents time over its " +
    "stream time scaled to the same chunk count.",
    `fxchain's consumer is \`Stream.runForEachChunk\` visiting every item; the others \`for await\` every item. ` +
    `Time to first chunk, one item per Effect chunk: ${round(first("fxchainItemByItem"), 3)} ms. The second time-to-first-chunk ` +
    `row times ${firstChunkRuns} fresh streams per variant in turn, each stopped after its first chunk (\`Stream.take(1)\`, ` +
    "`break`), the first tenth discarded as warm-up."
  ],
  seconds: round((performance.now() - began) / 1000, 1)
})

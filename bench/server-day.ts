/**
 * A streaming server's day (issue 13): 1,000 concurrent streams of 200 tokens each through
 * prompt → model → parser, on a fake model with no latency, so that only the pipeline's own work
 * is measured. Reported: CPU time per token (`process.cpuUsage`, user + system, of this process)
 * and wall time.
 *
 * - fxchain: `Fx.sequence(PromptTemplate.make("Tell me about {topic}"), Model.fromLanguageModel(),
 *   OutputParser.string)` over `FakeModel.layer` (200 tokens per answer, no latency), built once
 *   into a `ManagedRuntime`; the 1,000 streams drained at once (`Effect.forEach`, unbounded).
 * - LangChain (@langchain/core, tracing off): `PromptTemplate.fromTemplate(...)` piped into
 *   `FakeListChatModel` (which streams its answer one character per chunk: a 200-character
 *   answer) and `StringOutputParser`; the 1,000 `.stream(...)` iterated at once (`Promise.all`).
 * - async generators: the template as a function, the model as an async generator of 200 chunks,
 *   the parser as an async generator over them; the 1,000 iterated at once.
 *
 * Every variant checks that each stream delivered all 200 tokens.
 */
import { FakeModel, Model, OutputParser, PromptTemplate } from "@fxchain/adapters"
import * as Fx from "@fxchain/combinators"
import { Runnable } from "@fxchain/core"
import { Effect, ManagedRuntime, Stream } from "effect"
import { collectGarbage, disableLangChainTracing, log, median, report, round, type Row } from "./harness.js"

disableLangChainTracing()
const { FakeListChatModel } = await import("@langchain/core/utils/testing")
const { PromptTemplate: LcPromptTemplate } = await import("@langchain/core/prompts")
const { StringOutputParser } = await import("@langchain/core/output_parsers")

const began = performance.now()
const quick = process.argv.includes("--quick")
const streams = quick ? 100 : 1_000
const tokens = 200
const rounds = quick ? 3 : 7

// -----------------------------------------------------------------------------
// the three pipelines
// -----------------------------------------------------------------------------

const fxChain = Fx.sequence(PromptTemplate.make("Tell me about {topic}"), Model.fromLanguageModel(), OutputParser.string)
const runtime = ManagedRuntime.make(FakeModel.layer({ responses: "t ".repeat(tokens).trimEnd() }))

const fxchainDay = async (count: number): Promise<number> => {
  const lengths = await runtime.runPromise(
    Effect.forEach(
      Array.from({ length: count }, (_, index) => index),
      (index) =>
        Stream.runFold(Runnable.stream(fxChain, { topic: `topic ${index}` }), 0, (chunks, text) => chunks + (text === "" ? 0 : 1)),
      { concurrency: "unbounded" }
    )
  )
  return lengths.reduce((sum, length) => sum + length, 0)
}

const lcChain = LcPromptTemplate.fromTemplate("Tell me about {topic}")
  .pipe(new FakeListChatModel({ responses: ["t".repeat(tokens)] }))
  .pipe(new StringOutputParser())

const langchainDay = async (count: number): Promise<number> => {
  const lengths = await Promise.all(Array.from({ length: count }, async (_, index) => {
    let chunks = 0
    for await (const text of await lcChain.stream({ topic: `topic ${index}` })) if (text !== "") chunks++
    return chunks
  }))
  return lengths.reduce((sum, length) => sum + length, 0)
}

const template = (values: { readonly topic: string }) => `Tell me about ${values.topic}`
async function* model(_prompt: string): AsyncGenerator<{ readonly content: string }> {
  for (let index = 0; index < tokens; index++) yield { content: "t " }
}
async function* parser(chunks: AsyncIterable<{ readonly content: string }>): AsyncGenerator<string> {
  for await (const chunk of chunks) yield chunk.content
}
const plainDay = async (count: number): Promise<number> => {
  const lengths = await Promise.all(Array.from({ length: count }, async (_, index) => {
    let chunks = 0
    for await (const text of parser(model(template({ topic: `topic ${index}` })))) if (text !== "") chunks++
    return chunks
  }))
  return lengths.reduce((sum, length) => sum + length, 0)
}

// -----------------------------------------------------------------------------
// measurement
// -----------------------------------------------------------------------------

const variants = { fxchain: fxchainDay, langchain: langchainDay, plain: plainDay }
type Name = keyof typeof variants

interface Sample {
  readonly cpuMicrosPerToken: number
  readonly wallMillis: number
}

const measure = async (name: Name, count: number): Promise<Sample> => {
  collectGarbage()
  const cpu = process.cpuUsage()
  const start = performance.now()
  const delivered = await variants[name](count)
  const wallMillis = performance.now() - start
  const used = process.cpuUsage(cpu)
  if (delivered !== count * tokens) throw new Error(`${name}: ${delivered} tokens, expected ${count * tokens}`)
  return { cpuMicrosPerToken: (used.user + used.system) / (count * tokens), wallMillis }
}

for (const name of Object.keys(variants) as Array<Name>) await measure(name, Math.max(10, streams / 10))

const samples = { fxchain: [] as Array<Sample>, langchain: [] as Array<Sample>, plain: [] as Array<Sample> }
for (let round_ = 0; round_ < rounds; round_++) {
  for (const name of Object.keys(variants) as Array<Name>) {
    const sample = await measure(name, streams)
    samples[name].push(sample)
    log(`${name}: ${sample.cpuMicrosPerToken.toFixed(2)} µs CPU per token, ${sample.wallMillis.toFixed(0)} ms`)
  }
}
await runtime.dispose()

const cpuPerToken = (name: Name) => median(samples[name].map((sample) => sample.cpuMicrosPerToken))
const wall = (name: Name) => median(samples[name].map((sample) => sample.wallMillis))
const overLangchain = cpuPerToken("fxchain") / cpuPerToken("langchain")

const rows: Array<Row> = [
  {
    workload: `a streaming server's day: ${streams} concurrent streams x ${tokens} tokens, prompt → model → parser on a fake model, CPU µs per token`,
    unit: "µs/op",
    fxchain: round(cpuPerToken("fxchain")),
    langchain: round(cpuPerToken("langchain")),
    plain: round(cpuPerToken("plain")),
    ratio: round(overLangchain),
    ratioOf: "fxchain / LangChain",
    target: "<= 0.5x LangChain's",
    met: overLangchain <= 0.5,
    details: { samples, wallMillis: { fxchain: wall("fxchain"), langchain: wall("langchain"), plain: wall("plain") } }
  }
]

report({
  workload: "server-day",
  rows,
  notes: [
    `Medians of ${rounds} rounds, the variants taking turns after a warm-up of each on a tenth of the streams; every round checks ` +
    `that each stream delivered its ${tokens} tokens. CPU is this process's user + system time (the fake models run in it). ` +
    `Wall time for the ${streams} streams: fxchain ${round(wall("fxchain"))} ms, LangChain ${round(wall("langchain"))} ms, ` +
    `async generators ${round(wall("plain"))} ms.`,
    "LangChain's FakeListChatModel streams its answer one character per chunk, so its answer is 200 characters; " +
    "fxchain's FakeModel streams one word per chunk, so its answer is 200 words: 200 chunks each."
  ],
  seconds: round((performance.now() - began) / 1000, 1)
})

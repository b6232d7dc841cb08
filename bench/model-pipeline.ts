/**
 * prompt → model → string parser, streamed from a loopback chat-completions server that answers
 * 2,000 tokens in the real SSE wire format with no delay (bench/chat-server.ts, in a child
 * process, so that its work never runs on this process's event loop):
 *
 * - fxchain: `Fx.sequence(PromptTemplate.make(...), Model.fromLanguageModel(), OutputParser.string)`
 *   over `ChatCompletions.layer({ apiUrl, model, apiKey })` with `NodeHttpClient.layerUndici`,
 *   built once into a `ManagedRuntime` (one HTTP client for every call, as one `ChatOpenAI`
 *   instance is reused), each call `runtime.runPromise(Stream.runForEachChunk(Runnable.stream(chain, input), ...))`;
 * - LangChain: `PromptTemplate.fromTemplate(...).pipe(new ChatOpenAI({ configuration: { baseURL },
 *   apiKey: "test", maxRetries: 0 })).pipe(new StringOutputParser())`, each call
 *   `for await (const text of await chain.stream(input))` (tracing off);
 * - the floor: a bare `fetch` of the same request whose body is read to its end as bytes (no SSE
 *   parsing, no pipeline): the server's time plus loopback HTTP.
 *
 * Client-side overhead per token = (median time of a call − the floor's) / 2,000: what the client
 * adds on top of receiving the bytes. The server is the same process, the same bytes and the same
 * loopback for all three, so the subtraction is the same for both clients. Also reported: the
 * client process's CPU time per token (`process.cpuUsage`; the server's CPU is in another
 * process) and the time to first token (call start → first parsed string chunk in the consumer).
 * Extra row: the fxchain pipeline over `@effect/platform`'s `FetchHttpClient` (the same
 * `fetch` LangChain's OpenAI client uses), to tell the HTTP client's share from the pipeline's.
 */
import type { Runnable as RunnableNs } from "@fxchain/core"
import { ChatCompletions, Model, OutputParser, PromptTemplate } from "@fxchain/adapters"
import * as Fx from "@fxchain/combinators"
import { Runnable } from "@fxchain/core"
import { Effect, Layer, ManagedRuntime, Redacted, Stream } from "effect"
import { type ChildProcess, fork } from "node:child_process"
import { readFileSync } from "node:fs"
import { createRequire } from "node:module"
import { dirname, join } from "node:path"
import { fileURLToPath, pathToFileURL } from "node:url"
import { tokensOf } from "./chat-server.js"
import { disableLangChainTracing, log, median, report, round, type Row } from "./harness.js"

disableLangChainTracing()
const { ChatOpenAI } = await import("@langchain/openai")
const { PromptTemplate: LcPromptTemplate } = await import("@langchain/core/prompts")
const { StringOutputParser } = await import("@langchain/core/output_parsers")

const began = performance.now()
const quick = process.argv.includes("--quick")
const here = dirname(fileURLToPath(import.meta.url))
const tokenCount = 2_000
const callsPerRound = quick ? 3 : 12
const rounds = quick ? 3 : 5
const warmupCalls = quick ? 3 : 15

// -----------------------------------------------------------------------------
// the HTTP clients: @effect/platform(-node) are dependencies of @fxchain/adapters, not of the
// root package, so they are loaded from where @fxchain/adapters resolves them (the same `effect`)
// -----------------------------------------------------------------------------

type HttpClientService = Layer.Layer.Context<ReturnType<typeof ChatCompletions.layer>>

const fromAdapters = createRequire(join(here, "..", "packages", "adapters", "package.json"))
/** The ESM entry of `subpath` of a package, as @fxchain/adapters resolves it. */
const importFromAdapters = async (name: string, subpath: string): Promise<Record<string, unknown>> => {
  const packageJson = fromAdapters.resolve(`${name}/package.json`)
  const exports = (JSON.parse(readFileSync(packageJson, "utf8")) as {
    exports: Record<string, { readonly import: string }>
  }).exports
  const entry = exports[`./${subpath}`]
  if (entry === undefined) throw new Error(`${name} exports no ./${subpath}`)
  return (await import(pathToFileURL(join(dirname(packageJson), entry.import)).href)) as Record<string, unknown>
}
const NodeHttpClient = await importFromAdapters("@effect/platform-node", "NodeHttpClient")
const FetchHttpClient = await importFromAdapters("@effect/platform", "FetchHttpClient")
const LanguageModel = await importFromAdapters("@effect/ai", "LanguageModel")
const undiciLayer = NodeHttpClient["layerUndici"] as Layer.Layer<HttpClientService>
const fetchLayer = FetchHttpClient["layer"] as Layer.Layer<HttpClientService>
type LanguageModelService = Layer.Layer.Success<ReturnType<typeof ChatCompletions.layer>>
/** `@effect/ai`'s `LanguageModel.streamText`, typed as far as it is used here. */
const streamText = LanguageModel["streamText"] as (options: { readonly prompt: string }) => Stream.Stream<
  { readonly type: string; readonly delta?: string },
  unknown,
  LanguageModelService
>

// -----------------------------------------------------------------------------
// the server, in a child process
// -----------------------------------------------------------------------------

const server: ChildProcess = fork(join(here, "chat-server.ts"), [String(tokenCount)], {
  execArgv: ["--import", "tsx"],
  stdio: ["ignore", "ignore", "inherit", "ipc"]
})
const port = await new Promise<number>((resolve, reject) => {
  server.once("error", reject)
  server.once("exit", (code) => reject(new Error(`chat server exited (${code})`)))
  server.on("message", (message: { type: string; port?: number }) => {
    if (message.type === "listening") resolve(message.port!)
  })
})
const serverStats = () =>
  new Promise<Array<number>>((resolve) => {
    const onMessage = (message: { type: string; serverMillis?: Array<number> }) => {
      if (message.type !== "stats") return
      server.off("message", onMessage)
      resolve(message.serverMillis!)
    }
    server.on("message", onMessage)
    server.send({ type: "stats" })
  })
const apiUrl = `http://127.0.0.1:${port}/v1`
log(`chat server (child process ${server.pid}) on ${apiUrl}, ${tokenCount} tokens per answer`)

const expectedText = tokensOf(tokenCount).join("")
const template = "Tell me about {topic} in {style}"
const input = { topic: "tides", style: "two thousand words" }

// -----------------------------------------------------------------------------
// the pipelines
// -----------------------------------------------------------------------------

const chain = Fx.sequence(PromptTemplate.make(template), Model.fromLanguageModel(), OutputParser.string)
const modelLayer = (http: Layer.Layer<HttpClientService>) =>
  ChatCompletions.layer({ apiUrl, model: "test-model", apiKey: Redacted.make("test") }).pipe(Layer.provide(http))
const undiciRuntime = ManagedRuntime.make(modelLayer(undiciLayer))
const fetchRuntime = ManagedRuntime.make(modelLayer(fetchLayer))

const lcChain = LcPromptTemplate.fromTemplate(template)
  .pipe(new ChatOpenAI({ model: "test-model", apiKey: "test", configuration: { baseURL: apiUrl }, maxRetries: 0 }))
  .pipe(new StringOutputParser())

/** One call: resolves with the time to its first token (ms) and the text it streamed. */
type Call = () => Promise<{ readonly firstMillis: number; readonly text: string }>

type Runtime = ManagedRuntime.ManagedRuntime<RunnableNs.Runnable.Context<typeof chain>, never>
/** How many tokens the first Effect chunk reaching the consumer held, per call of `fxchain`. */
const firstChunkSizes: Array<number> = []

/** Drains a stream of text pieces on `runtime`, timing its first chunk. */
const drainText = <A>(runtime: Runtime, stream: Stream.Stream<A, unknown, LanguageModelService>, textOf: (a: A) => string) => async () => {
  const start = performance.now()
  let firstMillis = -1
  let text = ""
  let firstSize = 0
  await runtime.runPromise(
    Stream.runForEachChunk(stream, (chunk) =>
      Effect.sync(() => {
        if (firstMillis < 0) {
          firstMillis = performance.now() - start
          firstSize = chunk.length
        }
        for (const piece of chunk) text += textOf(piece)
      }))
  )
  return { firstMillis, text, firstSize }
}

const fxchainCall = (runtime: Runtime, record = false): Call => {
  const drain = drainText(runtime, Runnable.stream(chain, input), (piece: string) => piece)
  return async () => {
    const { firstMillis, firstSize, text } = await drain()
    if (record) firstChunkSizes.push(firstSize)
    return { firstMillis, text }
  }
}

// the breakdown: the model runnable alone, and @effect/ai's streamText with no runnable at all
const modelOnly = Model.fromLanguageModel()
const promptText = "Tell me about tides in two thousand words"
const modelOnlyCall: Call = drainText(undiciRuntime, Runnable.stream(modelOnly, promptText), (message) => message.text)
const streamTextCall: Call = drainText(
  undiciRuntime,
  streamText({ prompt: promptText }),
  (part) => (part.type === "text-delta" ? part.delta ?? "" : "")
)

const langchainCall: Call = async () => {
  const start = performance.now()
  let firstMillis = -1
  let text = ""
  for await (const piece of await lcChain.stream(input)) {
    if (firstMillis < 0) firstMillis = performance.now() - start
    text += piece
  }
  return { firstMillis, text }
}

/** The floor: the same request (as the fxchain client sends it) with `fetch`, the body read to its end as bytes. */
const requestBody = JSON.stringify({
  model: "test-model",
  messages: [{ role: "user", content: "Tell me about tides in two thousand words" }],
  stream: true,
  stream_options: { include_usage: true }
})
const rawCall: Call = async () => {
  const start = performance.now()
  let firstMillis = -1
  let bytes = 0
  const response = await fetch(`${apiUrl}/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: "Bearer test" },
    body: requestBody
  })
  const reader = response.body!.getReader()
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    if (firstMillis < 0) firstMillis = performance.now() - start
    bytes += value.byteLength
  }
  return { firstMillis, text: String(bytes) }
}

const variants = {
  fxchain: fxchainCall(undiciRuntime, true),
  fxchainFetch: fxchainCall(fetchRuntime),
  modelOnly: modelOnlyCall,
  streamText: streamTextCall,
  langchain: langchainCall,
  floor: rawCall
} satisfies Record<string, Call>
type Variant = keyof typeof variants

// sanity: both pipelines stream the whole answer
for (const name of ["fxchain", "fxchainFetch", "modelOnly", "streamText", "langchain"] as const) {
  const { text } = await variants[name]()
  if (text !== expectedText) throw new Error(`${name}: streamed ${text.length} characters, expected ${expectedText.length}: ${text.slice(0, 80)}`)
}

// -----------------------------------------------------------------------------
// measurement: warm-up, then rounds in which the variants take turns
// -----------------------------------------------------------------------------

for (const call of Object.values(variants)) for (let i = 0; i < warmupCalls; i++) await call()
await serverStats() // drop the warm-up's
firstChunkSizes.length = 0

interface Samples {
  readonly perCallMillis: Array<number>
  readonly cpuPerCallMillis: Array<number>
  readonly firstMillis: Array<number>
  readonly serverMillis: Array<number>
}
const samples = Object.fromEntries(
  Object.keys(variants).map((name) => [name, { perCallMillis: [], cpuPerCallMillis: [], firstMillis: [], serverMillis: [] }])
) as unknown as Record<Variant, Samples>

for (let round_ = 0; round_ < rounds; round_++) {
  for (const [name, call] of Object.entries(variants) as Array<[Variant, Call]>) {
    const cpuBefore = process.cpuUsage()
    const start = performance.now()
    for (let i = 0; i < callsPerRound; i++) samples[name].firstMillis.push((await call()).firstMillis)
    const millis = (performance.now() - start) / callsPerRound
    const cpu = process.cpuUsage(cpuBefore)
    samples[name].perCallMillis.push(millis)
    samples[name].cpuPerCallMillis.push((cpu.user + cpu.system) / 1000 / callsPerRound)
    samples[name].serverMillis.push(...(await serverStats()))
    log(`${name}: ${millis.toFixed(2)} ms per call`)
  }
}

server.disconnect()
await undiciRuntime.dispose()
await fetchRuntime.dispose()

// -----------------------------------------------------------------------------
// results
// -----------------------------------------------------------------------------

const perCall = (name: Variant) => median(samples[name].perCallMillis)
const floor = perCall("floor")
/** µs per token the client adds over the floor. */
const overhead = (name: Variant) => ((perCall(name) - floor) * 1000) / tokenCount
const cpuPerToken = (name: Variant) => (median(samples[name].cpuPerCallMillis) * 1000) / tokenCount
const first = (name: Variant) => median(samples[name].firstMillis)
const serverMedian = median(Object.values(samples).flatMap((s) => s.serverMillis))

const fxOverhead = overhead("fxchain")
const lcOverhead = overhead("langchain")
const lowerBy = lcOverhead / fxOverhead
const details = (name: Variant) => ({
  perCallMillis: samples[name].perCallMillis.map((x) => round(x, 3)),
  cpuPerCallMillis: samples[name].cpuPerCallMillis.map((x) => round(x, 3)),
  cpuMicrosPerToken: round(cpuPerToken(name), 2),
  firstTokenMillis: samples[name].firstMillis.map((x) => round(x, 3))
})

const rows: Array<Row> = [
  {
    workload: `model pipeline, ${tokenCount} streamed tokens: client overhead per token (µs) over a bare fetch of the same SSE body (${round(floor, 2)} ms per call)`,
    unit: "µs/op",
    fxchain: round(fxOverhead),
    langchain: round(lcOverhead),
    plain: null,
    ratio: round(lowerBy, 1),
    ratioOf: "LangChain / fxchain",
    target: ">= 3x lower",
    met: lowerBy >= 3,
    details: {
      fxchain: details("fxchain"),
      langchain: details("langchain"),
      floor: details("floor"),
      fxchainFetch: details("fxchainFetch"),
      modelOnly: details("modelOnly"),
      streamText: details("streamText"),
      serverMillisPerCall: round(serverMedian, 3),
      fxchainFirstChunkTokens: firstChunkSizes
    }
  },
  {
    workload: "model pipeline: time per call (ms), the whole 2,000-token stream",
    unit: "ms",
    fxchain: round(perCall("fxchain")),
    langchain: round(perCall("langchain")),
    plain: null,
    ratio: round(perCall("langchain") / perCall("fxchain"), 1),
    ratioOf: "LangChain / fxchain",
    target: "-",
    met: null
  },
  {
    workload: "model pipeline: client CPU time per token (µs; the server runs in another process)",
    unit: "µs/op",
    fxchain: round(cpuPerToken("fxchain")),
    langchain: round(cpuPerToken("langchain")),
    plain: null,
    ratio: round(cpuPerToken("langchain") / cpuPerToken("fxchain"), 1),
    ratioOf: "LangChain / fxchain",
    target: "-",
    met: null
  },
  {
    workload: "model pipeline: time to first token (ms)",
    unit: "ms",
    fxchain: round(first("fxchain"), 3),
    langchain: round(first("langchain"), 3),
    plain: null,
    ratio: round(first("langchain") / first("fxchain"), 1),
    ratioOf: "LangChain / fxchain",
    target: "-",
    met: null
  },
  {
    workload: "model pipeline over `FetchHttpClient` instead of undici (extra): client overhead per token (µs)",
    unit: "µs/op",
    fxchain: round(overhead("fxchainFetch")),
    langchain: round(lcOverhead),
    plain: null,
    ratio: round(lcOverhead / overhead("fxchainFetch"), 1),
    ratioOf: "LangChain / fxchain",
    target: "-",
    met: null
  },
  {
    workload: `model pipeline breakdown (extra): client overhead per token (µs) of \`LanguageModel.streamText\` alone, no runnable (model runnable alone: ${round(overhead("modelOnly"))} µs; whole pipeline: ${round(fxOverhead)} µs)`,
    unit: "µs/op",
    fxchain: round(overhead("streamText")),
    langchain: round(lcOverhead),
    plain: null,
    ratio: round(fxOverhead / overhead("streamText"), 2),
    ratioOf: "whole fxchain pipeline / streamText alone",
    target: "-",
    met: null
  }
]

report({
  workload: "model-pipeline",
  rows,
  notes: [
    `Server: node:http in a child process on 127.0.0.1, ${tokenCount} tokens (one SSE event each, written with no delay) ` +
    `plus role, stop, usage and [DONE] events; its own time per call (last request byte to response finish) was ${round(serverMedian, 2)} ms.`,
    `Floor (bare fetch, body read as bytes): ${round(floor, 2)} ms per call, first bytes after ${round(first("floor"), 2)} ms; ` +
    `client CPU ${round(cpuPerToken("floor"), 2)} µs per token.`,
    `Overhead per token = (median ms per call − floor) / ${tokenCount}; medians of ${rounds} rounds of ${callsPerRound} sequential calls, ` +
    `the variants taking turns, after ${warmupCalls} warm-up calls each; time to first token is the median over all timed calls.`,
    `fxchain over FetchHttpClient: ${round(perCall("fxchainFetch"), 2)} ms per call, first token ${round(first("fxchainFetch"), 2)} ms, ` +
    `CPU ${round(cpuPerToken("fxchainFetch"), 2)} µs per token.`,
    `Breakdown over undici, time to first token / client CPU per token: \`LanguageModel.streamText\` drained directly ` +
    `${round(first("streamText"), 2)} ms / ${round(cpuPerToken("streamText"), 2)} µs; \`Runnable.stream\` of the model runnable alone ` +
    `${round(first("modelOnly"), 2)} ms / ${round(cpuPerToken("modelOnly"), 2)} µs; the whole pipeline ` +
    `${round(first("fxchain"), 2)} ms / ${round(cpuPerToken("fxchain"), 2)} µs.`,
    `The first Effect chunk reaching fxchain's consumer held a median of ${median(firstChunkSizes)} tokens ` +
    `(min ${Math.min(...firstChunkSizes)}, max ${Math.max(...firstChunkSizes)}): the provider decodes each network read into one chunk, ` +
    "so its first token arrives with the rest of that read; LangChain's client yields event by event."
  ],
  seconds: round((performance.now() - began) / 1000, 1)
})

/**
 * Samples for docs/streaming.md: stream, transform, streaming through a sequence, streamEvents,
 * streamBatch and the JSON parser's partial values.
 */
import { FakeModel, Model, OutputParser, PromptTemplate } from "@fxchain/adapters"
import * as Fx from "@fxchain/combinators"
import { Runnable } from "@fxchain/core"
import { Effect, Stream } from "effect"

// --- a model, answered by a fake LanguageModel: the first token after 500 ms, then one every 100 ms
export const model = Model.fromLanguageModel()

export const FakeLive = FakeModel.layer({
  responses: (prompt) =>
    FakeModel.lastUserText(prompt).includes("scopes") ? "Scopes close what they open" : "Fibers are cheap threads",
  firstTokenLatency: "500 millis",
  tokenLatency: "100 millis"
})

// Stream<Model.Message, AiError, LanguageModel>: { text: "Fibers " } at 500 ms, "are " at 600 ms,
// "cheap " at 700 ms, "threads" at 800 ms, then a last chunk with the finish reason and usage
export const messages = Runnable.stream(model, "What is a fiber?")

// --- consuming a stream: each chunk as it arrives
export const printed = Runnable.stream(model, "What is a fiber?").pipe(
  Stream.runForEach((chunk) => Effect.sync(() => process.stdout.write(chunk.text)))
)

// --- transform: a runnable over a stream of inputs
const pieces = Stream.make("red, gr", "een, blue")
export const colours = Runnable.transform(OutputParser.list(), pieces) // ["red"], ["green"], ["blue"]
const length = Runnable.sync((text: string) => text.length, { name: "length" })
export const gathered = Runnable.transform(length, pieces) // 16: no transform of its own, so it gathers first

// --- streaming through a sequence: the parser yields each token while the model still answers
export const explain = Fx.sequence(PromptTemplate.make("Explain {topic} in one line"), model, OutputParser.string)

export const tokens = Runnable.stream(explain, { topic: "fibers" }) // "Fibers " at 500 ms, ... "threads" at 800 ms
export const answer = Runnable.invoke(explain, { topic: "fibers" }) // "Fibers are cheap threads" at 800 ms

// a step without `transform` gathers its input: streaming stops there
export const shouted = Runnable.stream(
  Fx.sequence(explain, Runnable.sync((text: string) => text.toUpperCase(), { name: "shout" })),
  { topic: "fibers" }
) // one chunk, "FIBERS ARE CHEAP THREADS", at 800 ms

// --- streamEvents: what every run in the sequence does, as it happens
export const timeline = Runnable.streamEvents(explain, { topic: "fibers" }, { includeKinds: ["model", "parser"] }).pipe(
  Stream.map((event) => {
    const chunk = event._tag === "Streamed" && typeof event.chunk === "string" ? ` ${JSON.stringify(event.chunk)}` : ""
    return `${event.timestamp} ms ${event._tag} ${event.name}${chunk}`
  })
)

// --- streamBatch: several inputs streamed at once, each chunk tagged with its input's index
export const both = Runnable.streamBatch(explain, [{ topic: "fibers" }, { topic: "scopes" }], { concurrency: 2 })
// [0, "Fibers "] and [1, "Scopes "] at 500 ms, [0, "are "] and [1, "close "] at 600 ms, ...

// each input's text so far, after every chunk: what a UI showing both answers renders
export const progress = both.pipe(
  Stream.scan(["", ""], (texts, [index, chunk]) => texts.map((text, at) => at === index ? text + chunk : text))
) // ..., ["Fibers are cheap threads", "Scopes close what they open"]

// --- JSON while it arrives
export const JsonLive = FakeModel.layer({
  responses: "{\"city\": \"Paris\", \"tags\": [\"old\", \"big\"]}",
  firstTokenLatency: "500 millis",
  tokenLatency: "100 millis"
}) // tokens: `{"city": `, `"Paris", `, `"tags": `, `["old", `, `"big"]}`

export const cityCard = Fx.sequence(PromptTemplate.make("Describe {city} as JSON"), model, OutputParser.json())

// what json() yields: differences, which the concat rule combines into the value
export const differences = Runnable.stream(cityCard, { city: "Paris" })
// {} at 500 ms, { city: "Paris" } at 600 ms, { tags: ["old"] } at 800 ms, { tags: ["big"] } at 900 ms

// accumulate: the value so far after each chunk, as LangChain's JsonOutputParser streams it
export const partials = Runnable.stream(cityCard, { city: "Paris" }).pipe(OutputParser.accumulate)
// {}, { city: "Paris" }, { city: "Paris", tags: ["old"] }, { city: "Paris", tags: ["old", "big"] }

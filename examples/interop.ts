/**
 * Samples for docs/interop.md: LangChain.js inside fxchain, fxchain inside LangChain.js, and the
 * Promise facade's LangChain events. OpenTelemetry is in examples/telemetry.ts.
 */
import { FakeModel, Model, OutputParser, PromiseRunnable, PromptTemplate } from "@fxchain/adapters"
import { fromLangChain, promptFromLangChain, promptToLangChain, toLangChain } from "@fxchain/adapters/langchain"
import * as Fx from "@fxchain/combinators"
import { Runnable } from "@fxchain/core"
import { StringOutputParser } from "@langchain/core/output_parsers"
import { ChatPromptTemplate } from "@langchain/core/prompts"
import { RunnableLambda, RunnableSequence } from "@langchain/core/runnables"
import { FakeListChatModel } from "@langchain/core/utils/testing"
import { Effect } from "effect"

// --- LangChain inside fxchain: an existing LCEL chain becomes a step
const lcChain = ChatPromptTemplate.fromTemplate("Tell me about {topic}")
  .pipe(new FakeListChatModel({ responses: ["Fibers are cheap threads"] }))
  .pipe(new StringOutputParser())

export const explain = fromLangChain(lcChain, { name: "explain" }) // Runnable<{ topic: any }, string, LangChainError>

// and gets fxchain's policies: a deadline that aborts the LangChain call, retries, bounded batches
export const explainAll = Fx.each(explain.pipe(Fx.timeout("30 seconds"), Fx.retry({ times: 2 })), { concurrency: 4 })
// invoke(explainAll, [{ topic: "fibers" }, { topic: "scopes" }]): ["Fibers are cheap threads", "Fibers are cheap threads"]

// a rejection is a typed LangChainError holding what the LangChain runnable rejected with
const quota = RunnableLambda.from((_: string): string => {
  throw new Error("quota exceeded")
})
export const checked = Runnable.invoke(fromLangChain(quota, { name: "quota" }), "hi").pipe(
  Effect.catchTag("LangChainError", (error) => Effect.succeed(`${error.runnable} failed, cause: ${String(error.cause)}`))
) // "quota failed, cause: Error: quota exceeded"

// --- fxchain inside LangChain: a real @langchain/core Runnable, here an fxchain pipeline on a FakeModel
const triage = Fx.sequence(PromptTemplate.make("Which team handles: {ticket}"), Model.fromLanguageModel(), OutputParser.string)

export const lcTriage = toLangChain(triage, { layer: FakeModel.layer({ responses: "billing" }) })

export const routeTicket = RunnableSequence.from([
  RunnableLambda.from((ticket: string) => ({ ticket: ticket.trim() })),
  lcTriage,
  RunnableLambda.from((team: string) => `routed to ${team}`)
])
// await routeTicket.invoke("  I was charged twice ", { signal }): "routed to billing"
// when the app shuts down: await lcTriage.dispose()

// LangChain's streamEvents (and callbacks) see the fxchain runs inside: a LangChain UI shows the tokens
export async function triageTokens(ticket: string): Promise<Array<unknown>> {
  const tokens: Array<unknown> = []
  for await (const event of routeTicket.streamEvents(ticket, { version: "v2" })) {
    if (event.event === "on_chat_model_stream") tokens.push(event.data.chunk.content) // an AIMessageChunk
  }
  return tokens // ["billing"]
}

// --- messages both ways: a LangChain prompt feeds an fxchain model, an fxchain prompt a LangChain model
export const lcPromptFxModel = Fx.sequence(
  fromLangChain(ChatPromptTemplate.fromMessages([["system", "Answer in one word"], ["human", "{question}"]])),
  Runnable.sync(promptFromLangChain), // ChatPromptValue -> Prompt
  Model.fromLanguageModel()
)

export const fxPromptLcModel = Fx.sequence(
  PromptTemplate.chat([["system", "Answer in one word"], ["user", "{question}"]]),
  Runnable.sync(promptToLangChain), // Prompt -> [SystemMessage, HumanMessage]
  fromLangChain(new FakeListChatModel({ responses: ["Fibers"] }))
)

// --- the Promise facade speaks LangChain's v2 events, for a UI written against them
export const explainApi = PromiseRunnable.make(
  Fx.sequence(PromptTemplate.make("Explain {topic}"), Model.fromLanguageModel(), OutputParser.string),
  { layer: FakeModel.layer({ responses: "Fibers are cheap threads" }) }
)

export async function parserTokens(topic: string): Promise<Array<unknown>> {
  const tokens: Array<unknown> = []
  for await (const event of explainApi.streamEvents({ topic }, { version: "v2", includeTypes: ["parser"] })) {
    if (event.event === "on_parser_stream") tokens.push(event.data.chunk)
  }
  return tokens // ["Fibers ", "are ", "cheap ", "threads"]
}

// the same events as Server-Sent Events, for an HTTP handler (LangChain's text/event-stream encoding)
export const explainResponse = (topic: string): Response =>
  new Response(ReadableStream.from(explainApi.streamEvents({ topic }, { version: "v2", encoding: "text/event-stream" })), {
    headers: { "content-type": "text/event-stream" }
  })
// body: "event: data\ndata: {\"event\":\"on_chain_start\",...}\n\n" ... "event: end\n\n"

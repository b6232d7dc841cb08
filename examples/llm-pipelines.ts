/**
 * Samples for docs/llm-pipelines.md: models, prompt templates, parsers, FakeModel, retries on
 * rate limits and the chat-completions provider. No network: every model here is a FakeModel.
 */
import { ChatCompletions, FakeModel, Model, OutputParser, PromptTemplate } from "@fxchain/adapters"
import * as Fx from "@fxchain/combinators"
import { Runnable } from "@fxchain/core"
import { Effect, Schema } from "effect"

// --- a model: any @effect/ai LanguageModel in the context answers it
export const model = Model.fromLanguageModel() // Runnable<Prompt.RawInput, Model.Message, AiError, LanguageModel>

export const hello = Runnable.invoke(model, "Say hello").pipe(Effect.provide(FakeModel.layer({ responses: "Hello brave world" })))
// { text: "Hello brave world", toolCalls: [], finishReason: "stop", usage: { inputTokens: 2, outputTokens: 3, totalTokens: 5 } }

// --- prompts: the variables are read from the template's type
export const summaryPrompt = PromptTemplate.make("Summarize this ticket in {words} words: {ticket}")
// Runnable<{ words: string; ticket: string }, Prompt.Prompt, MissingVariableError | UnrenderableValueError>

export const shortSummaryPrompt = PromptTemplate.partial(summaryPrompt, { words: "five" }) // { ticket, words? }

export const triagePrompt = PromptTemplate.chat([
  ["system", "You triage support tickets for {product}. Answer in JSON: {{\"category\": ..., \"urgency\": ...}}"],
  PromptTemplate.placeholder("history", { optional: true }),
  ["user", "{ticket}"]
]) // Runnable<{ product: string; ticket: string; history?: Prompt.RawInput }, Prompt.Prompt, ...>

// --- a pipeline: prompt -> model -> parser, typed end to end
export const Triage = Schema.Struct({
  category: Schema.Literal("billing", "bug", "question"),
  urgency: Schema.Literal("low", "high")
})

export const triage = Fx.sequence(triagePrompt, model, OutputParser.schema(Triage))
// Runnable<{ product: string; ticket: string; history?: ... }, { category: ...; urgency: ... }, MissingVariableError
//   | InvalidVariableError | UnrenderableValueError | AiError | ParseFailure | SchemaError, LanguageModel>

// --- FakeModel in a test: scripted answers, and the prompts it received
export const triageTest = Effect.gen(function*() {
  const fake = yield* FakeModel.make({
    responses: "{\"category\": \"billing\", \"urgency\": \"high\"}"
  })
  const result = yield* Runnable.invoke(triage, { product: "Acme Cloud", ticket: "I was charged twice" }).pipe(
    Effect.provide(fake.layer)
  )
  const [prompt] = yield* fake.prompts
  return { result, asked: FakeModel.lastUserText(prompt!) } // { category: "billing", urgency: "high" }, "I was charged twice"
})

// --- rate limits: a 429 carries the server's retry-after, and Fx.retry waits for it
export const patientModel = model.pipe(
  Fx.retry({ while: (error) => error._tag === "HttpResponseError" && error.response.status === 429 })
)
export const RateLimitedLive = FakeModel.layer({ responses: "Hello", failures: { first: 2, retryAfter: "3 seconds" } })
// invoke(patientModel, "Hi") with RateLimitedLive answers at 6 s: two 429s, each followed by a 3 s wait

// --- the chat-completions provider: any OpenAI-compatible server
// configured from FXCHAIN_OPENAI_BASE_URL, FXCHAIN_OPENAI_API_KEY (optional) and FXCHAIN_MODEL
export const ModelFromEnv = ChatCompletions.layerConfig() // Layer<LanguageModel, ConfigError, HttpClient>

// or configured in code, with sampling settings sent in every request body
export const LocalModel = ChatCompletions.layer({
  apiUrl: "http://localhost:11434/v1",
  model: "llama3.2",
  extraBody: { temperature: 0 }
}) // Layer<LanguageModel, never, HttpClient>

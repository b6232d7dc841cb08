/** Samples for docs/coordination.md: rateLimit, withRateLimiter, cached, withSchema, alternatives, withListeners. */
import * as Fx from "@fxchain/combinators"
import { Runnable, Testing } from "@fxchain/core"
import { Clock, Data, Effect, RateLimiter, Schema } from "effect"

// --- rate limits: a model that takes 1 s per call
export const modelProbe = Testing.makeProbe()
const model = Testing.scripted({
  name: "model",
  latency: "1 second",
  respond: (prompt: string) => `answer to ${prompt}`,
  probe: modelProbe
})

// at most 2 calls start per second, however many the batch runs at once
export const limitedBatch = Effect.scoped(
  Effect.gen(function*() {
    const limited = yield* Fx.rateLimit(model, { limit: 2, interval: "1 second" })
    return yield* Runnable.batch(limited, ["a", "b", "c", "d", "e"], { concurrency: 5 }) // start at 0, 0, 1, 1, 2 s
  })
)

// LangChain's InMemoryRateLimiter(requests_per_second=0.5, max_bucket_size=2) is a token bucket
export const bursty = Effect.scoped(
  Effect.gen(function*() {
    const limited = yield* Fx.rateLimit(model, { limit: 2, interval: "4 seconds", algorithm: "token-bucket" })
    return yield* Runnable.batch(limited, ["a", "b", "c", "d"]) // start at 0, 0, 2, 4 s
  })
)

// one limiter for the provider, shared by two runnables: 10 tokens per minute (a word is a token here)
const toSummary = Testing.scripted({ name: "summarize", latency: "1 second", respond: (text: string) => `tl;dr ${text}` })
const toFrench = Testing.scripted({ name: "translate", latency: "1 second", respond: (text: string) => `fr: ${text}` })

export const sharedLimit = Effect.scoped(
  Effect.gen(function*() {
    const provider = yield* RateLimiter.make({ limit: 10, interval: "1 minute", algorithm: "fixed-window" })
    const tokens = { cost: (text: string) => text.split(" ").length }
    const summarize = toSummary.pipe(Fx.withRateLimiter(provider, tokens))
    const translate = Fx.withRateLimiter(toFrench, provider, tokens)
    return yield* Effect.all([
      Runnable.invoke(summarize, "the customer cannot log in since Monday"), // 7 tokens: starts at once
      Runnable.batch(translate, ["good morning", "thank you for waiting"]) // 2 tokens at once; 4 wait for 1 minute
    ], { concurrency: "unbounded" })
  })
)

// --- cached: an embedding service, 1 s per call
export const embedProbe = Testing.makeProbe()
const embedder = Testing.scripted({
  name: "embed",
  latency: "1 second",
  respond: (text: string) => [text.length, text.split(" ").length],
  probe: embedProbe
})

export const embeddings = Effect.scoped(
  Effect.gen(function*() {
    const embed = yield* Fx.cached(embedder, { capacity: 1_000, timeToLive: "1 hour" })
    const first = yield* Runnable.batch(embed, ["hello world", "hello world", "fibers"]) // 2 runs, done at 1 s
    const again = yield* Runnable.invoke(embed, "hello world") // from the cache, at once
    yield* Effect.sleep("2 hours")
    const later = yield* Runnable.invoke(embed, "hello world") // expired: runs again, done 1 s later
    return { first, again, later }
  })
)

// failures are not cached
export class SearchDown extends Data.TaggedError("SearchDown") {}
export const searchProbe = Testing.makeProbe()
const search = Testing.scripted({
  name: "search",
  latency: "1 second",
  respond: (query: string) => [`a page about ${query}`],
  fail: (_, call) => call === 0 ? new SearchDown() : undefined,
  probe: searchProbe
})

export const searches = Effect.scoped(
  Effect.gen(function*() {
    const cachedSearch = yield* Fx.cached(search, { capacity: 100, timeToLive: "10 minutes" })
    const failed = yield* Effect.flip(Runnable.invoke(cachedSearch, "effect")) // SearchDown, at 1 s
    const found = yield* Runnable.invoke(cachedSearch, "effect") // the failure was not kept: runs again
    const kept = yield* Runnable.invoke(cachedSearch, "effect") // from the cache
    return { failed, found, kept }
  })
)

// --- withSchema: checks at the boundaries of a model that is not to be trusted
const Question = Schema.Struct({ text: Schema.NonEmptyString, maxWords: Schema.NumberFromString })
const Answer = Schema.Struct({ text: Schema.String, confidence: Schema.Number.pipe(Schema.between(0, 1)) })

export const answerProbe = Testing.makeProbe()
const answerer = Testing.scripted({
  name: "answer",
  latency: "1 second",
  respond: (question: typeof Question.Type) => ({
    text: question.text.split(" ").slice(0, question.maxWords).join(" "),
    confidence: question.text.endsWith("?") ? 0.9 : 1.5 // out of range: a bug the output schema catches
  }),
  probe: answerProbe
})

// Runnable<{ readonly text: string; readonly maxWords: string }, { readonly text: string; ... }, SchemaError>
export const checkedAnswer: Runnable.Runnable<typeof Question.Encoded, typeof Answer.Type, Fx.SchemaError> = answerer
  .pipe(Fx.withSchema({ input: Question, output: Answer }))

// --- alternatives: one runnable standing for several, chosen when it runs
const careful = Testing.scripted({ name: "careful", latency: "3 seconds", respond: (q: string) => `careful: ${q}` })
const quick = Testing.scripted({ name: "quick", latency: "500 millis", respond: (q: string) => `quick: ${q}` })

export const chatModel = Fx.alternatives({ default: careful, fast: quick }, { key: "model", name: "chatModel" })
export const fastModel = Runnable.withConfig(chatModel, { configurable: { model: "fast" } })

// the choice reaches the alternatives wherever they are nested
const assistant = Fx.sequence(Runnable.sync((question: string) => question.trim(), { name: "trim" }), chatModel)
export const fastAssistant = Runnable.withConfig(assistant, { configurable: { model: "fast" } })
export const unknownModel = Runnable.withConfig(chatModel, { configurable: { model: "turbo" } }) // AlternativeNotFound

// --- withListeners: an audit trail of every run of a help desk, with Clock times
export class EmptyQuestion extends Data.TaggedError("EmptyQuestion") {}
const helpDesk = Testing.scripted({
  name: "helpDesk",
  latency: "500 millis",
  respond: (question: string) => `re: ${question}`,
  fail: (question) => question === "" ? new EmptyQuestion() : undefined
})

export const auditTrail: Array<string> = []
const audit = (line: string) => Effect.map(Clock.currentTimeMillis, (now) => auditTrail.push(`${now} ms: ${line}`))

export const auditedHelpDesk = Fx.withListeners(helpDesk, {
  onStart: ({ input }) => audit(`start "${input}"`),
  onEnd: ({ output }) => audit(`end "${output}"`),
  onError: ({ error }) => audit(`error ${error._tag}`)
})

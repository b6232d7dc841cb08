/** Samples for docs/recovery.md: retry, withFallbacks, timeout. */
import * as Fx from "@fxchain/combinators"
import { Runnable, Testing } from "@fxchain/core"
import { Data, Effect, Schedule, Stream } from "effect"
import type { Duration } from "effect"

// --- what a model provider fails with: a 503 is worth another try, a 429 says when to come
// back, and retrying a 400 will not help
export class Unavailable extends Data.TaggedError("Unavailable") {}
export class RateLimited extends Data.TaggedError("RateLimited")<{ readonly retryAfter: Duration.DurationInput }> {}
export class BadRequest extends Data.TaggedError("BadRequest")<{ readonly reason: string }> {}

// a stand-in for the provider: every call takes 1 s; its n-th call fails with failures[n], if any
const provider = <E>(failures: ReadonlyArray<E>) =>
  Testing.scripted<string, string, E>({
    name: "provider",
    latency: "1 second",
    respond: (question) => `answer to ${question}`,
    fail: (_, call) => failures[call]
  })

// --- retry
// the default schedule: at most 3 retries, about 100 ms, 200 ms, 400 ms apart (jittered, capped at 10 s)
export const patient = provider([new Unavailable(), new Unavailable()]).pipe(Fx.retry())

// a schedule of your own is used exactly as given; `times` caps its retries (2 retries: 3 attempts)
export const steady = Fx.retry(provider([new Unavailable(), new Unavailable(), new Unavailable()]), {
  schedule: Schedule.exponential("1 second"),
  times: 2
})

// `while` picks what is worth retrying: the 400 comes out at once
const failsThenRejects = provider<Unavailable | BadRequest>([new Unavailable(), new BadRequest({ reason: "long" })])
export const picky = failsThenRejects.pipe(
  Fx.retry({ schedule: Schedule.spaced("1 second"), while: (error) => error._tag !== "BadRequest" })
)

// an error with a `retryAfter` field: the next attempt waits at least that long
export const throttled = provider([new RateLimited({ retryAfter: "5 seconds" })]).pipe(Fx.retry())

// LangChain's onFailedAttempt: a listener on the runnable being retried sees each failed attempt
export const failedAttempts: Array<string> = []
const reported = Fx.withListeners(provider([new Unavailable(), new RateLimited({ retryAfter: "2 seconds" })]), {
  onError: ({ error }) => Effect.sync(() => failedAttempts.push(error._tag))
})
export const observed = reported.pipe(Fx.retry())

// --- retrying a stream
// fails before its first chunk: retried
const flakyTokens = Testing.scripted({
  name: "tokens",
  kind: "model",
  latency: "1 second",
  respond: (_: string) => "Effect is fast",
  chunks: (text) => text.split(/(?= )/),
  fail: (_, call) => call === 0 ? new Unavailable() : undefined
})
export const retriedStream = Runnable.stream(flakyTokens.pipe(Fx.retry({ schedule: Schedule.spaced("1 second") })), "q")

// fails after two chunks: not retried, the error comes out after them
export const droppingProbe = Testing.makeProbe()
const dropping = Runnable.make({
  name: "dropping",
  kind: "model",
  run: (_: string) => Effect.fail(new Unavailable()),
  stream: (_: string) => Stream.concat(Stream.make("Once", " upon"), Stream.fail(new Unavailable()))
}).pipe(Testing.probed(droppingProbe))
// streams "Once", " upon", then fails with Unavailable
export const cutShort = Runnable.stream(dropping.pipe(Fx.retry()), "tell me a story")

// --- fallbacks: gpt is overloaded today and refuses questions about passwords; claude answers
// in 1 s, but is overloaded by questions longer than 40 characters
export class Overloaded extends Data.TaggedError("Overloaded")<{ readonly model: string }> {}
export class Refused extends Data.TaggedError("Refused") {}

const gpt = Testing.scripted<string, string, Overloaded | Refused>({
  name: "gpt",
  latency: "2 seconds",
  respond: (question) => `gpt: ${question}`,
  fail: (question) => question.includes("password") ? new Refused() : new Overloaded({ model: "gpt" })
})
const claude = Testing.scripted<string, string, Overloaded>({
  name: "claude",
  latency: "1 second",
  respond: (question) => `claude: ${question}`,
  fail: (question) => question.length > 40 ? new Overloaded({ model: "claude" }) : undefined
})
const canned = Runnable.sync((_: string) => "We are busy, please try again later.", { name: "canned" })

// in order, until one answers; the error type is the last one's
export const answer: Runnable.Runnable<string, string> = gpt.pipe(Fx.withFallbacks([claude, canned]))
export const answerOrOverloaded: Runnable.Runnable<string, string, Overloaded> = Fx.withFallbacks(gpt, [claude])

// `while` picks the failures that fall back; the others come out at once (and stay in the type)
export const onlyOverloads: Runnable.Runnable<string, string, Overloaded | Refused> = Fx.withFallbacks(gpt, [claude], {
  while: (error) => error._tag === "Overloaded"
})
// a refinement takes the errors it accepts out of the type
export const refusalsStay: Runnable.Runnable<string, string, Refused> = gpt.pipe(
  Fx.withFallbacks([canned], { while: (error): error is Overloaded => error._tag === "Overloaded" })
)

// `exceptionKey`: each fallback gets the input with the error that made it run
const gptOnTickets = Fx.mapInput(gpt, (ticket: { readonly question: string }) => ticket.question)
const apology = Runnable.sync(
  (ticket: { readonly question: string; readonly error: Overloaded | Refused }) =>
    `Sorry, no answer to "${ticket.question}" (${ticket.error._tag})`,
  { name: "apology" }
)
export const apologetic = Fx.withFallbacks(gptOnTickets, [apology], { exceptionKey: "error" })

// --- timeout: a model that takes 2 s to its first token, then 1.5 s per token
export const modelProbe = Testing.makeProbe()
const model = Testing.scripted({
  name: "model",
  kind: "model",
  latency: "2 seconds",
  chunkLatency: "1500 millis",
  respond: (_: string) => "Fibers all the way down",
  chunks: (text) => text.split(/(?= )/), // "Fibers", " all", " the", " way", " down"
  probe: modelProbe
})

export const total = model.pipe(Fx.timeout("1 second")) // fails at 1 s, invoked or streamed
export const firstChunk = model.pipe(Fx.timeout("1 minute", { firstChunk: "1 second" })) // a stream fails at 1 s
export const idle = model.pipe(Fx.timeout("1 minute", { idle: "1 second" })) // a stream gets "Fibers", fails at 3 s
// every deadline met: the five chunks arrive at 2, 3.5, 5, 6.5 and 8 s
export const roomy = model.pipe(Fx.timeout("10 seconds", { firstChunk: "3 seconds", idle: "2 seconds" }))

// --- together: each attempt gets 1 s, a timed-out attempt is retried once, then the canned answer
export const resilient: Runnable.Runnable<string, string> = model.pipe(
  Fx.timeout("1 second"),
  Fx.retry({ schedule: Schedule.spaced("500 millis"), times: 1 }),
  Fx.withFallbacks([canned])
)

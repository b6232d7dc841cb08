/**
 * Deterministic language models for tests and demos: a `LanguageModel` (built with
 * `@effect/ai`'s `LanguageModel.make`) that answers from a script, streams its answers token by
 * token with waits on Effect's `Clock` (so `TestClock` drives them), reports token usage, fails
 * when told to (rate limits with a `retry-after`, say) and records the prompts it receives.
 *
 * - Tokens: an answer's text is cut into words, each with the whitespace around it
 *   (`"Hello brave world"` is `"Hello "`, `"brave "`, `"world"`; see `tokens`). A tool call is
 *   one more token, after the text.
 * - Timing: `firstTokenLatency` before the first token, `tokenLatency` before each of the next
 *   ones; the finish part comes with the last token. The non-streaming call waits as long as
 *   streaming the whole answer would, then answers at once. A scripted failure comes at once.
 * - Usage: input tokens are the prompt's text tokens, output tokens the answer's text tokens plus
 *   one per tool call, the total their sum; a reply's own `usage` overrides them.
 * - Finish reason: `"tool-calls"` when the answer calls tools, `"stop"` otherwise, unless the
 *   reply says.
 * - The response metadata names the model `options.model` (`"fake-model"` by default).
 *
 * @example
 * ```ts
 * import { FakeModel, Model } from "@fxchain/adapters"
 * import { Runnable } from "@fxchain/core"
 * import { Effect } from "effect"
 *
 * const model = Model.fromLanguageModel()
 * const program = Effect.gen(function*() {
 *   const fake = yield* FakeModel.make({ responses: ["Hello there", "General Kenobi"], tokenLatency: "50 millis" })
 *   const first = yield* Runnable.invoke(model, "Hi").pipe(Effect.provide(fake.layer)) // text: "Hello there"
 *   const second = yield* Runnable.invoke(model, "Hi").pipe(Effect.provide(fake.layer)) // text: "General Kenobi"
 *   const prompts = yield* fake.prompts // two prompts, each with the user message "Hi"
 * })
 *
 * // or, when the recording is not needed
 * const answer = Runnable.invoke(model, "Hi").pipe(Effect.provide(FakeModel.layer({ responses: "Hello" })))
 * ```
 *
 * @since 0.1.0
 */
import type * as AiError from "@effect/ai/AiError"
import type * as LanguageModel from "@effect/ai/LanguageModel"
import type * as Prompt from "@effect/ai/Prompt"
import type * as Response$ from "@effect/ai/Response"
import type * as Duration from "effect/Duration"
import type * as Effect from "effect/Effect"
import type * as Layer from "effect/Layer"
import * as internal from "./internal/fakeModel.js"
import type * as Model from "./Model.js"

/**
 * A tool call the fake model makes. `params` are the tool's parameters as the model would send
 * them (encoded); the request must offer the tool (pass a toolkit to the model), or the fake
 * model dies with a message saying so.
 *
 * @since 0.1.0
 * @category models
 */
export interface ScriptedToolCall {
  readonly name: string
  readonly params: unknown
  /** Defaults to `call_<call index>_<tool call index>`. */
  readonly id?: string | undefined
}

/**
 * A scripted answer: text, tool calls, or both.
 *
 * @since 0.1.0
 * @category models
 */
export interface Reply {
  readonly text?: string | undefined
  readonly toolCalls?: ReadonlyArray<ScriptedToolCall> | undefined
  /** Defaults to `"tool-calls"` when there are tool calls, `"stop"` otherwise. */
  readonly finishReason?: Response$.FinishReason | undefined
  /** Replaces the counted usage, key by key. */
  readonly usage?: Model.Usage | undefined
}

/**
 * One answer: its text, or a `Reply`.
 *
 * @since 0.1.0
 * @category models
 */
export type Response = string | Reply

/**
 * What the fake model answers:
 *
 * - one response: every call gets it;
 * - a non-empty list: the calls that are answered get its responses in turn, cycling (a call that
 *   fails as scripted does not use one up);
 * - a function of the prompt and the call's 0-based index among all calls.
 *
 * @since 0.1.0
 * @category models
 */
export type Responses =
  | Response
  | ReadonlyArray<Response>
  | ((prompt: Prompt.Prompt, call: number) => Response)

/**
 * Which calls fail:
 *
 * - `{ first, retryAfter?, status? }`: the first `first` calls fail with an HTTP rate-limit error
 *   (`AiError.HttpResponseError`, status 429 unless `status` says otherwise), whose `retry-after`
 *   header says `retryAfter` and whose `retryAfter` field `Fx.retry` reads (see `rateLimitError`);
 * - a function of the call's 0-based index and its prompt: the `AiError` that call fails with,
 *   or `undefined` to answer.
 *
 * @since 0.1.0
 * @category models
 */
export type Failures =
  | {
    readonly first: number
    readonly retryAfter?: Duration.DurationInput | undefined
    readonly status?: number | undefined
  }
  | ((call: number, prompt: Prompt.Prompt) => AiError.AiError | undefined)

/**
 * @since 0.1.0
 * @category models
 */
export interface Options {
  readonly responses: Responses
  /** Waited before the first token; defaults to none. */
  readonly firstTokenLatency?: Duration.DurationInput | undefined
  /** Waited before each token after the first; defaults to none. */
  readonly tokenLatency?: Duration.DurationInput | undefined
  readonly failures?: Failures | undefined
  /** The model named in the response metadata; defaults to `"fake-model"`. */
  readonly model?: string | undefined
}

/**
 * A call the fake model received, failed ones included.
 *
 * @since 0.1.0
 * @category models
 */
export interface Call {
  /** 0-based, in the order the calls arrived. */
  readonly index: number
  readonly prompt: Prompt.Prompt
  /** `true` for `streamText`, `false` for `generateText`. */
  readonly streaming: boolean
  /** The names of the tools the request offered. */
  readonly tools: ReadonlyArray<string>
  /** When the call arrived: epoch milliseconds from Effect's `Clock` (so `TestClock` sets it). */
  readonly timestamp: number
}

/**
 * A fake model and its recording. Its state (the calls it received, where a list of responses
 * stands) is shared by every use of `layer` and `service`.
 *
 * @since 0.1.0
 * @category models
 */
export interface FakeModel {
  /** Provides the fake model as the `LanguageModel`. */
  readonly layer: Layer.Layer<LanguageModel.LanguageModel>
  readonly service: LanguageModel.Service
  /** The calls received so far. */
  readonly calls: Effect.Effect<ReadonlyArray<Call>>
  /** The prompts received so far. */
  readonly prompts: Effect.Effect<ReadonlyArray<Prompt.Prompt>>
}

/**
 * Options of `rateLimitError`.
 *
 * @since 0.1.0
 * @category models
 */
export interface RateLimitOptions {
  /** Put in the `retry-after` header, in seconds. */
  readonly retryAfter?: Duration.DurationInput | undefined
  /** Defaults to 429. */
  readonly status?: number | undefined
  /** The `LanguageModel` method named in the error; defaults to `"generateText"`. */
  readonly method?: string | undefined
  readonly description?: string | undefined
}

/**
 * A fake model with its recording. Bad options (an empty list of responses, a negative
 * `failures.first`, a latency that is not a duration) throw `InvalidOptionError` at once.
 *
 * @example
 * ```ts
 * import { FakeModel, Model } from "@fxchain/adapters"
 * import { Runnable } from "@fxchain/core"
 * import { Effect } from "effect"
 *
 * const program = Effect.gen(function*() {
 *   const fake = yield* FakeModel.make({
 *     responses: (prompt) => `You said: ${FakeModel.lastUserText(prompt)}`,
 *     failures: { first: 1, retryAfter: "2 seconds" }
 *   })
 *   const model = Model.fromLanguageModel()
 *   const exit = yield* Runnable.invoke(model, "ping").pipe(Effect.provide(fake.layer), Effect.exit) // 429
 *   const message = yield* Runnable.invoke(model, "ping").pipe(Effect.provide(fake.layer)) // "You said: ping"
 *   const calls = yield* fake.calls // both calls
 * })
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: (options: Options) => Effect.Effect<FakeModel> = internal.make

/**
 * A layer providing a fake `LanguageModel` (see the module's description), whose state lives as
 * long as the built layer. Use `make` to read the prompts it received. Bad options throw
 * `InvalidOptionError` at once.
 *
 * @example
 * ```ts
 * import { FakeModel, Model } from "@fxchain/adapters"
 * import { Runnable } from "@fxchain/core"
 * import { Effect, Stream } from "effect"
 *
 * const FastAndSteady = FakeModel.layer({
 *   responses: "The quick brown fox",
 *   firstTokenLatency: "300 millis",
 *   tokenLatency: "20 millis"
 * })
 * // chunks "The ", "quick ", "brown ", "fox" at 300, 320, 340 and 360 ms, then the usage
 * const chunks = Runnable.stream(Model.fromLanguageModel(), "Say something").pipe(
 *   Stream.runCollect,
 *   Effect.provide(FastAndSteady)
 * )
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layer: (options: Options) => Layer.Layer<LanguageModel.LanguageModel> = internal.layer

/**
 * The rate-limit error the fake model fails with: `@effect/ai`'s `AiError.HttpResponseError`
 * (same `_tag`, `instanceof` holds) with status 429 and, when `retryAfter` is given, a
 * `retry-after` header, also exposed as the error's `retryAfter` field that `Fx.retry` honours.
 * For scripting failures with a function.
 *
 * @example
 * ```ts
 * import { FakeModel } from "@fxchain/adapters"
 *
 * const everyThirdCallIsLimited = FakeModel.layer({
 *   responses: "ok",
 *   failures: (call) => call % 3 === 2 ? FakeModel.rateLimitError({ retryAfter: "1 second" }) : undefined
 * })
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export const rateLimitError: (
  options?: RateLimitOptions
) => AiError.HttpResponseError & { readonly retryAfter: Duration.Duration | undefined } = internal.rateLimitError

/**
 * How the fake model cuts text into tokens: words with the whitespace around them, so that the
 * tokens joined are the text again (`"Hello brave world"` is `["Hello ", "brave ", "world"]`).
 *
 * @since 0.1.0
 * @category utils
 */
export const tokens: (text: string) => ReadonlyArray<string> = internal.tokens

/**
 * The text of a prompt's last user message (`""` when there is none): what a scripted response
 * function usually answers to.
 *
 * @since 0.1.0
 * @category utils
 */
export const lastUserText: (prompt: Prompt.Prompt) => string = internal.lastUserText

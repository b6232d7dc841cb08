/**
 * A `LanguageModel` for the OpenAI **chat completions** wire format (`POST {apiUrl}/chat/completions`),
 * the one almost every OpenAI-compatible server speaks: vLLM, llama.cpp, Ollama, LM Studio,
 * OpenRouter, OpenAI itself. (`@effect/ai-openai` speaks only OpenAI's Responses API.)
 *
 * It is built with `@effect/ai`'s `LanguageModel.make` over `@effect/platform`'s `HttpClient`, so
 * everything `@effect/ai` offers on top (`generateText`, `streamText`, `generateObject`, toolkits,
 * `Chat`) and everything fxchain's `Model` does with a `LanguageModel` works with it.
 *
 * - `generateText` sends `stream: false` and reads one JSON completion; `streamText` sends
 *   `stream: true` with `stream_options: { include_usage: true }` and reads server-sent
 *   events up to `data: [DONE]`.
 * - Prompts: system, user (text, images, inline files), assistant (text and tool calls) and tool
 *   (results) messages. Tools: user-defined `@effect/ai` tools as `function` tools with their
 *   parameters' JSON Schema, and `tool_choice`. Streamed tool-call argument fragments are
 *   assembled by index and each call is emitted as a `tool-call` part once complete.
 *   `generateObject` sends a `json_schema` response format.
 * - Finish reasons map to `@effect/ai`'s (`stop`, `length`, `content-filter`, `tool-calls`; an
 *   unknown one is `other`, the raw value in the finish part's `metadata.chatCompletions`), and
 *   the usage to its `Usage` (reasoning and cached tokens included when the server gives them).
 *
 * Failures are `AiError`s, in the error channel, each saying what went wrong:
 *
 * | what happened | error |
 * | --- | --- |
 * | the server could not be reached (refused, reset, DNS, bad URL) | `HttpRequestError` |
 * | a status other than 2xx (401, 403, 404, 4xx, 5xx) | `HttpResponseError` with the status, headers and the server's body; `description` holds the server's error message |
 * | 429 (or any status with a `Retry-After` header) | the same `HttpResponseError`, which also has a `retryAfter` duration that `Fx.retry` waits for (up to its `maxRetryAfter`, 1 minute by default) |
 * | the connection broke while the body was being read | `HttpResponseError` with reason `Decode` |
 * | a body that is not JSON, a malformed SSE line or event, a chunk of the wrong shape, tool-call arguments that are not JSON, a stream that ends before `[DONE]` | `MalformedOutput` |
 * | an error the server reports with a 2xx status (in the body or mid-stream) | `UnknownError` |
 * | a prompt or tool this format cannot carry (a provider-defined tool, a file in an assistant message) | `MalformedInput` |
 * | no status and headers within `timeout` | `HttpRequestError` (reason `Transport`), its description naming the timeout |
 * | nothing more of the body within `timeout` | `HttpResponseError` (reason `Decode`), likewise |
 *
 * A server that stops answering does not hold a call forever: each wait for it — for the
 * response's status and headers, then for each piece of its body — lasts at most `timeout`
 * (10 minutes unless set, as in OpenAI's SDKs, which LangChain's `ChatOpenAI` uses), on Effect's
 * `Clock` (so `TestClock` drives it). A stream therefore runs as long as the server keeps sending.
 *
 * Interrupting a call (a timeout, a failed sibling, a consumer that stops reading the stream)
 * aborts the HTTP request: the connection is closed and the server sees it go.
 *
 * @since 0.1.0
 */
import type * as LanguageModel from "@effect/ai/LanguageModel"
import type * as HttpClient from "@effect/platform/HttpClient"
import type * as Config from "effect/Config"
import type * as ConfigError from "effect/ConfigError"
import type * as Duration from "effect/Duration"
import type * as Effect from "effect/Effect"
import type * as Layer from "effect/Layer"
import type * as Redacted from "effect/Redacted"
import * as internal from "./internal/chatCompletions.js"

/**
 * Where and how to call a chat-completions server.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /**
   * The API's base URL, to which `/chat/completions` is appended: `https://api.openai.com/v1`,
   * `http://localhost:11434/v1` (Ollama), `http://localhost:8000/v1` (vLLM), ...
   */
  readonly apiUrl: string
  /** Sent as `Authorization: Bearer <apiKey>`; never printed (errors and spans redact it). */
  readonly apiKey?: Redacted.Redacted | undefined
  /** The `model` field of every request. */
  readonly model: string
  /** Extra headers sent with every request (`apiKey` wins over an `Authorization` given here). */
  readonly headers?: Readonly<Record<string, string>> | undefined
  /**
   * Extra fields of every request body, as OpenAI's SDKs' `extra_body`: sampling settings
   * (`temperature`, `top_p`, `max_tokens`, `seed`, `stop`, ...) or a server's own options. The
   * fields this provider manages (`model`, `messages`, `stream`, `stream_options`, `tools`,
   * `tool_choice`, `response_format`) are not overridden by it. Only the first choice of an
   * answer is read, so `n` above 1 buys nothing.
   */
  readonly extraBody?: Readonly<Record<string, unknown>> | undefined
  /**
   * The longest wait for the server: for the response's status and headers, then for each piece
   * of its body (a stream may last longer while the server keeps sending). Waits on the `Clock`.
   * Defaults to `defaultTimeout`, 10 minutes; `Duration.infinity` waits forever. When it passes,
   * the request is aborted and the call fails with an `HttpRequestError` (nothing received) or
   * an `HttpResponseError` (the body stalled), which `Fx.retry` retries like any failure. A value
   * that is not a duration above 0 throws `InvalidOptionError` (from `@fxchain/core`) when the
   * layer or service is made.
   */
  readonly timeout?: Duration.DurationInput | undefined
  /**
   * Adapts the `HttpClient` before use: HTTP-level retries, a proxy, logging, ...
   */
  readonly transformClient?: ((client: HttpClient.HttpClient) => HttpClient.HttpClient) | undefined
}

/**
 * How long a call waits for the server unless `timeout` says otherwise: 10 minutes, the default of
 * OpenAI's SDKs.
 *
 * @since 0.2.0
 * @category constants
 */
export const defaultTimeout: Duration.Duration = internal.defaultTimeout

/**
 * The name of the environment variable holding the API's base URL: `FXCHAIN_OPENAI_BASE_URL`.
 *
 * @since 0.1.0
 * @category configuration
 */
export const apiUrlVariable: string = internal.apiUrlVariable

/**
 * The name of the environment variable holding the API key: `FXCHAIN_OPENAI_API_KEY`.
 *
 * @since 0.1.0
 * @category configuration
 */
export const apiKeyVariable: string = internal.apiKeyVariable

/**
 * The name of the environment variable holding the model: `FXCHAIN_MODEL`.
 *
 * @since 0.1.0
 * @category configuration
 */
export const modelVariable: string = internal.modelVariable

/**
 * The options read through Effect's `Config` (so from the environment by default, or from any
 * `ConfigProvider`): the base URL from `FXCHAIN_OPENAI_BASE_URL` (required, a URL), the API key
 * from `FXCHAIN_OPENAI_API_KEY` (optional, read as a `Redacted`; an empty value counts as
 * none), the model from `FXCHAIN_MODEL` (required).
 *
 * @example
 * ```ts
 * import { ChatCompletions } from "@fxchain/adapters"
 * import { Config } from "effect"
 *
 * // the same variables, plus a fixed temperature
 * const config = Config.map(ChatCompletions.config, (options) => ({ ...options, extraBody: { temperature: 0 } }))
 * const ModelLive = ChatCompletions.layerConfig(config)
 * ```
 *
 * @since 0.1.0
 * @category configuration
 */
export const config: Config.Config<Options> = internal.config

/**
 * A chat-completions `LanguageModel` service, for building a layer of one's own.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: (options: Options) => Effect.Effect<LanguageModel.Service, never, HttpClient.HttpClient> =
  internal.make

/**
 * A layer providing `LanguageModel.LanguageModel` through a chat-completions server; it needs an
 * `HttpClient` (`NodeHttpClient.layerUndici` or `FetchHttpClient.layer`, say).
 *
 * @example
 * ```ts
 * import { LanguageModel } from "@effect/ai"
 * import { FetchHttpClient } from "@effect/platform"
 * import { ChatCompletions } from "@fxchain/adapters"
 * import { Effect, Layer, Redacted, Stream } from "effect"
 *
 * const ModelLive = ChatCompletions.layer({
 *   apiUrl: "http://localhost:11434/v1",
 *   apiKey: Redacted.make("ollama"),
 *   model: "llama3.2"
 * }).pipe(Layer.provide(FetchHttpClient.layer))
 *
 * const program = Effect.gen(function*() {
 *   const response = yield* LanguageModel.generateText({ prompt: "Say hello" })
 *   console.log(response.text, response.finishReason, response.usage.totalTokens)
 *   yield* LanguageModel.streamText({ prompt: "Count to five" }).pipe(
 *     Stream.runForEach((part) => Effect.sync(() => part.type === "text-delta" && process.stdout.write(part.delta)))
 *   )
 * }).pipe(Effect.provide(ModelLive))
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layer: (options: Options) => Layer.Layer<LanguageModel.LanguageModel, never, HttpClient.HttpClient> =
  internal.layer

/**
 * `layer` with its options read through Effect's `Config`: `ChatCompletions.config` (the
 * `FXCHAIN_*` environment variables) unless another config is given. A missing or invalid
 * variable fails the layer with a `ConfigError` naming it.
 *
 * @example
 * ```ts
 * import { FetchHttpClient } from "@effect/platform"
 * import { ChatCompletions } from "@fxchain/adapters"
 * import { Layer } from "effect"
 *
 * // FXCHAIN_OPENAI_BASE_URL=https://api.openai.com/v1 FXCHAIN_OPENAI_API_KEY=sk-... FXCHAIN_MODEL=gpt-4o-mini
 * const ModelLive = ChatCompletions.layerConfig().pipe(Layer.provide(FetchHttpClient.layer))
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layerConfig: (
  config?: Config.Config<Options>
) => Layer.Layer<LanguageModel.LanguageModel, ConfigError.ConfigError, HttpClient.HttpClient> = internal.layerConfig

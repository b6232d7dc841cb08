/**
 * Language models as runnables: any `@effect/ai` `LanguageModel` (an OpenAI provider, the
 * chat-completions provider, a `FakeModel`) becomes a step of a pipeline (LangChain's chat model),
 * and any `@effect/ai` `Tool` with its handler becomes a tool step.
 *
 * A model runnable takes a prompt (`Prompt.RawInput`: a string, a list of messages, or a
 * `Prompt`) and answers with a `Message`: a plain object holding the text, the tool calls, the
 * finish reason and the token usage. `invoke` asks for the whole answer (`generateText`);
 * `stream` yields the answer as message chunks while it arrives (`streamText`), and those
 * chunks, combined by the concat rule (`Concat` in `@fxchain/core`), equal the `invoke` answer.
 * Errors are `@effect/ai`'s `AiError`s, unchanged.
 *
 * @example
 * ```ts
 * import { Model } from "@fxchain/adapters"
 * import { Runnable } from "@fxchain/core"
 * import { Effect, Stream } from "effect"
 *
 * const model = Model.fromLanguageModel({ model: "gpt-4o-mini" })
 *
 * // Effect<Model.Message, AiError, LanguageModel>
 * const answer = Runnable.invoke(model, "Tell me a joke")
 * // Stream<Model.Message, AiError, LanguageModel>: { text: "Why ", toolCalls: [] }, ...
 * const chunks = Runnable.stream(model, "Tell me a joke").pipe(Stream.map((chunk) => chunk.text))
 * ```
 *
 * @since 0.1.0
 */
import type * as AiError from "@effect/ai/AiError"
import type * as LanguageModel from "@effect/ai/LanguageModel"
import type * as Prompt from "@effect/ai/Prompt"
import type * as Response from "@effect/ai/Response"
import type * as Tool from "@effect/ai/Tool"
import type * as Toolkit from "@effect/ai/Toolkit"
import type { Runnable } from "@fxchain/core"
import type * as Effect from "effect/Effect"
import type { Concurrency } from "effect/Types"
import * as internal from "./internal/model.js"

/**
 * Token counts of one model call, as the provider reported them; a count the provider did not
 * report is absent. A plain object (unlike `@effect/ai`'s `Response.Usage` class), so that it
 * combines by the concat rule.
 *
 * @since 0.1.0
 * @category models
 */
export interface Usage {
  /** Tokens of the prompt. */
  readonly inputTokens?: number | undefined
  /** Tokens the model generated. */
  readonly outputTokens?: number | undefined
  /** As the provider counts it (may include reasoning or other overhead). */
  readonly totalTokens?: number | undefined
  readonly reasoningTokens?: number | undefined
  /** Prompt tokens read from the provider's cache. */
  readonly cachedInputTokens?: number | undefined
}

/**
 * What a model runnable answers, and what each chunk of its stream is (LangChain's `AIMessage`
 * and `AIMessageChunk`). A plain object, so that chunks combine by the concat rule into the whole
 * message:
 *
 * - `text`: the answer's text; a chunk holds a piece of it (`text` is `""` in chunks of other kinds);
 * - `toolCalls`: `@effect/ai`'s tool call parts, typed by the toolkit given to the model (empty
 *   without one); a chunk holds the calls that completed in it;
 * - `toolResults`: present when the toolkit's handlers ran (see `fromLanguageModel`);
 * - `reasoning`: present when the model reported reasoning text;
 * - `finishReason` and `usage`: present when the provider reported the end of the answer; when
 *   streaming they arrive in the last chunk, alone.
 *
 * @example
 * ```ts
 * import { Model } from "@fxchain/adapters"
 * import { Concat } from "@fxchain/core"
 *
 * const chunks: Array<Model.Message> = [
 *   { text: "Hello", toolCalls: [] },
 *   { text: " world", toolCalls: [] },
 *   { text: "", toolCalls: [], finishReason: "stop", usage: { inputTokens: 3, outputTokens: 2 } }
 * ]
 * Concat.combineAll(chunks)
 * // { text: "Hello world", toolCalls: [], finishReason: "stop", usage: { inputTokens: 3, outputTokens: 2 } }
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Message<Tools extends Record<string, Tool.Any> = {}> {
  readonly text: string
  readonly toolCalls: ReadonlyArray<Response.ToolCallParts<Tools>>
  readonly toolResults?: ReadonlyArray<Response.ToolResultParts<Tools>> | undefined
  readonly reasoning?: string | undefined
  readonly finishReason?: Response.FinishReason | undefined
  readonly usage?: Usage | undefined
}

/**
 * Options of `fromLanguageModel` (besides the toolkit).
 *
 * @since 0.1.0
 * @category models
 */
export interface FromLanguageModelOptions<Tools extends Record<string, Tool.Any> = {}> {
  /** The run's name in events and spans; defaults to `"model"`. */
  readonly name?: string | undefined
  /**
   * The model's name as the provider knows it, for telemetry only (`gen_ai.request.model`): the
   * provider layer decides which model answers.
   */
  readonly model?: string | undefined
  /** Whether and which tools the model may call (`@effect/ai`'s `toolChoice`); defaults to `"auto"`. */
  readonly toolChoice?:
    | LanguageModel.ToolChoice<{ [Name in keyof Tools]: Tools[Name]["name"] }[keyof Tools]>
    | undefined
  /** How many tool calls are resolved at once, when the toolkit's handlers run. */
  readonly concurrency?: Concurrency | undefined
}

/**
 * Options of `tool`.
 *
 * @since 0.1.0
 * @category models
 */
export interface ToolOptions {
  /** The run's name in events and spans; defaults to the tool's name. */
  readonly name?: string | undefined
}

/**
 * A model runnable over the `LanguageModel` in the context: from a prompt to a `Message`.
 *
 * - `invoke` calls `LanguageModel.generateText`, `stream` calls `LanguageModel.streamText` and
 *   yields one message chunk per text delta, per completed tool call or tool result, and a last
 *   one with the finish reason and usage. The chunks combined by the concat rule equal what
 *   `invoke` answers for the same response.
 * - Failures are the provider's `AiError`s, unchanged (a rate limit keeps its `retryAfter`, so
 *   `Fx.retry` honours it).
 * - Telemetry: the run's span and its `Ended` event get the GenAI semantic-convention attributes
 *   `gen_ai.operation.name` (`"chat"`), `gen_ai.request.model` (the `model` option, when given),
 *   `gen_ai.response.model` (when the provider says), `gen_ai.response.finish_reasons`,
 *   `gen_ai.usage.input_tokens` and `gen_ai.usage.output_tokens`.
 * - Tools: with a `toolkit`, the model is offered its tools and its tool calls come back decoded
 *   and typed in `toolCalls`. As in `@effect/ai`, the toolkit's handlers then run on those calls
 *   (once; no further model call is made: an agent loop that sends results back is not part of
 *   this runnable) and their results come back in `toolResults`; the handlers' errors and
 *   requirements join the runnable's. A `Toolkit` needs its handlers in the context
 *   (`toolkit.toLayer(...)`). With `disableToolCallResolution: true` nothing runs: the model is
 *   only offered the tools, no handler is needed, and you run the calls yourself (with `tool`,
 *   say), as with LangChain's `bindTools`.
 *
 * @example
 * ```ts
 * import { Tool, Toolkit } from "@effect/ai"
 * import { Model } from "@fxchain/adapters"
 * import { Runnable } from "@fxchain/core"
 * import { Effect, Schema } from "effect"
 *
 * const GetWeather = Tool.make("GetWeather", {
 *   parameters: { city: Schema.String },
 *   success: Schema.Struct({ celsius: Schema.Number })
 * })
 * const Weather = Toolkit.make(GetWeather)
 *
 * // tool calls come back typed; nothing runs them
 * const planner = Model.fromLanguageModel({ toolkit: Weather, disableToolCallResolution: true })
 * const program = Effect.gen(function*() {
 *   const message = yield* Runnable.invoke(planner, "What's the weather in Paris?")
 *   for (const call of message.toolCalls) console.log(call.name, call.params.city)
 * })
 *
 * // the handlers run on the calls, and their results come back in `toolResults`
 * const resolving = Model.fromLanguageModel({ toolkit: Weather })
 * const handlers = Weather.toLayer({ GetWeather: ({ city }) => Effect.succeed({ celsius: city.length }) })
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromLanguageModel: {
  <Tools extends Record<string, Tool.Any>>(
    options: FromLanguageModelOptions<Tools> & {
      /** A `Toolkit` (or a toolkit with handlers): only its tools are read. */
      readonly toolkit: { readonly tools: Tools }
      readonly disableToolCallResolution: true
    }
  ): Runnable.Runnable<Prompt.RawInput, Message<Tools>, AiError.AiError, LanguageModel.LanguageModel>
  <Tools extends Record<string, Tool.Any>, E = never, R = never>(
    options: FromLanguageModelOptions<Tools> & {
      /** A `Toolkit` (whose handlers come from the context), or a toolkit with its handlers. */
      readonly toolkit: Toolkit.WithHandler<Tools> | Effect.Effect<Toolkit.WithHandler<Tools>, E, R>
      readonly disableToolCallResolution?: false | undefined
    }
  ): Runnable.Runnable<
    Prompt.RawInput,
    Message<Tools>,
    AiError.AiError | Tool.HandlerError<Tools[keyof Tools]> | E,
    LanguageModel.LanguageModel | Tool.Requirements<Tools[keyof Tools]> | R
  >
  (options?: FromLanguageModelOptions): Runnable.Runnable<
    Prompt.RawInput,
    Message,
    AiError.AiError,
    LanguageModel.LanguageModel
  >
} = internal.fromLanguageModel as any

/**
 * A tool runnable (kind `"tool"`, named after the tool): runs `handler` on the tool's decoded
 * parameters (a tool call's `params`, say) and answers with its result. The handler's failure is
 * the run's typed error, unchanged, whatever the tool's `failureMode`. The run's span and `Ended`
 * event get `gen_ai.operation.name` (`"execute_tool"`) and `gen_ai.tool.name`.
 *
 * @example
 * ```ts
 * import { Tool } from "@effect/ai"
 * import { Model } from "@fxchain/adapters"
 * import { Runnable } from "@fxchain/core"
 * import { Effect, Schema } from "effect"
 *
 * const GetWeather = Tool.make("GetWeather", {
 *   parameters: { city: Schema.String },
 *   success: Schema.Struct({ celsius: Schema.Number })
 * })
 * const getWeather = Model.tool(GetWeather, ({ city }) => Effect.succeed({ celsius: city === "Paris" ? 18 : 25 }))
 * const program = Runnable.invoke(getWeather, { city: "Paris" }) // Effect<{ readonly celsius: number }>
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const tool: <T extends Tool.Any, R = never>(
  tool: T,
  handler: (params: Tool.Parameters<T>) => Effect.Effect<Tool.Success<T>, Tool.Failure<T>, R>,
  options?: ToolOptions
) => Runnable.Runnable<Tool.Parameters<T>, Tool.Success<T>, Tool.Failure<T>, R> = internal.tool

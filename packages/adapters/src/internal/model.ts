/** @internal */
import type * as AiError from "@effect/ai/AiError"
import * as LanguageModel from "@effect/ai/LanguageModel"
import type * as Prompt from "@effect/ai/Prompt"
import type * as Response from "@effect/ai/Response"
import type * as Tool from "@effect/ai/Tool"
import type * as Toolkit from "@effect/ai/Toolkit"
import { Runnable } from "@fxchain/core"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import type * as Model from "../Model.js"

type Mutable<T> = { -readonly [K in keyof T]: T[K] }

type AnyMessage = Model.Message<any>

/** The parts of a response the model runnable reads, generated or streamed. */
type AnyPart = Response.AllParts<any>

/** @internal */
export const usageOf = (usage: Response.Usage): Model.Usage => {
  const plain: Mutable<Model.Usage> = {}
  if (usage.inputTokens !== undefined) plain.inputTokens = usage.inputTokens
  if (usage.outputTokens !== undefined) plain.outputTokens = usage.outputTokens
  if (usage.totalTokens !== undefined) plain.totalTokens = usage.totalTokens
  if (usage.reasoningTokens !== undefined) plain.reasoningTokens = usage.reasoningTokens
  if (usage.cachedInputTokens !== undefined) plain.cachedInputTokens = usage.cachedInputTokens
  return plain
}

/** The model a response says answered, from its `response-metadata` part. */
const responseModelOf = (part: AnyPart): string | undefined =>
  part.type === "response-metadata" ? Option.getOrUndefined(part.modelId) : undefined

/**
 * The message a whole (non-streamed) response makes. Keys that the stream's chunks would not
 * carry (`reasoning`, `toolResults`, `finishReason`, `usage`) are left out when absent, so that
 * the chunks combined by the concat rule equal this message.
 *
 * @internal
 */
export const fromParts = (parts: ReadonlyArray<AnyPart>): AnyMessage => {
  let text = ""
  let reasoning: string | undefined
  const toolCalls: Array<unknown> = []
  const toolResults: Array<unknown> = []
  let finish: Response.FinishPart | undefined
  for (const part of parts) {
    switch (part.type) {
      case "text":
        text += part.text
        break
      case "reasoning":
        reasoning = (reasoning ?? "") + part.text
        break
      case "tool-call":
        toolCalls.push(part)
        break
      case "tool-result":
        toolResults.push(part)
        break
      case "finish":
        finish = part
        break
    }
  }
  const message: Mutable<AnyMessage> = { text, toolCalls: toolCalls as AnyMessage["toolCalls"] }
  if (reasoning !== undefined) message.reasoning = reasoning
  if (toolResults.length > 0) message.toolResults = toolResults as AnyMessage["toolResults"]
  if (finish !== undefined) {
    message.finishReason = finish.reason
    message.usage = usageOf(finish.usage)
  }
  return message
}

/**
 * The message chunk a streamed part makes, or `undefined` for parts that carry nothing of a
 * message (text and reasoning boundaries, tool parameter fragments before the complete call,
 * response metadata, sources, files, error parts).
 *
 * @internal
 */
export const chunkOf = (part: AnyPart): AnyMessage | undefined => {
  switch (part.type) {
    case "text-delta":
      return { text: part.delta, toolCalls: [] }
    case "reasoning-delta":
      return { text: "", toolCalls: [], reasoning: part.delta }
    case "tool-call":
      return { text: "", toolCalls: [part] }
    case "tool-result":
      return { text: "", toolCalls: [], toolResults: [part] }
    case "finish":
      return { text: "", toolCalls: [], finishReason: part.reason, usage: usageOf(part.usage) }
    default:
      return undefined
  }
}

/**
 * The GenAI semantic-convention attributes known before a call.
 *
 * @internal
 */
export const requestAttributes = (requestModel: string | undefined): Record<string, unknown> =>
  requestModel === undefined
    ? { "gen_ai.operation.name": "chat" }
    : { "gen_ai.operation.name": "chat", "gen_ai.request.model": requestModel }

/**
 * The GenAI semantic-convention attributes of a finished call.
 *
 * @internal
 */
export const responseAttributes = (
  responseModel: string | undefined,
  finish: { readonly finishReason?: Response.FinishReason | undefined; readonly usage?: Model.Usage | undefined }
): Record<string, unknown> => {
  const attributes: Record<string, unknown> = {}
  if (responseModel !== undefined) attributes["gen_ai.response.model"] = responseModel
  if (finish.finishReason !== undefined) attributes["gen_ai.response.finish_reasons"] = [finish.finishReason]
  const usage = finish.usage
  if (usage?.inputTokens !== undefined) attributes["gen_ai.usage.input_tokens"] = usage.inputTokens
  if (usage?.outputTokens !== undefined) attributes["gen_ai.usage.output_tokens"] = usage.outputTokens
  return attributes
}

/** A toolkit whose handlers are never called: tool calls come back unresolved. */
const declaredOnly = (tools: Record<string, Tool.Any>): Toolkit.WithHandler<any> => ({
  tools,
  handle: (name) => Effect.dieMessage(`Model: tool call resolution is disabled, yet tool '${String(name)}' was handled`)
})

/** @internal */
export const fromLanguageModel = (
  options?: Model.FromLanguageModelOptions<any> & {
    readonly toolkit?: unknown
    readonly disableToolCallResolution?: boolean | undefined
  }
): Runnable.Runnable<Prompt.RawInput, AnyMessage, AiError.AiError, LanguageModel.LanguageModel> => {
  const generateOptions: Record<string, unknown> = {}
  if (options?.toolkit !== undefined) {
    const toolkit = options.toolkit as Toolkit.Any | Effect.Effect<Toolkit.WithHandler<any>, unknown, unknown>
    generateOptions.toolkit = options.disableToolCallResolution === true && "tools" in toolkit
      ? declaredOnly(toolkit.tools)
      : toolkit
    if (options.disableToolCallResolution === true) generateOptions.disableToolCallResolution = true
  }
  if (options?.toolChoice !== undefined) generateOptions.toolChoice = options.toolChoice
  if (options?.concurrency !== undefined) generateOptions.concurrency = options.concurrency
  const request = (prompt: Prompt.RawInput) => ({ ...generateOptions, prompt }) as LanguageModel.GenerateTextOptions<{}>

  const annotateRequest = Runnable.annotateRun(requestAttributes(options?.model))

  const run = (prompt: Prompt.RawInput): Effect.Effect<AnyMessage, AiError.AiError, LanguageModel.LanguageModel> =>
    Effect.zipRight(
      annotateRequest,
      Effect.flatMap(LanguageModel.generateText(request(prompt)), (response) => {
        const content = response.content as ReadonlyArray<AnyPart>
        const message = fromParts(content)
        const responseModel = content.reduce<string | undefined>((found, part) => found ?? responseModelOf(part), undefined)
        return Effect.as(Runnable.annotateRun(responseAttributes(responseModel, message)), message)
      })
    )

  const stream = (prompt: Prompt.RawInput): Stream.Stream<AnyMessage, AiError.AiError, LanguageModel.LanguageModel> =>
    Stream.unwrap(Effect.map(annotateRequest, () => {
      let responseModel: string | undefined
      let finish: AnyMessage | undefined
      // no Effect per chunk: the response's attributes are added once, when it has ended
      const attributes = Effect.suspend(() =>
        finish === undefined ? Effect.void : Runnable.annotateRun(responseAttributes(responseModel, finish))
      )
      return LanguageModel.streamText(request(prompt)).pipe(
        Stream.mapChunks((parts) => {
          const chunks: Array<AnyMessage> = []
          for (const part of parts as Chunk.Chunk<AnyPart>) {
            responseModel ??= responseModelOf(part)
            const chunk = chunkOf(part)
            if (chunk === undefined) continue
            chunks.push(chunk)
            if (part.type === "finish") finish = chunk
          }
          return Chunk.unsafeFromArray(chunks)
        }),
        Stream.concat(Stream.execute(attributes))
      )
    }))

  // invoked while someone observes, it streams (as LangChain's chat models do under
  // streamEvents): its tokens reach the observer, and its output is the same combined message
  return Runnable.make({ name: options?.name ?? "model", kind: "model", run, stream, streamsWhenObserved: true })
}

/** @internal */
export const tool = <T extends Tool.Any, R>(
  self: T,
  handler: (params: Tool.Parameters<T>) => Effect.Effect<Tool.Success<T>, Tool.Failure<T>, R>,
  options?: Model.ToolOptions
): Runnable.Runnable<Tool.Parameters<T>, Tool.Success<T>, Tool.Failure<T>, R> => {
  const attributes = { "gen_ai.operation.name": "execute_tool", "gen_ai.tool.name": self.name }
  return Runnable.make({
    name: options?.name ?? self.name,
    kind: "tool",
    run: (params: Tool.Parameters<T>) => Effect.zipRight(Runnable.annotateRun(attributes), handler(params))
  })
}

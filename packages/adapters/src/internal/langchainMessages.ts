/**
 * Messages across the bridge: LangChain's `BaseMessage`s and prompt values ↔ `@effect/ai`'s
 * `Prompt`, and a model's `Model.Message` → LangChain's `AIMessage` (or `AIMessageChunk`).
 *
 * @internal
 */
import * as Prompt from "@effect/ai/Prompt"
import {
  AIMessage,
  AIMessageChunk,
  type BaseMessage,
  HumanMessage,
  type MessageContent,
  SystemMessage,
  ToolMessage
} from "@langchain/core/messages"
import type { BasePromptValueInterface } from "@langchain/core/prompt_values"
import type * as Model from "../Model.js"

/** A LangChain prompt value (`ChatPromptValue`, `StringPromptValue`): it knows its messages. @internal */
export const isPromptValue = (input: unknown): input is BasePromptValueInterface =>
  typeof input === "object" && input !== null && typeof (input as { toChatMessages?: unknown }).toChatMessages === "function"

/** A LangChain message's text: its string content, or its text blocks joined. */
const textOf = (content: MessageContent): string => {
  if (typeof content === "string") return content
  return content.map((block) => (block.type === "text" && typeof block.text === "string" ? block.text : "")).join("")
}

const textParts = (content: MessageContent): Array<Prompt.TextPart> => {
  const text = textOf(content)
  return text === "" ? [] : [Prompt.makePart("text", { text })]
}

const toolCallsOf = (message: BaseMessage): Array<Prompt.ToolCallPart> =>
  ((message as AIMessage).tool_calls ?? []).map((call) =>
    Prompt.makePart("tool-call", { id: call.id ?? "", name: call.name, params: call.args, providerExecuted: false })
  )

/** One LangChain message as `@effect/ai`'s, by its type. */
const fromMessage = (message: BaseMessage): Prompt.Message => {
  switch (message.type) {
    case "system":
      return Prompt.makeMessage("system", { content: textOf(message.content) })
    case "ai":
      return Prompt.makeMessage("assistant", { content: [...textParts(message.content), ...toolCallsOf(message)] })
    case "tool": {
      const tool = message as ToolMessage
      return Prompt.makeMessage("tool", {
        content: [Prompt.makePart("tool-result", {
          id: tool.tool_call_id,
          name: tool.name ?? "",
          result: tool.content,
          isFailure: tool.status === "error",
          providerExecuted: false
        })]
      })
    }
    default:
      return Prompt.makeMessage("user", { content: textParts(message.content) })
  }
}

/** @internal */
export const promptFromLangChain = (input: string | ReadonlyArray<BaseMessage> | BasePromptValueInterface): Prompt.Prompt => {
  if (typeof input === "string") return Prompt.make(input)
  const messages = isPromptValue(input) ? input.toChatMessages() : input
  return Prompt.fromMessages(messages.map(fromMessage))
}

const text = (parts: ReadonlyArray<Prompt.Part>): string =>
  parts.map((part) => (part.type === "text" ? part.text : "")).join("")

const resultText = (result: unknown): string => typeof result === "string" ? result : JSON.stringify(result)

/** @internal */
export const promptToLangChain = (input: Prompt.RawInput): Array<BaseMessage> =>
  Prompt.make(input).content.flatMap((message): Array<BaseMessage> => {
    switch (message.role) {
      case "system":
        return [new SystemMessage(message.content)]
      case "user":
        return [new HumanMessage(text(message.content))]
      case "assistant":
        return [
          new AIMessage({
            content: text(message.content),
            tool_calls: message.content.flatMap((part) =>
              part.type === "tool-call" ? [{ id: part.id, name: part.name, args: part.params as Record<string, unknown>, type: "tool_call" as const }] : []
            )
          })
        ]
      case "tool":
        return message.content.map((part) =>
          new ToolMessage({
            content: resultText(part.result),
            tool_call_id: part.id,
            name: part.name,
            status: part.isFailure ? "error" : "success"
          })
        )
    }
  })

/** The fields of a LangChain AI message (or chunk) holding what a `Model.Message` holds. */
const aiFields = (message: Model.Message<any>, id: string | undefined) => {
  const fields: {
    content: string
    id?: string
    tool_calls: Array<{ id: string; name: string; args: Record<string, unknown>; type: "tool_call" }>
    usage_metadata?: { input_tokens: number; output_tokens: number; total_tokens: number }
    response_metadata: Record<string, unknown>
  } = {
    content: message.text,
    tool_calls: message.toolCalls.map((call) => ({
      id: call.id,
      name: call.name,
      args: call.params as Record<string, unknown>,
      type: "tool_call" as const
    })),
    response_metadata: message.finishReason === undefined ? {} : { finish_reason: message.finishReason }
  }
  if (id !== undefined) fields.id = id
  const usage = message.usage
  if (usage !== undefined) {
    const input = usage.inputTokens ?? 0
    const output = usage.outputTokens ?? 0
    fields.usage_metadata = { input_tokens: input, output_tokens: output, total_tokens: usage.totalTokens ?? input + output }
  }
  return fields
}

/** @internal */
export const messageToLangChain = (message: Model.Message<any>, options?: { readonly id?: string | undefined }): AIMessage =>
  // (LangChain's types of `usage_metadata` depend on a message structure its constructor leaves open)
  new AIMessage(aiFields(message, options?.id) as ConstructorParameters<typeof AIMessage>[0])

/** @internal */
export const messageChunkToLangChain = (
  message: Model.Message<any>,
  options?: { readonly id?: string | undefined }
): AIMessageChunk => {
  const { tool_calls, ...fields } = aiFields(message, options?.id)
  return new AIMessageChunk({
    ...fields,
    tool_call_chunks: tool_calls.map((call, index) => ({
      id: call.id,
      name: call.name,
      args: JSON.stringify(call.args),
      index,
      type: "tool_call_chunk" as const
    }))
  } as ConstructorParameters<typeof AIMessageChunk>[0])
}

/**
 * The OpenAI chat-completions wire format: the request body built from `@effect/ai`'s provider
 * options, the response and chunk schemas, and the mapping of a complete (non-streamed)
 * completion to `@effect/ai` response parts.
 *
 * @internal
 */
import * as AiError from "@effect/ai/AiError"
import type * as LanguageModel from "@effect/ai/LanguageModel"
import type * as Prompt from "@effect/ai/Prompt"
import type * as Response from "@effect/ai/Response"
import * as Tool from "@effect/ai/Tool"
import * as Either from "effect/Either"
import * as Encoding from "effect/Encoding"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"

/** @internal */
export const module = "ChatCompletions"

// -----------------------------------------------------------------------------
// request
// -----------------------------------------------------------------------------

/** @internal */
export type ContentPart =
  | { readonly type: "text"; readonly text: string }
  | { readonly type: "image_url"; readonly image_url: { readonly url: string } }
  | { readonly type: "file"; readonly file: { readonly filename?: string; readonly file_data: string } }

/** @internal */
export interface WireToolCall {
  readonly id: string
  readonly type: "function"
  readonly function: { readonly name: string; readonly arguments: string }
}

/** @internal */
export type WireMessage =
  | { readonly role: "system"; readonly content: string }
  | { readonly role: "user"; readonly content: string | ReadonlyArray<ContentPart> }
  | {
    readonly role: "assistant"
    readonly content: string | null
    readonly tool_calls?: ReadonlyArray<WireToolCall>
  }
  | { readonly role: "tool"; readonly tool_call_id: string; readonly content: string }

/** @internal */
export interface WireTool {
  readonly type: "function"
  readonly function: {
    readonly name: string
    readonly description?: string
    readonly parameters: unknown
  }
}

/** @internal */
export type WireToolChoice =
  | "auto"
  | "none"
  | "required"
  | { readonly type: "function"; readonly function: { readonly name: string } }

/** @internal */
export interface ChatCompletionRequest {
  readonly [key: string]: unknown
  readonly model: string
  readonly messages: ReadonlyArray<WireMessage>
  readonly stream: boolean
  readonly stream_options?: { readonly include_usage: boolean }
  readonly tools?: ReadonlyArray<WireTool>
  readonly tool_choice?: WireToolChoice
  readonly response_format?: {
    readonly type: "json_schema"
    readonly json_schema: { readonly name: string; readonly schema: unknown }
  }
}

const malformedInput = (method: string, description: string, cause?: unknown) =>
  new AiError.MalformedInput({ module, method, description, ...(cause === undefined ? {} : { cause }) })

const stringify = (value: unknown, method: string, what: string): Either.Either<string, AiError.MalformedInput> => {
  try {
    const json = JSON.stringify(value)
    return json === undefined
      ? Either.left(malformedInput(method, `${what} cannot be written as JSON`))
      : Either.right(json)
  } catch (cause) {
    return Either.left(malformedInput(method, `${what} cannot be written as JSON: ${String(cause)}`, cause))
  }
}

const fileData = (part: Prompt.FilePart): string =>
  part.data instanceof URL
    ? part.data.toString()
    : typeof part.data === "string"
    ? /^(https?:|data:)/i.test(part.data) ? part.data : `data:${part.mediaType};base64,${part.data}`
    : `data:${part.mediaType};base64,${Encoding.encodeBase64(part.data)}`

const userPart = (part: Prompt.UserMessagePart, method: string): Either.Either<ContentPart, AiError.MalformedInput> => {
  if (part.type === "text") return Either.right({ type: "text", text: part.text })
  if (part.mediaType.startsWith("image/")) {
    return Either.right({ type: "image_url", image_url: { url: fileData(part) } })
  }
  if (part.data instanceof URL || (typeof part.data === "string" && /^https?:/i.test(part.data))) {
    return Either.left(malformedInput(
      method,
      `a ${part.mediaType} file can only be sent inline (base64 or bytes), not as a URL`
    ))
  }
  return Either.right({
    type: "file",
    file: { ...(part.fileName === undefined ? {} : { filename: part.fileName }), file_data: fileData(part) }
  })
}

const userMessage = (
  message: Prompt.UserMessage,
  method: string
): Either.Either<WireMessage, AiError.MalformedInput> => {
  const [first] = message.content
  if (message.content.length === 1 && first !== undefined && first.type === "text") {
    return Either.right({ role: "user", content: first.text })
  }
  const content: Array<ContentPart> = []
  for (const part of message.content) {
    const encoded = userPart(part, method)
    if (Either.isLeft(encoded)) return Either.left(encoded.left)
    content.push(encoded.right)
  }
  return Either.right({ role: "user", content })
}

const assistantMessage = (
  message: Prompt.AssistantMessage,
  method: string
): Either.Either<WireMessage, AiError.MalformedInput> => {
  let text = ""
  const toolCalls: Array<WireToolCall> = []
  for (const part of message.content) {
    switch (part.type) {
      case "text": {
        text += part.text
        break
      }
      case "tool-call": {
        if (part.providerExecuted) break
        const args = stringify(part.params, method, `the parameters of the tool call ${part.name} (${part.id})`)
        if (Either.isLeft(args)) return Either.left(args.left)
        toolCalls.push({ id: part.id, type: "function", function: { name: part.name, arguments: args.right } })
        break
      }
      case "file": {
        return Either.left(malformedInput(method, "assistant messages cannot carry files in the chat-completions format"))
      }
      // reasoning is not sent back; results of provider-executed tools stay with the provider
      case "reasoning":
      case "tool-result":
        break
    }
  }
  return Either.right(
    toolCalls.length === 0
      ? { role: "assistant", content: text }
      : { role: "assistant", content: text === "" ? null : text, tool_calls: toolCalls }
  )
}

/**
 * The prompt's messages in the wire format. A tool message becomes one `tool` message per result.
 *
 * @internal
 */
export const encodeMessages = (
  prompt: Prompt.Prompt,
  method: string
): Either.Either<Array<WireMessage>, AiError.MalformedInput> => {
  const messages: Array<WireMessage> = []
  for (const message of prompt.content) {
    switch (message.role) {
      case "system": {
        messages.push({ role: "system", content: message.content })
        break
      }
      case "user": {
        const encoded = userMessage(message, method)
        if (Either.isLeft(encoded)) return Either.left(encoded.left)
        messages.push(encoded.right)
        break
      }
      case "assistant": {
        const encoded = assistantMessage(message, method)
        if (Either.isLeft(encoded)) return Either.left(encoded.left)
        messages.push(encoded.right)
        break
      }
      case "tool": {
        for (const part of message.content) {
          const content = typeof part.result === "string"
            ? Either.right(part.result)
            : stringify(part.result, method, `the result of the tool call ${part.name} (${part.id})`)
          if (Either.isLeft(content)) return Either.left(content.left)
          messages.push({ role: "tool", tool_call_id: part.id, content: content.right })
        }
        break
      }
    }
  }
  return Either.right(messages)
}

/**
 * The `tools` and `tool_choice` fields, absent when the request has no tools.
 *
 * @internal
 */
export const encodeTools = (
  options: LanguageModel.ProviderOptions,
  method: string
): Either.Either<
  { readonly tools?: ReadonlyArray<WireTool>; readonly tool_choice?: WireToolChoice },
  AiError.MalformedInput
> => {
  if (options.tools.length === 0) return Either.right({})
  const tools: Array<WireTool> = []
  for (const tool of options.tools) {
    if (Tool.isProviderDefined(tool)) {
      return Either.left(malformedInput(
        method,
        `the provider-defined tool ${tool.name} (${tool.id}) is not available through chat completions; ` +
          "use a user-defined tool"
      ))
    }
    const description = Tool.getDescription(tool as any)
    tools.push({
      type: "function",
      function: {
        name: tool.name,
        ...(description === undefined ? {} : { description }),
        parameters: Tool.getJsonSchema(tool as any)
      }
    })
  }
  const choice = options.toolChoice
  const tool_choice: WireToolChoice = typeof choice === "string"
    ? choice
    : "tool" in choice
    ? { type: "function", function: { name: choice.tool } }
    : choice.mode === "required"
    ? "required"
    : "auto"
  return Either.right({ tools, tool_choice })
}

/**
 * The whole request body. `extraBody` comes first, so the fields this provider manages win.
 *
 * @internal
 */
export const encodeRequest = (
  model: string,
  extraBody: Readonly<Record<string, unknown>> | undefined,
  options: LanguageModel.ProviderOptions,
  stream: boolean
): Either.Either<string, AiError.MalformedInput> => {
  const method = stream ? "streamText" : "generateText"
  const messages = encodeMessages(options.prompt, method)
  if (Either.isLeft(messages)) return Either.left(messages.left)
  const tools = encodeTools(options, method)
  if (Either.isLeft(tools)) return Either.left(tools.left)
  const format = options.responseFormat
  const body: ChatCompletionRequest = {
    ...extraBody,
    model,
    messages: messages.right,
    stream,
    ...(stream ? { stream_options: { include_usage: true } } : {}),
    ...tools.right,
    ...(format.type === "json"
      ? {
        response_format: {
          type: "json_schema",
          json_schema: { name: format.objectName, schema: Tool.getJsonSchemaFromSchemaAst(format.schema.ast) }
        }
      }
      : {})
  }
  return stringify(body, method, "the request body")
}

// -----------------------------------------------------------------------------
// response
// -----------------------------------------------------------------------------

const OptionalNumber = Schema.optional(Schema.NullOr(Schema.Number))
const OptionalString = Schema.optional(Schema.NullOr(Schema.String))

/** @internal */
export const Usage = Schema.Struct({
  prompt_tokens: OptionalNumber,
  completion_tokens: OptionalNumber,
  total_tokens: OptionalNumber,
  prompt_tokens_details: Schema.optional(Schema.NullOr(
    Schema.Struct({ cached_tokens: OptionalNumber }).annotations({ identifier: "PromptTokensDetails" })
  )),
  completion_tokens_details: Schema.optional(Schema.NullOr(
    Schema.Struct({ reasoning_tokens: OptionalNumber }).annotations({ identifier: "CompletionTokensDetails" })
  ))
}).annotations({ identifier: "Usage" })

/** @internal */
export type Usage = typeof Usage.Type

const ToolCall = Schema.Struct({
  id: OptionalString,
  function: Schema.Struct({ name: Schema.String, arguments: OptionalString }).annotations({ identifier: "Function" })
}).annotations({ identifier: "ToolCall" })

const Message = Schema.Struct({
  content: OptionalString,
  reasoning_content: OptionalString,
  reasoning: OptionalString,
  refusal: OptionalString,
  tool_calls: Schema.optional(Schema.NullOr(Schema.Array(ToolCall)))
}).annotations({ identifier: "Message" })

/** @internal */
export const ChatCompletion = Schema.Struct({
  id: OptionalString,
  model: OptionalString,
  created: OptionalNumber,
  choices: Schema.Array(
    Schema.Struct({ message: Message, finish_reason: OptionalString }).annotations({ identifier: "Choice" })
  ),
  usage: Schema.optional(Schema.NullOr(Usage))
}).annotations({ identifier: "ChatCompletion" })

const ToolCallDelta = Schema.Struct({
  index: OptionalNumber,
  id: OptionalString,
  function: Schema.optional(Schema.NullOr(
    Schema.Struct({ name: OptionalString, arguments: OptionalString }).annotations({ identifier: "FunctionDelta" })
  ))
}).annotations({ identifier: "ToolCallDelta" })

/** @internal */
export type ToolCallDelta = typeof ToolCallDelta.Type

/** @internal */
export const ChatCompletionChunk = Schema.Struct({
  id: OptionalString,
  model: OptionalString,
  created: OptionalNumber,
  choices: Schema.optional(Schema.NullOr(Schema.Array(Schema.Struct({
    index: OptionalNumber,
    delta: Schema.optional(Schema.NullOr(Schema.Struct({
      content: OptionalString,
      reasoning_content: OptionalString,
      reasoning: OptionalString,
      tool_calls: Schema.optional(Schema.NullOr(Schema.Array(ToolCallDelta)))
    }).annotations({ identifier: "Delta" }))),
    finish_reason: OptionalString
  }).annotations({ identifier: "ChunkChoice" })))),
  usage: Schema.optional(Schema.NullOr(Usage))
}).annotations({ identifier: "ChatCompletionChunk" })

/** @internal */
export type ChatCompletionChunk = typeof ChatCompletionChunk.Type

const decodeChunkSchema = Schema.decodeUnknownEither(ChatCompletionChunk)

// The hot path of a stream: a structural check of exactly what `ChatCompletionChunk` accepts
// (a few times cheaper than decoding), falling back to the schema for anything else, so that a
// chunk of the wrong shape still gets the schema's verdict and message.
type Check = (value: unknown) => boolean
const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value)
const optional = (value: unknown, check: Check): boolean => value === undefined || value === null || check(value)
const isString: Check = (value) => typeof value === "string"
const isNumber: Check = (value) => typeof value === "number"
const arrayOf = (check: Check): Check => (value) => Array.isArray(value) && value.every(check)
const isUsage: Check = (value) =>
  isRecord(value) &&
  optional(value.prompt_tokens, isNumber) &&
  optional(value.completion_tokens, isNumber) &&
  optional(value.total_tokens, isNumber) &&
  optional(value.prompt_tokens_details, (details) => isRecord(details) && optional(details.cached_tokens, isNumber)) &&
  optional(
    value.completion_tokens_details,
    (details) => isRecord(details) && optional(details.reasoning_tokens, isNumber)
  )
const isToolCallDelta: Check = (value) =>
  isRecord(value) &&
  optional(value.index, isNumber) &&
  optional(value.id, isString) &&
  optional(value.function, (fn) => isRecord(fn) && optional(fn.name, isString) && optional(fn.arguments, isString))
const isDelta: Check = (value) =>
  isRecord(value) &&
  optional(value.content, isString) &&
  optional(value.reasoning_content, isString) &&
  optional(value.reasoning, isString) &&
  optional(value.tool_calls, arrayOf(isToolCallDelta))
const isChoice: Check = (value) =>
  isRecord(value) &&
  optional(value.index, isNumber) &&
  optional(value.delta, isDelta) &&
  optional(value.finish_reason, isString)
const isChunk = (value: unknown): value is ChatCompletionChunk =>
  isRecord(value) &&
  optional(value.id, isString) &&
  optional(value.model, isString) &&
  optional(value.created, isNumber) &&
  optional(value.choices, arrayOf(isChoice)) &&
  optional(value.usage, isUsage)

/** @internal */
export const decodeChunk = (value: unknown): Either.Either<ChatCompletionChunk, ParseResult.ParseError> =>
  isChunk(value) ? Either.right(value) : decodeChunkSchema(value)

const decodeCompletion = Schema.decodeUnknownEither(ChatCompletion)

const finishReasons: Record<string, Response.FinishReason> = {
  stop: "stop",
  eos: "stop",
  eos_token: "stop",
  stop_sequence: "stop",
  end_turn: "stop",
  length: "length",
  max_tokens: "length",
  content_filter: "content-filter",
  tool_calls: "tool-calls",
  function_call: "tool-calls",
  error: "error"
}

/**
 * The server's `finish_reason` as an `@effect/ai` finish reason: none given is `"unknown"` (or
 * `"tool-calls"` when the model called tools), one this protocol does not know is `"other"`.
 *
 * @internal
 */
export const finishReason = (reason: string | null | undefined, hasToolCalls: boolean): Response.FinishReason =>
  reason === null || reason === undefined
    ? hasToolCalls ? "tool-calls" : "unknown"
    : finishReasons[reason] ?? "other"

/** @internal */
export const finishMetadata = (reason: string | null | undefined): Response.FinishPartMetadata =>
  reason === null || reason === undefined ? {} : { chatCompletions: { finishReason: reason } }

/** @internal */
export const usage = (wire: Usage | null | undefined): typeof Response.Usage.Encoded => {
  const input = wire?.prompt_tokens ?? undefined
  const output = wire?.completion_tokens ?? undefined
  const reasoning = wire?.completion_tokens_details?.reasoning_tokens
  const cached = wire?.prompt_tokens_details?.cached_tokens
  return {
    inputTokens: input,
    outputTokens: output,
    totalTokens: wire?.total_tokens ?? (input === undefined && output === undefined
      ? undefined
      : (input ?? 0) + (output ?? 0)),
    ...(reasoning === null || reasoning === undefined ? {} : { reasoningTokens: reasoning }),
    ...(cached === null || cached === undefined ? {} : { cachedInputTokens: cached })
  }
}

/** @internal */
export const responseMetadata = (
  id: string | null | undefined,
  model: string | null | undefined,
  created: number | null | undefined
): Response.ResponseMetadataPartEncoded => ({
  type: "response-metadata",
  ...(id === null || id === undefined ? {} : { id }),
  ...(model === null || model === undefined ? {} : { modelId: model }),
  ...(created === null || created === undefined || !Number.isFinite(created)
    ? {}
    : { timestamp: new Date(created * 1000).toISOString() })
})

/**
 * The first, deepest problem a `ParseError` reports, in one line:
 * `at choices[0].delta.content: Expected string, actual 42`.
 *
 * @internal
 */
export const parseIssue = (error: ParseResult.ParseError): string => {
  const issues = ParseResult.ArrayFormatter.formatErrorSync(error)
  let deepest = issues[0]
  for (const issue of issues) if (deepest === undefined || issue.path.length > deepest.path.length) deepest = issue
  if (deepest === undefined) return error.message
  const path = deepest.path.map((key, index) =>
    typeof key === "number" ? `[${key}]` : index === 0 ? String(key) : `.${String(key)}`
  ).join("")
  return path === "" ? deepest.message : `at ${path}: ${deepest.message}`
}

/** @internal */
export const malformedOutput = (method: string, description: string, cause?: unknown): AiError.MalformedOutput =>
  new AiError.MalformedOutput({ module, method, description, ...(cause === undefined ? {} : { cause }) })

/** A short, single-line excerpt of server text for error messages. @internal */
export const excerpt = (text: string, max = 200): string => {
  const line = text.replace(/\s+/g, " ").trim()
  return line.length > max ? `${line.slice(0, max)}…` : line
}

/** @internal */
export const toolCallId = (id: string | null | undefined): string =>
  id === null || id === undefined || id === "" ? `call_${globalThis.crypto.randomUUID()}` : id

/**
 * A tool call's `arguments` text as the parameters object (empty text meaning no parameters).
 *
 * @internal
 */
export const toolCallParams = (
  method: string,
  name: string,
  id: string,
  args: string
): Either.Either<unknown, AiError.MalformedOutput> => {
  if (args.trim() === "") return Either.right({})
  try {
    return Either.right(JSON.parse(args))
  } catch (cause) {
    return Either.left(malformedOutput(
      method,
      `the arguments of the tool call ${name} (${id}) are not valid JSON: ${excerpt(args)}`,
      cause
    ))
  }
}

/**
 * The message of a server's error payload (`{ error: { message } }`, `{ error: "..." }`,
 * `{ message }` or `{ detail }`), if it has one.
 *
 * @internal
 */
export const errorMessage = (payload: unknown): string | undefined => {
  if (typeof payload !== "object" || payload === null) return undefined
  const record = payload as Record<string, unknown>
  const error = record.error
  if (typeof error === "string") return error
  if (typeof error === "object" && error !== null) {
    const message = (error as Record<string, unknown>).message
    if (typeof message === "string") return message
  }
  if (typeof record.message === "string") return record.message
  if (typeof record.detail === "string") return record.detail
  return undefined
}

/**
 * Whether a payload is a server's error report rather than a completion or chunk: it has a
 * non-null `error` and no `choices`.
 *
 * @internal
 */
export const isErrorPayload = (payload: unknown): boolean =>
  typeof payload === "object" && payload !== null && !("choices" in payload) &&
  (payload as { readonly error?: unknown }).error !== undefined &&
  (payload as { readonly error?: unknown }).error !== null

/** @internal */
export const parseJson = (text: string): Either.Either<unknown, unknown> => {
  try {
    return Either.right(JSON.parse(text))
  } catch (cause) {
    return Either.left(cause)
  }
}

/**
 * A server error reported with a success status (in a JSON body or mid-stream).
 *
 * @internal
 */
export const serverError = (method: string, payload: unknown): AiError.UnknownError =>
  new AiError.UnknownError({
    module,
    method,
    description: `the server reported an error: ${errorMessage(payload) ?? excerpt(JSON.stringify(payload) ?? "")}`,
    cause: payload
  })

/**
 * A complete completion's text as `@effect/ai` response parts: metadata, reasoning, text, tool
 * calls, then the finish part with the usage.
 *
 * @internal
 */
export const completionParts = (
  text: string
): Either.Either<Array<Response.PartEncoded>, AiError.AiError> => {
  const method = "generateText"
  const json = parseJson(text)
  if (Either.isLeft(json)) {
    return Either.left(malformedOutput(method, `the response is not valid JSON: ${excerpt(text)}`, json.left))
  }
  if (isErrorPayload(json.right)) return Either.left(serverError(method, json.right))
  const decoded = decodeCompletion(json.right)
  if (Either.isLeft(decoded)) {
    return Either.left(malformedOutput(
      method,
      `the response is not a chat completion: ${parseIssue(decoded.left)}`,
      decoded.left
    ))
  }
  const completion = decoded.right
  const choice = completion.choices[0]
  if (choice === undefined) return Either.left(malformedOutput(method, "the response has no choices"))
  const parts: Array<Response.PartEncoded> = [responseMetadata(completion.id, completion.model, completion.created)]
  const message = choice.message
  const reasoning = message.reasoning_content ?? message.reasoning
  if (reasoning !== null && reasoning !== undefined && reasoning !== "") {
    parts.push({ type: "reasoning", text: reasoning })
  }
  const content = message.content ?? message.refusal
  if (content !== null && content !== undefined && content !== "") parts.push({ type: "text", text: content })
  const toolCalls = message.tool_calls ?? []
  for (const call of toolCalls) {
    const id = toolCallId(call.id)
    const params = toolCallParams(method, call.function.name, id, call.function.arguments ?? "")
    if (Either.isLeft(params)) return Either.left(params.left)
    parts.push({ type: "tool-call", id, name: call.function.name, params: params.right, providerExecuted: false })
  }
  parts.push({
    type: "finish",
    reason: finishReason(choice.finish_reason, toolCalls.length > 0),
    usage: usage(completion.usage),
    metadata: finishMetadata(choice.finish_reason)
  })
  return Either.right(parts)
}

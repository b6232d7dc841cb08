/** @internal */
import type * as AiError from "@effect/ai/AiError"
import * as LanguageModel from "@effect/ai/LanguageModel"
import type * as Prompt from "@effect/ai/Prompt"
import type * as Response from "@effect/ai/Response"
import { Options } from "@fxchain/core"
import * as Cause from "effect/Cause"
import * as Chunk from "effect/Chunk"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import type * as FakeModel from "../FakeModel.js"
import type * as Model from "../Model.js"
import { HttpResponseErrorWithRetryAfter } from "./retryAfter.js"

/** @internal */
export const defaultModelId = "fake-model"

/** @internal */
export const tokens = (text: string): ReadonlyArray<string> => text.match(/\s*\S+\s*/g) ?? (text === "" ? [] : [text])

const textOfMessage = (message: Prompt.Message): string => {
  if (message.role === "system") return message.content
  const texts: Array<string> = []
  for (const part of message.content) {
    if (part.type === "text" || part.type === "reasoning") texts.push(part.text)
  }
  return texts.join("")
}

/** @internal */
export const lastUserText = (prompt: Prompt.Prompt): string => {
  for (let index = prompt.content.length - 1; index >= 0; index--) {
    const message = prompt.content[index]!
    if (message.role === "user") return textOfMessage(message)
  }
  return ""
}

const promptTokens = (prompt: Prompt.Prompt): number =>
  prompt.content.reduce((count, message) => count + tokens(textOfMessage(message)).length, 0)

/** @internal */
export const rateLimitError = (
  options?: FakeModel.RateLimitOptions
): AiError.HttpResponseError & { readonly retryAfter: Duration.Duration | undefined } => {
  const status = options?.status ?? 429
  const headers: Record<string, string> = options?.retryAfter === undefined
    ? {}
    : { "retry-after": String(Duration.toMillis(Duration.decode(options.retryAfter)) / 1000) }
  return new HttpResponseErrorWithRetryAfter({
    module: "FakeModel",
    method: options?.method ?? "generateText",
    request: { method: "POST", url: "fake://model", urlParams: [], hash: Option.none(), headers: {} },
    response: { status, headers },
    reason: "StatusCode",
    description: options?.description ?? `Rate limited (HTTP ${status})`
  }, 0) // the header holds seconds, not a date: no time to count from
}

interface Answer {
  readonly call: number
  readonly text: string
  readonly toolCalls: ReadonlyArray<FakeModel.ScriptedToolCall>
  readonly finishReason: Response.FinishReason
  readonly usage: Model.Usage
}

/** The options, checked when the fake model is made (see core's `Options`). */
const validate = (options: FakeModel.Options): void => {
  const responses = options.responses
  if (
    !(typeof responses === "string" || typeof responses === "function" ||
      (Array.isArray(responses) && responses.length > 0) ||
      (typeof responses === "object" && responses !== null && !Array.isArray(responses)))
  ) {
    Options.invalid("FakeModel", "responses", responses, "a response, a non-empty list of responses, or a function")
  }
  const failures = options.failures
  if (failures !== undefined && typeof failures !== "function") {
    Options.integer("FakeModel", "failures.first", failures.first, { min: 0 })
  }
  for (const option of ["firstTokenLatency", "tokenLatency"] as const) {
    const value = options[option]
    if (value !== undefined) Options.duration("FakeModel", option, value)
  }
}

const sleepFor = (duration: Duration.Duration): Effect.Effect<void> =>
  Duration.isZero(duration) ? Effect.void : Effect.sleep(duration)

/** @internal */
export const make = (options: FakeModel.Options): Effect.Effect<FakeModel.FakeModel> => {
  validate(options)
  return Effect.suspend(() => {
    const firstTokenLatency = Duration.decode(options.firstTokenLatency ?? Duration.zero)
    const tokenLatency = Duration.decode(options.tokenLatency ?? Duration.zero)
    const modelId = options.model ?? defaultModelId
    const recorded: Array<FakeModel.Call> = []
    let answered = 0

    const scripted = (prompt: Prompt.Prompt, call: number): FakeModel.Response => {
      const responses = options.responses
      if (typeof responses === "function") return responses(prompt, call)
      if (Array.isArray(responses)) return responses[answered % responses.length]!
      return responses as FakeModel.Response
    }

    const failureOf = (call: number, prompt: Prompt.Prompt, method: string): AiError.AiError | undefined => {
      const failures = options.failures
      if (failures === undefined) return undefined
      if (typeof failures === "function") return failures(call, prompt)
      if (call >= failures.first) return undefined
      return rateLimitError({
        ...failures,
        method,
        description: `Rate limited: scripted failure ${call + 1} of ${failures.first}`
      })
    }

    /** Records the call, then fails as scripted or works out the answer. */
    const begin = (provider: LanguageModel.ProviderOptions, streaming: boolean): Effect.Effect<Answer, AiError.AiError> =>
      Effect.flatMap(Clock.currentTimeMillis, (timestamp) => {
        const call = recorded.length
        const prompt = provider.prompt
        const offered = provider.tools.map((tool) => tool.name)
        recorded.push({ index: call, prompt, streaming, tools: offered, timestamp })
        const failure = failureOf(call, prompt, streaming ? "streamText" : "generateText")
        // `failCause`, not `fail`: inside a span `Effect.fail` hands on a proxy of the error, and a
        // test comparing it with the scripted one by identity would not find the same object
        if (failure !== undefined) return Effect.failCause(Cause.fail(failure))
        const response = scripted(prompt, call)
        answered++
        const reply: FakeModel.Reply = typeof response === "string" ? { text: response } : response
        const text = reply.text ?? ""
        const toolCalls = (reply.toolCalls ?? []).map((toolCall, index) => ({
          ...toolCall,
          id: toolCall.id ?? `call_${call}_${index}`
        }))
        const unknownTool = toolCalls.find((toolCall) => !offered.includes(toolCall.name))
        if (unknownTool !== undefined) {
          return Effect.dieMessage(
            `FakeModel: the scripted answer calls tool '${unknownTool.name}', which the request did not offer ` +
              `(offered: ${offered.length === 0 ? "none" : offered.join(", ")}); pass a toolkit to the model`
          )
        }
        const inputTokens = promptTokens(prompt)
        const outputTokens = tokens(text).length + toolCalls.length
        return Effect.succeed({
          call,
          text,
          toolCalls,
          finishReason: reply.finishReason ?? (toolCalls.length > 0 ? "tool-calls" : "stop"),
          usage: { inputTokens, outputTokens, totalTokens: inputTokens + outputTokens, ...reply.usage }
        })
      })

    const metadataPart = (call: number): Response.ResponseMetadataPartEncoded => ({
      type: "response-metadata",
      id: `fake-response-${call}`,
      modelId
    })
    const toolCallPart = (toolCall: FakeModel.ScriptedToolCall): Response.ToolCallPartEncoded => ({
      type: "tool-call",
      id: toolCall.id!,
      name: toolCall.name,
      params: toolCall.params,
      providerExecuted: false
    })
    const finishPart = (answer: Answer): Response.FinishPartEncoded => ({
      type: "finish",
      reason: answer.finishReason,
      usage: {
        inputTokens: answer.usage.inputTokens,
        outputTokens: answer.usage.outputTokens,
        totalTokens: answer.usage.totalTokens,
        ...(answer.usage.reasoningTokens === undefined ? {} : { reasoningTokens: answer.usage.reasoningTokens }),
        ...(answer.usage.cachedInputTokens === undefined ? {} : { cachedInputTokens: answer.usage.cachedInputTokens })
      }
    })

    /**
     * The answer's emissions, in order: each is what arrives at once, after a wait (the first
     * token's latency, then a token's latency each). One per text token, one per tool call.
     */
    const emissionsOf = (answer: Answer): Array<Array<Response.StreamPartEncoded>> => {
      const textId = `text_${answer.call}`
      const pieces = tokens(answer.text)
      const emissions: Array<Array<Response.StreamPartEncoded>> = pieces.map((delta, index) => {
        const parts: Array<Response.StreamPartEncoded> = []
        if (index === 0) parts.push({ type: "text-start", id: textId })
        parts.push({ type: "text-delta", id: textId, delta })
        if (index === pieces.length - 1) parts.push({ type: "text-end", id: textId })
        return parts
      })
      for (const toolCall of answer.toolCalls) emissions.push([toolCallPart(toolCall)])
      if (emissions.length === 0) emissions.push([])
      emissions[0]!.unshift(metadataPart(answer.call))
      emissions[emissions.length - 1]!.push(finishPart(answer))
      return emissions
    }

    /** As long as streaming the whole answer takes. */
    const answerLatency = (answer: Answer): Duration.Duration => {
      const emissions = Math.max(1, tokens(answer.text).length + answer.toolCalls.length)
      return Duration.sum(firstTokenLatency, Duration.times(tokenLatency, emissions - 1))
    }

    const generateText = (provider: LanguageModel.ProviderOptions) =>
      Effect.flatMap(begin(provider, false), (answer) => {
        const parts: Array<Response.PartEncoded> = [metadataPart(answer.call)]
        if (answer.text !== "") parts.push({ type: "text", text: answer.text })
        for (const toolCall of answer.toolCalls) parts.push(toolCallPart(toolCall))
        parts.push(finishPart(answer))
        return Effect.as(sleepFor(answerLatency(answer)), parts)
      })

    // with no latency every token is ready at once: they come as one Effect chunk, as the events
    // of one network read do from a provider; with a latency, one token per chunk as it is due
    const instant = Duration.isZero(firstTokenLatency) && Duration.isZero(tokenLatency)
    const streamText = (provider: LanguageModel.ProviderOptions) =>
      Stream.unwrap(Effect.map(begin(provider, true), (answer) => {
        const emissions = emissionsOf(answer)
        return instant
          ? Stream.fromChunk(Chunk.unsafeFromArray(emissions.flat()))
          : Stream.fromIterable(emissions).pipe(
            Stream.zipWithIndex,
            Stream.mapEffect(([parts, index]) => Effect.as(sleepFor(index === 0 ? firstTokenLatency : tokenLatency), parts)),
            Stream.flattenIterables
          )
      }))

    return Effect.map(LanguageModel.make({ generateText, streamText }), (service): FakeModel.FakeModel => ({
      service,
      layer: Layer.succeed(LanguageModel.LanguageModel, service),
      calls: Effect.sync(() => recorded.slice()),
      prompts: Effect.sync(() => recorded.map((call) => call.prompt))
    }))
  })
}

/** @internal */
export const layer = (options: FakeModel.Options): Layer.Layer<LanguageModel.LanguageModel> =>
  Layer.effect(LanguageModel.LanguageModel, Effect.map(make(options), (fake) => fake.service))

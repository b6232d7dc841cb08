/** @internal */
import * as AiError from "@effect/ai/AiError"
import * as LanguageModel from "@effect/ai/LanguageModel"
import type * as Response from "@effect/ai/Response"
import * as Telemetry from "@effect/ai/Telemetry"
import * as Headers from "@effect/platform/Headers"
import * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpClientError from "@effect/platform/HttpClientError"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import { Options } from "@fxchain/core"
import * as Clock from "effect/Clock"
import * as Config from "effect/Config"
import type * as ConfigError from "effect/ConfigError"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as FiberRef from "effect/FiberRef"
import { identity } from "effect/Function"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Stream from "effect/Stream"
import type { Span } from "effect/Tracer"
import type * as ChatCompletions from "../ChatCompletions.js"
import { decodeEventStream } from "./chatCompletionsStream.js"
import * as Wire from "./chatCompletionsWire.js"
import { HttpResponseErrorWithRetryAfter } from "./retryAfter.js"

const module = Wire.module

type Method = "generateText" | "streamText"

// -----------------------------------------------------------------------------
// errors
// -----------------------------------------------------------------------------

type RedactedNames = ReadonlyArray<string | RegExp>

const plainHeaders = (headers: Headers.Headers, names: RedactedNames): Record<string, string> => {
  const redacted = Headers.redact(headers, names)
  const plain: Record<string, string> = {}
  for (const name in redacted) {
    const value = redacted[name]!
    plain[name] = Redacted.isRedacted(value) ? "<redacted>" : value
  }
  return plain
}

const requestDetails = (
  request: HttpClientRequest.HttpClientRequest,
  names: RedactedNames
): typeof AiError.HttpRequestDetails.Type => ({
  method: request.method,
  url: request.url,
  urlParams: request.urlParams,
  hash: request.hash,
  headers: plainHeaders(request.headers, names)
})

/** An error's message with the causes under it: "fetch failed: connect ECONNREFUSED 127.0.0.1:1". */
const describe = (cause: unknown): string => {
  const messages: Array<string> = []
  let current: unknown = cause
  for (let depth = 0; depth < 5 && current !== undefined && current !== null; depth++) {
    if (current instanceof Error) {
      const code = (current as { readonly code?: unknown }).code
      const message = current.message === "" && typeof code === "string" ? code : current.message
      if (message !== "" && !messages.includes(message)) messages.push(message)
      current = (current as { readonly cause?: unknown }).cause
    } else {
      messages.push(String(current))
      break
    }
  }
  return messages.length === 0 ? "unknown cause" : messages.join(": ")
}

const requestError = (
  method: Method,
  error: HttpClientError.RequestError,
  names: RedactedNames
): AiError.HttpRequestError =>
  new AiError.HttpRequestError({
    module,
    method,
    reason: error.reason,
    request: requestDetails(error.request, names),
    description: error.description ?? describe(error.cause),
    cause: error
  }, { disableValidation: true })

/** The response came, but reading its body failed (`description` says how). */
const decodeError = (
  method: Method,
  response: HttpClientResponse.HttpClientResponse,
  description: string,
  names: RedactedNames
): AiError.HttpResponseError =>
  new AiError.HttpResponseError({
    module,
    method,
    reason: "Decode",
    request: requestDetails(response.request, names),
    response: { status: response.status, headers: plainHeaders(response.headers, names) },
    description
  }, { disableValidation: true })

const bodyError = (method: Method, response: HttpClientResponse.HttpClientResponse, cause: unknown, names: RedactedNames) =>
  decodeError(method, response, `the connection failed while the response was being read: ${describe(cause)}`, names)

/**
 * A non-2xx response as an `HttpResponseError` holding the server's body, with its error message
 * as the description; a 429, or any response with a `Retry-After` header, as the subclass with
 * `retryAfter`.
 */
const statusError = (
  method: Method,
  response: HttpClientResponse.HttpClientResponse,
  names: RedactedNames,
  timeout: Duration.Duration
): Effect.Effect<never, AiError.HttpResponseError> =>
  Effect.flatMap(
    // a body that does not arrive within the timeout is no body
    Effect.all([Effect.option(withTimeout(response.text, timeout, () => "stalled")), Clock.currentTimeMillis]),
    ([text, now]) => {
      const body = Option.getOrUndefined(text)
      const payload = body === undefined ? undefined : Wire.parseJson(body)
      const message = payload !== undefined && Either.isRight(payload)
        ? Wire.errorMessage(payload.right)
        : body === undefined || body.trim() === ""
        ? undefined
        : Wire.excerpt(body)
      const props = {
        module,
        method,
        reason: "StatusCode" as const,
        request: requestDetails(response.request, names),
        response: { status: response.status, headers: plainHeaders(response.headers, names) },
        description: message === undefined
          ? `the server answered ${response.status}`
          : `the server answered ${response.status}: ${message}`,
        ...(body === undefined ? {} : { body })
      }
      return Effect.fail(
        response.status === 429 || response.headers["retry-after"] !== undefined
          ? new HttpResponseErrorWithRetryAfter(props, now)
          : new AiError.HttpResponseError(props, { disableValidation: true })
      )
    }
  )

// -----------------------------------------------------------------------------
// timeouts
// -----------------------------------------------------------------------------

/** @internal */
export const defaultTimeout: Duration.Duration = Duration.minutes(10)

const decodeTimeout = (input: Duration.DurationInput | undefined): Duration.Duration => {
  if (input === undefined) return defaultTimeout
  const timeout = Options.duration("ChatCompletions", "timeout", input)
  return Duration.greaterThan(timeout, Duration.zero)
    ? timeout
    : Options.invalid(
      "ChatCompletions",
      "timeout",
      input,
      "a Duration.DurationInput above 0 (\"30 seconds\", Duration.minutes(2), a number of milliseconds, Duration.infinity)"
    )
}

/** Stops waiting for the server after `timeout` (on the Clock), failing with `onTimeout()`. */
const withTimeout = <A, E, R, E2>(
  effect: Effect.Effect<A, E, R>,
  timeout: Duration.Duration,
  onTimeout: () => E2
): Effect.Effect<A, E | E2, R> => Duration.isFinite(timeout) ? Effect.timeoutFail(effect, { duration: timeout, onTimeout }) : effect

const noResponse = (
  method: Method,
  request: HttpClientRequest.HttpClientRequest,
  timeout: Duration.Duration,
  names: RedactedNames
): AiError.HttpRequestError =>
  new AiError.HttpRequestError({
    module,
    method,
    reason: "Transport",
    request: requestDetails(request, names),
    description: `no response from the server within ${Duration.format(timeout)} (the timeout option)`
  }, { disableValidation: true })

const stalledBody = (
  method: Method,
  response: HttpClientResponse.HttpClientResponse,
  timeout: Duration.Duration,
  names: RedactedNames
) =>
  decodeError(
    method,
    response,
    `the server sent nothing for ${Duration.format(timeout)} while the response was being read (the timeout option)`,
    names
  )

// -----------------------------------------------------------------------------
// telemetry
// -----------------------------------------------------------------------------

const annotateRequest = (span: Span, model: string): void =>
  Telemetry.addGenAIAnnotations(span, { operation: { name: "chat" }, request: { model } })

const annotatePart = (span: Span, part: Response.StreamPartEncoded | Response.PartEncoded): void => {
  if (part.type === "response-metadata") {
    Telemetry.addGenAIAnnotations(span, { response: { id: part.id, model: part.modelId } })
  } else if (part.type === "finish") {
    Telemetry.addGenAIAnnotations(span, {
      response: { finishReasons: [part.reason] },
      usage: { inputTokens: part.usage.inputTokens, outputTokens: part.usage.outputTokens }
    })
  }
}

// -----------------------------------------------------------------------------
// the service
// -----------------------------------------------------------------------------

/** A complete completion's parts as stream parts (for a server that ignores `stream: true`). */
const asStreamParts = (parts: ReadonlyArray<Response.PartEncoded>): Array<Response.StreamPartEncoded> => {
  const out: Array<Response.StreamPartEncoded> = []
  parts.forEach((part, index) => {
    switch (part.type) {
      case "text": {
        const id = `text-${index}`
        out.push({ type: "text-start", id }, { type: "text-delta", id, delta: part.text }, { type: "text-end", id })
        break
      }
      case "reasoning": {
        const id = `reasoning-${index}`
        out.push(
          { type: "reasoning-start", id },
          { type: "reasoning-delta", id, delta: part.text },
          { type: "reasoning-end", id }
        )
        break
      }
      case "tool-call": {
        const delta = JSON.stringify(part.params)
        out.push(
          { type: "tool-params-start", id: part.id, name: part.name, providerExecuted: false },
          { type: "tool-params-delta", id: part.id, delta },
          { type: "tool-params-end", id: part.id },
          part
        )
        break
      }
      case "response-metadata":
      case "finish": {
        out.push(part)
        break
      }
    }
  })
  return out
}

/** @internal */
export const make = (
  options: ChatCompletions.Options
): Effect.Effect<LanguageModel.Service, never, HttpClient.HttpClient> => {
  const timeout = decodeTimeout(options.timeout)
  return Effect.gen(function*() {
    const client = HttpClient.withScope((options.transformClient ?? identity)(yield* HttpClient.HttpClient))
    const url = `${options.apiUrl.replace(/\/+$/, "")}/chat/completions`
    const base = HttpClientRequest.post(url).pipe(
      HttpClientRequest.setHeaders(options.headers ?? {}),
      options.apiKey === undefined ? identity : HttpClientRequest.bearerToken(options.apiKey)
    )
    const jsonRequest = HttpClientRequest.acceptJson(base)
    const streamRequest = HttpClientRequest.accept(base, "text/event-stream")

    /** Sends the request; succeeds with a 2xx response, in the current scope. */
    const send = (method: Method, providerOptions: LanguageModel.ProviderOptions) =>
      Effect.gen(function*() {
        const names = yield* FiberRef.get(Headers.currentRedactedNames)
        const stream = method === "streamText"
        const body = Wire.encodeRequest(options.model, options.extraBody, providerOptions, stream)
        if (Either.isLeft(body)) return yield* body.left
        annotateRequest(providerOptions.span, options.model)
        const request = HttpClientRequest.bodyText(stream ? streamRequest : jsonRequest, body.right, "application/json")
        const response = yield* withTimeout(
          client.execute(request),
          timeout,
          () => noResponse(method, request, timeout, names)
        ).pipe(
          Effect.catchTags({
            RequestError: (error) => Effect.fail(requestError(method, error, names)),
            ResponseError: (error) =>
              error.reason === "StatusCode"
                ? statusError(method, error.response, names, timeout)
                : Effect.fail(bodyError(method, error.response, error, names))
          })
        )
        if (response.status < 200 || response.status >= 300) return yield* statusError(method, response, names, timeout)
        return { response, names }
      })

    const readCompletion = (method: Method, response: HttpClientResponse.HttpClientResponse, names: RedactedNames) =>
      Effect.flatMap(
        withTimeout(
          Effect.mapError(response.text, (error) => bodyError(method, response, error.cause ?? error, names)),
          timeout,
          () => stalledBody(method, response, timeout, names)
        ),
        (text) => Wire.completionParts(text)
      )

    return yield* LanguageModel.make({
      generateText: (providerOptions) =>
        Effect.scoped(Effect.gen(function*() {
          const { names, response } = yield* send("generateText", providerOptions)
          const parts = yield* readCompletion("generateText", response, names)
          for (const part of parts) annotatePart(providerOptions.span, part)
          return parts
        })),
      streamText: (providerOptions) =>
        Stream.unwrapScoped(Effect.gen(function*() {
          const { names, response } = yield* send("streamText", providerOptions)
          const contentType = response.headers["content-type"] ?? ""
          if (contentType.includes("application/json")) {
            const parts = yield* readCompletion("streamText", response, names)
            return Stream.fromIterable(asStreamParts(parts))
          }
          const body = Stream.mapError(response.stream, (error) => bodyError("streamText", response, error.cause ?? error, names))
          return decodeEventStream(
            Duration.isFinite(timeout)
              ? Stream.timeoutFail(body, () => stalledBody("streamText", response, timeout, names), timeout)
              : body
          )
        })).pipe(
          Stream.map((part) => {
            annotatePart(providerOptions.span, part)
            return part
          })
        )
    })
  })
}

/** @internal */
export const layer = (
  options: ChatCompletions.Options
): Layer.Layer<LanguageModel.LanguageModel, never, HttpClient.HttpClient> =>
  Layer.effect(LanguageModel.LanguageModel, make(options))

// -----------------------------------------------------------------------------
// configuration
// -----------------------------------------------------------------------------

/** @internal */
export const apiUrlVariable = "FXCHAIN_OPENAI_BASE_URL"

/** @internal */
export const apiKeyVariable = "FXCHAIN_OPENAI_API_KEY"

/** @internal */
export const modelVariable = "FXCHAIN_MODEL"

const isUrl = (value: string): boolean => {
  try {
    return /^https?:$/.test(new URL(value).protocol)
  } catch {
    return false
  }
}

/** @internal */
export const config: Config.Config<ChatCompletions.Options> = Config.all({
  apiUrl: Config.string(apiUrlVariable).pipe(
    Config.validate({ message: "Expected an http(s) URL such as https://api.openai.com/v1", validation: isUrl })
  ),
  apiKey: Config.option(Config.redacted(apiKeyVariable)),
  model: Config.nonEmptyString(modelVariable)
}).pipe(
  Config.map(({ apiKey, apiUrl, model }): ChatCompletions.Options =>
    Option.isSome(apiKey) && Redacted.value(apiKey.value) !== "" ? { apiUrl, apiKey: apiKey.value, model } : { apiUrl, model }
  )
)

/** @internal */
export const layerConfig = (
  options: Config.Config<ChatCompletions.Options> = config
): Layer.Layer<LanguageModel.LanguageModel, ConfigError.ConfigError, HttpClient.HttpClient> =>
  Layer.unwrapEffect(Effect.map(options, layer))

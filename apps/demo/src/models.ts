/**
 * The two language models the pipeline calls, a primary and a fallback, and where they come
 * from: the embedded fake models (the default: no network, no key), or any OpenAI-compatible
 * chat-completions server when `FXCHAIN_OPENAI_BASE_URL`, `FXCHAIN_OPENAI_API_KEY` and
 * `FXCHAIN_MODEL` are set (`FXCHAIN_FALLBACK_MODEL` optionally names a second model there).
 *
 * @since 0.1.0
 */
import type * as LanguageModel from "@effect/ai/LanguageModel"
import type * as Prompt from "@effect/ai/Prompt"
import type * as HttpClient from "@effect/platform/HttpClient"
import { ChatCompletions, FakeModel } from "@fxchain/adapters"
import * as Config from "effect/Config"
import type * as ConfigError from "effect/ConfigError"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import { answerText, proseAnswer, readPrompt, triageOf, troubleOf } from "./fakeTriage.js"

/**
 * The models the pipeline calls, and a line saying what they are.
 *
 * @since 0.1.0
 * @category services
 */
export class TriageModels extends Context.Tag("@fxchain/demo/TriageModels")<TriageModels, {
  readonly primary: LanguageModel.Service
  readonly fallback: LanguageModel.Service
  /** Shown in the demo's header. */
  readonly description: string
}>() {}

/**
 * How fast the embedded fake models are, on the Clock: the primary model streams a token every
 * 30 ms after 150 ms, the fallback (a bigger, slower model) every 45 ms after 250 ms, and a rate
 * limit asks to come back after 1 second.
 *
 * @since 0.1.0
 * @category fake models
 */
export const fakeTiming = {
  primary: { firstTokenLatency: Duration.millis(150), tokenLatency: Duration.millis(30) },
  fallback: { firstTokenLatency: Duration.millis(250), tokenLatency: Duration.millis(45) },
  retryAfter: Duration.seconds(1)
} as const

const ticketOf = (prompt: Prompt.Prompt) => readPrompt(FakeModel.lastUserText(prompt))

const rateLimited = (model: string) =>
  FakeModel.rateLimitError({
    retryAfter: fakeTiming.retryAfter,
    description: `${model}: rate limit exceeded, retry after ${Duration.format(fakeTiming.retryAfter)}`
  })

const unavailable = (model: string) => FakeModel.rateLimitError({ status: 503, description: `${model}: service unavailable` })

/**
 * The embedded fake models. They answer each ticket with the verdict `fakeTriage` computes from
 * its text, token by token on the Clock, and run into the trouble `troubleOf` picks for it at
 * `failRate` (the share of tickets with any trouble).
 *
 * @since 0.1.0
 * @category layers
 */
export const layerFake = (options: { readonly failRate: number }): Layer.Layer<TriageModels> =>
  Layer.effect(
    TriageModels,
    Effect.gen(function*() {
      const trouble = (prompt: Prompt.Prompt) => {
        const ticket = ticketOf(prompt)
        return ticket === undefined ? undefined : { ticket, trouble: troubleOf(ticket.id, options.failRate) }
      }
      const answer = (prompt: Prompt.Prompt) => {
        const found = trouble(prompt)
        if (found === undefined) return "{}"
        return found.trouble._tag === "malformed" ? proseAnswer : answerText(triageOf(found.ticket))
      }
      // rate limits are counted per ticket, so that a ticket's first attempts fail however the
      // batch interleaves
      const primaryAttempts = new Map<string, number>()
      const primary = yield* FakeModel.make({
        model: "fake-primary",
        ...fakeTiming.primary,
        responses: answer,
        failures: (_, prompt) => {
          const found = trouble(prompt)
          if (found === undefined) return undefined
          const attempt = primaryAttempts.get(found.ticket.id) ?? 0
          primaryAttempts.set(found.ticket.id, attempt + 1)
          switch (found.trouble._tag) {
            case "rateLimited":
              return attempt < found.trouble.times ? rateLimited("fake-primary") : undefined
            case "unavailable":
            case "outage":
              return unavailable("fake-primary")
            default:
              return undefined
          }
        }
      })
      const fallback = yield* FakeModel.make({
        model: "fake-fallback",
        ...fakeTiming.fallback,
        responses: (prompt) => {
          const ticket = ticketOf(prompt)
          return ticket === undefined ? "{}" : answerText(triageOf(ticket))
        },
        failures: (_, prompt) => trouble(prompt)?.trouble._tag === "outage" ? rateLimited("fake-fallback") : undefined
      })
      return {
        primary: primary.service,
        fallback: fallback.service,
        description: `embedded fake models, ${Math.round(options.failRate * 100)}% of tickets in trouble`
      }
    })
  )

/**
 * The name of the environment variable that names the fallback model on the chat-completions
 * server (by default, the primary model again).
 *
 * @since 0.1.0
 * @category configuration
 */
export const fallbackModelVariable = "FXCHAIN_FALLBACK_MODEL"

/**
 * Both models on an OpenAI-compatible chat-completions server, configured by the `FXCHAIN_*`
 * environment variables (see `ChatCompletions.config`).
 *
 * @since 0.1.0
 * @category layers
 */
export const layerChatCompletions: Layer.Layer<TriageModels, ConfigError.ConfigError, HttpClient.HttpClient> = Layer
  .effect(
    TriageModels,
    Effect.gen(function*() {
      const options = yield* ChatCompletions.config
      const fallbackModel = yield* Config.string(fallbackModelVariable).pipe(Config.withDefault(options.model))
      const primary = yield* ChatCompletions.make(options)
      const fallback = yield* ChatCompletions.make({ ...options, model: fallbackModel })
      return {
        primary,
        fallback,
        description: `${options.model} (fallback ${fallbackModel}) at ${options.apiUrl}`
      }
    })
  )

/**
 * Whether `FXCHAIN_OPENAI_BASE_URL` is set (through Effect's `Config`): a real server is then
 * used instead of the fake models.
 *
 * @since 0.1.0
 * @category configuration
 */
export const usesServer: Effect.Effect<boolean, ConfigError.ConfigError> = Effect.map(
  Config.option(Config.nonEmptyString(ChatCompletions.apiUrlVariable)),
  Option.isSome
)

/**
 * What to tell someone whose `FXCHAIN_*` variables are incomplete.
 *
 * @since 0.1.0
 * @category configuration
 */
export const usesServerNote =
  "FXCHAIN_OPENAI_BASE_URL is set, so the demo calls that chat-completions server and needs FXCHAIN_MODEL " +
  "(and FXCHAIN_OPENAI_API_KEY if the server asks for one); unset it to use the embedded fake models"

/**
 * The models to use: the chat-completions server when `FXCHAIN_OPENAI_BASE_URL` is set, the
 * embedded fake models otherwise.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: { readonly failRate: number }): Layer.Layer<
  TriageModels,
  ConfigError.ConfigError,
  HttpClient.HttpClient
> => Layer.unwrapEffect(Effect.map(usesServer, (server) => server ? layerChatCompletions : layerFake(options)))

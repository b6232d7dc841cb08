/**
 * The runnable each ticket goes through:
 *
 * ```text
 * ticket (Fx.timeout per item)
 * └─ sequence
 *    ├─ assign: sentiment ‖ language ‖ customerTier (cached CRM lookup)     the enrichment
 *    └─ assign: triage =
 *       withFallbacks
 *       ├─ sequence: triagePrompt → primaryModel → triageParser → answered
 *       └─ sequence: triagePrompt → fallbackModel → triageParser → answered
 * ```
 *
 * Each chain calls its own model (`Fx.provideService` gives it its `LanguageModel`). Each model
 * is rate limited by one limiter that both share (the provider's quota) and retried
 * on rate limits (HTTP 429), waiting as long as the `retry-after` header says. Anything else the
 * primary chain fails with (a 503, an answer that is not the JSON asked for) hands the ticket to
 * the fallback chain. The whole ticket has a deadline (`Fx.timeout`): past it, its work is
 * interrupted and it fails with `TimeoutError`.
 *
 * A ticket is streamed through the sequence even when the batch invokes it, so that the models'
 * tokens are `Streamed` events a listener sees as they arrive, and the parser consumes them as
 * they come.
 *
 * @since 0.1.0
 */
import type * as AiError from "@effect/ai/AiError"
import * as LanguageModel from "@effect/ai/LanguageModel"
import { Model, OutputParser, type PromptTemplate } from "@fxchain/adapters"
import * as Fx from "@fxchain/combinators"
import { type Errors, Runnable } from "@fxchain/core"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as RateLimiter from "effect/RateLimiter"
import type * as Scope from "effect/Scope"
import { type EnrichedTicket, makeEnrichment } from "./enrichment.js"
import { TriageModels } from "./models.js"
import type { Ticket } from "./tickets.js"
import { prompt, Triage } from "./triage.js"

/**
 * Which model answered.
 *
 * @since 0.1.0
 * @category models
 */
export type ModelRole = "primary" | "fallback"

/**
 * The names of the model runs in events, by role.
 *
 * @since 0.1.0
 * @category constants
 */
export const modelNames: Readonly<Record<ModelRole, string>> = { primary: "primaryModel", fallback: "fallbackModel" }

/**
 * The name of each ticket's run in events.
 *
 * @since 0.1.0
 * @category constants
 */
export const ticketRunName = "ticket"

/**
 * A ticket, its enrichment and the model's verdict.
 *
 * @since 0.1.0
 * @category models
 */
export type TriagedTicket = EnrichedTicket & {
  readonly triage: Triage & { readonly answeredBy: ModelRole }
}

/**
 * @since 0.1.0
 * @category models
 */
export interface PipelineOptions {
  /** Each ticket's deadline. */
  readonly timeout: Duration.DurationInput
  /** Model calls allowed to start per second, both models together. */
  readonly requestsPerSecond: number
  /** Retries of a rate-limited model call (after the first attempt); defaults to 3. */
  readonly retries?: number | undefined
}

/**
 * Whether a model failure is a rate limit (HTTP 429): the failures worth retrying.
 *
 * @since 0.1.0
 * @category policies
 */
export const isRateLimited = (error: AiError.AiError): boolean =>
  error._tag === "HttpResponseError" && error.response.status === 429

/**
 * What a ticket can fail with: a model's failure (after the retries, from the fallback model),
 * an answer that is not the JSON asked for, a prompt variable without a value, the deadline.
 *
 * @since 0.1.0
 * @category models
 */
export type TicketError =
  | AiError.AiError
  | OutputParser.ParseFailure
  | Fx.SchemaError
  | PromptTemplate.MissingVariableError
  | PromptTemplate.InvalidVariableError
  | PromptTemplate.UnrenderableValueError
  | Fx.TimeoutError
  | Errors.EmptyStreamError

/**
 * The runnable for one ticket.
 *
 * @since 0.1.0
 * @category models
 */
export type TicketPipeline = Runnable.Runnable<Ticket, TriagedTicket, TicketError>

/**
 * The runnable for one ticket, built in a scope (the rate limiter and the CRM cache live in it)
 * from the models of the context.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makePipeline = (
  options: PipelineOptions
): Effect.Effect<TicketPipeline, never, TriageModels | Scope.Scope> =>
  Effect.gen(function*() {
    const models = yield* TriageModels
    const limiter = yield* RateLimiter.make({ limit: options.requestsPerSecond, interval: "1 second" })
    const enrich = yield* makeEnrichment
    const parser = OutputParser.schema(Triage, { name: "triageParser" })
    const answerWith = (role: ModelRole) =>
      Fx.sequence(
        prompt,
        Model.fromLanguageModel({ name: modelNames[role] }).pipe(
          // each chain calls its own model, whatever `LanguageModel` the context holds
          Fx.provideService(LanguageModel.LanguageModel, models[role]),
          Fx.withRateLimiter(limiter),
          Fx.retry({ while: isRateLimited, times: options.retries ?? 3 })
        ),
        parser,
        Runnable.sync((triage: Triage) => ({ ...triage, answeredBy: role }), { name: "answered" })
      )
    const withFallback = Fx.withFallbacks(answerWith("primary"), [answerWith("fallback")])
    // the branch takes what the enrichment gives (`Fx.assign` types its output from its branches' input)
    const triage: Runnable.Runnable<
      EnrichedTicket,
      Runnable.Runnable.Output<typeof withFallback>,
      Runnable.Runnable.Error<typeof withFallback>
    > = withFallback
    const pipeline = Fx.sequence(enrich, Fx.assign({ triage }))
    const ticket = Runnable.fromStream((ticket: Ticket) => Runnable.stream(pipeline, ticket), {
      name: ticketRunName,
      kind: "chain"
    })
    return Fx.timeout(ticket, options.timeout)
  })


/**
 * What the model is asked and what it must answer: the prompt template, and the `Triage`
 * schema that `OutputParser.schema` decodes its answer with.
 *
 * @since 0.1.0
 */
import { PromptTemplate } from "@fxchain/adapters"
import * as Schema from "effect/Schema"

/**
 * The queues a ticket can be routed to.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Category = Schema.Literal(
  "billing",
  "bug",
  "account",
  "integration",
  "feature_request",
  "cancellation",
  "security",
  "question"
)

/**
 * @since 0.1.0
 * @category models
 */
export type Category = typeof Category.Type

/**
 * Every category, in the order the summary table lists them.
 *
 * @since 0.1.0
 * @category constants
 */
export const categories: ReadonlyArray<Category> = Category.literals

/**
 * How soon someone must look at a ticket.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Urgency = Schema.Literal("critical", "high", "medium", "low")

/**
 * @since 0.1.0
 * @category models
 */
export type Urgency = typeof Urgency.Type

/**
 * Every urgency, most urgent first.
 *
 * @since 0.1.0
 * @category constants
 */
export const urgencies: ReadonlyArray<Urgency> = Urgency.literals

/**
 * The model's verdict on a ticket: the JSON object it must answer with.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Triage = Schema.Struct({
  category: Category,
  urgency: Urgency,
  /** One English sentence. */
  summary: Schema.NonEmptyTrimmedString
})

/**
 * @since 0.1.0
 * @category models
 */
export type Triage = typeof Triage.Type

/**
 * The prompt: a system message stating the task and the JSON shape, and the ticket with its
 * enrichment (language, sentiment, the customer's plan) as the user message. Its variables are
 * fields of the enriched ticket, so the enriched ticket is its input as it is.
 *
 * @since 0.1.0
 * @category prompts
 */
export const prompt = PromptTemplate.chat([
  [
    "system",
    `You triage customer support tickets for Ledgerly, an invoicing and payments app.
Answer with one JSON object and nothing else: {{"category": "...", "urgency": "...", "summary": "..."}}
- category: one of billing, bug, account, integration, feature_request, cancellation, security, question.
- urgency: critical when many users cannot work or data may be exposed; high when the customer is blocked or money is wrong; low for questions and suggestions; medium otherwise.
- summary: one English sentence of at most 20 words, whatever the ticket's language.`
  ],
  [
    "user",
    `Ticket {id} via {channel} from {customer} ({tier} plan)
Language: {language}. Sentiment: {sentiment}.
Subject: {subject}

{body}`
  ]
], { name: "triagePrompt" })

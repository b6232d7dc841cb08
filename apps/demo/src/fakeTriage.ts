/**
 * How the embedded fake model behaves: it reads the ticket in the prompt and answers the JSON
 * verdict a careful human would give (keyword rules over the subject and body, in the five
 * languages of the data set), and it runs into trouble on some tickets, chosen by a hash of the
 * ticket id so that every run fails the same way: rate limits that a retry gets past, outages
 * and unreadable answers that the fallback model covers, and a few tickets where both models
 * give up.
 *
 * @since 0.1.0
 */
import type { Category, Triage, Urgency } from "./triage.js"

/**
 * The fields of a ticket, as read back from the prompt's user message.
 *
 * @since 0.1.0
 * @category models
 */
export interface PromptedTicket {
  readonly id: string
  readonly channel: string
  readonly customer: string
  readonly tier: string
  readonly language: string
  readonly sentiment: string
  readonly subject: string
  readonly body: string
}

const header = /^Ticket (\S+) via (\S+) from (.+) \((\S+) plan\)\nLanguage: (\S+)\. Sentiment: (\S+)\.\nSubject: (.*)\n\n([\s\S]*)$/

/**
 * Reads a ticket back from the text of the user message that `triage.prompt` made; `undefined`
 * for any other text.
 *
 * @since 0.1.0
 * @category parsing
 */
export const readPrompt = (text: string): PromptedTicket | undefined => {
  const match = header.exec(text)
  if (match === null) return undefined
  const [, id, channel, customer, tier, language, sentiment, subject, body] = match as unknown as ReadonlyArray<string>
  return { id: id!, channel: channel!, customer: customer!, tier: tier!, language: language!, sentiment: sentiment!, subject: subject!, body: body! }
}

const rules: ReadonlyArray<readonly [Category, RegExp]> = [
  ["security", /suspicious login|hacked|phishing|breach|soc 2|wasn't me|connexion suspecte|compromis/],
  ["cancellation", /cancel|downgrade|close our account|deleted under gdpr|cancelar|kündig/],
  ["billing", /charged|refund|vat number|price|bill went|billing|invoice inv-\d+|card declined|copies of every invoice|cobrado|cobro|cobrança|abgebucht|facture de ce mois/],
  ["account", /password|2fa|two-factor|locked|log in|signing in|okta|seats|ownership|access|contraseña|zwei-faktor|ajouter une? coll/],
  ["integration", /integration|webhook|\bapi\b|quickbooks|xero|shopify|zapier|hubspot|salesforce|slack|datev|schnittstelle/],
  ["bug", /error|crash|fails|won't load|not sent|stuck|502|slow|doesn't|wrong currency|fecha sozinho|échoue|no carga|funktioniert nicht|werden keine/],
  ["feature_request", /feature request|would love|it would|suggestion|sugestão|any plans|roadmap|please add|support for|ce serait/]
]

const critical = /production is down|all our users|nobody on the team|data breach|hacked|wasn't me|ce n'était pas nous|compromis/
const high = /urgent|asap|dringend|twice|duplicate charge|refund|wrong amount|pending charge|locked|stolen|not sent|error 500|crash|can't|cannot|time matters|today|immediately|no llega|no podemos/

const bump: Record<Urgency, Urgency> = { low: "medium", medium: "high", high: "critical", critical: "critical" }

/** `Cancel my subscription` → `cancel my subscription`; `API key rotation` stays as it is. */
const lowerFirst = (text: string) => /^.[a-z]/.test(text) ? text.charAt(0).toLowerCase() + text.slice(1) : text

/**
 * The verdict on a ticket: the first category whose rule matches (`question` when none does),
 * an urgency from cue words (one level higher for an unhappy enterprise customer), and a
 * one-sentence summary.
 *
 * @since 0.1.0
 * @category answers
 */
export const triageOf = (ticket: PromptedTicket): Triage => {
  const text = `${ticket.subject}\n${ticket.body}`.toLowerCase()
  const category = rules.find(([, rule]) => rule.test(text))?.[0] ?? "question"
  let urgency: Urgency = critical.test(text)
    ? "critical"
    : high.test(text)
    ? "high"
    : category === "question" || category === "feature_request"
    ? "low"
    : "medium"
  if (ticket.tier === "enterprise" && ticket.sentiment === "negative") urgency = bump[urgency]
  const what = ticket.language === "English"
    ? `${ticket.customer} reports: ${lowerFirst(ticket.subject)}.`
    : `${ticket.customer} wrote in ${ticket.language} about "${ticket.subject}".`
  const mood = ticket.sentiment === "negative"
    ? "the customer is unhappy"
    : ticket.sentiment === "positive"
    ? "the customer is friendly"
    : "neutral tone"
  return { category, urgency, summary: `${what} Came in by ${ticket.channel}; ${mood}.` }
}

/**
 * The model's answer for a verdict: the JSON object, with spaces after its separators so that
 * it streams as a model's tokens would.
 *
 * @since 0.1.0
 * @category answers
 */
export const answerText = (triage: Triage): string =>
  `{"category": ${JSON.stringify(triage.category)}, "urgency": ${JSON.stringify(triage.urgency)}, "summary": ${
    JSON.stringify(triage.summary)
  }}`

/**
 * What the primary model answers when it does not answer JSON.
 *
 * @since 0.1.0
 * @category answers
 */
export const proseAnswer =
  "I'm sorry, but I can't determine the category of this ticket with confidence. Could you give me more context?"

/**
 * The trouble a ticket runs into:
 *
 * - `none`: both models would answer it;
 * - `rateLimited`: the primary model answers 429 with a `retry-after` to its first `times`
 *   attempts, then answers: `Fx.retry` waits as told and gets through;
 * - `unavailable`: the primary model answers 503 to every attempt (not retried): the fallback
 *   model answers;
 * - `malformed`: the primary model answers prose instead of JSON, the parser fails: the fallback
 *   model answers;
 * - `outage`: the primary model answers 503 and the fallback model 429 to every attempt: the
 *   ticket fails once the retries are spent.
 *
 * @since 0.1.0
 * @category failures
 */
export type Trouble =
  | { readonly _tag: "none" }
  | { readonly _tag: "rateLimited"; readonly times: number }
  | { readonly _tag: "unavailable" }
  | { readonly _tag: "malformed" }
  | { readonly _tag: "outage" }

/**
 * A number in [0, 1) from a string (FNV-1a), the same on every run.
 *
 * @since 0.1.0
 * @category failures
 */
export const unitHash = (text: string): number => {
  let hash = 0x811c9dc5
  for (let index = 0; index < text.length; index++) {
    hash ^= text.charCodeAt(index)
    hash = Math.imul(hash, 0x01000193) >>> 0
  }
  return hash / 2 ** 32
}

/**
 * The trouble a ticket runs into at a failure rate (the share of tickets with any trouble,
 * 0 to 1). A ticket in trouble at some rate is in the same trouble at every higher rate.
 *
 * @since 0.1.0
 * @category failures
 */
export const troubleOf = (ticketId: string, failRate: number): Trouble => {
  if (unitHash(`${ticketId}/trouble`) >= failRate) return { _tag: "none" }
  const kind = unitHash(`${ticketId}/kind`)
  if (kind < 0.4) return { _tag: "rateLimited", times: 1 }
  if (kind < 0.55) return { _tag: "rateLimited", times: 2 }
  if (kind < 0.75) return { _tag: "unavailable" }
  if (kind < 0.88) return { _tag: "malformed" }
  return { _tag: "outage" }
}

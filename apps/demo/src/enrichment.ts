/**
 * The enrichment step: three lookups on a ticket that run side by side (`Fx.assign`) and add
 * their answers to it before the model sees it: the sentiment and the language of its text
 * (local, synchronous heuristics) and the customer's plan, from a CRM stand-in that answers
 * after a few tens of milliseconds on the Clock and is cached per customer (`Fx.cached`).
 *
 * @since 0.1.0
 */
import * as Fx from "@fxchain/combinators"
import { Runnable } from "@fxchain/core"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import { customers, type Ticket, type Tier } from "./tickets.js"

/**
 * @since 0.1.0
 * @category models
 */
export type Sentiment = "negative" | "neutral" | "positive"

/**
 * @since 0.1.0
 * @category models
 */
export type Language = "English" | "Spanish" | "French" | "German" | "Portuguese"

/**
 * A ticket with what the enrichment step found out about it. (A type alias, not an interface:
 * `Fx.assign` takes records, and only type aliases of object types are records to TypeScript.)
 *
 * @since 0.1.0
 * @category models
 */
export type EnrichedTicket = Ticket & {
  readonly sentiment: Sentiment
  readonly language: Language
  /** The customer's plan, `"unknown"` for a customer the CRM does not know. */
  readonly tier: Tier | "unknown"
}

const negativeWords = [
  "unacceptable", "frustrated", "disappointed", "angry", "terrible", "worst", "ridiculous", "switching",
  "third time", "nobody has answered", "crash", "hacked", "breach", "stolen", "wrong", "twice", "down",
  "never", "can't", "cannot", "urgent", "asap", "urgente", "dringend", "indevida", "compromis", "no llega"
]
const positiveWords = [
  "thanks", "thank you", "love", "appreciate", "great", "would love", "keep it up", "merci", "gracias",
  "obrigado", "ótimo", "très utile"
]

const count = (text: string, words: ReadonlyArray<string>) => words.filter((word) => text.includes(word)).length

/**
 * The sentiment of a ticket's text: negative and positive cue words counted against each other.
 *
 * @since 0.1.0
 * @category heuristics
 */
export const sentimentOf = (ticket: Ticket): Sentiment => {
  const text = `${ticket.subject} ${ticket.body}`.toLowerCase()
  const score = count(text, positiveWords) - count(text, negativeWords)
  return score < 0 ? "negative" : score > 0 ? "positive" : "neutral"
}

const stopWords: ReadonlyArray<readonly [Language, ReadonlyArray<string>, RegExp]> = [
  ["English", ["the", "and", "is", "to", "we", "our", "you", "please", "not", "my", "it", "for"], /$^/],
  ["Spanish", ["el", "la", "los", "las", "que", "nos", "por", "favor", "hola", "una", "desde", "y", "del", "podemos"], /[ñ¿¡]/],
  ["French", ["le", "les", "des", "est", "nous", "pour", "merci", "bonjour", "une", "ce", "pas", "avec"], /[èêà]|\bd'|\bl'/],
  ["German", ["der", "die", "das", "und", "nicht", "wir", "bitte", "uns", "ist", "seit", "ich", "mit"], /[ßäöü]/],
  ["Portuguese", ["os", "não", "para", "olá", "uma", "com", "obrigado", "fomos", "mas", "pelo", "podem", "quando", "gostaria", "seria"], /[ãõ]/]
]

/**
 * The language of a ticket's text: the one whose common words and letters it uses most.
 *
 * @since 0.1.0
 * @category heuristics
 */
export const languageOf = (ticket: Ticket): Language => {
  const text = `${ticket.subject} ${ticket.body}`.toLowerCase()
  const words = text.split(/[^\p{L}']+/u)
  let best: Language = "English"
  let bestScore = 0
  for (const [language, common, letters] of stopWords) {
    const score = words.filter((word) => common.includes(word)).length + (letters.test(text) ? 3 : 0)
    if (score > bestScore) {
      best = language
      bestScore = score
    }
  }
  return best
}

const tierByCustomer = new Map(customers.map((customer) => [customer.name, customer.tier]))

/**
 * How long the CRM stand-in takes to answer for a customer: 20 to 79 ms, the same each time.
 *
 * @since 0.1.0
 * @category lookups
 */
export const crmLatency = (customer: string): Duration.Duration => {
  let hash = 0
  for (const character of customer) hash = (hash * 31 + character.charCodeAt(0)) % 60
  return Duration.millis(20 + hash)
}

/**
 * The customer's plan from the CRM stand-in: a lookup that waits on the Clock, as a call to a
 * real CRM would.
 *
 * @since 0.1.0
 * @category lookups
 */
export const customerTier: Runnable.Runnable<Ticket, Tier | "unknown"> = Runnable.fromEffect(
  (ticket: Ticket) =>
    Effect.as(Effect.sleep(crmLatency(ticket.customer)), tierByCustomer.get(ticket.customer) ?? "unknown"),
  { name: "customerTier", kind: "retriever" }
)

/**
 * The enrichment step, built in a scope (the cache of CRM answers lives in it): the ticket with
 * `sentiment`, `language` and `tier` added, the three computed side by side.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeEnrichment: Effect.Effect<Runnable.Runnable<Ticket, EnrichedTicket>, never, Scope.Scope> = Effect.map(
  Fx.cached(customerTier, { capacity: 1_000, timeToLive: "10 minutes", key: (ticket) => ticket.customer }),
  (tier) =>
    Fx.assign({
      sentiment: Runnable.sync(sentimentOf, { name: "sentiment" }),
      language: Runnable.sync(languageOf, { name: "language" }),
      tier
    })
)

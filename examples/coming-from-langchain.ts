/** Samples for docs/coming-from-langchain.md: a LangChain.js chain, rewritten with fxchain. */
import { Model, OutputParser, PromptTemplate } from "@fxchain/adapters"
import * as Fx from "@fxchain/combinators"
import { Runnable } from "@fxchain/core"
import { Data } from "effect"

const prompt = PromptTemplate.make("Classify this support ticket in one word: {ticket}")
const model = Model.fromLanguageModel()

// Runnable<{ ticket: string }, string, never, LanguageModel>
export const classify = Fx.sequence(
  prompt,
  model.pipe(Fx.timeout("10 seconds"), Fx.retry({ times: 2 })),
  OutputParser.string
).pipe(Fx.withFallbacks([Runnable.succeed("unknown", { name: "unknown" })]))

export const enrich = Fx.assign({ category: classify }) // { ticket } -> { ticket, category }

export const enrichAll = (tickets: ReadonlyArray<string>) =>
  Runnable.batch(enrich, tickets.map((ticket) => ({ ticket })), { concurrency: 4, mode: "either" })

// A LangChain lambda that may throw: Runnable.try, as Effect.try is for Effect.sync
export class BadJson extends Data.TaggedError("BadJson")<{ readonly text: string }> {}

export const parse = Runnable.try((text: string): unknown => JSON.parse(text), {
  catch: (_error, text) => new BadJson({ text })
}) // Runnable<string, unknown, BadJson>

export const safe = parse.pipe(Fx.withFallbacks([Runnable.sync((): unknown => ({}))])) // Runnable<string, unknown>

/** Samples for docs/composition.md: sequence, parallel, assign, pick, branch, route, each, map. */
import * as Fx from "@fxchain/combinators"
import { Runnable } from "@fxchain/core"
import { Effect, Stream } from "effect"

// --- sequence: each output is the next input
const normalize = Runnable.sync((text: string) => text.trim().toLowerCase(), { name: "normalize" })
const tokenize = Runnable.sync((text: string) => text.split(/\s+/), { name: "tokenize" })
const countTokens = Runnable.sync((tokens: Array<string>) => tokens.length, { name: "countTokens" })

export const tokenCount = Fx.sequence(normalize, tokenize, countTokens) // Runnable<string, number>
export const samePipeline = normalize.pipe(Fx.pipeTo(tokenize), Fx.pipeTo(countTokens))

// --- streaming through: a step with `transform` consumes chunks as they arrive
const fakeModel = Runnable.fromStream((prompt: string) => Stream.fromIterable(`echo: ${prompt}`.split(/(?= )/)), {
  name: "fakeModel",
  kind: "model"
})
const shout = Runnable.make({
  name: "shout",
  kind: "parser",
  run: (text: string) => Effect.succeed(text.toUpperCase()),
  transform: (chunks) => Stream.map(chunks, (text) => text.toUpperCase())
})
export const shouted = Runnable.stream(Fx.sequence(fakeModel, shout), "hi there") // "ECHO:", " HI", " THERE"

// --- parallel, assign, pick
export const stats = Fx.parallel({
  characters: Runnable.sync((text: string) => text.length),
  tokens: tokenCount
}) // Runnable<string, { characters: number; tokens: number }>

export const enrich = Fx.assign({
  tokens: Runnable.sync((ticket: { id: number; text: string }) => ticket.text.split(" ").length)
}) // { id, text } -> { id, text, tokens }

export const idOnly = Fx.pick("id") // 7: one key gives its value, as LangChain's RunnablePick
export const idAndText = Fx.pick(["id", "text"]) // { id, text }: a list of keys gives a record

// --- branch and route
export const reply = Fx.branch(
  [
    [(text: string) => text.endsWith("?"), Runnable.sync((_: string) => "Let me find out.")],
    [(text: string) => text.includes("!"), Runnable.sync((_: string) => "Sorry about that.")]
  ],
  Runnable.sync((_: string) => "Thanks for the note.")
)

export const team = Fx.route((ticket: { kind: string }) => ticket.kind, {
  billing: Runnable.sync((_: { kind: string }) => "finance"),
  bug: Runnable.sync((_: { kind: string }) => "engineering")
}) // an unknown kind fails with RouteNotFound

// --- each and the small adapters
export const lengths = Fx.each(Runnable.sync((text: string) => text.length), { concurrency: 4 })
export const doubledCount = tokenCount.pipe(Fx.map((count) => count * 2))
export const countOfRecord = Fx.mapInput(tokenCount, (ticket: { text: string }) => ticket.text)

export const main = Effect.gen(function*() {
  return {
    tokenCount: yield* Runnable.invoke(tokenCount, "  Hello Effect World "),
    samePipeline: yield* Runnable.invoke(samePipeline, "a b"),
    shouted: Array.from(yield* Stream.runCollect(shouted)),
    stats: yield* Runnable.invoke(stats, "a b c"),
    enrich: yield* Runnable.invoke(enrich, { id: 7, text: "card was declined" }),
    idOnly: yield* Runnable.invoke(idOnly, { id: 7, text: "x" }),
    idAndText: yield* Runnable.invoke(idAndText, { id: 7, text: "x", tokens: 1 }),
    replies: yield* Runnable.batch(reply, ["Where is my order?", "It broke!", "All good"]),
    team: yield* Runnable.invoke(team, { kind: "bug" }),
    unknownTeam: yield* Effect.flip(Runnable.invoke(team, { kind: "sales" })),
    lengths: yield* Runnable.invoke(lengths, ["a", "bb", "ccc"]),
    doubledCount: yield* Runnable.invoke(doubledCount, "one two"),
    countOfRecord: yield* Runnable.invoke(countOfRecord, { text: "one two three" })
  }
})

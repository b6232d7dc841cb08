import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { main } from "./composition.js"

describe("examples/composition (docs/composition.md)", () => {
  it.effect("does what the guide says", () =>
    Effect.gen(function*() {
      const result = yield* main
      expect(result).toMatchObject({
        tokenCount: 3,
        samePipeline: 2,
        shouted: ["ECHO:", " HI", " THERE"],
        stats: { characters: 5, tokens: 3 },
        enrich: { id: 7, text: "card was declined", tokens: 3 },
        idOnly: 7,
        idAndText: { id: 7, text: "x" },
        replies: ["Let me find out.", "Sorry about that.", "Thanks for the note."],
        team: "engineering",
        unknownTeam: { _tag: "RouteNotFound", key: "sales" },
        lengths: [1, 2, 3],
        doubledCount: 4,
        countOfRecord: 3
      })
    }))
})

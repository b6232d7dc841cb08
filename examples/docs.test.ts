import { describe, expect, it } from "@effect/vitest"
import { Effect, Either } from "effect"
import { readdirSync, readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import * as events from "./events.js"
import * as runnables from "./runnables.js"

const root = fileURLToPath(new URL("..", import.meta.url))

describe("docs samples", () => {
  it("every code block in docs/ is quoted from the example file it names", () => {
    const guides = readdirSync(`${root}docs`).filter((file) => file.endsWith(".md"))
    let checked = 0
    for (const guide of guides) {
      const text = readFileSync(`${root}docs/${guide}`, "utf8")
      for (const match of text.matchAll(/<!-- from (\S+) -->\n```ts\n([\s\S]*?)```/g)) {
        const source = readFileSync(`${root}${match[1]}`, "utf8")
        expect(source, `${guide}: block not found in ${match[1]}`).toContain(match[2]!.trimEnd())
        checked++
      }
      const blocks = text.match(/```ts/g)?.length ?? 0
      const sourced = text.match(/<!-- from \S+ -->\n```ts/g)?.length ?? 0
      expect(sourced, `${guide}: every ts block names its example file`).toBe(blocks)
    }
    expect(checked).toBeGreaterThan(5)
  })

  it.live("runnables.ts does what docs/runnables.md says", () =>
    Effect.gen(function*() {
      const result = yield* runnables.main
      expect(result.one).toBe(42)
      expect(result.failFast).toMatchObject({ _tag: "NotANumber", text: "x" })
      expect(result.eachResult.map(Either.isRight)).toEqual([true, false, true])
      expect(result.asCompleted.map(([index]) => index).sort()).toEqual([0, 1, 2])
      expect(result.interleaved.filter(([index]) => index === 0).map(([, chunk]) => chunk)).toEqual(["a", "b"])
      expect(result.interleaved.filter(([index]) => index === 1).map(([, chunk]) => chunk)).toEqual(["c", "d"])
      expect(result.streamed).toEqual(["h", "e", "y"])
      expect(result.counted).toEqual([2])
      expect(result.echoed).toBe("echo")
      expect(result.invokedLetters).toBe("abc")
    }))

  it.effect("events.ts does what docs/events.md says", () =>
    Effect.gen(function*() {
      const result = yield* events.main
      expect(result.modelEvents).toEqual(["Started answer", "Ended answer"])
      expect(result.modelMetadata).toEqual({ tenant: "acme" })
      expect(result.tree).toEqual([
        "Started rag [rag]",
        "  Started retrieve [rag]",
        "  Ended retrieve [rag]",
        "  Started answer [rag]",
        "  Ended answer [rag]",
        "Streamed rag [rag]",
        "Ended rag [rag]"
      ])
      expect(result.configured).toEqual(["Answer from 1 doc(s)", "Answer from 1 doc(s)"])
    }))
})

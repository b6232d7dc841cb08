import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { program } from "./readme.js"

describe("examples/readme (README.md)", () => {
  it.effect("triages both tickets through prompt, model and schema parser", () =>
    Effect.gen(function*() {
      expect(yield* program).toEqual([{ category: "billing", urgency: "high" }, { category: "bug", urgency: "low" }])
    }))

  it("the README quotes this file's pipeline verbatim", () => {
    const readme = readFileSync(fileURLToPath(new URL("../README.md", import.meta.url)), "utf8")
    const source = readFileSync(fileURLToPath(new URL("./readme.ts", import.meta.url)), "utf8")
    const block = readme.match(/<!-- from examples\/readme.ts -->\n```ts\n([\s\S]*?)```/)?.[1]
    expect(block).toBeDefined()
    expect(source).toContain(block!.trimEnd())
  })
})

import { describe, expect, it } from "@effect/vitest"
import { Effect, Option, Stream } from "effect"
import { Concat } from "../src/index.js"

describe("Concat", () => {
  it("concatenates strings, appends arrays, merges records key by key, else keeps the last", () => {
    expect(Concat.combine("Hel", "lo")).toBe("Hello")
    expect(Concat.combine([1], [2, 3])).toEqual([1, 2, 3])
    expect(Concat.combine({ text: "a", calls: [1], n: 1 }, { text: "b", calls: [2], n: 2, extra: true }))
      .toEqual({ text: "ab", calls: [1, 2], n: 2, extra: true })
    expect(Concat.combine(1, 2)).toBe(2)
    expect(Concat.combine<unknown>("a", 1)).toBe(1)
    expect(Concat.combine({ nested: { deep: "x" } }, { nested: { deep: "y" } })).toEqual({ nested: { deep: "xy" } })
  })

  it("keeps a __proto__ key of a parsed record as a key", () => {
    const merged = Concat.combine<Record<string, unknown>>({ a: 1 }, JSON.parse('{"__proto__":{"x":1},"b":2}'))
    expect(Object.keys(merged)).toEqual(["a", "__proto__", "b"])
    expect(Object.getPrototypeOf(merged)).toBe(Object.prototype)
  })

  it("combines instances of one class with their own concat method (LangChain's message chunks)", async () => {
    const { AIMessageChunk } = await import("@langchain/core/messages")
    const merged = Concat.combineAll([new AIMessageChunk("Hel"), new AIMessageChunk("lo")])
    expect(merged).toBeInstanceOf(AIMessageChunk)
    expect(merged?.content).toBe("Hello")
  })

  it("keeps class instances whole (last wins)", () => {
    class Point {
      constructor(readonly x: number) {}
    }
    const last = new Point(2)
    expect(Concat.combine(new Point(1), last)).toBe(last)
  })

  it("combineAll folds in order, without changing its inputs, and is undefined for no chunk", () => {
    const first = [1]
    expect(Concat.combineAll([first, [2], [3]])).toEqual([1, 2, 3])
    expect(first).toEqual([1])
    expect(Concat.combineAll(["a", "b", "c"])).toBe("abc")
    expect(Concat.combineAll([])).toBeUndefined()
    expect(Concat.combineAll([{ a: [1] }, { a: [2] }])).toEqual({ a: [1, 2] })
  })

  it.effect("gather runs a stream and combines its chunks, none when it produced none", () =>
    Effect.gen(function*() {
      expect(yield* Concat.gather(Stream.make("a", "b", "c"))).toEqual(Option.some("abc"))
      expect(yield* Concat.gather(Stream.empty)).toEqual(Option.none())
      expect(yield* Effect.flip(Concat.gather(Stream.fail("broken")))).toBe("broken")
    }))
})

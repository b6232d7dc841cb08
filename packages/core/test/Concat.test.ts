import { describe, expect, expectTypeOf, it } from "@effect/vitest"
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

  it("a replacement replaces what it meets: as a chunk, or as a key's value in a record chunk", () => {
    expect(Concat.combine("draft", Concat.replace("final"))).toBe("final")
    expect(Concat.combine([1], Concat.replace([2]))).toEqual([2])
    expect(Concat.combine({ a: "x", b: [1] }, { a: Concat.replace("y") })).toEqual({ a: "y", b: [1] })
    expect(Concat.combine<Record<string, unknown>>({ a: { deep: "x" } }, { a: { deep: Concat.replace("y"), more: 1 } }))
      .toEqual({ a: { deep: "y", more: 1 } })
    // a key the left side lacks has nothing to replace: it takes the value
    expect(Concat.combine<Record<string, unknown>>({ a: "x" }, { b: Concat.replace("y") })).toEqual({ a: "x", b: "y" })
    // combining goes on from the replacement as from any value
    expect(Concat.combineAll(["dr", "aft", Concat.replace("fi"), "nal"])).toBe("final")
    expect(Concat.combineAll([[1], [2], Concat.replace([3]), [4]])).toEqual([3, 4])
    expect(Concat.combineAll([Concat.replace({ a: "x" }), { a: "y" }])).toEqual({ a: "xy" })
    expect(Concat.combine(Concat.replace("a"), "b")).toBe("ab")
  })

  it("a replacement is a chunk that says so, typed as the value it stands for", () => {
    const chunk = Concat.replace({ a: 1 })
    expectTypeOf(chunk).toEqualTypeOf<{ a: number }>()
    expect(Concat.isReplacement(chunk)).toBe(true)
    expect(chunk).toBeInstanceOf(Concat.Replacement)
    expect(Concat.isReplacement({ a: 1 })).toBe(false)
    expect(Concat.isPlainRecord(chunk)).toBe(false)
  })

  it("combineAll stays linear over long runs of array chunks with replacements among them", () => {
    const chunks: Array<Array<number>> = []
    for (let index = 0; index < 100_000; index++) chunks.push(index % 10_000 === 0 ? Concat.replace([index]) : [index])
    const started = performance.now()
    const combined = Concat.combineAll(chunks)!
    expect(performance.now() - started).toBeLessThan(1_000)
    expect(combined).toHaveLength(10_000)
    expect(combined[0]).toBe(90_000)
  })

  it.effect("gather runs a stream and combines its chunks, none when it produced none", () =>
    Effect.gen(function*() {
      expect(yield* Concat.gather(Stream.make("a", "b", "c"))).toEqual(Option.some("abc"))
      expect(yield* Concat.gather(Stream.empty)).toEqual(Option.none())
      expect(yield* Effect.flip(Concat.gather(Stream.fail("broken")))).toBe("broken")
    }))
})

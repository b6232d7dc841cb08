import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { RunConfig, Runnable } from "../src/index.js"

describe("RunConfig", () => {
  it("merge appends tags without duplicates, merges metadata and configurable, replaces numbers", () => {
    const merged = RunConfig.merge(
      { ...RunConfig.defaults, tags: ["a"], metadata: { x: 1 }, configurable: { model: "small" } },
      { tags: ["a", "b"], metadata: { y: 2 }, configurable: { model: "large" }, concurrency: 3 }
    )
    expect(merged).toEqual({
      concurrency: 3,
      maxDepth: RunConfig.defaults.maxDepth,
      tags: ["a", "b"],
      metadata: { x: 1, y: 2 },
      configurable: { model: "large" }
    })
  })

  it.effect("runs read the configuration, layered by withConfig, withPatch and layer", () =>
    Effect.gen(function*() {
      const read = Runnable.fromEffect((_: null) => RunConfig.RunConfig, { name: "read" })
      expect(yield* Runnable.invoke(read, null)).toEqual(RunConfig.defaults)
      const configured = Runnable.withConfig(read, { tags: ["x"], configurable: { model: "fast" } })
      expect(yield* Runnable.invoke(configured, null)).toMatchObject({ tags: ["x"], configurable: { model: "fast" } })
      const nested = Runnable.fromEffect((_: null) => Runnable.invoke(configured, null))
      const outer = Runnable.withConfig(nested, { tags: ["outer"], metadata: { run: 1 } })
      expect(yield* Runnable.invoke(outer, null)).toMatchObject({ tags: ["x", "outer"], metadata: { run: 1 } })
      expect(yield* Runnable.invoke(read, null).pipe(RunConfig.withPatch({ concurrency: 2 }))).toMatchObject({ concurrency: 2 })
      const viaLayer = yield* Runnable.invoke(read, null).pipe(Effect.provide(RunConfig.layer({ maxDepth: 7 })))
      expect(viaLayer.maxDepth).toBe(7)
      expect(Layer.isLayer(RunConfig.layer({}))).toBe(true)
    }))

  it.effect("withConfig renames the run without adding one, and keeps the behaviour", () =>
    Effect.gen(function*() {
      const inc = Runnable.sync((n: number) => n + 1, { name: "inc" })
      const renamed = Runnable.withConfig(inc, { runName: "increment" })
      expect([renamed.name, renamed.kind]).toEqual(["increment", "lambda"])
      expect(yield* Runnable.invoke(renamed, 1)).toBe(2)
      const twice = Runnable.withConfig(renamed, { tags: ["a"] }).pipe(Runnable.withConfig({ tags: ["b"] }))
      expect(twice[Runnable.TypeId].config?.tags).toEqual(["a", "b"])
      expect(twice.name).toBe("increment")
    }))
})

/**
 * Ported from LangChain.js: libs/langchain-core/src/runnables/tests/config.test.ts
 *
 * `mergeConfigs` is `RunConfig.merge` (a configuration with a patch layered over it; a missing
 * config is an empty patch), and the configuration a run sees when `withConfig` and the caller's
 * options layer over each other; `ensureConfig`'s copy of `configurable.model` into the metadata
 * is what the Promise facade and `toLangChain` runs see.
 *
 * Not ported: the two `_getTracingInheritableMetadataFromConfig` cases (LangChain's metadata for
 * its LangSmith tracer only; fxchain has no such tracer metadata).
 */
import { describe, expect, it } from "@effect/vitest"
import { RunConfig, Runnable } from "@fxchain/core"
import { Effect } from "effect"
import { facade, toLangChain } from "./support.js"

/** Merges configurations as `mergeConfigs` does: each layered over the ones before. */
const mergeConfigs = (...patches: Array<RunConfig.RunConfigPatch>) =>
  patches.reduce<RunConfig.RunConfigValue>((merged, patch) => RunConfig.merge(merged, patch), RunConfig.defaults)

/** A runnable answering with the configuration its run sees. */
const readConfig = () => Runnable.fromEffect((_: string) => RunConfig.RunConfig)

describe("mergeConfigs metadata", () => {
  it("merges metadata with last-writer-wins", () => {
    const result = mergeConfigs(
      { metadata: { ls_provider: "openai", ls_model_type: "chat" } },
      { metadata: { ls_provider: "anthropic", ls_temperature: 0.7 } }
    )
    expect(result.metadata).toEqual({
      ls_provider: "anthropic",
      ls_model_type: "chat",
      ls_temperature: 0.7
    })
  })

  it("merges metadata with last-writer-wins: withConfig, then the caller's options (through the Promise facade)", async () => {
    const configured = readConfig().pipe(Runnable.withConfig({ metadata: { ls_provider: "openai", ls_model_type: "chat" } }))
    const result = await facade(configured).invoke("x", { metadata: { ls_provider: "anthropic", ls_temperature: 0.7 } })
    expect(result.metadata).toEqual({
      ls_provider: "anthropic",
      ls_model_type: "chat",
      ls_temperature: 0.7
    })
  })

  it("merges metadata with last-writer-wins: withConfig, then the caller's options (through toLangChain)", async () => {
    const configured = readConfig().pipe(Runnable.withConfig({ metadata: { ls_provider: "openai", ls_model_type: "chat" } }))
    const result = await toLangChain(configured).invoke("x", { metadata: { ls_provider: "anthropic", ls_temperature: 0.7 } })
    expect(result.metadata).toEqual({
      ls_provider: "anthropic",
      ls_model_type: "chat",
      ls_temperature: 0.7
    })
  })

  it.effect("merges metadata across three configs", () =>
    Effect.gen(function*() {
      const result = mergeConfigs({ metadata: { a: 1 } }, { metadata: { b: 2 } }, { metadata: { c: 3 } })
      expect(result.metadata).toEqual({ a: 1, b: 2, c: 3 })
      // the same, as three nested withConfig
      const nested = readConfig().pipe(
        Runnable.withConfig({ metadata: { a: 1 } }),
        Runnable.withConfig({ metadata: { b: 2 } }),
        Runnable.withConfig({ metadata: { c: 3 } })
      )
      expect((yield* Runnable.invoke(nested, "x")).metadata).toEqual({ a: 1, b: 2, c: 3 })
    }))

  it("later config overwrites earlier for same key", () => {
    const result = mergeConfigs({ metadata: { a: 1 } }, { metadata: { a: 2 } })
    expect(result.metadata).toEqual({ a: 2 })
  })

  it("handles undefined and null configs", () => {
    const result = mergeConfigs({}, { metadata: { a: 1 } }, {})
    expect(result.metadata).toEqual({ a: 1 })
  })

  it("handles empty metadata", () => {
    const result = mergeConfigs({ metadata: {} }, { metadata: { a: 1 } })
    expect(result.metadata).toEqual({ a: 1 })
  })
})

describe("ensureConfig and tracer metadata behavior", () => {
  const options = {
    configurable: {
      model: "gpt-4o",
      thread_id: "th-123",
      temperature: 0.2
    },
    metadata: { explicit: true }
  }

  it("copies only configurable model into general metadata (through the Promise facade)", async () => {
    const config = await facade(readConfig()).invoke("x", options)
    expect(config.metadata).toEqual({
      explicit: true,
      model: "gpt-4o"
    })
  })

  it("copies only configurable model into general metadata (through toLangChain)", async () => {
    const config = await toLangChain(readConfig()).invoke("x", options)
    expect(config.metadata).toEqual({
      explicit: true,
      model: "gpt-4o"
    })
  })
})

/**
 * A step's `withConfig` reaches its own run and its descendants, never the steps before it, under
 * `invoke`, `stream` and `streamEvents` alike (issue 12's correctness bug: a streamed sequence
 * used to apply a later step's configuration to the steps before it).
 */
import { describe, expect, it } from "@effect/vitest"
import { RunConfig, Runnable, RunEvent } from "@fxchain/core"
import { Chunk, Effect, Stream } from "effect"
import * as fc from "effect/FastCheck"
import { alternatives } from "../src/Alternatives.js"
import { map } from "../src/Mapping.js"
import { parallel } from "../src/Parallel.js"
import { sequence } from "../src/Sequence.js"

type Seen = { readonly step: string; readonly tags: ReadonlyArray<string>; readonly mode: unknown }

/** A step that records the RunConfig it runs with, and streams its input through. */
const recording = (name: string, seen: Array<Seen>) =>
  Runnable.make({
    name,
    run: (text: string) =>
      Effect.map(RunConfig.RunConfig, (config) => {
        seen.push({ step: name, tags: config.tags, mode: config.configurable.mode })
        return text
      }),
    transform: (input: Stream.Stream<string, any, any>) =>
      Stream.mapChunksEffect(input, (chunk) =>
        Effect.map(RunConfig.RunConfig, (config) => {
          if (Chunk.isNonEmpty(chunk)) seen.push({ step: name, tags: config.tags, mode: config.configurable.mode })
          return chunk
        }))
  })

const source = Runnable.fromStream((text: string) => Stream.fromIterable(text.split("")), { name: "source" })

const executors = {
  invoke: <E>(r: Runnable.Runnable<string, string, E>) => Effect.asVoid(Runnable.invoke(r, "abc")),
  stream: <E>(r: Runnable.Runnable<string, string, E>) => Stream.runDrain(Runnable.stream(r, "abc")),
  streamEvents: <E>(r: Runnable.Runnable<string, string, E>) => Stream.runDrain(Runnable.streamEvents(r, "abc"))
}

describe("config is scoped to a step and its descendants", () => {
  for (const [executor, run] of Object.entries(executors)) {
    it.effect(`a later step's tags and configurable never reach the steps before it (${executor})`, () =>
      Effect.gen(function*() {
        const seen: Array<Seen> = []
        const chain = sequence(
          source,
          recording("first", seen),
          Runnable.withConfig(recording("second", seen), { tags: ["second-only"], configurable: { mode: "FAST" } }),
          recording("third", seen)
        )
        yield* run(Runnable.withConfig(chain, { tags: ["outer"] }))
        const byStep = (step: string) => seen.filter((entry) => entry.step === step)
        for (const step of ["first", "third"]) {
          expect(byStep(step).length).toBeGreaterThan(0)
          for (const entry of byStep(step)) expect(entry).toEqual({ step, tags: ["outer"], mode: undefined })
        }
        for (const entry of byStep("second")) expect(entry).toEqual({ step: "second", tags: ["second-only", "outer"], mode: "FAST" })
      }))

    it.effect(`alternatives choose the same alternative whatever the next step configures (${executor})`, () =>
      Effect.gen(function*() {
        const chosen: Array<string> = []
        const choice = (name: string) => Runnable.sync((text: string) => (chosen.push(name), text), { name })
        const model = alternatives({ default: choice("DEFAULT"), fast: choice("FAST") }, { key: "mode" })
        const after = Runnable.withConfig(Runnable.identity<string>({ name: "after" }), { configurable: { mode: "fast" } })
        yield* run(sequence(source, model, after))
        expect(chosen).toEqual(["DEFAULT"])
      }))
  }

  it.effect("a later step's tags are not on the events of the steps before it", () =>
    Effect.gen(function*() {
      const chain = sequence(
        source,
        Runnable.identity<string>({ name: "model" }),
        Runnable.withConfig(Runnable.identity<string>({ name: "parser" }), { tags: ["parser-tag"] })
      )
      const events = Chunk.toReadonlyArray(yield* Stream.runCollect(Runnable.streamEvents(chain, "abc")))
      const tagsOf = (name: string) => new Set(events.filter((event) => event.name === name).flatMap((event) => event.tags))
      expect([...tagsOf("model")]).toEqual(["seq:step:2"])
      expect([...tagsOf("source")]).toEqual(["seq:step:1"])
      expect([...tagsOf("parser")]).toEqual(["seq:step:3", "parser-tag"])
      expect(events.filter(RunEvent.$is("Ended")).map((event) => event.name)).toEqual(["source", "model", "parser", "sequence"])
    }))
})

describe("config is the same whichever executor runs the pipeline (property)", () => {
  type Config = { readonly tags?: ReadonlyArray<string>; readonly metadata?: Record<string, number>; readonly choice?: string; readonly runName?: string }
  type Node =
    | { readonly kind: "leaf"; readonly config: Config | undefined }
    | { readonly kind: "sequence" | "parallel"; readonly children: ReadonlyArray<Node>; readonly config: Config | undefined }
    | { readonly kind: "alternatives"; readonly config: Config | undefined }

  const configArbitrary: fc.Arbitrary<Config | undefined> = fc.option(
    fc.record(
      {
        tags: fc.array(fc.constantFrom("t1", "t2", "t3"), { maxLength: 2 }),
        metadata: fc.dictionary(fc.constantFrom("m1", "m2"), fc.integer({ min: 0, max: 9 })),
        choice: fc.constantFrom("default", "other"),
        runName: fc.constantFrom("renamed", "other-name")
      },
      { requiredKeys: [] }
    ),
    { nil: undefined }
  )
  const nodeArbitrary: fc.Arbitrary<Node> = fc.letrec<{ node: Node }>((tie) => ({
    node: fc.oneof(
      { depthSize: "small", withCrossShrink: true },
      fc.record({ kind: fc.constant("leaf" as const), config: configArbitrary }),
      fc.record({ kind: fc.constant("alternatives" as const), config: configArbitrary }),
      fc.record({
        kind: fc.constantFrom("sequence" as const, "parallel" as const),
        children: fc.array(tie("node"), { minLength: 1, maxLength: 3 }),
        config: configArbitrary
      })
    )
  })).node

  type Observation = { readonly leaf: string; readonly tags: ReadonlyArray<string>; readonly metadata: unknown; readonly choice: unknown }

  /** The pipeline a tree describes; each leaf records the RunConfig its run sees, once per run. */
  const build = (root: Node, seen: Array<Observation>): Runnable.Runnable<string, string, any> => {
    let leaves = 0
    const leaf = (id: string) => {
      const record = Effect.map(RunConfig.RunConfig, (config) => {
        seen.push({ leaf: id, tags: config.tags, metadata: config.metadata, choice: config.configurable.choice })
      })
      return Runnable.make({
        name: id,
        run: (text: string) => Effect.as(record, `${text}${id}`),
        transform: (input: Stream.Stream<string, any, any>) =>
          Stream.unwrap(Effect.as(record, Stream.concat(input, Stream.make(id))))
      })
    }
    const configured = (runnable: Runnable.Runnable<string, string, any>, config: Config | undefined) => {
      if (config === undefined) return runnable
      const { choice, runName, ...rest } = config
      return Runnable.withConfig(runnable, { ...rest, ...(choice === undefined ? {} : { configurable: { choice } }), ...(runName === undefined ? {} : { runName }) })
    }
    const go = (node: Node): Runnable.Runnable<string, string, any> => {
      switch (node.kind) {
        case "leaf":
          return configured(leaf(`leaf${leaves++}`), node.config)
        case "alternatives": {
          const id = leaves++
          return configured(alternatives({ default: leaf(`alt${id}a`), other: leaf(`alt${id}b`) }, { key: "choice" }), node.config)
        }
        case "sequence":
          return configured(sequence(...(node.children.map(go) as [Runnable.Runnable<string, string, any>])), node.config)
        case "parallel": {
          const branches = Object.fromEntries(node.children.map((child, index) => [`k${index}`, go(child)]))
          const joined = map(parallel(branches), (outputs: { readonly [key: string]: string }) =>
            Object.keys(outputs).sort().map((key) => outputs[key]).join("|"))
          return configured(joined, node.config)
        }
      }
    }
    return go(root)
  }

  const sorted = (records: ReadonlyArray<Observation>) => [...records].map((record) => JSON.stringify(record)).sort()

  it.effect.prop(
    "every step sees the same tags, metadata and configurable choice under invoke, stream and streamEvents",
    [nodeArbitrary],
    ([tree]) =>
      Effect.gen(function*() {
        const seenBy: { [executor: string]: ReadonlyArray<string> } = {}
        for (const [executor, run] of Object.entries(executors)) {
          const seen: Array<Observation> = []
          yield* run(build(tree, seen))
          seenBy[executor] = sorted(seen)
        }
        expect(seenBy.stream).toEqual(seenBy.invoke)
        expect(seenBy.streamEvents).toEqual(seenBy.invoke)
      }),
    { fastCheck: { numRuns: 200, seed: 1203 } }
  )
})

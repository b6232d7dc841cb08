/**
 * A step's `withConfig` reaches its own run and its descendants, never the steps before it, under
 * `invoke`, `stream` and `streamEvents` alike (issue 12's correctness bug: a streamed sequence
 * used to apply a later step's configuration to the steps before it).
 */
import { describe, expect, it } from "@effect/vitest"
import { RunConfig, Runnable, RunEvent } from "@fxchain/core"
import { Chunk, Effect, Stream } from "effect"
import { alternatives } from "../src/Alternatives.js"
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

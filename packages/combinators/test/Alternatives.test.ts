import { describe, expect, expectTypeOf, it } from "@effect/vitest"
import { RunConfig, Runnable, RunEvent, Testing } from "@fxchain/core"
import { Chunk, Effect, Either, Stream } from "effect"
import { alternatives, choiceAttribute } from "../src/Alternatives.js"
import { AlternativeNotFound } from "../src/Errors.js"

const models = (probe: Testing.Probe) => ({
  default: Testing.scripted({ name: "careful", respond: (question: string) => `careful: ${question}`, probe }),
  fast: Testing.scripted({
    name: "quick",
    respond: (question: string) => `quick: ${question}`,
    chunks: (answer) => answer.split(/(?= )/),
    probe
  })
})

describe("alternatives", () => {
  it.effect("runs the default alternative when nothing is configured", () =>
    Effect.gen(function*() {
      const model = alternatives(models(Testing.makeProbe()), { key: "model" })
      expectTypeOf(model).toEqualTypeOf<Runnable.Runnable<string, string, AlternativeNotFound>>()
      expect(yield* Runnable.invoke(model, "hi")).toBe("careful: hi")
      expect([model.name, model.kind]).toEqual(["alternatives", "chain"])
    }))

  it.effect("the choice comes from RunConfig's configurable values, set with withConfig on it", () =>
    Effect.gen(function*() {
      const model = alternatives(models(Testing.makeProbe()), { key: "model", name: "model" })
      const fast = Runnable.withConfig(model, { configurable: { model: "fast" } })
      expect(yield* Runnable.invoke(fast, "hi")).toBe("quick: hi")
      expect(yield* Runnable.invoke(Runnable.withConfig(model, { configurable: { model: "default" } }), "hi")).toBe("careful: hi")
      expect(yield* Runnable.invoke(Runnable.withConfig(model, { configurable: { other: "fast" } }), "hi")).toBe("careful: hi")
      // or around the whole program
      expect(yield* Runnable.invoke(model, "hi").pipe(RunConfig.withPatch({ configurable: { model: "fast" } }))).toBe("quick: hi")
    }))

  it.effect("an enclosing runnable's configuration chooses for the alternatives nested in it", () =>
    Effect.gen(function*() {
      const model = alternatives(models(Testing.makeProbe()), { key: "model" })
      const chain = Runnable.fromEffect((question: string) => Runnable.invoke(model, question.trim()), { name: "chain" })
      const configured = Runnable.withConfig(chain, { configurable: { model: "fast" } })
      expect(yield* Runnable.invoke(configured, " hi ")).toBe("quick: hi")
      expect(yield* Runnable.invoke(chain, " hi ")).toBe("careful: hi")
    }))

  it.effect("an unknown choice fails with AlternativeNotFound and nothing runs", () =>
    Effect.gen(function*() {
      const probe = Testing.makeProbe()
      const model = alternatives(models(probe), { key: "model", name: "model" })
      for (const choice of ["slow", 42, "toString"]) {
        const error = yield* Effect.flip(Runnable.invoke(Runnable.withConfig(model, { configurable: { model: choice } }), "hi"))
        expect(error).toBeInstanceOf(AlternativeNotFound)
        expect(error).toMatchObject({ runnable: "model", key: "model", choice, available: ["default", "fast"] })
      }
      const streamed = yield* Effect.flip(
        Stream.runCollect(Runnable.stream(Runnable.withConfig(model, { configurable: { model: "slow" } }), "hi"))
      )
      expect(streamed._tag).toBe("AlternativeNotFound")
      expect(probe.unsafeStats().started).toBe(0)
    }))

  it.effect("the chosen alternative runs nested, visible in streamEvents with its parent's id", () =>
    Effect.gen(function*() {
      const model = Runnable.withConfig(alternatives(models(Testing.makeProbe()), { key: "model", name: "model" }), {
        configurable: { model: "fast" }
      })
      const events = Chunk.toReadonlyArray(yield* Stream.runCollect(Runnable.streamEvents(model, "hi there")))
      expect(events.map((event) => `${event._tag} ${event.name}`)).toEqual([
        "Started model",
        "Started quick",
        ...["quick:", " hi", " there"].flatMap(() => ["Streamed quick", "Streamed model"]),
        "Ended quick",
        "Ended model"
      ])
      const root = events[0]!
      const nested = events.find((event) => event.name === "quick")!
      expect(nested.parentIds).toEqual([root.runId])
      const ended = events.filter(RunEvent.$is("Ended"))
      expect(ended.map((event) => event.output)).toEqual(["quick: hi there", "quick: hi there"])
      expect(ended[1]!.attributes[choiceAttribute]).toBe("fast")
    }))

  it.effect("streams the chosen alternative's chunks", () =>
    Effect.gen(function*() {
      const model = alternatives(models(Testing.makeProbe()), { key: "model" })
      const fast = Runnable.withConfig(model, { configurable: { model: "fast" } })
      expect(Chunk.toReadonlyArray(yield* Stream.runCollect(Runnable.stream(fast, "hi there")))).toEqual([
        "quick:",
        " hi",
        " there"
      ])
    }))

  it.effect("a streamed input reaches a chosen alternative that consumes it chunk by chunk", () =>
    Effect.gen(function*() {
      const upper = Runnable.make({
        name: "upper",
        run: (text: string) => Effect.succeed(text.toUpperCase()),
        transform: (input) => Stream.map(input, (text: string) => text.toUpperCase())
      })
      const lower = Runnable.sync((text: string) => text.toLowerCase(), { name: "lower" })
      const casing = alternatives({ default: upper, lower }, { key: "casing" })
      const input = Stream.make("Ab", "Cd")
      expect(Chunk.toReadonlyArray(yield* Stream.runCollect(Runnable.transform(casing, input)))).toEqual(["AB", "CD"])
      const lowered = Runnable.withConfig(casing, { configurable: { casing: "lower" } })
      expect(Chunk.toReadonlyArray(yield* Stream.runCollect(Runnable.transform(lowered, input)))).toEqual(["abcd"])
    }))

  it.effect("types: the default's input, which every alternative accepts; the union of outputs and errors", () =>
    Effect.gen(function*() {
      const a = Runnable.fromEffect((input: { readonly text: string }) => Effect.succeed(input.text.length))
      const b = Runnable.fromEffect((input: { readonly text: string; readonly lang?: string }) =>
        input.lang === "" ? Effect.fail("no language" as const) : Effect.succeed(input.text)
      )
      const either = alternatives({ default: a, b }, { key: "pick" })
      expectTypeOf(either).toEqualTypeOf<
        Runnable.Runnable<{ readonly text: string }, number | string, "no language" | AlternativeNotFound>
      >()
      const result = yield* Effect.either(Runnable.invoke(either, { text: "abc" }))
      expect(result).toEqual(Either.right(3))
    }))
})

import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import * as telemetry from "./telemetry.js"

describe("examples/telemetry (docs/interop.md)", () => {
  it.effect("every run is a span, nested as the runs nest, with fxchain's and GenAI attributes", () =>
    Effect.gen(function*() {
      const spans = yield* telemetry.traced
      expect(spans.map((span) => span.name)).toEqual([
        "PromptTemplate",
        "LanguageModel.generateText",
        "model",
        "StringOutputParser",
        "explain"
      ])
      const named = (name: string) => spans.find((span) => span.name === name)!
      const root = named("explain")
      for (const step of ["PromptTemplate", "model", "StringOutputParser"]) {
        expect(named(step).parentSpanContext?.spanId).toBe(root.spanContext().spanId)
        expect(named(step).attributes["fxchain.metadata.tenant"]).toBe("acme")
      }
      expect(named("LanguageModel.generateText").parentSpanContext?.spanId).toBe(named("model").spanContext().spanId)
      expect(root.attributes).toMatchObject({ "fxchain.run.name": "explain", "fxchain.run.kind": "chain" })
      const model = named("model")
      expect(model.attributes).toMatchObject({
        "fxchain.run.kind": "model",
        "fxchain.run.tags": ["seq:step:2"],
        "gen_ai.operation.name": "chat",
        "gen_ai.request.model": "gpt-4o-mini",
        "gen_ai.usage.input_tokens": 2,
        "gen_ai.usage.output_tokens": 4
      })
      expect(root.resource.attributes["service.name"]).toBe("support-bot")
    }))
})

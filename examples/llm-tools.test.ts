import { describe, expect, it } from "@effect/vitest"
import { Runnable } from "@fxchain/core"
import { Effect, Stream } from "effect"
import * as tools from "./llm-tools.js"

describe("examples/llm-tools (docs/llm-pipelines.md)", () => {
  it.effect("the model's tool calls come back typed; Model.tool runs them as runs of kind tool", () =>
    Effect.gen(function*() {
      const message = yield* Runnable.invoke(tools.planner, "Paris or Lima?").pipe(Effect.provide(tools.PlannerLive))
      expect(message.text).toBe("Let me check.")
      expect(message.finishReason).toBe("tool-calls")
      expect(message.toolCalls.map((call) => [call.name, call.params])).toEqual([
        ["GetWeather", { city: "Paris" }],
        ["GetWeather", { city: "Lima" }]
      ])
      expect(message.toolResults).toBeUndefined()

      expect(yield* Runnable.invoke(tools.weatherReport, "Paris or Lima?").pipe(Effect.provide(tools.PlannerLive))).toEqual([
        { celsius: 18 },
        { celsius: 25 }
      ])
      const runs = yield* Runnable.streamEvents(tools.weatherReport, "Paris or Lima?", (event) => event._tag === "Started").pipe(
        Stream.map((event) => `${event.name} (${event.kind})`),
        Stream.runCollect,
        Effect.provide(tools.PlannerLive)
      )
      expect(Array.from(runs)).toEqual([
        "weatherReport (chain)",
        "model (model)",
        "GetWeather (tool)",
        "GetWeather (tool)"
      ])
    }))

  it.effect("with the toolkit's handlers, the model run resolves the calls: toolResults", () =>
    Effect.gen(function*() {
      const message = yield* Runnable.invoke(tools.resolving, "Paris or Lima?").pipe(
        Effect.provide(tools.PlannerLive),
        Effect.provide(tools.WeatherHandlers)
      )
      expect(message.toolResults!.map((result) => [result.name, result.result])).toEqual([
        ["GetWeather", { celsius: 5 }],
        ["GetWeather", { celsius: 4 }]
      ])
    }))
})

/**
 * Samples for docs/llm-pipelines.md: tools. A model offered a toolkit answers with typed tool
 * calls; `Model.tool` runs a tool as a step; a toolkit's handlers can also run inside the model run.
 */
import { Tool, Toolkit } from "@effect/ai"
import { FakeModel, Model } from "@fxchain/adapters"
import { Runnable } from "@fxchain/core"
import { Effect, Schema } from "effect"

// --- a tool: a name, a description, and schemas for its parameters and its result
export const GetWeather = Tool.make("GetWeather", {
  description: "The current weather in a city",
  parameters: { city: Schema.String },
  success: Schema.Struct({ celsius: Schema.Number })
})
export const Weather = Toolkit.make(GetWeather)

// the model is offered the tools; its tool calls come back typed, and nothing runs them
export const planner = Model.fromLanguageModel({ toolkit: Weather, disableToolCallResolution: true })

// a tool as a step of its own (kind "tool"): one run, one span, per call
export const getWeather = Model.tool(GetWeather, ({ city }) => Effect.succeed({ celsius: city === "Paris" ? 18 : 25 }))

export const weatherReport = Runnable.fromEffect(
  (question: string) =>
    Effect.gen(function*() {
      const message = yield* Runnable.invoke(planner, question)
      const cities = message.toolCalls.flatMap((call) => call.name === "GetWeather" ? [call.params] : [])
      return yield* Runnable.batch(getWeather, cities) // Array<{ readonly celsius: number }>
    }),
  { name: "weatherReport", kind: "chain" }
)

// a FakeModel that calls the tool twice
export const PlannerLive = FakeModel.layer({
  responses: {
    text: "Let me check.",
    toolCalls: [{ name: "GetWeather", params: { city: "Paris" } }, { name: "GetWeather", params: { city: "Lima" } }]
  }
})
// invoke(weatherReport, "Paris or Lima?") with PlannerLive: [{ celsius: 18 }, { celsius: 25 }]

// --- or let the model run the toolkit's handlers: their results come back in `toolResults`
export const resolving = Model.fromLanguageModel({ toolkit: Weather })
export const WeatherHandlers = Weather.toLayer({ GetWeather: ({ city }) => Effect.succeed({ celsius: city.length }) })
// invoke(resolving, ...) with PlannerLive and WeatherHandlers: toolResults hold { celsius: 5 } and { celsius: 4 }

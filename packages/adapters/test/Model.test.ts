import { AiError, LanguageModel, Prompt, type Response, Tool, Toolkit } from "@effect/ai"
import { describe, expect, it } from "@effect/vitest"
import * as Fx from "@fxchain/combinators"
import { Concat, RunEvent, Runnable, Testing } from "@fxchain/core"
import { Chunk, Clock, Effect, Exit, Fiber, Schema, Stream, TestClock } from "effect"
import * as FakeModel from "../src/FakeModel.js"
import * as Model from "../src/Model.js"

const collect = <A, E, R>(stream: Stream.Stream<A, E, R>) => Effect.map(Stream.runCollect(stream), Chunk.toArray)

/** Each element with the Clock time it arrived at. */
const timed = <A, E, R>(stream: Stream.Stream<A, E, R>) =>
  collect(Stream.mapEffect(stream, (item) => Effect.map(Clock.currentTimeMillis, (at) => [at, item] as const)))

const GetWeather = Tool.make("GetWeather", {
  description: "The weather in a city",
  parameters: { city: Schema.String },
  success: Schema.Struct({ celsius: Schema.Number })
})

class CityUnknown extends Schema.TaggedError<CityUnknown>()("CityUnknown", { city: Schema.String }) {}

const GetPopulation = Tool.make("GetPopulation", {
  parameters: { city: Schema.String },
  success: Schema.Number,
  failure: CityUnknown,
  failureMode: "return"
})

const Geography = Toolkit.make(GetWeather, GetPopulation)

const GeographyHandlers = Geography.toLayer({
  GetWeather: ({ city }) => Effect.succeed({ celsius: city.length }),
  GetPopulation: ({ city }) => city === "Paris" ? Effect.succeed(2_100_000) : Effect.fail(new CityUnknown({ city }))
})

const weatherCall = {
  text: "Let me check.",
  toolCalls: [{ id: "call_weather", name: "GetWeather", params: { city: "Paris" } }]
}

describe("Model.fromLanguageModel", () => {
  it.effect("invoke answers with the whole message: text, no tool calls, finish reason and usage", () =>
    Effect.gen(function*() {
      const model = Model.fromLanguageModel()
      expect(model.kind).toBe("model")
      expect(model.name).toBe("model")
      const message = yield* Runnable.invoke(model, "Say hello").pipe(
        Effect.provide(FakeModel.layer({ responses: "Hello brave world" }))
      )
      expect(message).toEqual({
        text: "Hello brave world",
        toolCalls: [],
        finishReason: "stop",
        usage: { inputTokens: 2, outputTokens: 3, totalTokens: 5 }
      })
    }))

  it.effect("stream yields a message chunk per token, then one with the finish reason and usage", () =>
    Effect.gen(function*() {
      const chunks = yield* collect(Runnable.stream(Model.fromLanguageModel(), "Say hello")).pipe(
        Effect.provide(FakeModel.layer({ responses: "Hello brave world" }))
      )
      expect(chunks).toEqual([
        { text: "Hello ", toolCalls: [] },
        { text: "brave ", toolCalls: [] },
        { text: "world", toolCalls: [] },
        { text: "", toolCalls: [], finishReason: "stop", usage: { inputTokens: 2, outputTokens: 3, totalTokens: 5 } }
      ])
    }))

  it.effect("the stream's chunks combined by the concat rule equal the invoke answer", () =>
    Effect.gen(function*() {
      const model = Model.fromLanguageModel()
      const fake = yield* FakeModel.make({ responses: "One fish, two fish, red fish, blue fish." })
      const invoked = yield* Runnable.invoke(model, "Rhyme").pipe(Effect.provide(fake.layer))
      const chunks = yield* collect(Runnable.stream(model, "Rhyme")).pipe(Effect.provide(fake.layer))
      expect(chunks.length).toBeGreaterThan(2)
      expect(Concat.combineAll(chunks)).toEqual(invoked)
    }))

  it.effect("stream chunks arrive as the tokens do, on the Clock", () =>
    Effect.gen(function*() {
      const layer = FakeModel.layer({ responses: "a b c", firstTokenLatency: "1 second", tokenLatency: "100 millis" })
      const fiber = yield* Effect.fork(timed(Runnable.stream(Model.fromLanguageModel(), "go")).pipe(Effect.provide(layer)))
      yield* TestClock.adjust("999 millis")
      expect(fiber.unsafePoll()).toBeNull()
      yield* TestClock.adjust("201 millis")
      const arrivals = yield* Fiber.join(fiber)
      expect(arrivals.map(([at, chunk]) => [at, chunk.text])).toEqual([[1000, "a "], [1100, "b "], [1200, "c"], [1200, ""]])
    }))

  it.effect("invoke waits as long as the whole stream would", () =>
    Effect.gen(function*() {
      const layer = FakeModel.layer({ responses: "a b c", firstTokenLatency: "1 second", tokenLatency: "100 millis" })
      const fiber = yield* Effect.fork(Runnable.invoke(Model.fromLanguageModel(), "go").pipe(Effect.provide(layer)))
      yield* TestClock.adjust("1199 millis")
      expect(fiber.unsafePoll()).toBeNull()
      yield* TestClock.adjust("1 millis")
      expect((yield* Fiber.join(fiber)).text).toBe("a b c")
    }))

  it.effect("a prompt can be a string, a list of messages or a Prompt", () =>
    Effect.gen(function*() {
      const fake = yield* FakeModel.make({ responses: (prompt) => `echo: ${FakeModel.lastUserText(prompt)}` })
      const model = Model.fromLanguageModel()
      const inputs: Array<Prompt.RawInput> = [
        "one",
        [{ role: "system", content: "Be brief." }, { role: "user", content: "two" }],
        Prompt.make("three")
      ]
      const answers = yield* Effect.forEach(inputs, (input) => Runnable.invoke(model, input)).pipe(
        Effect.provide(fake.layer)
      )
      expect(answers.map((message) => message.text)).toEqual(["echo: one", "echo: two", "echo: three"])
      const prompts = yield* fake.prompts
      expect(prompts[1]!.content.map((message) => message.role)).toEqual(["system", "user"])
    }))

  it.effect("the Ended event of a streamed run carries the token usage and the model names", () =>
    Effect.gen(function*() {
      const model = Model.fromLanguageModel({ name: "writer", model: "gpt-test" })
      const events = yield* collect(Runnable.streamEvents(model, "Say hello")).pipe(
        Effect.provide(FakeModel.layer({ responses: "Hello brave world", model: "gpt-test-2025" }))
      )
      const ended = events.find(RunEvent.$is("Ended"))!
      expect(ended.name).toBe("writer")
      expect(ended.kind).toBe("model")
      expect(ended.output).toEqual({
        text: "Hello brave world",
        toolCalls: [],
        finishReason: "stop",
        usage: { inputTokens: 2, outputTokens: 3, totalTokens: 5 }
      })
      expect(ended.attributes).toEqual({
        "gen_ai.operation.name": "chat",
        "gen_ai.request.model": "gpt-test",
        "gen_ai.response.model": "gpt-test-2025",
        "gen_ai.response.finish_reasons": ["stop"],
        "gen_ai.usage.input_tokens": 2,
        "gen_ai.usage.output_tokens": 3
      })
      expect(events.filter(RunEvent.$is("Streamed")).map((event) => (event.chunk as Model.Message).text))
        .toEqual(["Hello ", "brave ", "world", ""])
    }))

  it.effect("an invoked model run reports its usage in its Ended event too", () =>
    Effect.gen(function*() {
      const model = Model.fromLanguageModel()
      const caller = Runnable.fromEffect((prompt: string) => Runnable.invoke(model, prompt), { name: "caller" })
      const events = yield* collect(Runnable.streamEvents(caller, "Say hello")).pipe(
        Effect.provide(FakeModel.layer({ responses: "Hi" }))
      )
      const ended = events.find((event) => event._tag === "Ended" && event.name === "model") as RunEvent.RunEvent & {
        readonly _tag: "Ended"
      }
      expect(ended.attributes["gen_ai.usage.input_tokens"]).toBe(2)
      expect(ended.attributes["gen_ai.usage.output_tokens"]).toBe(1)
      expect(ended.attributes["gen_ai.response.model"]).toBe("fake-model")
      expect(ended.attributes["gen_ai.request.model"]).toBeUndefined()
    }))

  it.effect("invoked while observed (in a lambda, a fallback), it streams its tokens and returns the same message", () =>
    Effect.gen(function*() {
      const model = Model.fromLanguageModel()
      const caller = Runnable.fromEffect((prompt: string) => Runnable.invoke(model, prompt), { name: "caller" })
      const fallback = Fx.withFallbacks(Runnable.fromEffect((_: string) => Effect.fail("down"), { name: "primary" }), [model])
      const fake = yield* FakeModel.make({ responses: "Hello brave world" })
      const plain = yield* Runnable.invoke(caller, "Say hello").pipe(Effect.provide(fake.layer))
      for (const observed of [caller, fallback]) {
        const events = yield* collect(Runnable.streamEvents(observed, "Say hello")).pipe(Effect.provide(fake.layer))
        const ofModel = events.filter((event) => event.name === "model")
        expect(ofModel.map((event) => event._tag)).toEqual(["Started", "Streamed", "Streamed", "Streamed", "Streamed", "Ended"])
        const tokens = ofModel.flatMap((event) => event._tag === "Streamed" ? [(event.chunk as Model.Message).text] : [])
        expect(tokens).toEqual(["Hello ", "brave ", "world", ""])
        const ended = ofModel.at(-1) as RunEvent.RunEvent & { readonly _tag: "Ended" }
        expect(ended.output).toEqual(plain)
        expect(events.at(-1)).toMatchObject({ _tag: "Ended", output: plain })
      }
      // observed: streamed calls; nobody observing: the non-streaming call
      expect(yield* Runnable.invoke(caller, "Say hello").pipe(Effect.provide(fake.layer))).toEqual(plain)
      expect((yield* fake.calls).map((call) => call.streaming)).toEqual([false, true, true, false])
    }))

  it.effect("wrapped by a combinator (timeout, tap, listeners, a probe), invoked while observed, it still streams its tokens", () =>
    Effect.gen(function*() {
      const model = Model.fromLanguageModel()
      const wrapped = [
        Fx.timeout(model, "1 minute"),
        Fx.tap(model, () => Effect.void),
        Fx.withListeners(model, { onEnd: () => Effect.void }),
        model.pipe(Testing.probed(Testing.makeProbe()))
      ]
      for (const step of wrapped) {
        const caller = Runnable.fromEffect((prompt: string) => Runnable.invoke(step, prompt), { name: "caller" })
        const events = yield* collect(Runnable.streamEvents(caller, "Say hello")).pipe(
          Effect.provide(FakeModel.layer({ responses: "Hello brave world" }))
        )
        expect(events.filter((event) => event.name === "model").map((event) => event._tag)).toEqual([
          "Started",
          "Streamed",
          "Streamed",
          "Streamed",
          "Streamed",
          "Ended"
        ])
      }
    }))

  it.effect("the usage goes on the run's span", () =>
    Effect.gen(function*() {
      const { spans, tracer } = Testing.recordingTracer()
      const layer = FakeModel.layer({ responses: "Hello brave world" })
      const model = Model.fromLanguageModel({ model: "gpt-test" })
      yield* Runnable.invoke(model, "Say hello").pipe(Effect.provide(layer), Effect.withTracer(tracer))
      yield* Stream.runDrain(Runnable.stream(model, "Say hello")).pipe(Effect.provide(layer), Effect.withTracer(tracer))
      const modelSpans = spans.filter((span) => span.name === "model")
      expect(modelSpans).toHaveLength(2)
      for (const span of modelSpans) {
        expect(span.attributes.get("gen_ai.request.model")).toBe("gpt-test")
        expect(span.attributes.get("gen_ai.usage.input_tokens")).toBe(2)
        expect(span.attributes.get("gen_ai.usage.output_tokens")).toBe(3)
      }
    }))

  it.effect("a provider's error comes out typed and unchanged, from invoke and from stream", () =>
    Effect.gen(function*() {
      const error = new AiError.UnknownError({ module: "Test", method: "generateText", description: "boom" })
      const layer = FakeModel.layer({ responses: "never", failures: () => error })
      const model = Model.fromLanguageModel()
      const invoked = yield* Effect.flip(Runnable.invoke(model, "hi")).pipe(Effect.provide(layer))
      const streamed = yield* Effect.flip(Stream.runDrain(Runnable.stream(model, "hi"))).pipe(Effect.provide(layer))
      expect(invoked).toBe(error)
      expect(streamed).toBe(error)
      // the error type is AiError itself
      const tag: AiError.AiError["_tag"] = invoked._tag
      expect(tag).toBe("UnknownError")
    }))

  it.effect("Fx.retry waits as long as the rate limit's retry-after says, on the Clock", () =>
    Effect.gen(function*() {
      const fake = yield* FakeModel.make({ responses: "finally", failures: { first: 2, retryAfter: "5 seconds" } })
      const patient = Fx.retry(Model.fromLanguageModel(), { times: 3 })
      const fiber = yield* Effect.fork(Runnable.invoke(patient, "hi").pipe(Effect.provide(fake.layer)))
      yield* TestClock.adjust("4999 millis")
      expect((yield* fake.calls).map((call) => call.timestamp)).toEqual([0])
      yield* TestClock.adjust("1 millis")
      expect((yield* fake.calls).map((call) => call.timestamp)).toEqual([0, 5000])
      yield* TestClock.adjust("5 seconds")
      expect((yield* Fiber.join(fiber)).text).toBe("finally")
      expect((yield* fake.calls).map((call) => call.timestamp)).toEqual([0, 5000, 10000])
    }))

  it.effect("Fx.retry retries a stream that is rate limited before its first chunk", () =>
    Effect.gen(function*() {
      const fake = yield* FakeModel.make({ responses: "ok then", failures: { first: 1, retryAfter: "2 seconds" } })
      const patient = Fx.retry(Model.fromLanguageModel(), { times: 1 })
      const fiber = yield* Effect.fork(timed(Runnable.stream(patient, "hi")).pipe(Effect.provide(fake.layer)))
      yield* TestClock.adjust("2 seconds")
      const arrivals = yield* Fiber.join(fiber)
      expect(arrivals.map(([at, chunk]) => [at, chunk.text])).toEqual([[2000, "ok "], [2000, "then"], [2000, ""]])
      expect((yield* fake.calls).map((call) => [call.timestamp, call.streaming])).toEqual([[0, true], [2000, true]])
    }))

  it.effect("with a toolkit and resolution disabled, tool calls come back typed and no handler is needed", () =>
    Effect.gen(function*() {
      const fake = yield* FakeModel.make({ responses: { ...weatherCall, toolCalls: [{ name: "GetWeather", params: { city: "Paris" } }] } })
      const model = Model.fromLanguageModel({ toolkit: Geography, disableToolCallResolution: true })
      const message = yield* Runnable.invoke(model, "Weather in Paris?").pipe(Effect.provide(fake.layer))
      expect(message.text).toBe("Let me check.")
      expect(message.finishReason).toBe("tool-calls")
      expect(message.toolResults).toBeUndefined()
      const [call] = message.toolCalls
      expect(call!.name).toBe("GetWeather")
      if (call!.name === "GetWeather") {
        const city: string = call!.params.city // typed by the toolkit
        expect(city).toBe("Paris")
      }
      expect(call!.id).toBe("call_0_0")
      expect((yield* fake.calls)[0]!.tools).toEqual(["GetWeather", "GetPopulation"])
    }))

  it.effect("toolChoice reaches the provider: oneOf narrows the tools offered", () =>
    Effect.gen(function*() {
      const fake = yield* FakeModel.make({ responses: "no tools needed" })
      const model = Model.fromLanguageModel({
        toolkit: Geography,
        disableToolCallResolution: true,
        toolChoice: { oneOf: ["GetPopulation"] }
      })
      yield* Runnable.invoke(model, "hi").pipe(Effect.provide(fake.layer))
      expect((yield* fake.calls)[0]!.tools).toEqual(["GetPopulation"])
    }))

  it.effect("with a toolkit and its handlers, the handlers run on the calls and their results come back", () =>
    Effect.gen(function*() {
      const fake = yield* FakeModel.make({
        responses: {
          toolCalls: [
            { id: "weather", name: "GetWeather", params: { city: "Paris" } },
            { id: "population", name: "GetPopulation", params: { city: "Atlantis" } }
          ]
        }
      })
      const model = Model.fromLanguageModel({ toolkit: Geography })
      const invoked = yield* Runnable.invoke(model, "Tell me about Paris").pipe(
        Effect.provide(fake.layer),
        Effect.provide(GeographyHandlers)
      )
      expect(invoked.toolCalls.map((call) => call.name)).toEqual(["GetWeather", "GetPopulation"])
      expect(invoked.toolResults!.map((result) => [result.name, result.isFailure, result.result])).toEqual([
        ["GetWeather", false, { celsius: 5 }],
        ["GetPopulation", true, new CityUnknown({ city: "Atlantis" })]
      ])
      const chunks = yield* collect(Runnable.stream(model, "Tell me about Paris")).pipe(
        Effect.provide(fake.layer),
        Effect.provide(GeographyHandlers)
      )
      expect(Concat.combineAll(chunks)).toEqual(invoked)
    }))

  it.effect("a handler's failure in a tool whose failure mode is error fails the model run, typed", () =>
    Effect.gen(function*() {
      const Strict = Toolkit.make(Tool.make("GetPopulation", {
        parameters: { city: Schema.String },
        success: Schema.Number,
        failure: CityUnknown
      }))
      const model = Model.fromLanguageModel({ toolkit: Strict })
      const error = yield* Effect.flip(Runnable.invoke(model, "How many live in Atlantis?")).pipe(
        Effect.provide(FakeModel.layer({ responses: { toolCalls: [{ name: "GetPopulation", params: { city: "Atlantis" } }] } })),
        Effect.provide(Strict.toLayer({ GetPopulation: ({ city }) => Effect.fail(new CityUnknown({ city })) }))
      )
      // the error type is AiError | CityUnknown
      const typed: AiError.AiError | CityUnknown = error
      expect(typed).toEqual(new CityUnknown({ city: "Atlantis" }))
    }))

  it.effect("tool calls stream as chunks of their own, and combine with the text into the invoke answer", () =>
    Effect.gen(function*() {
      const fake = yield* FakeModel.make({ responses: weatherCall })
      const model = Model.fromLanguageModel({ toolkit: Geography, disableToolCallResolution: true })
      const chunks = yield* collect(Runnable.stream(model, "Weather?")).pipe(Effect.provide(fake.layer))
      expect(chunks.map((chunk) => [chunk.text, chunk.toolCalls.map((call) => call.name)])).toEqual([
        ["Let ", []],
        ["me ", []],
        ["check.", []],
        ["", ["GetWeather"]],
        ["", []]
      ])
      const invoked = yield* Runnable.invoke(model, "Weather?").pipe(Effect.provide(fake.layer))
      expect(Concat.combineAll(chunks)).toEqual(invoked)
    }))

  it.effect("works over any LanguageModel: reasoning parts, and a stream without a finish part", () =>
    Effect.gen(function*() {
      const service = yield* LanguageModel.make({
        generateText: () =>
          Effect.succeed([
            { type: "reasoning", text: "Thinking hard." },
            { type: "text", text: "42" }
          ]),
        streamText: () =>
          Stream.fromIterable<Response.StreamPartEncoded>([
            { type: "reasoning-start", id: "r" },
            { type: "reasoning-delta", id: "r", delta: "Thinking " },
            { type: "reasoning-delta", id: "r", delta: "hard." },
            { type: "reasoning-end", id: "r" },
            { type: "text-start", id: "t" },
            { type: "text-delta", id: "t", delta: "42" },
            { type: "text-end", id: "t" }
          ])
      })
      const model = Model.fromLanguageModel()
      const provided = Effect.provideService(LanguageModel.LanguageModel, service)
      const invoked = yield* provided(Runnable.invoke(model, "The answer?"))
      expect(invoked).toEqual({ text: "42", toolCalls: [], reasoning: "Thinking hard." })
      const chunks = yield* provided(collect(Runnable.stream(model, "The answer?")))
      expect(Concat.combineAll(chunks)).toEqual(invoked)
    }))
})

describe("Model.tool", () => {
  it.effect("runs the handler on the tool's parameters, as a run of kind tool named after the tool", () =>
    Effect.gen(function*() {
      const getWeather = Model.tool(GetWeather, ({ city }) => Effect.succeed({ celsius: city === "Paris" ? 18 : 25 }))
      expect(getWeather.kind).toBe("tool")
      expect(getWeather.name).toBe("GetWeather")
      expect(yield* Runnable.invoke(getWeather, { city: "Paris" })).toEqual({ celsius: 18 })
      const events = yield* collect(Runnable.streamEvents(getWeather, { city: "Rome" }))
      const ended = events.find(RunEvent.$is("Ended"))!
      expect(ended.output).toEqual({ celsius: 25 })
      expect(ended.attributes).toEqual({ "gen_ai.operation.name": "execute_tool", "gen_ai.tool.name": "GetWeather" })
    }))

  it.effect("the handler's failure is the run's typed error, unchanged", () =>
    Effect.gen(function*() {
      const unknown = new CityUnknown({ city: "Atlantis" })
      const getPopulation = Model.tool(GetPopulation, () => Effect.fail(unknown), { name: "population" })
      expect(getPopulation.name).toBe("population")
      const exit = yield* Effect.exit(Runnable.invoke(getPopulation, { city: "Atlantis" }))
      expect(exit).toEqual(Exit.fail(unknown))
    }))

  it.effect("runs the tool calls a model made", () =>
    Effect.gen(function*() {
      const model = Model.fromLanguageModel({ toolkit: Geography, disableToolCallResolution: true })
      const getWeather = Model.tool(GetWeather, ({ city }) => Effect.succeed({ celsius: city.length * 3 }))
      const results = yield* Effect.gen(function*() {
        const message = yield* Runnable.invoke(model, "Weather in Paris?")
        const calls = message.toolCalls.filter((call) => call.name === "GetWeather")
        return yield* Runnable.batch(getWeather, calls.map((call) => call.params as Tool.Parameters<typeof GetWeather>))
      }).pipe(Effect.provide(FakeModel.layer({ responses: weatherCall })))
      expect(results).toEqual([{ celsius: 15 }])
    }))
})

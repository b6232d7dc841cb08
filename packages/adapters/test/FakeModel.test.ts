import { AiError, LanguageModel, Prompt, type Response, Tool, Toolkit } from "@effect/ai"
import { describe, expect, it } from "@effect/vitest"
import { Errors, Runnable } from "@fxchain/core"
import { Cause, Chunk, Clock, Duration, Effect, Exit, Fiber, Layer, Schema, Stream, TestClock } from "effect"
import * as FakeModel from "../src/FakeModel.js"
import * as Model from "../src/Model.js"

const collect = <A, E, R>(stream: Stream.Stream<A, E, R>) => Effect.map(Stream.runCollect(stream), Chunk.toArray)

const text = (prompt: Prompt.RawInput) => Effect.map(LanguageModel.generateText({ prompt }), (response) => response.text)

/** The parts of a streamed answer, without their type id and metadata, with their Clock time. */
const streamedParts = (prompt: Prompt.RawInput) =>
  collect(
    LanguageModel.streamText({ prompt }).pipe(
      Stream.mapEffect((part) =>
        Effect.map(Clock.currentTimeMillis, (at) => {
          const { metadata: _, ...rest } = part as Response.AllParts<{}> & { metadata: unknown }
          return [at, { ...rest }] as const
        })
      )
    )
  )

describe("FakeModel", () => {
  it.effect("a fixed response answers every call", () =>
    Effect.gen(function*() {
      const answers = yield* Effect.all([text("a"), text("b"), text("c")]).pipe(
        Effect.provide(FakeModel.layer({ responses: "always this" }))
      )
      expect(answers).toEqual(["always this", "always this", "always this"])
    }))

  it.effect("a list of responses cycles, call after call", () =>
    Effect.gen(function*() {
      const answers = yield* Effect.all([text("a"), text("b"), text("c"), text("d"), text("e")]).pipe(
        Effect.provide(FakeModel.layer({ responses: ["one", "two", "three"] }))
      )
      expect(answers).toEqual(["one", "two", "three", "one", "two"])
    }))

  it.effect("a function response answers from the prompt and the call's index", () =>
    Effect.gen(function*() {
      const layer = FakeModel.layer({
        responses: (prompt, call) => `#${call}: ${FakeModel.lastUserText(prompt).toUpperCase()}`
      })
      const answers = yield* Effect.all([
        text("hello"),
        text([{ role: "system", content: "Shout." }, { role: "user", content: "there" }])
      ]).pipe(Effect.provide(layer))
      expect(answers).toEqual(["#0: HELLO", "#1: THERE"])
    }))

  it.effect("streams its answer token by token: words with their spaces, then the finish part", () =>
    Effect.gen(function*() {
      const parts = yield* streamedParts("hi").pipe(Effect.provide(FakeModel.layer({ responses: "Hello brave world" })))
      expect(parts.map(([, part]) => part.type)).toEqual([
        "response-metadata",
        "text-start",
        "text-delta",
        "text-delta",
        "text-delta",
        "text-end",
        "finish"
      ])
      const deltas = parts.flatMap(([, part]) => part.type === "text-delta" ? [part.delta] : [])
      expect(deltas).toEqual(["Hello ", "brave ", "world"])
      expect(FakeModel.tokens("  Hello  brave\nworld ")).toEqual(["  Hello  ", "brave\n", "world "])
      expect(FakeModel.tokens("")).toEqual([])
    }))

  it.effect("waits firstTokenLatency before the first token and tokenLatency before each next one, on the Clock", () =>
    Effect.gen(function*() {
      const layer = FakeModel.layer({ responses: "a b c", firstTokenLatency: "500 millis", tokenLatency: "50 millis" })
      const fiber = yield* Effect.fork(streamedParts("go").pipe(Effect.provide(layer)))
      yield* TestClock.adjust("499 millis")
      expect(fiber.unsafePoll()).toBeNull()
      yield* TestClock.adjust("101 millis")
      const parts = yield* Fiber.join(fiber)
      expect(parts.filter(([, part]) => part.type === "text-delta").map(([at]) => at)).toEqual([500, 550, 600])
      expect(parts.find(([, part]) => part.type === "finish")![0]).toBe(600)
    }))

  it.effect("the non-streaming call answers once streaming the whole answer would have ended", () =>
    Effect.gen(function*() {
      const layer = FakeModel.layer({ responses: "a b c d", firstTokenLatency: "1 second", tokenLatency: "1 second" })
      const fiber = yield* Effect.fork(text("go").pipe(Effect.provide(layer)))
      yield* TestClock.adjust("3999 millis")
      expect(fiber.unsafePoll()).toBeNull()
      yield* TestClock.adjust("1 millis")
      expect(yield* Fiber.join(fiber)).toBe("a b c d")
    }))

  it.effect("reports usage: prompt tokens in, answer tokens out, and their total", () =>
    Effect.gen(function*() {
      const layer = FakeModel.layer({
        responses: ["four tokens right here", { text: "custom", usage: { outputTokens: 100, totalTokens: 103 } }]
      })
      const [counted, overridden] = yield* Effect.all([
        LanguageModel.generateText({ prompt: "three short words" }),
        LanguageModel.generateText({ prompt: "three short words" })
      ]).pipe(Effect.provide(layer))
      expect([counted.usage.inputTokens, counted.usage.outputTokens, counted.usage.totalTokens]).toEqual([3, 4, 7])
      expect(counted.finishReason).toBe("stop")
      expect([overridden.usage.inputTokens, overridden.usage.outputTokens, overridden.usage.totalTokens])
        .toEqual([3, 100, 103])
    }))

  it.effect("names its model in the response metadata", () =>
    Effect.gen(function*() {
      const parts = yield* streamedParts("hi").pipe(Effect.provide(FakeModel.layer({ responses: "ok", model: "tiny-1" })))
      const metadata = parts.find(([, part]) => part.type === "response-metadata")![1] as Response.ResponseMetadataPart
      expect(metadata.modelId).toEqual(expect.objectContaining({ value: "tiny-1" }))
    }))

  it.effect("the first N calls fail with a 429 whose retry-after header and field say when to retry", () =>
    Effect.gen(function*() {
      const layer = FakeModel.layer({ responses: "ok", failures: { first: 2, retryAfter: "1.5 seconds" } })
      const [first, second, third] = yield* Effect.all([
        Effect.flip(text("a")),
        Effect.flip(Stream.runDrain(LanguageModel.streamText({ prompt: "b" }))),
        text("c")
      ]).pipe(Effect.provide(layer))
      for (const error of [first, second]) {
        expect(error).toBeInstanceOf(AiError.HttpResponseError)
        expect(AiError.isAiError(error)).toBe(true)
        const response = (error as AiError.HttpResponseError).response
        expect(response.status).toBe(429)
        expect(response.headers["retry-after"]).toBe("1.5")
        expect((error as unknown as { retryAfter: Duration.Duration }).retryAfter).toEqual(Duration.millis(1500))
      }
      expect((first as AiError.HttpResponseError).method).toBe("generateText")
      expect((second as AiError.HttpResponseError).method).toBe("streamText")
      expect(third).toBe("ok")
    }))

  it.effect("a failed call does not use up a response of the list", () =>
    Effect.gen(function*() {
      const layer = FakeModel.layer({ responses: ["one", "two"], failures: { first: 1 } })
      const answers = yield* Effect.all([Effect.either(text("a")), text("b"), text("c")]).pipe(Effect.provide(layer))
      expect(answers.slice(1)).toEqual(["one", "two"])
    }))

  it.effect("a failure function picks which calls fail, and with what", () =>
    Effect.gen(function*() {
      const error = new AiError.UnknownError({ module: "Test", method: "generateText", description: "down" })
      const layer = FakeModel.layer({
        responses: "ok",
        failures: (call, prompt) => call === 1 || FakeModel.lastUserText(prompt) === "fail" ? error : undefined
      })
      const exits = yield* Effect.all([text("a"), text("b"), text("fail"), text("d")].map(Effect.exit)).pipe(
        Effect.provide(layer)
      )
      expect(exits).toEqual([Exit.succeed("ok"), Exit.fail(error), Exit.fail(error), Exit.succeed("ok")])
    }))

  it("rateLimitError makes the same error for failure functions", () => {
    const error = FakeModel.rateLimitError({ retryAfter: "2 seconds" })
    expect(error._tag).toBe("HttpResponseError")
    expect(error.response).toEqual({ status: 429, headers: { "retry-after": "2" } })
    expect(error.retryAfter).toEqual(Duration.seconds(2))
    expect(FakeModel.rateLimitError().retryAfter).toBeUndefined()
    expect(FakeModel.rateLimitError({ status: 503 }).response.status).toBe(503)
  })

  it.effect("records every call it receives, failed ones included: prompt, streaming or not, tools, Clock time", () =>
    Effect.gen(function*() {
      const fake = yield* FakeModel.make({ responses: "ok", failures: { first: 1 } })
      yield* Effect.either(text("first")).pipe(Effect.provide(fake.layer))
      yield* TestClock.adjust("3 seconds")
      yield* Stream.runDrain(LanguageModel.streamText({ prompt: [{ role: "user", content: "second" }] })).pipe(
        Effect.provide(fake.layer)
      )
      const calls = yield* fake.calls
      expect(calls.map((call) => [call.index, call.streaming, call.tools, call.timestamp])).toEqual([
        [0, false, [], 0],
        [1, true, [], 3000]
      ])
      const prompts = yield* fake.prompts
      expect(prompts).toEqual([Prompt.make("first"), Prompt.make("second")])
    }))

  it.effect("make's layer shares its state across uses; each build of layer starts afresh", () =>
    Effect.gen(function*() {
      const fake = yield* FakeModel.make({ responses: ["one", "two"] })
      const shared = yield* Effect.all([text("a").pipe(Effect.provide(fake.layer)), text("b").pipe(Effect.provide(fake.layer))])
      expect(shared).toEqual(["one", "two"])
      const layer = FakeModel.layer({ responses: ["one", "two"] })
      const fresh = yield* Effect.all([text("a").pipe(Effect.provide(layer)), text("b").pipe(Effect.provide(layer))])
      expect(fresh).toEqual(["one", "one"])
      const memoized = yield* Effect.all([text("a"), text("b")]).pipe(Effect.provide(Layer.fresh(layer)))
      expect(memoized).toEqual(["one", "two"])
    }))

  it.effect("scripted tool calls come back as @effect/ai tool calls, decoded by the request's toolkit", () =>
    Effect.gen(function*() {
      const Lookup = Tool.make("Lookup", { parameters: { id: Schema.NumberFromString } })
      const toolkit = Toolkit.make(Lookup)
      const model = Model.fromLanguageModel({ toolkit, disableToolCallResolution: true })
      const message = yield* Runnable.invoke(model, "find 7").pipe(
        Effect.provide(FakeModel.layer({ responses: { toolCalls: [{ name: "Lookup", params: { id: "7" } }] } }))
      )
      expect(message.finishReason).toBe("tool-calls")
      expect(message.usage).toEqual({ inputTokens: 2, outputTokens: 1, totalTokens: 3 })
      expect(message.toolCalls.map((call) => [call.id, call.name, call.params])).toEqual([["call_0_0", "Lookup", { id: 7 }]])
    }))

  it.effect("a scripted tool call to a tool the request did not offer is a defect that says so", () =>
    Effect.gen(function*() {
      const exit = yield* Effect.exit(text("hi")).pipe(
        Effect.provide(FakeModel.layer({ responses: { toolCalls: [{ name: "Missing", params: {} }] } }))
      )
      expect(Exit.isFailure(exit) && Cause.isDie(exit.cause)).toBe(true)
      expect(Exit.isFailure(exit) ? Cause.pretty(exit.cause) : "").toContain("tool 'Missing'")
    }))

  it("bad options throw InvalidOptionError at once", () => {
    expect(() => FakeModel.layer({ responses: [] })).toThrow(Errors.InvalidOptionError)
    expect(() => FakeModel.make({ responses: "x", failures: { first: -1 } })).toThrow(Errors.InvalidOptionError)
    expect(() => FakeModel.layer({ responses: "x", tokenLatency: "soon" as Duration.DurationInput })).toThrow(
      Errors.InvalidOptionError
    )
    for (const latency of [-1, "-5 seconds", Number.NaN] as Array<Duration.DurationInput>) {
      expect(() => FakeModel.layer({ responses: "x", firstTokenLatency: latency })).toThrow(Errors.InvalidOptionError)
      expect(() => FakeModel.layer({ responses: "x", tokenLatency: latency })).toThrow(Errors.InvalidOptionError)
    }
    expect(() => FakeModel.make({ responses: "x", failures: { first: 1.5 } })).toThrow(Errors.InvalidOptionError)
    expect(() => FakeModel.layer({ responses: null as unknown as string })).toThrow(Errors.InvalidOptionError)
  })
})

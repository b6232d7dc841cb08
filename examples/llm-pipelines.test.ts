import { describe, expect, it } from "@effect/vitest"
import { ChatCompletions, FakeModel } from "@fxchain/adapters"
import { Runnable } from "@fxchain/core"
import { ConfigProvider, Effect, Fiber, Layer, Redacted, TestClock } from "effect"
import * as llm from "./llm-pipelines.js"

describe("examples/llm-pipelines (docs/llm-pipelines.md)", () => {
  it.effect("a model answers with a message: text, tool calls, finish reason, usage", () =>
    Effect.gen(function*() {
      expect(yield* llm.hello).toEqual({
        text: "Hello brave world",
        toolCalls: [],
        finishReason: "stop",
        usage: { inputTokens: 2, outputTokens: 3, totalTokens: 5 }
      })
    }))

  it.effect("prompt templates fill in their variables; chat templates make messages", () =>
    Effect.gen(function*() {
      const prompt = yield* Runnable.invoke(llm.summaryPrompt, { words: "three", ticket: "The app crashes on upload" })
      expect(FakeModel.lastUserText(prompt)).toBe("Summarize this ticket in three words: The app crashes on upload")
      const short = yield* Runnable.invoke(llm.shortSummaryPrompt, { ticket: "The app crashes on upload" })
      expect(FakeModel.lastUserText(short)).toBe("Summarize this ticket in five words: The app crashes on upload")

      const chat = yield* Runnable.invoke(llm.triagePrompt, {
        product: "Acme Cloud",
        ticket: "Where is my invoice?",
        history: [{ role: "user", content: "Hi" }, { role: "assistant", content: "Hello! How can I help?" }]
      })
      expect(chat.content.map((message) => message.role)).toEqual(["system", "user", "assistant", "user"])
      const system = chat.content[0]!
      expect(system.role === "system" && system.content).toBe(
        "You triage support tickets for Acme Cloud. Answer in JSON: {\"category\": ..., \"urgency\": ...}"
      )
      expect(FakeModel.lastUserText(chat)).toBe("Where is my invoice?")

      const withoutHistory = yield* Runnable.invoke(llm.triagePrompt, { product: "Acme Cloud", ticket: "Hi" })
      expect(withoutHistory.content.map((message) => message.role)).toEqual(["system", "user"])
    }))

  it.effect("prompt -> model -> schema parser on a FakeModel, which records the prompts", () =>
    Effect.gen(function*() {
      expect(yield* llm.triageTest).toEqual({ result: { category: "billing", urgency: "high" }, asked: "I was charged twice" })
    }))

  it.effect("Fx.retry honours a 429's retry-after: two 429s, then the answer at 6 s", () =>
    Effect.gen(function*() {
      const fiber = yield* Effect.fork(Runnable.invoke(llm.patientModel, "Hi").pipe(Effect.provide(llm.RateLimitedLive)))
      yield* TestClock.adjust("5999 millis")
      expect(fiber.unsafePoll()).toBeNull()
      yield* TestClock.adjust("1 millis")
      expect((yield* Fiber.join(fiber)).text).toBe("Hello")
    }))

  it.effect("ChatCompletions reads FXCHAIN_OPENAI_BASE_URL, FXCHAIN_OPENAI_API_KEY and FXCHAIN_MODEL", () =>
    Effect.gen(function*() {
      expect([ChatCompletions.apiUrlVariable, ChatCompletions.apiKeyVariable, ChatCompletions.modelVariable]).toEqual([
        "FXCHAIN_OPENAI_BASE_URL",
        "FXCHAIN_OPENAI_API_KEY",
        "FXCHAIN_MODEL"
      ])
      const environment = ConfigProvider.fromMap(
        new Map([
          ["FXCHAIN_OPENAI_BASE_URL", "http://localhost:11434/v1"],
          ["FXCHAIN_OPENAI_API_KEY", "sk-test"],
          ["FXCHAIN_MODEL", "llama3.2"]
        ])
      )
      const options = yield* Effect.withConfigProvider(ChatCompletions.config, environment)
      expect(options.apiUrl).toBe("http://localhost:11434/v1")
      expect(options.model).toBe("llama3.2")
      expect(options.apiKey && Redacted.value(options.apiKey)).toBe("sk-test")

      const missing = yield* Effect.flip(
        Effect.withConfigProvider(ChatCompletions.config, ConfigProvider.fromMap(new Map([["FXCHAIN_MODEL", "x"]])))
      )
      expect(String(missing)).toContain("FXCHAIN_OPENAI_BASE_URL")
      expect(Layer.isLayer(llm.ModelFromEnv) && Layer.isLayer(llm.LocalModel)).toBe(true)
    }))
})

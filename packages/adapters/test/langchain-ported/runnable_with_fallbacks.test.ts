/**
 * Ported from LangChain.js: libs/langchain-core/src/runnables/tests/runnable_with_fallbacks.test.ts
 *
 * `withFallbacks({ fallbacks })` is `Fx.withFallbacks(fallbacks)`; LangChain's fake LLMs come in
 * through `fromLangChain` (their rejection is then a typed `LangChainError`, which the fallbacks
 * handle).
 */
import { describe, expect, it } from "@effect/vitest"
import * as Fx from "@fxchain/combinators"
import { Runnable } from "@fxchain/core"
import { FakeLLM, FakeStreamingLLM } from "@langchain/core/utils/testing"
import { Chunk, Effect, Stream } from "effect"
import { fromLangChain } from "../../src/langchain.js"
import { collect, facade, toLangChain } from "./support.js"

const failing = () => fromLangChain(new FakeLLM({ thrownErrorString: "Bad error!" }))
const withFallbacks = () => failing().pipe(Fx.withFallbacks([fromLangChain(new FakeLLM({}))]))

describe("RunnableWithFallbacks", () => {
  it("through the Promise facade", async () => {
    await expect(async () => facade(failing()).invoke("What up")).rejects.toThrow()
    expect(await facade(withFallbacks()).invoke("What up")).toEqual("What up")
  })

  it("through toLangChain", async () => {
    await expect(async () => toLangChain(failing()).invoke("What up")).rejects.toThrow()
    expect(await toLangChain(withFallbacks()).invoke("What up")).toEqual("What up")
  })

  it.effect("in fxchain's Effect form", () =>
    Effect.gen(function*() {
      expect((yield* Effect.flip(Runnable.invoke(failing(), "What up")))._tag).toBe("LangChainError")
      expect(yield* Runnable.invoke(withFallbacks(), "What up")).toEqual("What up")
    }))
})

describe("RunnableWithFallbacks batch", () => {
  const inputs = ["What up 1", "What up 2", "What up 3"]

  it("through the Promise facade", async () => {
    await expect(async () => facade(failing()).batch(["What up"])).rejects.toThrow()
    expect(await facade(withFallbacks()).batch(inputs)).toEqual(["What up 1", "What up 2", "What up 3"])
  })

  it("through toLangChain", async () => {
    await expect(async () => toLangChain(failing()).batch(["What up"])).rejects.toThrow()
    expect(await toLangChain(withFallbacks()).batch(inputs)).toEqual(["What up 1", "What up 2", "What up 3"])
  })

  it.effect("in fxchain's Effect form", () =>
    Effect.gen(function*() {
      expect(yield* Runnable.batch(withFallbacks(), inputs)).toEqual(["What up 1", "What up 2", "What up 3"])
    }))
})

describe("RunnableWithFallbacks stream", () => {
  const failingStream = () => fromLangChain(new FakeStreamingLLM({ thrownErrorString: "Bad error!" }))
  const streamWithFallbacks = () => failingStream().pipe(Fx.withFallbacks([fromLangChain(new FakeStreamingLLM({}))]))

  it("through the Promise facade", async () => {
    await expect(async () => {
      await collect(facade(failingStream()).stream("What up"))
    }).rejects.toThrow()
    const chunks = await collect(facade(streamWithFallbacks()).stream("What up"))
    expect(chunks.length).toBeGreaterThan(1)
    expect(chunks.join("")).toEqual("What up")
  })

  it("through toLangChain", async () => {
    await expect(async () => {
      await toLangChain(failingStream()).stream("What up")
    }).rejects.toThrow()
    const chunks = await collect(await toLangChain(streamWithFallbacks()).stream("What up"))
    expect(chunks.length).toBeGreaterThan(1)
    expect(chunks.join("")).toEqual("What up")
  })

  it.live("in fxchain's Effect form", () =>
    Effect.gen(function*() {
      const chunks = Chunk.toArray(yield* Stream.runCollect(Runnable.stream(streamWithFallbacks(), "What up")))
      expect(chunks.length).toBeGreaterThan(1)
      expect(chunks.join("")).toEqual("What up")
    }))
})

describe("RunnableWithFallbacks stream events with local storage and callbacks added via env vars", () => {
  // an invoke and a stream of the model with fallbacks, inside a lambda: both stream their tokens
  const runnable = () => {
    const llmWithFallbacks = fromLangChain(new FakeStreamingLLM({ thrownErrorString: "Bad error!" })).pipe(
      Fx.withFallbacks([fromLangChain(new FakeStreamingLLM({}))])
    )
    return Runnable.fromEffect((input: string) =>
      Effect.gen(function*() {
        const res = yield* Runnable.invoke(llmWithFallbacks, input)
        yield* Stream.runDrain(Runnable.stream(llmWithFallbacks, input))
        return res
      })
    )
  }

  it("through the Promise facade", async () => {
    const chunks = []
    for await (const chunk of facade(runnable()).streamEvents("hi", { version: "v2" })) {
      if (chunk.event === "on_llm_stream") {
        chunks.push(chunk)
      }
    }
    expect(chunks.length).toBeGreaterThan(1)
    expect(chunks.map((chunk) => (chunk.data.chunk as { text: string }).text).join("")).toEqual("hihi")
  })

  it("through toLangChain", async () => {
    const original = process.env.LANGCHAIN_VERBOSE
    process.env.LANGCHAIN_VERBOSE = "true"
    const log = console.log
    console.log = () => {}
    try {
      const chunks = []
      for await (const chunk of toLangChain(runnable()).streamEvents("hi", { version: "v2" })) {
        if (chunk.event === "on_llm_stream") {
          chunks.push(chunk)
        }
      }
      expect(chunks.length).toBeGreaterThan(1)
      expect(chunks.map((chunk) => chunk.data.chunk.text).join("")).toEqual("hihi")
    } finally {
      console.log = log
      process.env.LANGCHAIN_VERBOSE = original
    }
  })
})

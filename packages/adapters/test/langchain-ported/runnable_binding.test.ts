/**
 * Ported from LangChain.js: libs/langchain-core/src/runnables/tests/runnable_binding.test.ts
 *
 * The bound values here are a LangChain model's call options (`stop`) and callbacks, which only
 * LangChain's runnables read: the LangChain bindings come in through `fromLangChain` (which looks
 * through a binding for its kind and its streaming); the parser is fxchain's `OutputParser.string`
 * or LangChain's own.
 */
import { describe, expect, it } from "@effect/vitest"
import * as Fx from "@fxchain/combinators"
import { Runnable } from "@fxchain/core"
import { StringOutputParser } from "@langchain/core/output_parsers"
import { FakeChatModel, FakeStreamingLLM } from "@langchain/core/utils/testing"
import { Chunk, Effect, Stream } from "effect"
import { fromLangChain } from "../../src/langchain.js"
import * as OutputParser from "../../src/OutputParser.js"
import { collect, facade, toLangChain } from "./support.js"

const boundChat = () => Fx.sequence(fromLangChain(new FakeChatModel({}).withConfig({ stop: ["testing"] })), OutputParser.string)

describe("Bind kwargs to a runnable", () => {
  it("through the Promise facade", async () => {
    expect(await facade(boundChat()).invoke("Hi there!")).toEqual("testing")
  })

  it("through toLangChain", async () => {
    expect(await toLangChain(boundChat()).invoke("Hi there!")).toEqual("testing")
  })

  it.effect("in fxchain's Effect form", () =>
    Effect.gen(function*() {
      expect(yield* Runnable.invoke(boundChat(), "Hi there!")).toEqual("testing")
    }))
})

describe("Bind kwargs to a runnable with a batch call", () => {
  const inputs = ["Hi there!", "hey hey", "Hi there!", "hey hey"]

  it("through the Promise facade", async () => {
    expect(await facade(boundChat()).batch(inputs)).toEqual(["testing", "testing", "testing", "testing"])
  })

  it("through toLangChain", async () => {
    expect(await toLangChain(boundChat()).batch(inputs)).toEqual(["testing", "testing", "testing", "testing"])
  })

  it.effect("in fxchain's Effect form", () =>
    Effect.gen(function*() {
      expect(yield* Runnable.batch(boundChat(), inputs)).toEqual(["testing", "testing", "testing", "testing"])
    }))
})

/** The chunks of "Hi there!" streamed through `parser` from a bound streaming LLM. */
const checkStreamed = (parser: () => Runnable.Runnable<string, string, unknown>) => {
  const chain = () => Fx.sequence(fromLangChain(new FakeStreamingLLM({}).withConfig({ stop: ["dummy"] })), parser())
  const check = (chunks: Array<string>) => {
    expect(chunks.length).toEqual("Hi there!".length)
    expect(chunks.join("")).toEqual("Hi there!")
  }

  it("through the Promise facade", async () => {
    check(await collect(facade(chain()).stream("Hi there!")))
  })

  it("through toLangChain", async () => {
    check(await collect(await toLangChain(chain()).stream("Hi there!")))
  })

  it.live("in fxchain's Effect form", () =>
    Effect.gen(function*() {
      check(Chunk.toArray(yield* Stream.runCollect(Runnable.stream(chain(), "Hi there!"))))
    }))
}

describe("Stream with RunnableBinding", () => {
  checkStreamed(() => OutputParser.string)
})

describe("Stream through a RunnableBinding if the bound runnable implements transform", () => {
  checkStreamed(() => fromLangChain<string, string>(new StringOutputParser().withConfig({ callbacks: [] })))
})

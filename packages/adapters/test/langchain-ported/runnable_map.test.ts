/**
 * Ported from LangChain.js: libs/langchain-core/src/runnables/tests/runnable_map.test.ts
 *
 * `RunnableMap` (and an object in a sequence) is `Fx.parallel`, `RunnablePassthrough` is
 * `Runnable.identity`, `.assign` is `Fx.assign`, `.pick` is `Fx.pick`; LangChain's fakes, prompts
 * and parsers come in through `fromLangChain`. The type cases are type tests: fxchain's compiler
 * flags the same mismatches.
 */
import { describe, expect, it } from "@effect/vitest"
import * as Fx from "@fxchain/combinators"
import { Runnable } from "@fxchain/core"
import type { Document } from "@langchain/core/documents"
import { StringOutputParser } from "@langchain/core/output_parsers"
import { ChatPromptTemplate, HumanMessagePromptTemplate, SystemMessagePromptTemplate } from "@langchain/core/prompts"
import { FakeChatModel, FakeLLM, FakeRetriever, FakeStreamingLLM } from "@langchain/core/utils/testing"
import { concat } from "@langchain/core/utils/stream"
import { Chunk, Effect, Stream } from "effect"
import { fromLangChain } from "../../src/langchain.js"
import { collect, facade, toLangChain } from "./support.js"

describe("Create a runnable sequence with a runnable map", () => {
  const runnable = () => {
    const promptTemplate = ChatPromptTemplate.fromMessages<{
      documents: string
      question: string
    }>([
      SystemMessagePromptTemplate.fromTemplate(`You are a nice assistant.`),
      HumanMessagePromptTemplate.fromTemplate(`Context:\n{documents}\n\nQuestion:\n{question}`)
    ])
    const llm = new FakeChatModel({})
    const inputs = {
      question: Runnable.sync((input: string) => input),
      documents: Fx.sequence(fromLangChain(new FakeRetriever()), Runnable.sync((docs: Array<Document>) => JSON.stringify(docs))),
      extraField: fromLangChain<string, string>(new FakeLLM({}))
    }
    return Fx.sequence(Fx.parallel(inputs), fromLangChain(promptTemplate), fromLangChain(llm))
  }
  const expected =
    `You are a nice assistant.\nContext:\n[{"pageContent":"foo","metadata":{}},{"pageContent":"bar","metadata":{}}]\n\nQuestion:\nDo you know the Muffin Man?`

  it("through the Promise facade", async () => {
    const result = await facade(runnable()).invoke("Do you know the Muffin Man?")
    expect(result.content).toEqual(expected)
  })

  it("through toLangChain", async () => {
    const result = await toLangChain(runnable()).invoke("Do you know the Muffin Man?")
    expect(result.content).toEqual(expected)
  })

  it.effect("in fxchain's Effect form", () =>
    Effect.gen(function*() {
      const result = yield* Runnable.invoke(runnable(), "Do you know the Muffin Man?")
      expect(result.content).toEqual(expected)
    }))
})

describe("Test map inference in a sequence", () => {
  const chain = () =>
    Fx.sequence(
      Fx.parallel({
        question: Runnable.identity<string>(),
        context: Runnable.fromPromise(async (_: string) => "SOME STUFF")
      }),
      fromLangChain(ChatPromptTemplate.fromTemplate("context: {context}, question: {question}")),
      fromLangChain(new FakeLLM({})),
      fromLangChain(new StringOutputParser())
    )
  const expected = `Human: context: SOME STUFF, question: Just passing through.`

  it("through the Promise facade", async () => {
    expect(await facade(chain()).invoke("Just passing through.")).toBe(expected)
  })

  it("through toLangChain", async () => {
    expect(await toLangChain(chain()).invoke("Just passing through.")).toBe(expected)
  })

  it.effect("in fxchain's Effect form", () =>
    Effect.gen(function*() {
      expect(yield* Runnable.invoke(chain(), "Just passing through.")).toBe(expected)
    }))
})

it("Should not allow mismatched inputs", () => {
  // TS compiler should flag mismatched input types: fxchain flags them where the map is made, as
  // no input is both a language model's input and a number
  const badMap = Fx.parallel({
    // @ts-expect-error no input fits both branch question and branch context
    question: fromLangChain(new FakeLLM({})),
    // @ts-expect-error no input fits both branch context and branch question
    context: Runnable.fromPromise(async (input: number) => input)
  })
  expect(Runnable.isRunnable(badMap)).toBe(true)
})

it("Should not allow improper inputs into a map in a sequence", () => {
  const prompt = fromLangChain(ChatPromptTemplate.fromTemplate("context: {context}, question: {question}"))
  const map = Fx.parallel({
    question: fromLangChain(new FakeLLM({})),
    context: Runnable.fromPromise(async (_input: string) => 9)
  })
  // @ts-expect-error TS compiler should flag mismatched output types
  const runnable = Fx.sequence(prompt, map)
  expect(runnable).toBeDefined()
})

it("Should not allow improper outputs from a map into the next item in a sequence", () => {
  const map = Fx.parallel({
    question: fromLangChain(new FakeLLM({})),
    context: Runnable.fromPromise(async (_input: string) => 9)
  })
  // @ts-expect-error TS compiler should flag mismatched output types
  const runnable = Fx.sequence(map, fromLangChain(new FakeLLM({})))
  expect(runnable).toBeDefined()
})

/** Stands for an id LangChain makes per run, as LangChain's file does. */
const anyId = <A extends { chat?: { id?: unknown; lc_kwargs?: { id?: unknown } } }>(chunk: A): A => {
  if (chunk.chat?.id !== undefined) {
    chunk.chat.id = expect.any(String) as any
    chunk.chat.lc_kwargs!.id = expect.any(String)
  }
  return chunk
}

describe("Should stream chunks from each step as they are produced", () => {
  const chain = () =>
    Fx.sequence(
      fromLangChain(ChatPromptTemplate.fromMessages([
        ["system", "You are a nice assistant."],
        "{question}"
      ])),
      Fx.parallel({
        passthrough: Runnable.identity<unknown>(),
        chat: fromLangChain(new FakeChatModel({})),
        llm: fromLangChain(new FakeStreamingLLM({ sleep: 0 }))
      })
    )
  const check = async (chunks: Array<any>, invoked: unknown, selected: unknown) => {
    expect(chunks.length).toBeGreaterThan(3)
    expect(chunks.map(anyId).reduce(concat)).toEqual(anyId(invoked as any))
    expect(selected).toEqual(`System: You are a nice assistant.
Human: What is your name?`)
  }
  const withSelect = () => Fx.sequence(chain(), Runnable.sync((output: { llm: string }) => output.llm))

  it("through the Promise facade", async () => {
    const runnable = facade(chain())
    const chunks = await collect(runnable.stream({ question: "What is your name?" }))
    await check(chunks, await runnable.invoke({ question: "What is your name?" }), await facade(withSelect()).invoke({ question: "What is your name?" }))
  })

  it("through toLangChain", async () => {
    const runnable = toLangChain(chain())
    const chunks = await collect(await runnable.stream({ question: "What is your name?" }))
    await check(chunks, await runnable.invoke({ question: "What is your name?" }), await toLangChain(withSelect()).invoke({ question: "What is your name?" }))
  })

  it.live("in fxchain's Effect form", () =>
    Effect.gen(function*() {
      const chunks = Chunk.toArray(yield* Stream.runCollect(Runnable.stream(chain(), { question: "What is your name?" })))
      const invoked = yield* Runnable.invoke(chain(), { question: "What is your name?" })
      const selected = yield* Runnable.invoke(withSelect(), { question: "What is your name?" })
      yield* Effect.promise(() => check(chunks, invoked, selected))
    }))
})

describe("Should stream chunks through runnable passthrough and assign", () => {
  const letters = (key: string) => "What is your name?".split("").map((letter) => ({ [key]: letter }))
  const llm = () => fromLangChain(new FakeStreamingLLM({ sleep: 0 }))
  const chain = () => Fx.sequence(llm(), Fx.parallel({ llm: Runnable.identity<string>() }))
  const chainWithAssign = () =>
    Fx.sequence(chain(), Fx.assign({ chat: Fx.sequence(Runnable.sync((input: { llm: string }) => input.llm), llm()) }))
  const chainWithPick = () => Fx.sequence(chainWithAssign(), Fx.pick("llm"))
  const chainWithPickMulti = () => Fx.sequence(chainWithAssign(), Fx.pick(["llm"]))

  /** LangChain's expectations on the chunks and their combination, for a way of running a runnable. */
  const check = async (
    run: {
      readonly stream: (runnable: Runnable.Runnable<string, any, any>) => Promise<Array<any>>
      readonly invoke: (runnable: Runnable.Runnable<string, any, any>) => Promise<any>
    }
  ) => {
    const chunks = await run.stream(chain())
    expect(chunks).toEqual(letters("llm"))
    expect(chunks.reduce(concat)).toEqual(await run.invoke(chain()))

    const chunks2 = await run.stream(chainWithAssign())
    expect(chunks2).toEqual([...letters("llm"), ...letters("chat")])
    expect(chunks2.reduce(concat)).toEqual(await run.invoke(chainWithAssign()))

    const chunks3 = await run.stream(chainWithPick() as Runnable.Runnable<string, any, any>)
    expect(chunks3).toEqual("What is your name?".split(""))
    expect(chunks3.reduce(concat)).toEqual(await run.invoke(chainWithPick() as Runnable.Runnable<string, any, any>))

    const chunks4 = await run.stream(chainWithPickMulti() as Runnable.Runnable<string, any, any>)
    expect(chunks4).toEqual(letters("llm"))
    expect(chunks4.reduce(concat)).toEqual(await run.invoke(chainWithPickMulti() as Runnable.Runnable<string, any, any>))
  }

  it("through the Promise facade", async () => {
    await check({
      stream: (runnable) => collect(facade(runnable).stream("What is your name?")),
      invoke: (runnable) => facade(runnable).invoke("What is your name?")
    })
  })

  it("through toLangChain", async () => {
    await check({
      stream: async (runnable) => collect(await toLangChain(runnable).stream("What is your name?")),
      invoke: (runnable) => toLangChain(runnable).invoke("What is your name?")
    })
  })
})

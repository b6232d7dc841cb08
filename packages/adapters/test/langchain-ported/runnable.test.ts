/**
 * Ported from LangChain.js: libs/langchain-core/src/runnables/tests/runnable.test.ts
 *
 * LangChain's inputs and expected outputs are kept. LangChain's fake models, prompts and parsers
 * come in through `fromLangChain`; `RunnableLambda` is `Runnable.sync` / `Runnable.try` /
 * `Runnable.fromAsyncIterable`, `RunnableSequence` is `Fx.sequence`, a lambda returning a
 * runnable to run is `Runnable.unwrap`. Each case runs through the Promise facade, through
 * `toLangChain` inside the real `@langchain/core`, and in fxchain's Effect form where natural.
 */
import { describe, expect, it } from "@effect/vitest"
import * as Fx from "@fxchain/combinators"
import { RunConfig, Runnable } from "@fxchain/core"
import { AIMessage, AIMessageChunk, type BaseMessage, HumanMessage } from "@langchain/core/messages"
import { OutputParserException, StringOutputParser } from "@langchain/core/output_parsers"
import { ChatPromptTemplate, PromptTemplate, SystemMessagePromptTemplate } from "@langchain/core/prompts"
import type { RunnableInterface } from "@langchain/core/runnables"
import { tool } from "@langchain/core/tools"
import {
  FakeChatModel,
  FakeLLM,
  FakeListChatModel,
  FakeStreamingChatModel,
  FakeStreamingLLM,
  SingleRunExtractor
} from "@langchain/core/utils/testing"
import { Chunk, Effect, Fiber, Stream, TestClock } from "effect"
import * as FakeModel from "../../src/FakeModel.js"
import { fromLangChain } from "../../src/langchain.js"
import * as Model from "../../src/Model.js"
import * as OutputParser from "../../src/OutputParser.js"
import { collect, facade, named, rejectionOf, toLangChain } from "./support.js"

const runCollect = <A, E>(stream: Stream.Stream<A, E>) => Effect.map(Stream.runCollect(stream), Chunk.toArray)

describe("Test batch", () => {
  const llm = () => fromLangChain(new FakeLLM({}))

  it("through the Promise facade", async () => {
    const results = await facade(llm()).batch(["Hi there!", "Hey hey"])
    expect(results.length).toBe(2)
  })

  it("through toLangChain", async () => {
    const results = await toLangChain(llm()).batch(["Hi there!", "Hey hey"])
    expect(results.length).toBe(2)
  })

  it.effect("in fxchain's Effect form", () =>
    Effect.gen(function*() {
      const results = yield* Runnable.batch(llm(), ["Hi there!", "Hey hey"])
      expect(results.length).toBe(2)
    }))
})

describe("Test stream", () => {
  const llm = () => fromLangChain(new FakeLLM({}))

  it("through the Promise facade", async () => {
    let done = false
    const iterator = facade(llm()).stream("Hi there!")
    while (!done) {
      const chunk = await iterator.next()
      done = chunk.done === true
    }
  })

  it("through toLangChain", async () => {
    const stream = await toLangChain(llm()).stream("Hi there!")
    const reader = stream
      .pipeThrough(new TextEncoderStream())
      .pipeThrough(new TextDecoderStream())
      .getReader()
    let done = false
    while (!done) {
      const chunk = await reader.read()
      done = chunk.done
    }
  })
})

describe("Test stream with an immediate thrown error", () => {
  // a streaming model that throws at once
  const llm = () =>
    Runnable.fromAsyncIterable(
      async function*(_: string): AsyncGenerator<string> {
        throw new Error("testing")
      },
      { catch: (error) => error as Error }
    )

  it("through the Promise facade", async () => {
    try {
      for await (const _ of facade(llm()).stream("Hi there!")) {
        // nothing comes
      }
    } catch (e: any) {
      expect(e.message).toEqual("testing")
    }
  })

  it("through toLangChain", async () => {
    try {
      await toLangChain(llm()).stream("Hi there!")
    } catch (e: any) {
      expect(e.message).toEqual("testing")
    }
  })
})

describe("Pipe from one runnable to the next", () => {
  const runnable = () => Fx.sequence(fromLangChain(PromptTemplate.fromTemplate("{input}")), fromLangChain(new FakeLLM({})))

  it("through the Promise facade", async () => {
    const result = await facade(runnable()).invoke({ input: "Hello world!" })
    expect(result).toBe("Hello world!")
  })

  it("through toLangChain", async () => {
    const result = await toLangChain(runnable()).invoke({ input: "Hello world!" })
    expect(result).toBe("Hello world!")
  })

  it.effect("in fxchain's Effect form", () =>
    Effect.gen(function*() {
      expect(yield* Runnable.invoke(runnable(), { input: "Hello world!" })).toBe("Hello world!")
    }))
})

describe("Stream the entire way through", () => {
  const chain = () => Fx.sequence(fromLangChain(new FakeStreamingLLM({})), OutputParser.string)

  it("through the Promise facade", async () => {
    const chunks = await collect(facade(chain()).stream("Hi there!"))
    expect(chunks.length).toEqual("Hi there!".length)
    expect(chunks.join("")).toEqual("Hi there!")
  })

  it("through toLangChain", async () => {
    const chunks = await collect(await toLangChain(chain()).stream("Hi there!"))
    expect(chunks.length).toEqual("Hi there!".length)
    expect(chunks.join("")).toEqual("Hi there!")
  })

  it.live("in fxchain's Effect form", () =>
    Effect.gen(function*() {
      const chunks = yield* runCollect(Runnable.stream(chain(), "Hi there!"))
      expect(chunks.length).toEqual("Hi there!".length)
      expect(chunks.join("")).toEqual("Hi there!")
    }))
})

describe("Callback order with transform streaming", () => {
  const chain = () =>
    named(
      Fx.sequence(
        fromLangChain(ChatPromptTemplate.fromTemplate(`{input}`)),
        fromLangChain(new FakeStreamingLLM({})),
        fromLangChain(new StringOutputParser())
      ),
      "RunnableSequence"
    )

  it("through toLangChain", async () => {
    const order: Array<string> = []
    const stream = await toLangChain(chain()).stream(
      { input: "Hi there!" },
      {
        callbacks: [
          {
            handleChainStart: (chain) => order.push(chain.id[chain.id.length - 1]!),
            handleLLMStart: (llm) => order.push(llm.id[llm.id.length - 1]!)
          }
        ]
      }
    )
    const chunks = await collect(stream)
    expect(order).toEqual([
      "RunnableSequence",
      "ChatPromptTemplate",
      "FakeStreamingLLM",
      "StrOutputParser"
    ])
    expect(chunks.length).toEqual("Human: Hi there!".length)
    expect(chunks.join("")).toEqual("Human: Hi there!")
  })

  // the facade's callbacks are its events: their start order
  it("through the Promise facade", async () => {
    const order: Array<string> = []
    const chunks: Array<string> = []
    for await (const event of facade(chain()).streamEvents({ input: "Hi there!" }, { version: "v2" })) {
      if (event.event.endsWith("_start")) order.push(event.name)
      if (event.event === "on_chain_stream" && event.name === "RunnableSequence") chunks.push(event.data.chunk as string)
    }
    expect(order).toEqual([
      "RunnableSequence",
      "ChatPromptTemplate",
      "FakeStreamingLLM",
      "StrOutputParser"
    ])
    expect(chunks.length).toEqual("Human: Hi there!".length)
    expect(chunks.join("")).toEqual("Human: Hi there!")
  })
})

describe("Don't use intermediate streaming", () => {
  const chain = () =>
    Fx.sequence(fromLangChain(new FakeStreamingLLM({})), OutputParser.string, fromLangChain(new FakeLLM({})))

  it("through the Promise facade", async () => {
    const chunks = await collect(facade(chain()).stream("Hi there!"))
    expect(chunks.length).toEqual(1)
    expect(chunks[0]).toEqual("Hi there!")
  })

  it("through toLangChain", async () => {
    const chunks = await collect(await toLangChain(chain()).stream("Hi there!"))
    expect(chunks.length).toEqual(1)
    expect(chunks[0]).toEqual("Hi there!")
  })

  it.live("in fxchain's Effect form", () =>
    Effect.gen(function*() {
      const chunks = yield* runCollect(Runnable.stream(chain(), "Hi there!"))
      expect(chunks.length).toEqual(1)
      expect(chunks[0]).toEqual("Hi there!")
    }))
})

describe("Router runnables", () => {
  type RouterChainInput = {
    key: string
    question: string
  }
  const chain = () => {
    const mathLLM = new FakeLLM({})
    mathLLM.response = "I am a math genius!"
    const chain1 = Fx.sequence(
      fromLangChain(PromptTemplate.fromTemplate("You are a math genius. Answer the question: {question}")),
      fromLangChain(mathLLM)
    )
    const englishLLM = new FakeLLM({})
    englishLLM.response = "I am an English genius!"
    const chain2 = Fx.sequence(
      fromLangChain(PromptTemplate.fromTemplate("You are an english major. Answer the question: {question}")),
      fromLangChain(englishLLM)
    )
    // LangChain's RouterRunnable: runs the runnable named by `key` on `input`
    const router = Fx.route((routed: { key: string; input: { question: string } }) => routed.key, {
      math: Fx.mapInput(chain1, (routed: { input: { question: string } }) => routed.input),
      english: Fx.mapInput(chain2, (routed: { input: { question: string } }) => routed.input)
    })
    return Fx.sequence(
      Fx.parallel({
        key: Runnable.sync((x: RouterChainInput) => x.key),
        input: Fx.parallel({ question: Runnable.sync((x: RouterChainInput) => x.question) })
      }),
      router
    )
  }
  const batch = [
    {
      key: "math",
      question: "2 + 2"
    },
    {
      key: "english",
      question: "2 + 2"
    }
  ]

  it("through the Promise facade", async () => {
    const runnable = facade(chain())
    const result = await runnable.invoke({ key: "math", question: "2 + 2" })
    expect(result).toEqual("I am a math genius!")
    const result2 = await runnable.batch(batch)
    expect(result2).toEqual(["I am a math genius!", "I am an English genius!"])
  })

  it("through toLangChain", async () => {
    const runnable = toLangChain(chain())
    const result = await runnable.invoke({ key: "math", question: "2 + 2" })
    expect(result).toEqual("I am a math genius!")
    const result2 = await runnable.batch(batch)
    expect(result2).toEqual(["I am a math genius!", "I am an English genius!"])
  })

  it.effect("in fxchain's Effect form", () =>
    Effect.gen(function*() {
      expect(yield* Runnable.invoke(chain(), { key: "math", question: "2 + 2" })).toEqual("I am a math genius!")
      expect(yield* Runnable.batch(chain(), batch)).toEqual(["I am a math genius!", "I am an English genius!"])
    }))
})

describe("RunnableLambda that returns a runnable should invoke the runnable", () => {
  // fxchain's lambda that makes the runnable to run is `Runnable.unwrap`. Kept difference: a
  // `Runnable.sync` whose function returns a runnable returns that runnable, it does not run it.
  const runnable = () => Runnable.unwrap(Effect.sync(() => Runnable.sync((_: object) => "testing")))

  it("through the Promise facade", async () => {
    const result = await facade(runnable()).invoke({})
    expect(result).toEqual("testing")
  })

  it("through toLangChain", async () => {
    const result = await toLangChain(runnable()).invoke({})
    expect(result).toEqual("testing")
  })

  it.effect("in fxchain's Effect form", () =>
    Effect.gen(function*() {
      expect(yield* Runnable.invoke(runnable(), {})).toEqual("testing")
      const returnsOne = Runnable.sync((_: object) => Runnable.sync((_: object) => "testing"))
      expect(Runnable.isRunnable(yield* Runnable.invoke(returnsOne, {}))).toBe(true)
    }))
})

/** Checks a lambda yielding "test" and "ing": invoke combines them, stream yields them. */
const checkTesting = (runnable: () => Runnable.Runnable<object, string, unknown>) => {
  it("through the Promise facade", async () => {
    const result = await facade(runnable()).invoke({})
    expect(result).toEqual("testing")
    const chunks = await collect(facade(runnable()).stream({}))
    expect(chunks).toEqual(["test", "ing"])
  })

  it("through toLangChain", async () => {
    const result = await toLangChain(runnable()).invoke({})
    expect(result).toEqual("testing")
    const chunks = await collect(await toLangChain(runnable()).stream({}))
    expect(chunks).toEqual(["test", "ing"])
  })

  it.effect("in fxchain's Effect form", () =>
    Effect.gen(function*() {
      expect(yield* Runnable.invoke(runnable(), {})).toEqual("testing")
      expect(yield* runCollect(Runnable.stream(runnable(), {}))).toEqual(["test", "ing"])
    }))
}

const testingStream = () =>
  new ReadableStream<string>({
    async start(controller) {
      controller.enqueue("test")
      controller.enqueue("ing")
      controller.close()
    }
  })

describe("RunnableLambda that returns an async iterator should consume it", () => {
  checkTesting(() =>
    Runnable.fromAsyncIterable(async function*(_: object) {
      yield "test"
      yield "ing"
    })
  )
})

describe("RunnableLambda that returns an async iterable should consume it", () => {
  checkTesting(() => Runnable.fromAsyncIterable((_: object) => testingStream()))
})

describe("RunnableLambda that returns a promise for async iterable should consume it", () => {
  checkTesting(() =>
    Runnable.fromAsyncIterable((_: object) =>
      (async function*() {
        yield* await Promise.resolve(testingStream())
      })()
    )
  )
})

describe("RunnableLambda that returns an iterator should consume it", () => {
  checkTesting(() =>
    Runnable.fromStream((_: object) =>
      Stream.fromIterable((function*() {
        yield "test"
        yield "ing"
      })())
    )
  )
})

describe("RunnableLambda that returns a streaming runnable should stream output from the inner runnable", () => {
  const runnable = () => Runnable.unwrap(Effect.sync(() => fromLangChain(new FakeStreamingLLM({}))))

  it("through the Promise facade", async () => {
    const chunks = await collect(facade(runnable()).stream("hello"))
    expect(chunks).toEqual(["h", "e", "l", "l", "o"])
  })

  it("through toLangChain", async () => {
    const chunks = await collect(await toLangChain(runnable()).stream("hello"))
    expect(chunks).toEqual(["h", "e", "l", "l", "o"])
  })

  it.live("in fxchain's Effect form", () =>
    Effect.gen(function*() {
      expect(yield* runCollect(Runnable.stream(runnable(), "hello"))).toEqual(["h", "e", "l", "l", "o"])
    }))
})

describe("Runnable withConfig", () => {
  // LangChain's FakeRunnable({ returnOptions: true }): answers with the configuration it runs with
  const fake = () => Runnable.fromEffect((_: string) => RunConfig.RunConfig)
  const configured = () => fake().pipe(Runnable.withConfig({ metadata: { a: "b", b: "c" }, tags: ["a-tag"] }))

  it("through the Promise facade", async () => {
    const result = await facade(fake().pipe(Runnable.withConfig({ tags: ["a-tag"] }))).invoke("hello")
    expect(result.tags).toEqual(["a-tag"])
    const chunks = await collect(facade(configured()).stream("hi", { tags: ["b-tag"], metadata: { a: "updated" } }))
    expect(chunks.length).toEqual(1)
    expect(chunks[0]?.tags).toEqual(["a-tag", "b-tag"])
    expect(chunks[0]?.metadata).toEqual({ a: "updated", b: "c" })
  })

  it("through toLangChain", async () => {
    const result = await toLangChain(fake().pipe(Runnable.withConfig({ tags: ["a-tag"] }))).invoke("hello")
    expect(result.tags).toEqual(["a-tag"])
    const stream = await toLangChain(configured()).stream("hi", { tags: ["b-tag"], metadata: { a: "updated" } })
    const chunks = await collect(stream)
    expect(chunks.length).toEqual(1)
    expect(chunks[0]?.tags).toEqual(["a-tag", "b-tag"])
    expect(chunks[0]?.metadata).toEqual({ a: "updated", b: "c" })
  })

  it.effect("in fxchain's Effect form", () =>
    Effect.gen(function*() {
      const result = yield* Runnable.invoke(fake().pipe(Runnable.withConfig({ tags: ["a-tag"] })), "hello")
      expect(result.tags).toEqual(["a-tag"])
      const chunks = yield* runCollect(
        Runnable.stream(configured().pipe(Runnable.withConfig({ tags: ["b-tag"], metadata: { a: "updated" } })), "hi")
      )
      expect(chunks.length).toEqual(1)
      expect(chunks[0]?.tags).toEqual(["a-tag", "b-tag"])
      expect(chunks[0]?.metadata).toEqual({ a: "updated", b: "c" })
    }))
})

/** `prompt.pipe(model)` of the listener cases. */
const listenedChain = () =>
  named(
    Fx.sequence(
      fromLangChain(ChatPromptTemplate.fromMessages([
        SystemMessagePromptTemplate.fromTemplate("You are a nice assistant."),
        ["human", "{question}"]
      ])),
      fromLangChain(new FakeListChatModel({ responses: ["foo"] }))
    ),
    "RunnableSequence"
  )

describe("Listeners work", () => {
  const listened = (mockStart: Array<{ name: string }>, mockEnd: Array<unknown>) =>
    listenedChain().pipe(Fx.withListeners({
      onStart: (run) => Effect.sync(() => mockStart.push(run)),
      onEnd: (run) => Effect.sync(() => mockEnd.push(run))
    }))

  it("through the Promise facade", async () => {
    const mockStart: Array<{ name: string }> = []
    const mockEnd: Array<unknown> = []
    await facade(listened(mockStart, mockEnd)).invoke({ question: "What is the meaning of life?" })
    expect(mockStart).toHaveLength(1)
    expect(mockStart[0]!.name).toBe("RunnableSequence")
    expect(mockEnd).toHaveLength(1)
  })

  it("through toLangChain", async () => {
    const mockStart: Array<{ name: string }> = []
    const mockEnd: Array<unknown> = []
    await toLangChain(listened(mockStart, mockEnd)).invoke({ question: "What is the meaning of life?" })
    expect(mockStart).toHaveLength(1)
    expect(mockStart[0]!.name).toBe("RunnableSequence")
    expect(mockEnd).toHaveLength(1)
  })
})

it.effect("Listeners work with async handlers (in fxchain's Effect form, the waits on the TestClock)", () =>
  Effect.gen(function*() {
    const mockStart: Array<{ name: string }> = []
    const mockEnd: Array<unknown> = []
    const listened = listenedChain().pipe(Fx.withListeners({
      onStart: (run) => Effect.zipRight(Effect.sleep("2 seconds"), Effect.sync(() => mockStart.push(run))),
      onEnd: (run) => Effect.zipRight(Effect.sleep("2 seconds"), Effect.sync(() => mockEnd.push(run)))
    }))
    const fiber = yield* Effect.fork(Runnable.invoke(listened, { question: "What is the meaning of life?" }))
    yield* TestClock.adjust("2 seconds")
    // the model answers in real time, between the two waits
    while (mockEnd.length === 0) yield* Effect.zipRight(Effect.promise(() => new Promise((resolve) => setTimeout(resolve, 5))), TestClock.adjust("2 seconds"))
    yield* Fiber.join(fiber)
    expect(mockStart).toHaveLength(1)
    expect(mockStart[0]!.name).toBe("RunnableSequence")
    expect(mockEnd).toHaveLength(1)
  }))

describe("Create a runnable sequence and run it", () => {
  const text = `Jello world`
  const runnable = () =>
    Fx.sequence(
      fromLangChain(PromptTemplate.fromTemplate("{input}")),
      fromLangChain(new FakeChatModel({})),
      fromLangChain(new StringOutputParser())
    )

  it("through the Promise facade", async () => {
    expect(await facade(runnable()).invoke({ input: text })).toEqual("Jello world")
  })

  it("through toLangChain", async () => {
    expect(await toLangChain(runnable()).invoke({ input: text })).toEqual("Jello world")
  })

  it.effect("in fxchain's Effect form", () =>
    Effect.gen(function*() {
      expect(yield* Runnable.invoke(runnable(), { input: text })).toEqual("Jello world")
    }))

  it.effect("with fxchain's parser and FakeModel", () =>
    Effect.gen(function*() {
      const fxchain = Fx.sequence(
        fromLangChain(PromptTemplate.fromTemplate("{input}")),
        Runnable.sync((value: { toString(): string }) => value.toString()),
        Model.fromLanguageModel(),
        OutputParser.string
      )
      const result = yield* Runnable.invoke(fxchain, { input: text }).pipe(Effect.provide(FakeModel.layer({ responses: text })))
      expect(result).toEqual("Jello world")
    }))
})

describe("Create a runnable sequence with a static method with invalid output and catch the error", () => {
  const parser = (input: BaseMessage) => {
    try {
      const parsedInput = typeof input.content === "string" ? JSON.parse(input.content) : input.content
      if (!("outputValue" in parsedInput) || parsedInput.outputValue !== "Hello sequence!") {
        throw new Error("Test failed!")
      } else {
        return input
      }
    } catch (e) {
      throw new OutputParserException("Invalid output")
    }
  }
  const runnable = () =>
    Fx.sequence(
      fromLangChain(PromptTemplate.fromTemplate("{input}")),
      fromLangChain(new FakeChatModel({})),
      Runnable.try(parser, { catch: (error) => error as OutputParserException })
    )

  it("through the Promise facade", async () => {
    const error: any = await rejectionOf(facade(runnable()).invoke({ input: "Hello sequence!" }))
    expect(error).toBeInstanceOf(OutputParserException)
    expect(error?.lc_error_code).toEqual("OUTPUT_PARSING_FAILURE")
  })

  it("through toLangChain", async () => {
    const error: any = await rejectionOf(toLangChain(runnable()).invoke({ input: "Hello sequence!" }))
    expect(error).toBeInstanceOf(OutputParserException)
    expect(error?.lc_error_code).toEqual("OUTPUT_PARSING_FAILURE")
  })

  it.effect("in fxchain's Effect form", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(Runnable.invoke(runnable(), { input: "Hello sequence!" }))
      expect(error).toBeInstanceOf(OutputParserException)
      expect((error as any).lc_error_code).toEqual("OUTPUT_PARSING_FAILURE")
    }))
})

describe("Create a runnable sequence with a static method with no tags", () => {
  // a chain of two lambdas that does not tag its steps (LangChain's `omitSequenceTags`)
  const foo = Runnable.sync((_: object) => "foo", { name: "foo" })
  const bar = Runnable.sync((_: string) => "bar", { name: "bar" })
  const seq = () =>
    Runnable.fromEffect((input: object) => Effect.flatMap(Runnable.invoke(foo, input), (value) => Runnable.invoke(bar, value)), {
      name: "RunnableSequence",
      kind: "chain"
    })

  it("through the Promise facade", async () => {
    const events = await collect(facade(seq()).streamEvents({}, { version: "v2" }))
    expect(events.length).toBeGreaterThan(1)
    for (const event of events) {
      expect(event.tags?.find((tag) => tag.startsWith("seq:"))).toBeUndefined()
    }
  })

  it("through toLangChain", async () => {
    const events = await collect(toLangChain(seq()).streamEvents({}, { version: "v2" }))
    expect(events.length).toBeGreaterThan(1)
    for (const event of events) {
      expect(event.tags?.find((tag) => tag.startsWith("seq:"))).toBeUndefined()
    }
  })
})

describe("RunnableSequence can pass config to every step in batched request", () => {
  const sequence = (seen: { numSeen: number }) => {
    const step = (add: number) =>
      Runnable.fromEffect((x: number) =>
        Effect.map(RunConfig.RunConfig, (config) => {
          if (config.configurable.isPresent === true) {
            seen.numSeen += 1
          }
          return x + add
        })
      )
    return Fx.sequence(step(1), step(2), step(3))
  }

  it("through the Promise facade", async () => {
    const seen = { numSeen: 0 }
    await facade(sequence(seen)).batch([1], { configurable: { isPresent: true } })
    expect(seen.numSeen).toBe(3)
  })

  it("through toLangChain", async () => {
    const seen = { numSeen: 0 }
    await toLangChain(sequence(seen)).batch([1], { configurable: { isPresent: true } })
    expect(seen.numSeen).toBe(3)
  })

  it.effect("in fxchain's Effect form", () =>
    Effect.gen(function*() {
      const seen = { numSeen: 0 }
      yield* Runnable.batch(Runnable.withConfig(sequence(seen), { configurable: { isPresent: true } }), [1])
      expect(seen.numSeen).toBe(3)
    }))
})

describe("Should aggregate properly", () => {
  // A function that does not operates on input streams and breaks streaming.
  const extractCountryNames = (inputs: Record<string, any>) => {
    if (!Array.isArray(inputs.countries)) {
      return ""
    }
    return inputs.countries.map((country) => country.name)
  }
  const input =
    `output a list of the countries france, spain and japan and their populations in JSON format. Use a dict with an outer key of "countries" which contains a list of countries. Each country should have the key "name" and "population"`
  const chain = () =>
    Fx.sequence(
      fromLangChain(
        new FakeStreamingLLM({
          responses: [
            `{"countries": [{"name": "France", "population": 67391582}, {"name": "Spain", "population": 46754778}, {"name": "Japan", "population": 126476461}]}`
          ],
          // (the fake's latency, 50 ms a character by default)
          sleep: 0
        })
      ),
      OutputParser.json(),
      Runnable.sync((inputs: OutputParser.JsonValue) => extractCountryNames(inputs as Record<string, any>))
    )

  it("through the Promise facade", async () => {
    const chunks = await collect(facade(chain()).stream(input))
    expect(chunks.length).toEqual(1)
    expect(chunks[0]).toEqual(["France", "Spain", "Japan"])
  })

  it("through toLangChain", async () => {
    const chunks = await collect(await toLangChain(chain()).stream(input))
    expect(chunks.length).toEqual(1)
    expect(chunks[0]).toEqual(["France", "Spain", "Japan"])
  })
})

describe("runId config", () => {
  // the model is fxchain's, on a FakeModel; LangChain's tracer sees its run under the given id
  const llm = () => toLangChain(Model.fromLanguageModel(), FakeModel.layer({ responses: "gg" }))

  it("invoke", async () => {
    const tracer = new SingleRunExtractor()
    const testId = crypto.randomUUID()
    await llm().invoke("gg", {
      callbacks: [tracer],
      runId: testId
    })
    const run = await tracer.extract()
    expect(run.id).toBe(testId)
  })

  it("batch", async () => {
    const tracer = new SingleRunExtractor()
    const message = new HumanMessage("hello world")
    const testId = crypto.randomUUID()
    const warn = console.warn
    console.warn = () => {
      // .batch will warn if a runId is passed along with multiple messages
    }
    try {
      const model = llm()
      // (its runtime built first, as in a running program: the first item does not wait for it alone)
      await model.runtime.runtime()
      const res = await (model as unknown as RunnableInterface<Array<BaseMessage>, unknown>).batch([[message], [message]], {
        callbacks: [tracer],
        runId: testId
      })
      const run = await tracer.extract()
      expect(run.id).toBe(testId)
      expect(res.length).toBe(2)
    } finally {
      console.warn = warn
    }
  })

  it("stream", async () => {
    const tracer = new SingleRunExtractor()
    const testId = crypto.randomUUID()
    const stream = await llm().stream("gg", {
      callbacks: [tracer],
      runId: testId
    })
    for await (const _ of stream) {
      // no-op
    }
    const run = await tracer.extract()
    expect(run.id).toBe(testId)
  })

  it("stream (via llm)", async () => {
    const tracer = new SingleRunExtractor()
    const testId = crypto.randomUUID()
    const stream = await toLangChain(fromLangChain(new FakeStreamingLLM({}))).stream("gg", {
      callbacks: [tracer],
      runId: testId
    })
    for await (const _ of stream) {
      // no-op
    }
    const run = await tracer.extract()
    expect(run.id).toBe(testId)
  })

  it("invoke (via llm)", async () => {
    const tracer = new SingleRunExtractor()
    const testId = crypto.randomUUID()
    await toLangChain(fromLangChain(new FakeLLM({}))).invoke("gg", {
      callbacks: [tracer],
      runId: testId
    })
    const run = await tracer.extract()
    expect(run.id).toBe(testId)
  })

  describe("FakeStreamingChatModel predefined chunks", () => {
    it("streams predefined chunks including tool call", async () => {
      const echo = tool(async (arg: { input: string }) => JSON.stringify(arg), {
        name: "echo",
        description: "Echo the input",
        schema: { type: "object", properties: { input: { type: "string" } }, required: ["input"] }
      })

      const toolCallChunk = new AIMessageChunk({
        content: "",
        tool_calls: [
          {
            id: "call_1",
            type: "tool_call",
            name: "echo",
            args: { input: "hello" }
          }
        ]
      })

      const charChunks = (text: string) => text.split("").map((char) => new AIMessageChunk({ content: char }))
      const chunks = [...charChunks("Hi"), toolCallChunk, ...charChunks("!")]

      const model = fromLangChain(new FakeStreamingChatModel({ chunks, sleep: 0 }).bindTools([echo as never]))

      const seen: Array<string> = []
      for await (const gen of facade(model).stream([])) {
        seen.push(gen.content as string)
      }
      expect(seen).toEqual(["H", "i", "", "!"])
    })

    it("FakeStreamingChatModel fallback char streaming", async () => {
      const model = fromLangChain(new FakeStreamingChatModel({ responses: [new AIMessage("Hi")], sleep: 0 }))
      const out: Array<string> = []
      for await (const gen of facade(model).stream([])) {
        out.push(gen.content as string)
      }
      expect(out).toEqual(["H", "i"])
    })
  })
})

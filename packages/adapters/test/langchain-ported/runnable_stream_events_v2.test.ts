/**
 * Ported from LangChain.js: libs/langchain-core/src/runnables/tests/runnable_stream_events_v2.test.ts
 *
 * Each LangChain case's expected events are kept verbatim. They run through the Promise facade's
 * `streamEvents` (LangChain.js's v2 events have no `parent_ids`: compared without them) and, where
 * the runnable is an fxchain construct, through `toLangChain` inside the real `@langchain/core`,
 * whose own `streamEvents` then sees fxchain's inner runs. LangChain's models, prompts, tools and
 * retrievers come in through `fromLangChain`; LangChain's default run names are given explicitly
 * (`named`), fxchain's differ.
 *
 * LangChain's `dispatchCustomEvent` is `Runnable.dispatchCustomEvent` in fxchain's runs.
 */
import { describe, expect, it } from "@effect/vitest"
import * as Fx from "@fxchain/combinators"
import { Runnable } from "@fxchain/core"
import { Tool } from "@effect/ai"
import { dispatchCustomEvent } from "@langchain/core/callbacks/dispatch"
import { Document } from "@langchain/core/documents"
import { AIMessage, AIMessageChunk, HumanMessage, SystemMessage } from "@langchain/core/messages"
import { GenerationChunk } from "@langchain/core/outputs"
import { ChatPromptTemplate, PromptTemplate } from "@langchain/core/prompts"
import type { RunnableInterface } from "@langchain/core/runnables"
import { DynamicStructuredTool, DynamicTool, tool } from "@langchain/core/tools"
import {
  FakeChatModel,
  FakeLLM,
  FakeListChatModel,
  FakeRetriever,
  FakeStreamingLLM
} from "@langchain/core/utils/testing"
import { Effect, Schema } from "effect"
import { fromLangChain } from "../../src/langchain.js"
import type * as PromiseRunnable from "../../src/PromiseRunnable.js"
import * as Model from "../../src/Model.js"
import { collect, facade, named, rejectionOf, reverse, sleep, toLangChain, withoutParentIds } from "./support.js"

// used here to avoid casting every ID (as in LangChain's file)
const anyString = expect.any(String) as unknown as string

const reverseChain = () => Runnable.sync(reverse).pipe(Runnable.withConfig({ runName: "reverse" }))

/** `r.withConfig({ runName: "1" }).pipe(r.withConfig({ runName: "2" })).pipe(r.withConfig({ runName: "3" }))` */
const threeRunnables = (tags: { readonly second?: Array<string>; readonly third?: Array<string> } = {}) =>
  named(
    Fx.sequence(
      named(Runnable.sync(reverse), "1"),
      Runnable.withConfig(Runnable.sync(reverse), { runName: "2", tags: tags.second }),
      Runnable.withConfig(Runnable.sync(reverse), { runName: "3", tags: tags.third })
    ),
    "RunnableSequence"
  )

describe("Runnable streamEvents method", () => {
  const expected = () => [
    {
      data: { input: "hello" },
      event: "on_chain_start",
      metadata: expect.any(Object),
      name: "reverse",
      run_id: expect.any(String),
      tags: [],
    },
    {
      data: { chunk: "olleh" },
      event: "on_chain_stream",
      metadata: expect.any(Object),
      name: "reverse",
      run_id: expect.any(String),
      tags: [],
    },
    {
      data: { output: "olleh" },
      event: "on_chain_end",
      metadata: expect.any(Object),
      name: "reverse",
      run_id: expect.any(String),
      tags: [],
    },
  ]

  it("through the Promise facade", async () => {
    const events = await collect(facade(reverseChain()).streamEvents("hello", { version: "v2" }))
    expect(withoutParentIds(events)).toEqual(expected())
    expect(events.map((event) => event.parent_ids)).toEqual([[], [], []])
  })

  it("through toLangChain", async () => {
    const events = await collect(toLangChain(reverseChain()).streamEvents("hello", { version: "v2" }))
    expect(events).toEqual(expected())
  })
})

describe("Runnable streamEvents does not include tracer-only configurable metadata", () => {
  const configurable = {
    thread_id: "th-123",
    checkpoint_id: "ckpt-1",
    temperature: 0.5,
    streaming: true,
    api_key: "should-not-propagate",
    __secret_key: "should-not-propagate"
  }
  const check = (events: ReadonlyArray<{ readonly metadata: unknown }>) => {
    expect(events.length).toBeGreaterThan(0)
    for (const event of events) {
      expect(event.metadata).not.toHaveProperty("thread_id")
      expect(event.metadata).not.toHaveProperty("checkpoint_id")
      expect(event.metadata).not.toHaveProperty("temperature")
      expect(event.metadata).not.toHaveProperty("streaming")
      expect(event.metadata).not.toHaveProperty("api_key")
      expect(event.metadata).not.toHaveProperty("__secret_key")
    }
  }
  const echo = () => named(Runnable.sync((input: string) => input), "echo")

  it("through the Promise facade", async () => {
    check(await collect(facade(echo()).streamEvents("hello", { version: "v2", configurable })))
  })

  it("through toLangChain", async () => {
    check(await collect(toLangChain(echo()).streamEvents("hello", { version: "v2", configurable })))
  })
})

const chatModelEvents = () => [
  {
    data: { input: "hello" },
    event: "on_chat_model_start",
    name: "FakeListChatModel",
    metadata: expect.any(Object),
    run_id: expect.any(String),
    tags: [],
  },
  {
    data: { chunk: new AIMessageChunk({ id: anyString, content: "a" }) },
    event: "on_chat_model_stream",
    name: "FakeListChatModel",
    metadata: expect.any(Object),
    run_id: expect.any(String),
    tags: [],
  },
  {
    data: { chunk: new AIMessageChunk({ id: anyString, content: "b" }) },
    event: "on_chat_model_stream",
    name: "FakeListChatModel",
    metadata: expect.any(Object),
    run_id: expect.any(String),
    tags: [],
  },
  {
    data: { chunk: new AIMessageChunk({ id: anyString, content: "c" }) },
    event: "on_chat_model_stream",
    name: "FakeListChatModel",
    metadata: expect.any(Object),
    run_id: expect.any(String),
    tags: [],
  },
  {
    data: { output: new AIMessageChunk({ id: anyString, content: "abc" }) },
    event: "on_chat_model_end",
    name: "FakeListChatModel",
    metadata: expect.any(Object),
    run_id: expect.any(String),
    tags: [],
  },
]

describe("Runnable streamEvents method on a chat model", () => {
  const expected = chatModelEvents

  it("through the Promise facade", async () => {
    const model = fromLangChain(new FakeListChatModel({ responses: ["abc"] }))
    const events = await collect(facade(model).streamEvents("hello", { version: "v2" }))
    expect(withoutParentIds(events)).toMatchObject(expected())
  })
})

it("Runnable streamEvents should preserve response_metadata from generationInfo (through the Promise facade)", async () => {
  const model = fromLangChain(
    new FakeListChatModel({
      responses: ["abc"],
      generationInfo: {
        finish_reason: "stop",
        model_name: "test-model",
        usage: { prompt_tokens: 10, completion_tokens: 5 }
      }
    })
  )
  const events = await collect(facade(model).streamEvents("hello", { version: "v2" }))

  // Find the on_chat_model_end event
  const endEvent = events.find((e: { event: string }) => e.event === "on_chat_model_end")
  expect(endEvent).toBeDefined()

  // Verify response_metadata contains the generationInfo data
  const output = (endEvent as unknown as { data: { output: AIMessageChunk } }).data.output
  expect(output.response_metadata).toBeDefined()
  expect(output.response_metadata.finish_reason).toBe("stop")
  expect(output.response_metadata.model_name).toBe("test-model")
  expect(output.response_metadata.usage).toEqual({
    prompt_tokens: 10,
    completion_tokens: 5
  })
})

describe("Runnable streamEvents call nested in another runnable + passed callbacks should still work", () => {
  // LangChain's file expects the same events as of the chat model streamed alone
  const expected = chatModelEvents

  // the container's own run is observed too (LangChain's passed callbacks)
  it("through the Promise facade", async () => {
    const model = facade(fromLangChain(new FakeListChatModel({ responses: ["abc"] })))
    const events: Array<unknown> = []
    const container = Runnable.fromPromise(async (_: object) => {
      for await (const event of model.streamEvents("hello", { version: "v2" })) events.push(event)
      return events
    })
    await collect(facade(container).streamEvents({}, { version: "v2" }))
    expect(withoutParentIds(events as Array<{ parent_ids: unknown }>)).toMatchObject(expected())
  })
})

const threeRunnablesEvents = () => [
  {
    data: { input: "hello" },
    event: "on_chain_start",
    metadata: expect.any(Object),
    name: "RunnableSequence",
    run_id: expect.any(String),
    tags: [],
  },
  {
    data: {},
    event: "on_chain_start",
    metadata: expect.any(Object),
    name: "1",
    run_id: expect.any(String),
    tags: ["seq:step:1"],
  },
  {
    data: { chunk: "olleh" },
    event: "on_chain_stream",
    metadata: expect.any(Object),
    name: "1",
    run_id: expect.any(String),
    tags: ["seq:step:1"],
  },
  {
    data: {},
    event: "on_chain_start",
    metadata: expect.any(Object),
    name: "2",
    run_id: expect.any(String),
    tags: ["seq:step:2"],
  },
  {
    data: { input: "hello", output: "olleh" },
    event: "on_chain_end",
    metadata: expect.any(Object),
    name: "1",
    run_id: expect.any(String),
    tags: ["seq:step:1"],
  },
  {
    data: { chunk: "hello" },
    event: "on_chain_stream",
    metadata: expect.any(Object),
    name: "2",
    run_id: expect.any(String),
    tags: ["seq:step:2"],
  },
  {
    data: {},
    event: "on_chain_start",
    metadata: expect.any(Object),
    name: "3",
    run_id: expect.any(String),
    tags: ["seq:step:3"],
  },
  {
    data: { input: "olleh", output: "hello" },
    event: "on_chain_end",
    metadata: expect.any(Object),
    name: "2",
    run_id: expect.any(String),
    tags: ["seq:step:2"],
  },
  {
    data: { chunk: "olleh" },
    event: "on_chain_stream",
    metadata: expect.any(Object),
    name: "3",
    run_id: expect.any(String),
    tags: ["seq:step:3"],
  },
  {
    data: { chunk: "olleh" },
    event: "on_chain_stream",
    metadata: expect.any(Object),
    name: "RunnableSequence",
    run_id: expect.any(String),
    tags: [],
  },
  {
    data: { input: "hello", output: "olleh" },
    event: "on_chain_end",
    metadata: expect.any(Object),
    name: "3",
    run_id: expect.any(String),
    tags: ["seq:step:3"],
  },
  {
    data: { output: "olleh" },
    event: "on_chain_end",
    metadata: expect.any(Object),
    name: "RunnableSequence",
    run_id: expect.any(String),
    tags: [],
  },
]

describe("Runnable streamEvents method with three runnables", () => {
  const expected = threeRunnablesEvents

  it("through the Promise facade", async () => {
    const events = await collect(facade(threeRunnables()).streamEvents("hello", { version: "v2" }))
    expect(withoutParentIds(events)).toEqual(expected())
    const root = events[0]!.run_id
    expect(events.filter((event) => event.name !== "RunnableSequence").every((event) => event.parent_ids[0] === root))
      .toBe(true)
  })

  it("through toLangChain", async () => {
    const events = await collect(toLangChain(threeRunnables()).streamEvents("hello", { version: "v2" }))
    expect(events).toEqual(expected())
  })
})

describe("Runnable streamEvents method with three runnables with backgrounded callbacks set to true", () => {
  // LangChain's file expects the same events as without backgrounded callbacks
  const expected = threeRunnablesEvents

  it("through the Promise facade", async () => {
    const events = await collect(facade(threeRunnables()).streamEvents("hello", { version: "v2" }))
    expect(withoutParentIds(events)).toEqual(expected())
  })

  it("through toLangChain", async () => {
    const original = process.env.LANGCHAIN_CALLBACKS_BACKGROUND
    process.env.LANGCHAIN_CALLBACKS_BACKGROUND = "true"
    try {
      const events = await collect(toLangChain(threeRunnables()).streamEvents("hello", { version: "v2" }))
      expect(events).toEqual(expected())
    } finally {
      process.env.LANGCHAIN_CALLBACKS_BACKGROUND = original
    }
  })
})

describe("Runnable streamEvents method with three runnables with filtering", () => {
  const expected = () => [
    {
      data: { input: "hello" },
      event: "on_chain_start",
      metadata: expect.any(Object),
      name: "1",
      run_id: expect.any(String),
      tags: ["seq:step:1"],
    },
    {
      data: { chunk: "olleh" },
      event: "on_chain_stream",
      metadata: expect.any(Object),
      name: "1",
      run_id: expect.any(String),
      tags: ["seq:step:1"],
    },
    {
      data: { output: "olleh" },
      event: "on_chain_end",
      metadata: expect.any(Object),
      name: "1",
      run_id: expect.any(String),
      tags: ["seq:step:1"],
    },
  ]
  const expected2 = () => [
    {
      data: {
        input: "hello",
      },
      event: "on_chain_start",
      metadata: expect.any(Object),
      name: "3",
      run_id: expect.any(String),
      tags: expect.arrayContaining(["seq:step:3", "my_tag"]),
    },
    {
      data: { chunk: "olleh" },
      event: "on_chain_stream",
      metadata: expect.any(Object),
      name: "3",
      run_id: expect.any(String),
      tags: expect.arrayContaining(["seq:step:3", "my_tag"]),
    },
    {
      data: { output: "olleh" },
      event: "on_chain_end",
      metadata: expect.any(Object),
      name: "3",
      run_id: expect.any(String),
      tags: expect.arrayContaining(["seq:step:3", "my_tag"]),
    },
  ]
  const chain = () => threeRunnables({ second: ["my_tag"], third: ["my_tag"] })

  it("through the Promise facade", async () => {
    const runnable = facade(chain())
    const events = await collect(runnable.streamEvents("hello", { version: "v2" }, { includeNames: ["1"] }))
    expect(withoutParentIds(events)).toEqual(expected())
    const events2 = await collect(
      runnable.streamEvents("hello", { version: "v2" }, { excludeNames: ["2"], includeTags: ["my_tag"] })
    )
    expect(withoutParentIds(events2)).toEqual(expected2())
  })

  it("through toLangChain", async () => {
    const runnable = toLangChain(chain())
    const events = await collect(runnable.streamEvents("hello", { version: "v2" }, { includeNames: ["1"] }))
    expect(events).toEqual(expected())
    const events2 = await collect(
      runnable.streamEvents("hello", { version: "v2" }, { excludeNames: ["2"], includeTags: ["my_tag"] })
    )
    expect(events2).toEqual(expected2())
  })
})

describe("Runnable streamEvents method with a runnable map", () => {
  const expected = () => [
    {
      run_id: expect.any(String),
      event: "on_chain_start",
      name: "RunnableSequence",
      tags: [],
      metadata: expect.any(Object),
      data: { input: "hello" },
    },
    {
      event: "on_chain_start",
      name: "RunnableMap",
      run_id: expect.any(String),
      tags: ["seq:step:1"],
      metadata: expect.any(Object),
      data: {},
    },
    {
      event: "on_chain_start",
      name: "RunnableLambda",
      run_id: expect.any(String),
      tags: ["map:key:reversed"],
      metadata: expect.any(Object),
      data: {},
    },
    {
      event: "on_chain_start",
      name: "RunnablePassthrough",
      run_id: expect.any(String),
      tags: ["map:key:original"],
      metadata: expect.any(Object),
      data: {},
    },
    {
      event: "on_chain_stream",
      name: "RunnablePassthrough",
      run_id: expect.any(String),
      tags: ["map:key:original"],
      metadata: expect.any(Object),
      data: { chunk: "hello" },
    },
    {
      event: "on_chain_stream",
      name: "RunnableLambda",
      run_id: expect.any(String),
      tags: ["map:key:reversed"],
      metadata: expect.any(Object),
      data: { chunk: "olleh" },
    },
    {
      event: "on_chain_stream",
      name: "RunnableMap",
      run_id: expect.any(String),
      tags: ["seq:step:1"],
      metadata: expect.any(Object),
      data: {
        chunk: {
          original: "hello",
        },
      },
    },
    {
      event: "on_chain_start",
      name: "RunnablePick",
      run_id: expect.any(String),
      tags: ["seq:step:2"],
      metadata: expect.any(Object),
      data: {},
    },
    {
      event: "on_chain_stream",
      name: "RunnableMap",
      run_id: expect.any(String),
      tags: ["seq:step:1"],
      metadata: expect.any(Object),
      data: {
        chunk: {
          reversed: "olleh",
        },
      },
    },
    {
      event: "on_chain_end",
      name: "RunnablePassthrough",
      run_id: expect.any(String),
      tags: ["map:key:original"],
      metadata: expect.any(Object),
      data: { input: "hello", output: "hello" },
    },
    {
      event: "on_chain_stream",
      name: "RunnablePick",
      run_id: expect.any(String),
      tags: ["seq:step:2"],
      metadata: expect.any(Object),
      data: { chunk: "olleh" },
    },
    {
      event: "on_chain_stream",
      run_id: expect.any(String),
      tags: [],
      metadata: expect.any(Object),
      name: "RunnableSequence",
      data: { chunk: "olleh" },
    },
    {
      event: "on_chain_end",
      name: "RunnableLambda",
      run_id: expect.any(String),
      tags: ["map:key:reversed"],
      metadata: expect.any(Object),
      data: { input: "hello", output: "olleh" },
    },
    {
      event: "on_chain_end",
      name: "RunnableMap",
      run_id: expect.any(String),
      tags: ["seq:step:1"],
      metadata: expect.any(Object),
      data: {
        input: "hello",
        output: {
          original: "hello",
          reversed: "olleh",
        },
      },
    },
    {
      event: "on_chain_end",
      name: "RunnablePick",
      run_id: expect.any(String),
      tags: ["seq:step:2"],
      metadata: expect.any(Object),
      data: {
        input: {
          original: "hello",
          reversed: "olleh",
        },
        output: "olleh",
      },
    },
    {
      event: "on_chain_end",
      name: "RunnableSequence",
      run_id: expect.any(String),
      tags: [],
      metadata: expect.any(Object),
      data: { output: "olleh" },
    },
  ]
  // RunnableMap.from({ reversed: r, original: new RunnablePassthrough() }).pipe(new RunnablePick("reversed"))
  const chain = () =>
    named(
      Fx.sequence(
        named(
          Fx.parallel({ reversed: named(Runnable.sync(reverse), "RunnableLambda"), original: Runnable.identity<string>({ name: "RunnablePassthrough" }) }),
          "RunnableMap"
        ),
        named(Fx.pick("reversed"), "RunnablePick")
      ),
      "RunnableSequence"
    )

  // Kept difference (docs/coming-from-langchain.md): the branches of a parallel run on fibers of
  // their own, so how their events interleave with each other's and with the steps downstream
  // differs from LangChain's async generators. Each run's own events, their data, names and tags
  // are LangChain's, in LangChain's order, and runs start in LangChain's order.
  const byRun = (events: ReadonlyArray<{ readonly name: string }>) => {
    const runs = new Map<string, Array<unknown>>()
    for (const event of events) runs.set(event.name, [...(runs.get(event.name) ?? []), event])
    return runs
  }
  const starts = (events: ReadonlyArray<{ readonly event: string; readonly name: string }>) =>
    events.filter((event) => event.event === "on_chain_start").map((event) => event.name)

  it("through the Promise facade", async () => {
    const events = withoutParentIds(await collect(facade(chain()).streamEvents("hello", { version: "v2" })))
    expect(byRun(events)).toEqual(byRun(expected()))
    expect(starts(events)).toEqual(starts(expected()))
  })

  it("through toLangChain", async () => {
    const events = await collect(toLangChain(chain()).streamEvents("hello", { version: "v2" }))
    expect(byRun(events)).toEqual(byRun(expected()))
    expect(starts(events)).toEqual(starts(expected()))
  })
})

it("Runnable streamEvents method with llm (through the Promise facade)", async () => {
  const model = fromLangChain(new FakeStreamingLLM({ responses: ["hey!"] })).pipe(
    Runnable.withConfig({ metadata: { a: "b" }, tags: ["my_model"], runName: "my_model" })
  )
  const events = await collect(facade(model).streamEvents("hello", { version: "v2" }))
  expect(withoutParentIds(events)).toEqual([
    {
      event: "on_llm_start",
      data: {
        input: "hello",
      },
      name: "my_model",
      tags: ["my_model"],
      run_id: expect.any(String),
      metadata: expect.objectContaining({
        a: "b",
      }),
    },
    {
      event: "on_llm_stream",
      data: {
        chunk: {
          text: "h",
        },
      },
      run_id: expect.any(String),
      name: "my_model",
      tags: ["my_model"],
      metadata: expect.objectContaining({
        a: "b",
      }),
    },
    {
      event: "on_llm_stream",
      data: {
        chunk: {
          text: "e",
        },
      },
      run_id: expect.any(String),
      name: "my_model",
      tags: ["my_model"],
      metadata: expect.objectContaining({
        a: "b",
      }),
    },
    {
      event: "on_llm_stream",
      data: {
        chunk: {
          text: "y",
        },
      },
      run_id: expect.any(String),
      name: "my_model",
      tags: ["my_model"],
      metadata: expect.objectContaining({
        a: "b",
      }),
    },
    {
      event: "on_llm_stream",
      data: {
        chunk: {
          text: "!",
        },
      },
      run_id: expect.any(String),
      name: "my_model",
      tags: ["my_model"],
      metadata: expect.objectContaining({
        a: "b",
      }),
    },
    {
      event: "on_llm_end",
      data: {
        output: {
          generations: [
            [
              {
                text: "hey!",
                generationInfo: {},
              },
            ],
          ],
          llmOutput: {},
        },
      },
      run_id: expect.any(String),
      name: "my_model",
      tags: ["my_model"],
      metadata: expect.objectContaining({
        a: "b",
      }),
    },
  ])
})

/** Events where an LLM's result has the `generationInfo` of a streamed one, `{}`. */
const streamedResult = <A extends { readonly event: string; readonly data: unknown }>(events: Array<A>): Array<A> =>
  events.map((event) => {
    if (event.event !== "on_llm_end") return event
    const data = event.data as { output: { generations: Array<Array<{ text: string }>>; llmOutput: unknown }; input: unknown }
    const generations = data.output.generations.map((generation) => generation.map(({ text }) => ({ text, generationInfo: {} })))
    return { ...event, data: { ...data, output: { ...data.output, generations } } }
  })

/** Events in fxchain's order: each `on_chain_stream` of a model's chunk after that model's `on_chat_model_stream`. */
const childChunkFirst = <A extends { readonly event: string }>(events: Array<A>): Array<A> => {
  const reordered = [...events]
  for (let index = 0; index + 1 < reordered.length; index++) {
    if (reordered[index]!.event === "on_chain_stream" && reordered[index + 1]!.event === "on_chat_model_stream") {
      ;[reordered[index], reordered[index + 1]] = [reordered[index + 1]!, reordered[index]!]
    }
  }
  return reordered
}

/** `ChatPromptTemplate.fromMessages([["system", "You are Godzilla"], ["human", "{question}"]])`, as LangChain's file makes it. */
const godzillaChat = () =>
  ChatPromptTemplate.fromMessages([
    ["system", "You are Godzilla"],
    ["human", "{question}"]
  ])

const myTemplate = <In, Out>(template: RunnableInterface<In, Out>) =>
  fromLangChain(template).pipe(Runnable.withConfig({ runName: "my_template", tags: ["my_template"] }))

const myModel = <In, Out>(model: Parameters<typeof fromLangChain<In, Out>>[0]) =>
  fromLangChain(model).pipe(Runnable.withConfig({ metadata: { a: "b" }, tags: ["my_model"], runName: "my_model" }))

const myChain = <In, Out, E>(chain: Runnable.Runnable<In, Out, E>) =>
  chain.pipe(Runnable.withConfig({ metadata: { foo: "bar" }, tags: ["my_chain"], runName: "my_chain" }))

/** `template.pipe(async (val, config) => model.invoke(val, config))`: the model invoked inside a lambda. */
const invokedInLambda = <A, B, E1, E2>(template: Runnable.Runnable<{ question: string }, A, E1>, model: Runnable.Runnable<A, B, E2>) =>
  myChain(Fx.sequence(template, named(Runnable.fromEffect((value: A) => Runnable.invoke(model, value)), "RunnableLambda")))

it("Runnable streamEvents method with chat model chain (through the Promise facade)", async () => {
  const template = godzillaChat()
  const model = new FakeListChatModel({ responses: ["ROAR"] })
  const chain = myChain(Fx.sequence(myTemplate(template), myModel(model)))
  const events = await collect(facade(chain).streamEvents({ question: "hello" }, { version: "v2" }))
  // Kept difference: a chunk's event comes from the run that yielded it first, then from its
  // parent re-emitting it. LangChain's order follows the model: its FakeListChatModel reports each
  // token after yielding it, so there the chain's on_chain_stream comes first.
  expect(withoutParentIds(events)).toEqual(childChunkFirst([
    {
      run_id: expect.any(String),
      event: "on_chain_start",
      name: "my_chain",
      tags: ["my_chain"],
      metadata: expect.objectContaining({
        foo: "bar",
      }),
      data: {
        input: {
          question: "hello",
        },
      },
    },
    {
      data: { input: { question: "hello" } },
      event: "on_prompt_start",
      metadata: expect.objectContaining({ foo: "bar" }),
      name: "my_template",
      run_id: expect.any(String),
      tags: expect.arrayContaining(["my_chain", "seq:step:1", "my_template"]),
    },
    {
      event: "on_prompt_end",
      name: "my_template",
      run_id: expect.any(String),
      tags: expect.arrayContaining(["seq:step:1", "my_template", "my_chain"]),
      metadata: expect.objectContaining({
        foo: "bar",
      }),
      data: {
        input: {
          question: "hello",
        },
        output: await template.invoke({ question: "hello" }),
      },
    },
    {
      event: "on_chat_model_start",
      name: "my_model",
      run_id: expect.any(String),
      tags: expect.arrayContaining(["seq:step:2", "my_model", "my_chain"]),
      metadata: expect.objectContaining({
        foo: "bar",
        a: "b",
        ls_model_type: "chat",
        ls_provider: model.getName(),
        ls_stop: undefined,
      }),
      data: {
        input: {
          messages: [
            [new SystemMessage("You are Godzilla"), new HumanMessage("hello")],
          ],
        },
      },
    },
    {
      event: "on_chain_stream",
      run_id: expect.any(String),
      tags: ["my_chain"],
      metadata: expect.objectContaining({
        foo: "bar",
      }),
      name: "my_chain",
      data: { chunk: new AIMessageChunk({ content: "R", id: anyString }) },
    },
    {
      event: "on_chat_model_stream",
      run_id: expect.any(String),
      tags: expect.arrayContaining(["my_chain", "my_model", "seq:step:2"]),
      metadata: expect.objectContaining({
        a: "b",
        foo: "bar",
        ls_model_type: "chat",
        ls_provider: model.getName(),
        ls_stop: undefined,
      }),
      name: "my_model",
      data: { chunk: new AIMessageChunk({ content: "R", id: anyString }) },
    },
    {
      event: "on_chain_stream",
      run_id: expect.any(String),
      tags: ["my_chain"],
      metadata: expect.objectContaining({
        foo: "bar",
      }),
      name: "my_chain",
      data: { chunk: new AIMessageChunk({ content: "O", id: anyString }) },
    },
    {
      event: "on_chat_model_stream",
      run_id: expect.any(String),
      tags: expect.arrayContaining(["my_chain", "my_model", "seq:step:2"]),
      metadata: expect.objectContaining({
        a: "b",
        foo: "bar",
        ls_model_type: "chat",
        ls_provider: model.getName(),
        ls_stop: undefined,
      }),
      name: "my_model",
      data: { chunk: new AIMessageChunk({ content: "O", id: anyString }) },
    },
    {
      event: "on_chain_stream",
      run_id: expect.any(String),
      tags: ["my_chain"],
      metadata: expect.objectContaining({
        foo: "bar",
      }),
      name: "my_chain",
      data: { chunk: new AIMessageChunk({ content: "A", id: anyString }) },
    },
    {
      event: "on_chat_model_stream",
      run_id: expect.any(String),
      tags: expect.arrayContaining(["my_chain", "my_model", "seq:step:2"]),
      metadata: expect.objectContaining({
        a: "b",
        foo: "bar",
        ls_model_type: "chat",
        ls_provider: model.getName(),
        ls_stop: undefined,
      }),
      name: "my_model",
      data: { chunk: new AIMessageChunk({ content: "A", id: anyString }) },
    },
    {
      event: "on_chain_stream",
      run_id: expect.any(String),
      tags: ["my_chain"],
      metadata: expect.objectContaining({
        foo: "bar",
      }),
      name: "my_chain",
      data: { chunk: new AIMessageChunk({ content: "R", id: anyString }) },
    },
    {
      event: "on_chat_model_stream",
      run_id: expect.any(String),
      tags: expect.arrayContaining(["my_chain", "my_model", "seq:step:2"]),
      metadata: expect.objectContaining({
        a: "b",
        foo: "bar",
        ls_model_type: "chat",
        ls_provider: model.getName(),
        ls_stop: undefined,
      }),
      name: "my_model",
      data: { chunk: new AIMessageChunk({ content: "R", id: anyString }) },
    },
    {
      event: "on_chat_model_end",
      name: "my_model",
      run_id: expect.any(String),
      tags: expect.arrayContaining(["seq:step:2", "my_model", "my_chain"]),
      metadata: expect.objectContaining({
        foo: "bar",
        a: "b",
        ls_model_type: "chat",
        ls_provider: model.getName(),
        ls_stop: undefined,
      }),
      data: {
        input: {
          messages: [
            [new SystemMessage("You are Godzilla"), new HumanMessage("hello")],
          ],
        },
        output: new AIMessageChunk({ content: "ROAR", id: anyString }),
      },
    },
    {
      event: "on_chain_end",
      name: "my_chain",
      run_id: expect.any(String),
      tags: ["my_chain"],
      metadata: expect.objectContaining({
        foo: "bar",
      }),
      data: { output: new AIMessageChunk({ content: "ROAR", id: anyString }) },
    },
  ]))
})

it("Chat model that supports streaming, but is invoked, should still emit on_stream events (through the Promise facade)", async () => {
  const template = godzillaChat()
  const model = new FakeListChatModel({ responses: ["ROAR"] })
  const chain = invokedInLambda(myTemplate(template), myModel(model))
  const events = await collect(facade(chain).streamEvents({ question: "hello" }, { version: "v2" }))
  expect(withoutParentIds(events)).toEqual([
    {
      run_id: expect.any(String),
      event: "on_chain_start",
      name: "my_chain",
      tags: ["my_chain"],
      metadata: expect.objectContaining({
        foo: "bar",
      }),
      data: {
        input: {
          question: "hello",
        },
      },
    },
    {
      data: { input: { question: "hello" } },
      event: "on_prompt_start",
      metadata: expect.objectContaining({ foo: "bar" }),
      name: "my_template",
      run_id: expect.any(String),
      tags: expect.arrayContaining(["my_chain", "seq:step:1", "my_template"]),
    },
    {
      event: "on_prompt_end",
      name: "my_template",
      run_id: expect.any(String),
      tags: expect.arrayContaining(["seq:step:1", "my_template", "my_chain"]),
      metadata: expect.objectContaining({
        foo: "bar",
      }),
      data: {
        input: {
          question: "hello",
        },
        output: await template.invoke({ question: "hello" }),
      },
    },
    {
      event: "on_chain_start",
      data: {},
      name: "RunnableLambda",
      tags: ["seq:step:2", "my_chain"],
      run_id: expect.any(String),
      metadata: expect.objectContaining({
        foo: "bar",
      }),
    },
    {
      event: "on_chat_model_start",
      name: "my_model",
      run_id: expect.any(String),
      tags: expect.arrayContaining(["my_model", "my_chain"]),
      metadata: expect.objectContaining({
        foo: "bar",
        a: "b",
        ls_model_type: "chat",
        ls_stop: undefined,
        ls_provider: model.getName(),
      }),
      data: {
        input: {
          messages: [
            [new SystemMessage("You are Godzilla"), new HumanMessage("hello")],
          ],
        },
      },
    },
    {
      event: "on_chat_model_stream",
      run_id: expect.any(String),
      tags: expect.arrayContaining(["my_chain", "my_model"]),
      metadata: expect.objectContaining({
        a: "b",
        foo: "bar",
        ls_model_type: "chat",
        ls_stop: undefined,
        ls_provider: model.getName(),
      }),
      name: "my_model",
      data: { chunk: new AIMessageChunk({ id: anyString, content: "R" }) },
    },
    {
      event: "on_chat_model_stream",
      run_id: expect.any(String),
      tags: expect.arrayContaining(["my_chain", "my_model"]),
      metadata: expect.objectContaining({
        a: "b",
        foo: "bar",
        ls_model_type: "chat",
        ls_stop: undefined,
        ls_provider: model.getName(),
      }),
      name: "my_model",
      data: { chunk: new AIMessageChunk({ id: anyString, content: "O" }) },
    },
    {
      event: "on_chat_model_stream",
      run_id: expect.any(String),
      tags: expect.arrayContaining(["my_chain", "my_model"]),
      metadata: expect.objectContaining({
        a: "b",
        foo: "bar",
        ls_model_type: "chat",
        ls_stop: undefined,
        ls_provider: model.getName(),
      }),
      name: "my_model",
      data: { chunk: new AIMessageChunk({ id: anyString, content: "A" }) },
    },
    {
      event: "on_chat_model_stream",
      run_id: expect.any(String),
      tags: expect.arrayContaining(["my_chain", "my_model"]),
      metadata: expect.objectContaining({
        a: "b",
        foo: "bar",
        ls_model_type: "chat",
        ls_stop: undefined,
        ls_provider: model.getName(),
      }),
      name: "my_model",
      data: { chunk: new AIMessageChunk({ id: anyString, content: "R" }) },
    },
    {
      event: "on_chat_model_end",
      name: "my_model",
      run_id: expect.any(String),
      tags: expect.arrayContaining(["my_model", "my_chain"]),
      metadata: expect.objectContaining({
        foo: "bar",
        a: "b",
        ls_model_type: "chat",
        ls_stop: undefined,
        ls_provider: model.getName(),
      }),
      data: {
        input: {
          messages: [
            [new SystemMessage("You are Godzilla"), new HumanMessage("hello")],
          ],
        },
        output: new AIMessageChunk({ id: anyString, content: "ROAR" }),
      },
    },
    {
      event: "on_chain_stream",
      run_id: expect.any(String),
      tags: expect.arrayContaining(["seq:step:2", "my_chain"]),
      metadata: expect.objectContaining({
        foo: "bar",
      }),
      name: "RunnableLambda",
      data: { chunk: new AIMessageChunk({ id: anyString, content: "ROAR" }) },
    },
    {
      event: "on_chain_stream",
      run_id: expect.any(String),
      tags: ["my_chain"],
      metadata: expect.objectContaining({
        foo: "bar",
      }),
      name: "my_chain",
      data: { chunk: new AIMessageChunk({ id: anyString, content: "ROAR" }) },
    },
    {
      event: "on_chain_end",
      name: "RunnableLambda",
      run_id: expect.any(String),
      tags: expect.arrayContaining(["seq:step:2", "my_chain"]),
      metadata: expect.objectContaining({
        foo: "bar",
      }),
      data: {
        input: await template.invoke({ question: "hello" }),
        output: new AIMessageChunk({ id: anyString, content: "ROAR" }),
      },
    },
    {
      event: "on_chain_end",
      name: "my_chain",
      run_id: expect.any(String),
      tags: ["my_chain"],
      metadata: expect.objectContaining({
        foo: "bar",
      }),
      data: {
        output: new AIMessageChunk({ id: anyString, content: "ROAR" }),
      },
    },
  ])
})

it("Chat model that doesn't support streaming, but is invoked, should emit one on_stream event (through the Promise facade)", async () => {
  const template = godzillaChat()
  const model = new FakeChatModel({})
  const chain = invokedInLambda(myTemplate(template), myModel(model))
  const events = await collect(facade(chain).streamEvents({ question: "hello" }, { version: "v2" }))
  expect(withoutParentIds(events)).toEqual([
    {
      run_id: expect.any(String),
      event: "on_chain_start",
      name: "my_chain",
      tags: ["my_chain"],
      metadata: expect.objectContaining({
        foo: "bar",
      }),
      data: {
        input: {
          question: "hello",
        },
      },
    },
    {
      data: { input: { question: "hello" } },
      event: "on_prompt_start",
      metadata: expect.objectContaining({ foo: "bar" }),
      name: "my_template",
      run_id: expect.any(String),
      tags: expect.arrayContaining(["my_chain", "seq:step:1", "my_template"]),
    },
    {
      event: "on_prompt_end",
      name: "my_template",
      run_id: expect.any(String),
      tags: expect.arrayContaining(["seq:step:1", "my_template", "my_chain"]),
      metadata: expect.objectContaining({
        foo: "bar",
      }),
      data: {
        input: {
          question: "hello",
        },
        output: await template.invoke({ question: "hello" }),
      },
    },
    {
      event: "on_chain_start",
      data: {},
      name: "RunnableLambda",
      tags: ["seq:step:2", "my_chain"],
      run_id: expect.any(String),
      metadata: expect.objectContaining({
        foo: "bar",
      }),
    },
    {
      event: "on_chat_model_start",
      name: "my_model",
      run_id: expect.any(String),
      tags: expect.arrayContaining(["my_model", "my_chain"]),
      metadata: expect.objectContaining({
        foo: "bar",
        a: "b",
        ls_model_type: "chat",
        ls_stop: undefined,
        ls_provider: model.getName(),
      }),
      data: {
        input: {
          messages: [
            [new SystemMessage("You are Godzilla"), new HumanMessage("hello")],
          ],
        },
      },
    },
    {
      event: "on_chat_model_stream",
      run_id: expect.any(String),
      tags: expect.arrayContaining(["my_chain", "my_model"]),
      metadata: expect.objectContaining({
        a: "b",
        foo: "bar",
        ls_model_type: "chat",
        ls_stop: undefined,
        ls_provider: model.getName(),
      }),
      name: "my_model",
      data: {
        chunk: new AIMessageChunk({
          id: anyString,
          content: "You are Godzilla\nhello",
        }),
      },
    },
    {
      event: "on_chat_model_end",
      name: "my_model",
      run_id: expect.any(String),
      tags: expect.arrayContaining(["my_model", "my_chain"]),
      metadata: expect.objectContaining({
        foo: "bar",
        a: "b",
        ls_model_type: "chat",
        ls_stop: undefined,
        ls_provider: model.getName(),
      }),
      data: {
        input: {
          messages: [
            [new SystemMessage("You are Godzilla"), new HumanMessage("hello")],
          ],
        },
        output: new AIMessage({
          id: anyString,
          content: "You are Godzilla\nhello",
        }),
      },
    },
    {
      event: "on_chain_stream",
      run_id: expect.any(String),
      tags: expect.arrayContaining(["seq:step:2", "my_chain"]),
      metadata: expect.objectContaining({
        foo: "bar",
      }),
      name: "RunnableLambda",
      data: {
        chunk: new AIMessage({
          id: anyString,
          content: "You are Godzilla\nhello",
        }),
      },
    },
    {
      event: "on_chain_stream",
      run_id: expect.any(String),
      tags: ["my_chain"],
      metadata: expect.objectContaining({
        foo: "bar",
      }),
      name: "my_chain",
      data: {
        chunk: new AIMessage({
          id: anyString,
          content: "You are Godzilla\nhello",
        }),
      },
    },
    {
      event: "on_chain_end",
      name: "RunnableLambda",
      run_id: expect.any(String),
      tags: expect.arrayContaining(["seq:step:2", "my_chain"]),
      metadata: expect.objectContaining({
        foo: "bar",
      }),
      data: {
        input: await template.invoke({ question: "hello" }),
        output: new AIMessage({
          id: anyString,
          content: "You are Godzilla\nhello",
        }),
      },
    },
    {
      event: "on_chain_end",
      name: "my_chain",
      run_id: expect.any(String),
      tags: ["my_chain"],
      metadata: expect.objectContaining({
        foo: "bar",
      }),
      data: {
        output: new AIMessage({
          id: anyString,
          content: "You are Godzilla\nhello",
        }),
      },
    },
  ])
  // toEqual does not compare classes: the chunk is LangChain's AIMessageChunk, which a UI concatenates
  const streamed = events.find((event) => event.event === "on_chat_model_stream")!.data.chunk
  expect(AIMessageChunk.isInstance(streamed)).toBe(true)
})

it("LLM that supports streaming, but is invoked, should still emit on_stream events (through the Promise facade)", async () => {
  const template = PromptTemplate.fromTemplate(`You are Godzilla\n{question}`)
  const model = new FakeStreamingLLM({ responses: ["ROAR"] })
  const chain = invokedInLambda(myTemplate(template), myModel(model))
  const events = await collect(facade(chain).streamEvents({ question: "hello" }, { version: "v2" }))
  expect(withoutParentIds(events)).toEqual([
    {
      event: "on_chain_start",
      data: {
        input: {
          question: "hello",
        },
      },
      name: "my_chain",
      tags: ["my_chain"],
      run_id: expect.any(String),
      metadata: expect.objectContaining({
        foo: "bar",
      }),
    },
    {
      event: "on_prompt_start",
      data: {
        input: {
          question: "hello",
        },
      },
      name: "my_template",
      tags: ["seq:step:1", "my_template", "my_chain"],
      run_id: expect.any(String),
      metadata: expect.objectContaining({
        foo: "bar",
      }),
    },
    {
      event: "on_prompt_end",
      data: {
        output: await template.invoke({ question: "hello" }),
        input: {
          question: "hello",
        },
      },
      run_id: expect.any(String),
      name: "my_template",
      tags: ["seq:step:1", "my_template", "my_chain"],
      metadata: expect.objectContaining({
        foo: "bar",
      }),
    },
    {
      event: "on_chain_start",
      data: {},
      name: "RunnableLambda",
      tags: ["seq:step:2", "my_chain"],
      run_id: expect.any(String),
      metadata: expect.objectContaining({
        foo: "bar",
      }),
    },
    {
      event: "on_llm_start",
      data: {
        input: {
          prompts: ["You are Godzilla\nhello"],
        },
      },
      name: "my_model",
      tags: ["my_model", "my_chain"],
      run_id: expect.any(String),
      metadata: expect.objectContaining({
        foo: "bar",
        a: "b",
      }),
    },
    {
      event: "on_llm_stream",
      data: {
        chunk: new GenerationChunk({
          text: "R",
        }),
      },
      run_id: expect.any(String),
      name: "my_model",
      tags: ["my_model", "my_chain"],
      metadata: expect.objectContaining({
        foo: "bar",
        a: "b",
      }),
    },
    {
      event: "on_llm_stream",
      data: {
        chunk: new GenerationChunk({
          text: "O",
        }),
      },
      run_id: expect.any(String),
      name: "my_model",
      tags: ["my_model", "my_chain"],
      metadata: expect.objectContaining({
        foo: "bar",
        a: "b",
      }),
    },
    {
      event: "on_llm_stream",
      data: {
        chunk: new GenerationChunk({
          text: "A",
        }),
      },
      run_id: expect.any(String),
      name: "my_model",
      tags: ["my_model", "my_chain"],
      metadata: expect.objectContaining({
        foo: "bar",
        a: "b",
      }),
    },
    {
      event: "on_llm_stream",
      data: {
        chunk: new GenerationChunk({
          text: "R",
        }),
      },
      run_id: expect.any(String),
      name: "my_model",
      tags: ["my_model", "my_chain"],
      metadata: expect.objectContaining({
        foo: "bar",
        a: "b",
      }),
    },
    {
      event: "on_llm_end",
      data: {
        output: {
          generations: [
            [
              {
                text: "ROAR",
                generationInfo: {},
              },
            ],
          ],
          llmOutput: {},
        },
        input: {
          prompts: ["You are Godzilla\nhello"],
        },
      },
      run_id: expect.any(String),
      name: "my_model",
      tags: ["my_model", "my_chain"],
      metadata: expect.objectContaining({
        foo: "bar",
        a: "b",
      }),
    },
    {
      event: "on_chain_stream",
      run_id: expect.any(String),
      name: "RunnableLambda",
      tags: ["seq:step:2", "my_chain"],
      metadata: expect.objectContaining({
        foo: "bar",
      }),
      data: {
        chunk: "ROAR",
      },
    },
    {
      event: "on_chain_stream",
      run_id: expect.any(String),
      name: "my_chain",
      tags: ["my_chain"],
      metadata: expect.objectContaining({
        foo: "bar",
      }),
      data: {
        chunk: "ROAR",
      },
    },
    {
      event: "on_chain_end",
      data: {
        output: "ROAR",
        input: await template.invoke({ question: "hello" }),
      },
      run_id: expect.any(String),
      name: "RunnableLambda",
      tags: ["seq:step:2", "my_chain"],
      metadata: expect.objectContaining({
        foo: "bar",
      }),
    },
    {
      event: "on_chain_end",
      data: {
        output: "ROAR",
      },
      run_id: expect.any(String),
      name: "my_chain",
      tags: ["my_chain"],
      metadata: expect.objectContaining({
        foo: "bar",
      }),
    },
  ])
})

it("LLM that doesn't support streaming, but is invoked, should emit one on_stream event (through the Promise facade)", async () => {
  const template = PromptTemplate.fromTemplate(`You are Godzilla\n{question}`)
  const model = new FakeLLM({})
  const chain = invokedInLambda(myTemplate(template), myModel(model))
  const events = await collect(facade(chain).streamEvents({ question: "hello" }, { version: "v2" }))
  // Kept difference: a model invoked while observed streams, and an LLM's result is made from its
  // text: `generationInfo: {}`, as for LLMs that stream; LangChain's invoke of its FakeLLM, which
  // cannot stream, leaves it undefined.
  expect(withoutParentIds(events)).toEqual(streamedResult([
    {
      event: "on_chain_start",
      data: {
        input: {
          question: "hello",
        },
      },
      name: "my_chain",
      tags: ["my_chain"],
      run_id: expect.any(String),
      metadata: expect.objectContaining({
        foo: "bar",
      }),
    },
    {
      event: "on_prompt_start",
      data: {
        input: {
          question: "hello",
        },
      },
      name: "my_template",
      tags: ["seq:step:1", "my_template", "my_chain"],
      run_id: expect.any(String),
      metadata: expect.objectContaining({
        foo: "bar",
      }),
    },
    {
      event: "on_prompt_end",
      data: {
        output: await template.invoke({ question: "hello" }),
        input: {
          question: "hello",
        },
      },
      run_id: expect.any(String),
      name: "my_template",
      tags: ["seq:step:1", "my_template", "my_chain"],
      metadata: expect.objectContaining({
        foo: "bar",
      }),
    },
    {
      event: "on_chain_start",
      data: {},
      name: "RunnableLambda",
      tags: ["seq:step:2", "my_chain"],
      run_id: expect.any(String),
      metadata: expect.objectContaining({
        foo: "bar",
      }),
    },
    {
      event: "on_llm_start",
      data: {
        input: {
          prompts: ["You are Godzilla\nhello"],
        },
      },
      name: "my_model",
      tags: ["my_model", "my_chain"],
      run_id: expect.any(String),
      metadata: expect.objectContaining({
        foo: "bar",
        a: "b",
      }),
    },
    {
      event: "on_llm_stream",
      data: {
        chunk: new GenerationChunk({
          text: "You are Godzilla\nhello",
        }),
      },
      run_id: expect.any(String),
      name: "my_model",
      tags: ["my_model", "my_chain"],
      metadata: expect.objectContaining({
        foo: "bar",
        a: "b",
      }),
    },
    {
      event: "on_llm_end",
      data: {
        output: {
          generations: [
            [
              {
                text: "You are Godzilla\nhello",
                generationInfo: undefined,
              },
            ],
          ],
          llmOutput: {},
        },
        input: {
          prompts: ["You are Godzilla\nhello"],
        },
      },
      run_id: expect.any(String),
      name: "my_model",
      tags: ["my_model", "my_chain"],
      metadata: expect.objectContaining({
        foo: "bar",
        a: "b",
      }),
    },
    {
      event: "on_chain_stream",
      run_id: expect.any(String),
      name: "RunnableLambda",
      tags: ["seq:step:2", "my_chain"],
      metadata: expect.objectContaining({
        foo: "bar",
      }),
      data: {
        chunk: "You are Godzilla\nhello",
      },
    },
    {
      event: "on_chain_stream",
      run_id: expect.any(String),
      name: "my_chain",
      tags: ["my_chain"],
      metadata: expect.objectContaining({
        foo: "bar",
      }),
      data: {
        chunk: "You are Godzilla\nhello",
      },
    },
    {
      event: "on_chain_end",
      data: {
        output: "You are Godzilla\nhello",
        input: await template.invoke({ question: "hello" }),
      },
      run_id: expect.any(String),
      name: "RunnableLambda",
      tags: ["seq:step:2", "my_chain"],
      metadata: expect.objectContaining({
        foo: "bar",
      }),
    },
    {
      event: "on_chain_end",
      data: {
        output: "You are Godzilla\nhello",
      },
      run_id: expect.any(String),
      name: "my_chain",
      tags: ["my_chain"],
      metadata: expect.objectContaining({
        foo: "bar",
      }),
    },
  ]))
})

describe("Runnable streamEvents method with simple tools", () => {
  const expected = () => [
    {
      data: { input: {} },
      event: "on_tool_start",
      metadata: expect.any(Object),
      name: "parameterless",
      run_id: expect.any(String),
      tags: [],
    },
    {
      data: { output: "hello" },
      event: "on_tool_end",
      metadata: expect.any(Object),
      name: "parameterless",
      run_id: expect.any(String),
      tags: [],
    },
  ]
  const expected2 = () => [
    {
      data: { input: { x: 1, y: "2" } },
      event: "on_tool_start",
      metadata: expect.any(Object),
      name: "with_parameters",
      run_id: expect.any(String),
      tags: [],
    },
    {
      data: { output: JSON.stringify({ x: 1, y: "2" }) },
      event: "on_tool_end",
      metadata: expect.any(Object),
      name: "with_parameters",
      run_id: expect.any(String),
      tags: [],
    },
  ]

  it("LangChain's tools through fromLangChain and the Promise facade", async () => {
    const lcTool = new DynamicTool({
      func: async () => "hello",
      name: "parameterless",
      description: "A tool that does nothing"
    })
    const events = await collect(facade(fromLangChain(lcTool)).streamEvents({}, { version: "v2" }))
    expect(withoutParentIds(events)).toEqual(expected())

    const toolWithParams = new DynamicStructuredTool({
      func: async (params: { x: number; y: string }) => JSON.stringify({ x: params.x, y: params.y }),
      schema: {
        type: "object",
        properties: { x: { type: "number" }, y: { type: "string" } },
        required: ["x", "y"]
      },
      name: "with_parameters",
      description: "A tool that does nothing"
    })
    // (LangChain's types of a JSON-schema tool's input do not admit its arguments)
    const withParams = fromLangChain(toolWithParams as unknown as RunnableInterface<{ x: number; y: string }, string>)
    const events2 = await collect(facade(withParams).streamEvents({ x: 1, y: "2" }, { version: "v2" }))
    expect(withoutParentIds(events2)).toEqual(expected2())
  })

  it("fxchain's tools (Model.tool) through the Promise facade", async () => {
    const parameterless = Model.tool(
      Tool.make("parameterless", { description: "A tool that does nothing", success: Schema.String }),
      () => Effect.succeed("hello")
    )
    const events = await collect(facade(parameterless).streamEvents({}, { version: "v2" }))
    expect(withoutParentIds(events)).toEqual(expected())

    const withParameters = Model.tool(
      Tool.make("with_parameters", {
        description: "A tool that does nothing",
        parameters: { x: Schema.Number, y: Schema.String },
        success: Schema.String
      }),
      (params) => Effect.succeed(JSON.stringify({ x: params.x, y: params.y }))
    )
    const events2 = await collect(facade(withParameters).streamEvents({ x: 1, y: "2" }, { version: "v2" }))
    expect(withoutParentIds(events2)).toEqual(expected2())
  })
})

describe("Runnable methods with a custom event", () => {
  const expected = () => [
    {
      event: "on_chain_start",
      data: { input: { x: 1, y: "2" } },
      name: "RunnableLambda",
      tags: [],
      run_id: expect.any(String),
      metadata: expect.any(Object),
    },
    {
      event: "on_custom_event",
      run_id: expect.any(String),
      name: "testEvent",
      tags: [],
      metadata: expect.any(Object),
      data: { someval: "test" },
    },
    {
      event: "on_custom_event",
      run_id: expect.any(String),
      name: "testEvent",
      tags: [],
      metadata: expect.any(Object),
      data: { someval: "test2" },
    },
    {
      event: "on_chain_stream",
      run_id: expect.any(String),
      name: "RunnableLambda",
      tags: [],
      metadata: expect.any(Object),
      data: { chunk: '{"x":1,"y":"2"}' },
    },
    {
      event: "on_chain_end",
      data: { output: '{"x":1,"y":"2"}' },
      run_id: expect.any(String),
      name: "RunnableLambda",
      tags: [],
      metadata: expect.any(Object),
    },
  ]
  const lambda = () =>
    named(
      Runnable.fromEffect((params: { x: number; y: string }) =>
        Effect.gen(function*() {
          yield* Runnable.dispatchCustomEvent("testEvent", { someval: "test" })
          yield* Runnable.dispatchCustomEvent("testEvent", { someval: "test2" })
          return JSON.stringify({ x: params.x, y: params.y })
        }), { kind: "lambda" }),
      "RunnableLambda"
    )

  it("through the Promise facade", async () => {
    // Invoke shouldn't fail
    expect(await facade(lambda()).invoke({ x: 1, y: "2" })).toEqual(JSON.stringify({ x: 1, y: "2" }))
    const events = await collect(facade(lambda()).streamEvents({ x: 1, y: "2" }, { version: "v2" }))
    expect(withoutParentIds(events)).toEqual(expected())
  })

  it("through toLangChain", async () => {
    const runnable = toLangChain(lambda())
    expect(await runnable.invoke({ x: 1, y: "2" })).toEqual(JSON.stringify({ x: 1, y: "2" }))
    const events = await collect(runnable.streamEvents({ x: 1, y: "2" }, { version: "v2" }))
    expect(events).toEqual(expected())
  })
})

describe("Custom event inside a custom tool", () => {
  const expected = () => [
    {
      event: "on_tool_start",
      data: { input: { x: 1, y: "2" } },
      name: "testtool",
      tags: [],
      run_id: expect.any(String),
      metadata: expect.any(Object),
    },
    {
      event: "on_custom_event",
      run_id: expect.any(String),
      name: "testEvent",
      tags: [],
      metadata: expect.any(Object),
      data: { someval: "test" },
    },
    {
      event: "on_custom_event",
      run_id: expect.any(String),
      name: "testEvent",
      tags: [],
      metadata: expect.any(Object),
      data: { someval: "test2" },
    },
    {
      event: "on_tool_end",
      data: { output: '{"x":1,"y":"2"}' },
      run_id: expect.any(String),
      name: "testtool",
      tags: [],
      metadata: expect.any(Object),
    },
  ]

  it("fxchain's tool (Model.tool) through the Promise facade", async () => {
    const customTool = Model.tool(
      Tool.make("testtool", { parameters: { x: Schema.Number, y: Schema.String }, success: Schema.String }),
      (params) =>
        Effect.gen(function*() {
          yield* Runnable.dispatchCustomEvent("testEvent", { someval: "test" })
          yield* Runnable.dispatchCustomEvent("testEvent", { someval: "test2" })
          return JSON.stringify({ x: params.x, y: params.y })
        })
    )
    const events = await collect(facade(customTool).streamEvents({ x: 1, y: "2" }, { version: "v2" }))
    expect(withoutParentIds(events)).toEqual(expected())
  })

  it("LangChain's tool through fromLangChain and the Promise facade", async () => {
    const customTool = tool(
      async (params: { x: number; y: string }, config) => {
        await dispatchCustomEvent("testEvent", { someval: "test" }, config)
        await dispatchCustomEvent("testEvent", { someval: "test2" }, config)
        return JSON.stringify({ x: params.x, y: params.y })
      },
      {
        schema: {
          type: "object",
          properties: { x: { type: "number" }, y: { type: "string" } },
          required: ["x", "y"]
        },
        name: "testtool"
      }
    )
    // (LangChain's types of a JSON-schema tool's input do not admit its arguments)
    const wrapped = fromLangChain(customTool as unknown as RunnableInterface<{ x: number; y: string }, string>)
    const events = await collect(facade(wrapped).streamEvents({ x: 1, y: "2" }, { version: "v2" }))
    expect(withoutParentIds(events)).toEqual(expected())
  })
})

describe("Runnable streamEvents method with tools that return objects", () => {
  const expected = () => [
    {
      data: { input: {} },
      event: "on_tool_start",
      metadata: expect.any(Object),
      name: "parameterless",
      run_id: expect.any(String),
      tags: [],
    },
    {
      data: {
        output: JSON.stringify({ sum: 3 }),
      },
      event: "on_tool_end",
      metadata: expect.any(Object),
      name: "parameterless",
      run_id: expect.any(String),
      tags: [],
    },
  ]
  const expected2 = () => [
    {
      data: { input: { x: 1, y: 2 } },
      event: "on_tool_start",
      metadata: expect.any(Object),
      name: "with_parameters",
      run_id: expect.any(String),
      tags: [],
    },
    {
      data: { output: JSON.stringify({ sum: 3 }) },
      event: "on_tool_end",
      metadata: expect.any(Object),
      name: "with_parameters",
      run_id: expect.any(String),
      tags: [],
    },
  ]
  const adderFunc = (_params: { x: number; y: number }) => {
    return JSON.stringify({ sum: 3 })
  }

  it("LangChain's tools through fromLangChain and the Promise facade", async () => {
    const parameterlessTool = tool(adderFunc, { name: "parameterless" })
    const events = await collect(facade(fromLangChain(parameterlessTool)).streamEvents({}, { version: "v2" }))
    expect(withoutParentIds(events)).toEqual(expected())

    const adderTool = tool(adderFunc, {
      name: "with_parameters",
      description: "A tool that does nothing",
      schema: { type: "object", properties: { x: { type: "number" }, y: { type: "number" } }, required: ["x", "y"] }
    })
    const adder = fromLangChain(adderTool as unknown as RunnableInterface<{ x: number; y: number }, string>)
    const events2 = await collect(facade(adder).streamEvents({ x: 1, y: 2 }, { version: "v2" }))
    expect(withoutParentIds(events2)).toEqual(expected2())
  })

  it("fxchain's tools (Model.tool) through the Promise facade", async () => {
    const parameterless = Model.tool(Tool.make("parameterless", { success: Schema.String }), () => Effect.sync(() => adderFunc({ x: 1, y: 2 })))
    const events = await collect(facade(parameterless).streamEvents({}, { version: "v2" }))
    expect(withoutParentIds(events)).toEqual(expected())

    const adder = Model.tool(
      Tool.make("with_parameters", {
        description: "A tool that does nothing",
        parameters: { x: Schema.Number, y: Schema.Number },
        success: Schema.String
      }),
      (params) => Effect.sync(() => adderFunc(params))
    )
    const events2 = await collect(facade(adder).streamEvents({ x: 1, y: 2 }, { version: "v2" }))
    expect(withoutParentIds(events2)).toEqual(expected2())
  })
})

it("Runnable streamEvents method with a retriever (through the Promise facade)", async () => {
  const retriever = new FakeRetriever({
    output: [
      new Document({ pageContent: "hello world!", metadata: { foo: "bar" } }),
      new Document({
        pageContent: "goodbye world!",
        metadata: { food: "spare" }
      })
    ]
  })
  const events = await collect(facade(fromLangChain(retriever)).streamEvents("hello", { version: "v2" }))
  expect(withoutParentIds(events)).toEqual([
    {
      data: {
        input: "hello",
      },
      event: "on_retriever_start",
      metadata: expect.any(Object),
      name: "FakeRetriever",
      run_id: expect.any(String),
      tags: [],
    },
    {
      data: {
        output: [
          new Document({
            pageContent: "hello world!",
            metadata: { foo: "bar" },
          }),
          new Document({
            pageContent: "goodbye world!",
            metadata: { food: "spare" },
          }),
        ],
      },
      event: "on_retriever_end",
      metadata: expect.any(Object),
      name: "FakeRetriever",
      run_id: expect.any(String),
      tags: [],
    },
  ])
})

describe("Runnable streamEvents method with text/event-stream encoding", () => {
  const check = (events: ReadonlyArray<Uint8Array>) => {
    const decoder = new TextDecoder()
    expect(events.length).toEqual(4)
    const dataEvents = events.slice(0, 3).map((event) => decoder.decode(event).split("event: data\ndata: ")[1]!)
    const expectedPayloads = [
      {
        data: { input: "hello" },
        event: "on_chain_start",
        name: "reverse",
        run_id: "1234",
        tags: []
      },
      {
        data: { chunk: "olleh" },
        event: "on_chain_stream",
        name: "reverse",
        run_id: "1234",
        tags: []
      },
      {
        data: { output: "olleh" },
        event: "on_chain_end",
        name: "reverse",
        run_id: "1234",
        tags: []
      }
    ]
    for (let i = 0; i < dataEvents.length; i += 1) {
      expect(dataEvents[i]!.endsWith("\n\n")).toBe(true)
      // LangChain.js's events have no parent_ids: compared without them. LangChain's own
      // expectation leaves out `metadata`, which @langchain/core 1.4.0 itself sends (`{}`)
      const { parent_ids: _, ...payload } = JSON.parse(dataEvents[i]!.replace("\n\n", ""))
      expect(payload).toEqual({ ...expectedPayloads[i], metadata: {} })
    }
    expect(decoder.decode(events[3])).toEqual("event: end\n\n")
  }

  it("through the Promise facade", async () => {
    check(
      await collect(
        facade(reverseChain()).streamEvents("hello", { version: "v2", encoding: "text/event-stream", runId: "1234" })
      )
    )
  })

  it("through toLangChain", async () => {
    const stream = await toLangChain(reverseChain()).streamEvents("hello", {
      version: "v2",
      encoding: "text/event-stream",
      runId: "1234"
    })
    check(await collect(stream as AsyncIterable<Uint8Array>))
  })
})

describe("Runnable streamEvents method should respect passed signal", () => {
  const consume = async (events: AsyncIterable<unknown>, controller: AbortController) => {
    for await (const _ of events) {
      // Abort after the first chunk
      controller.abort()
    }
  }

  it("through the Promise facade", async () => {
    const controller = new AbortController()
    const events = facade(threeRunnables()).streamEvents("hello", { version: "v2", signal: controller.signal })
    await expect(consume(events, controller)).rejects.toThrowError()
  })

  it("through toLangChain", async () => {
    const controller = new AbortController()
    const events = toLangChain(threeRunnables()).streamEvents("hello", { version: "v2", signal: controller.signal })
    await expect(consume(events, controller)).rejects.toThrowError()
  })
})

describe("Runnable streamEvents v2 should respect timeout option", () => {
  // Regression: ensureConfig() converts `timeout` into config.signal (v2 path).
  const RUNNABLE_DELAY_MS = 1000
  const TIMEOUT_MS = 300
  const slowRunnable = () =>
    Runnable.fromPromise(async (input: string) => {
      await sleep(RUNNABLE_DELAY_MS)
      return input
    })
  const drain = async (events: AsyncIterable<unknown>) => {
    for await (const _ of events) {
      // drain
    }
  }

  it("through the Promise facade", async () => {
    const start = Date.now()
    await expect(drain(facade(slowRunnable()).streamEvents("hello", { version: "v2", timeout: TIMEOUT_MS }))).rejects
      .toThrow(/timeout/i)
    // Should abort near TIMEOUT_MS, well before RUNNABLE_DELAY_MS
    expect(Date.now() - start).toBeLessThan(1500)
  })

  it("through toLangChain", async () => {
    const start = Date.now()
    await expect(drain(toLangChain(slowRunnable()).streamEvents("hello", { version: "v2", timeout: TIMEOUT_MS }))).rejects
      .toThrow(/timeout/i)
    expect(Date.now() - start).toBeLessThan(1500)
  })
})

it("streamEvents method handles errors (through the Promise facade)", async () => {
  const model = facade(fromLangChain(new FakeListChatModel({ responses: ["abc"] })))
  const caughtError = await rejectionOf((async () => {
    for await (const _ of model.streamEvents("Hello! Tell me about yourself.", { version: "v2" })) {
      throw new Error("should catch this error")
    }
  })())
  expect((caughtError as Error)?.message).toEqual("should catch this error")
})

it("Runnable streamEvents method emits on_tool_error for failing tools (through the Promise facade)", async () => {
  const errorMessage = "Tool execution failed!"
  const failingTool = Runnable.fromPromise(
    async (_: object): Promise<string> => {
      throw new Error(errorMessage)
    },
    { name: "failing_tool", kind: "tool", catch: (error) => error as Error }
  )

  const events: Array<PromiseRunnable.StreamEvent> = []
  let caughtError: unknown
  try {
    for await (const event of facade(failingTool).streamEvents({}, { version: "v2" })) events.push(event)
  } catch (e) {
    caughtError = e
  }

  // Verify error was thrown
  expect(caughtError).toBeDefined()
  expect((caughtError as Error).message).toBe(errorMessage)

  // Verify events include on_tool_start and on_tool_error
  expect(withoutParentIds(events)).toEqual([
    {
      data: { input: {} },
      event: "on_tool_start",
      metadata: expect.any(Object),
      name: "failing_tool",
      run_id: expect.any(String),
      tags: [],
    },
    {
      data: {
        input: expect.any(Object),
        error: expect.stringContaining(errorMessage),
      },
      event: "on_tool_error",
      metadata: expect.any(Object),
      name: "failing_tool",
      run_id: expect.any(String),
      tags: [],
    },
  ])

  // Verify the on_tool_error event structure more specifically
  const errorEvent = events.find((e) => e.event === "on_tool_error")
  expect(errorEvent).toBeDefined()
  expect(errorEvent?.data.error).toContain(errorMessage)
})

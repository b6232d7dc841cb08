import { describe, expect, it } from "@effect/vitest"
import { Runnable } from "@fxchain/core"
import type { StreamEvent } from "@langchain/core/tracers/log_stream"
import { FakeModel } from "@fxchain/adapters"
import { Effect, Stream } from "effect"
import * as interop from "./interop.js"

describe("examples/interop (docs/interop.md)", () => {
  it.effect("an LCEL chain as an fxchain step, under fxchain's policies", () =>
    Effect.gen(function*() {
      expect(interop.explain.kind).toBe("chain")
      expect(yield* Runnable.invoke(interop.explain, { topic: "fibers" })).toBe("Fibers are cheap threads")
      expect(yield* Runnable.invoke(interop.explainAll, [{ topic: "fibers" }, { topic: "scopes" }])).toEqual([
        "Fibers are cheap threads",
        "Fibers are cheap threads"
      ])
      // LangChain's inner runs are fxchain runs nested in the step's run
      const runs = yield* Runnable.streamEvents(interop.explain, { topic: "fibers" }).pipe(
        Stream.filter((event) => event._tag !== "Streamed"),
        Stream.map((event) => `${"  ".repeat(event.parentIds.length)}${event._tag} ${event.name}`),
        Stream.runCollect
      )
      expect(Array.from(runs)).toEqual([
        "Started explain",
        "  Started ChatPromptTemplate",
        "  Ended ChatPromptTemplate",
        "  Started FakeListChatModel",
        "  Started StrOutputParser",
        "  Ended FakeListChatModel",
        "  Ended StrOutputParser",
        "Ended explain"
      ])
      expect(yield* interop.checked).toBe("quota failed, cause: Error: quota exceeded")
    }))

  it("an fxchain pipeline inside a LangChain RunnableSequence: invoke, batch, streamEvents", async () => {
    expect(await interop.routeTicket.invoke("  I was charged twice ")).toBe("routed to billing")
    expect(await interop.routeTicket.batch(["a", "b"], { maxConcurrency: 2 })).toEqual(["routed to billing", "routed to billing"])
    const events: Array<StreamEvent> = []
    for await (const event of interop.routeTicket.streamEvents(" hi ", { version: "v2" })) events.push(event)
    const step = events.filter((event) => event.name === "sequence")
    expect(step.map((event) => event.event)).toEqual(["on_chain_start", "on_chain_stream", "on_chain_end"])
    // the fxchain runs inside are LangChain runs too, children of the step's
    const model = events.filter((event) => event.name === "model")
    expect(model.map((event) => event.event)).toEqual(["on_chat_model_start", "on_chat_model_stream", "on_chat_model_end"])
    expect(await interop.triageTokens(" hi ")).toEqual(["billing"])
    await interop.lcTriage.dispose()
  })

  it("the Promise facade's v2 events", async () => {
    expect(await interop.parserTokens("fibers")).toEqual(["Fibers ", "are ", "cheap ", "threads"])
    // a chat model's chunk is a Model.Message chunk with LangChain's `content` beside its `text`
    const modelChunks: Array<unknown> = []
    for await (const event of interop.explainApi.streamEvents({ topic: "fibers" }, { version: "v2", includeTypes: ["chat_model"] })) {
      if (event.event === "on_chat_model_stream") modelChunks.push(event.data.chunk)
    }
    expect(modelChunks[0]).toEqual({ text: "Fibers ", toolCalls: [], content: "Fibers ", id: expect.stringMatching(/^run-/) })
    const body = await interop.explainResponse("fibers").text()
    expect(body.startsWith("event: data\ndata: {\"event\":\"on_chain_start\"")).toBe(true)
    expect(body.endsWith("event: end\n\n")).toBe(true)
    await interop.explainApi.dispose()
  })

  it.effect("messages both ways: a LangChain prompt feeds an fxchain model, an fxchain prompt a LangChain model", () =>
    Effect.gen(function*() {
      const answer = yield* Runnable.invoke(interop.lcPromptFxModel, { question: "What are cheap threads?" }).pipe(
        Effect.provide(FakeModel.layer({ responses: "Fibers" }))
      )
      expect(answer.text).toBe("Fibers")
      expect((yield* Runnable.invoke(interop.fxPromptLcModel, { question: "What are cheap threads?" })).content).toBe("Fibers")
    }))
})

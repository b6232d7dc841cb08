/**
 * Ported from LangChain.js: libs/langchain-core/src/runnables/tests/runnable_branch.test.ts
 *
 * `RunnableBranch.from([[condition, runnable], ..., default])` is `Fx.branch([[condition,
 * runnable], ...], default)`; a branch that throws is a `Runnable.try`. LangChain's prompts, model
 * and parser come in through `fromLangChain`.
 */
import { describe, expect, it } from "@effect/vitest"
import * as Fx from "@fxchain/combinators"
import { Runnable } from "@fxchain/core"
import { awaitAllCallbacks } from "@langchain/core/callbacks/promises"
import { StringOutputParser } from "@langchain/core/output_parsers"
import { ChatPromptTemplate } from "@langchain/core/prompts"
import { FakeStreamingLLM } from "@langchain/core/utils/testing"
import { Effect } from "effect"
import { fromLangChain } from "../../src/langchain.js"
import { collect, facade, rejectionOf, toLangChain } from "./support.js"

describe("RunnableBranch invoke", () => {
  const branch = () => {
    const condition = (x: number) => x > 0
    const add = Runnable.sync((x: number) => x + 1)
    const subtract = Runnable.sync((x: number) => x - 1)
    return Fx.branch([[condition, add], [condition, add]], subtract)
  }

  it("through the Promise facade", async () => {
    const runnable = facade(branch())
    expect(await runnable.invoke(1)).toEqual(2)
    expect(await runnable.invoke(-1)).toEqual(-2)
  })

  it("through toLangChain", async () => {
    const runnable = toLangChain(branch())
    expect(await runnable.invoke(1)).toEqual(2)
    expect(await runnable.invoke(-1)).toEqual(-2)
  })

  it.effect("in fxchain's Effect form", () =>
    Effect.gen(function*() {
      expect(yield* Runnable.invoke(branch(), 1)).toEqual(2)
      expect(yield* Runnable.invoke(branch(), -1)).toEqual(-2)
    }))
})

describe("RunnableBranch batch", () => {
  const branch = () =>
    Fx.branch([
      [(x: number) => x > 0 && x < 5, Runnable.sync((x: number) => x + 1)],
      [(x: number) => x > 5, Runnable.sync((x: number) => x * 10)]
    ], Runnable.sync((x: number) => x - 1))

  it("through the Promise facade", async () => {
    expect(await facade(branch()).batch([1, 10, 0])).toEqual([2, 100, -1])
  })

  it("through toLangChain", async () => {
    expect(await toLangChain(branch()).batch([1, 10, 0])).toEqual([2, 100, -1])
  })

  it.effect("in fxchain's Effect form", () =>
    Effect.gen(function*() {
      expect(yield* Runnable.batch(branch(), [1, 10, 0])).toEqual([2, 100, -1])
    }))
})

describe("RunnableBranch handles error", () => {
  const branch = () =>
    Fx.branch([
      [
        (x: string) => x.startsWith("a"),
        Runnable.try((_: string): string => {
          throw new Error("Testing")
        }, { catch: (error) => error as Error })
      ]
    ], Runnable.sync((x: string) => `${x} passed`))

  it("through toLangChain", async () => {
    let error: unknown
    const runnable = toLangChain(branch())
    const result = await runnable.invoke("branch", {
      callbacks: [
        {
          handleChainError: (e) => {
            error = e
          }
        }
      ]
    })
    // If callbacks are backgrounded
    await awaitAllCallbacks()
    expect(result).toBe("branch passed")
    expect(error).toBeUndefined()
    await expect(async () => {
      await runnable.invoke("alpha", {
        callbacks: [
          {
            handleChainError: (e) => {
              error = e
            }
          }
        ]
      })
    }).rejects.toThrow()
    // If callbacks are backgrounded
    await awaitAllCallbacks()
    expect(error).toBeDefined()
  })

  // the facade's callbacks are its events: an error is an on_chain_error event
  it("through the Promise facade", async () => {
    const runnable = facade(branch())
    const errors = async (input: string) => {
      const seen: Array<unknown> = []
      try {
        for await (const event of runnable.streamEvents(input, { version: "v2" })) {
          if (event.event === "on_chain_error") seen.push(event.data.error)
        }
      } catch {
        // the rejection is asserted below
      }
      return seen
    }
    expect(await runnable.invoke("branch")).toBe("branch passed")
    expect(await errors("branch")).toEqual([])
    expect(await rejectionOf(runnable.invoke("alpha"))).toBeInstanceOf(Error)
    expect((await errors("alpha")).length).toBeGreaterThan(0)
  })

  it.effect("in fxchain's Effect form", () =>
    Effect.gen(function*() {
      expect(yield* Runnable.invoke(branch(), "branch")).toBe("branch passed")
      expect((yield* Effect.flip(Runnable.invoke(branch(), "alpha"))).message).toBe("Testing")
    }))
})

describe("RunnableBranch invoke (streaming the chosen branch)", () => {
  const fullChain = () => {
    const model = fromLangChain(new FakeStreamingLLM({ sleep: 1 }))
    const classificationChain = Fx.sequence(
      fromLangChain(ChatPromptTemplate.fromTemplate(`{question}`)),
      model,
      fromLangChain(new StringOutputParser())
    )
    const generalChain = Fx.sequence(fromLangChain(ChatPromptTemplate.fromTemplate(`GENERAL CHAIN`)), model)
    const langChainChain = Fx.sequence(fromLangChain(ChatPromptTemplate.fromTemplate(`LANGCHAIN CHAIN`)), model)
    const branch = Fx.branch([
      [(x: { topic: string; question: string }) => x.topic.toLowerCase().includes("langchain"), langChainChain]
    ], generalChain)
    return Fx.sequence(
      Fx.parallel({
        topic: classificationChain,
        question: Runnable.sync((input: { question: string }) => input.question)
      }),
      branch,
      fromLangChain(new StringOutputParser())
    )
  }
  const check = async (stream: (input: { question: string }) => Promise<Array<string>>) => {
    const chunks = await stream({ question: "How do I use langchain? Explain in one sentence" })
    expect(chunks.length).toBeGreaterThan(1)
    expect(chunks.join("")).toContain("LANGCHAIN")

    const chunks2 = await stream({ question: "What is up? Explain in one sentence" })
    expect(chunks2.length).toBeGreaterThan(1)
    expect(chunks2.join("")).toContain("GENERAL")
  }

  it("through the Promise facade", async () => {
    const runnable = facade(fullChain())
    await check((input) => collect(runnable.stream(input)))
  })

  it("through toLangChain", async () => {
    const runnable = toLangChain(fullChain())
    await check(async (input) => collect(await runnable.stream(input)))
  })
})

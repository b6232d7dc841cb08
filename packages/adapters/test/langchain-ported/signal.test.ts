/**
 * Ported from LangChain.js: libs/langchain-core/src/runnables/tests/signal.test.ts
 *
 * Each runnable of LangChain's `TEST_CASES` in fxchain's terms, run with LangChain's `signal` and
 * `timeout` call options through the Promise facade and through `toLangChain`: aborting
 * interrupts the run, and the call rejects. A LangChain lambda returning a runnable to run is
 * `Runnable.unwrap`; LangChain's chat model comes in through `fromLangChain`.
 *
 * Not ported: the `history` case (`RunnableWithMessageHistory`: fxchain has no message history
 * runnable; a history is a `PromptTemplate.placeholder` filled by the caller).
 */
import { describe, expect, it } from "@effect/vitest"
import * as Fx from "@fxchain/combinators"
import { Runnable } from "@fxchain/core"
import { Document } from "@langchain/core/documents"
import { StringOutputParser } from "@langchain/core/output_parsers"
import { ChatPromptTemplate } from "@langchain/core/prompts"
import { FakeListChatModel } from "@langchain/core/utils/testing"
import { Effect } from "effect"
import { fromLangChain } from "../../src/langchain.js"
import { collect, facade, sleep, toLangChain } from "./support.js"

const chatModel = new FakeListChatModel({ responses: ["hey"], sleep: 500 })

const TEST_CASES: Record<
  string,
  { readonly runnable: () => Runnable.Runnable<any, any, any>; readonly input: unknown; readonly skipStream?: boolean }
> = {
  map: {
    runnable: () =>
      Fx.parallel({
        question: Runnable.identity<string>(),
        context: Runnable.fromPromise(async (_: string) => {
          await sleep(500)
          return "SOME STUFF"
        })
      }),
    input: "testing"
  },
  binding: {
    runnable: () => Runnable.fromPromise((_: string) => sleep(500)).pipe(Runnable.withConfig({ tags: ["bound"] })),
    input: "testing"
  },
  fallbacks: {
    runnable: () =>
      fromLangChain(chatModel.withConfig({ thrownErrorString: "expected" } as never)).pipe(
        Fx.withFallbacks([fromLangChain(chatModel)])
      ),
    input: "testing",
    skipStream: true
  },
  sequence: {
    runnable: () =>
      Fx.sequence(
        // (LangChain hands the model the assign's input, as it is)
        Fx.assign({ test: Runnable.unwrap(Effect.sync(() => fromLangChain<{ question: string }, unknown>(chatModel as never))) }),
        Runnable.sync((_: unknown) => {
          // empty
        })
      ),
    input: { question: "testing" }
  },
  lambda: {
    runnable: () => Runnable.fromPromise((_: object) => sleep(500)),
    input: {}
  }
}

/** The Promise API a case runs through: the facade, or `toLangChain`. */
interface Api {
  readonly invoke: (input: unknown, options: { signal: AbortSignal }) => Promise<unknown>
  readonly stream: (input: unknown, options: { signal: AbortSignal }) => Promise<AsyncIterable<unknown>>
  readonly batch: (inputs: Array<unknown>, options: { signal: AbortSignal }) => Promise<Array<unknown>>
}

const apis: Record<string, (runnable: Runnable.Runnable<any, any, any>) => Api> = {
  "through the Promise facade": (runnable) => {
    const made = facade(runnable)
    return {
      invoke: (input, options) => made.invoke(input, options),
      stream: async (input, options) => made.stream(input, options),
      batch: (inputs, options) => made.batch(inputs, options)
    }
  },
  "through toLangChain": (runnable) => {
    const made = toLangChain(runnable)
    return {
      invoke: (input, options) => made.invoke(input, options),
      stream: (input, options) => made.stream(input, options),
      batch: (inputs, options) => made.batch(inputs, options)
    }
  }
}

describe.each(Object.keys(TEST_CASES))("Test runnable %s", (name) => {
  const { input, runnable, skipStream } = TEST_CASES[name]!
  for (const [via, api] of Object.entries(apis)) {
    it(`Test invoke with signal (${via})`, async () => {
      await expect(async () => {
        const controller = new AbortController()
        await Promise.all([
          api(runnable()).invoke(input, {
            signal: controller.signal
          }),
          new Promise<void>((resolve) => {
            controller.abort()
            resolve()
          })
        ])
      }).rejects.toThrowError()
    })

    it(`Test invoke with signal with a delay (${via})`, async () => {
      await expect(async () => {
        const controller = new AbortController()
        await Promise.all([
          api(runnable()).invoke(input, {
            signal: controller.signal
          }),
          new Promise<void>((resolve) => {
            setTimeout(() => {
              controller.abort()
              resolve()
            }, 250)
          })
        ])
      }).rejects.toThrowError()
    })

    it(`Test stream with signal (${via})`, async () => {
      if (skipStream) {
        return
      }
      const controller = new AbortController()
      await expect(async () => {
        const stream = await api(runnable()).stream(input, {
          signal: controller.signal
        })
        for await (const _ of stream) {
          controller.abort()
        }
      }).rejects.toThrowError()
    })

    it(`Test batch with signal (${via})`, async () => {
      await expect(async () => {
        const controller = new AbortController()
        await Promise.all([
          api(runnable()).batch([input, input], {
            signal: controller.signal
          }),
          new Promise<void>((resolve) => {
            controller.abort()
            resolve()
          })
        ])
      }).rejects.toThrowError()
    })

    it(`Test batch with signal with a delay (${via})`, async () => {
      await expect(async () => {
        const controller = new AbortController()
        await Promise.all([
          api(runnable()).batch([input, input], {
            signal: controller.signal
          }),
          new Promise<void>((resolve) => {
            setTimeout(() => {
              controller.abort()
              resolve()
            }, 250)
          })
        ])
      }).rejects.toThrowError()
    })
  }
})

describe("Runnable invoke should respect timeout option", () => {
  const runnable = () =>
    Runnable.fromPromise(async (_: object) => {
      await sleep(500)
      return "done"
    })

  it("through the Promise facade", async () => {
    await expect(facade(runnable()).invoke({}, { timeout: 50 })).rejects.toThrow(/timeout/i)
  })

  it("through toLangChain", async () => {
    await expect(toLangChain(runnable()).invoke({}, { timeout: 50 })).rejects.toThrow(/timeout/i)
  })
})

describe("Runnable stream should respect timeout option before first chunk", () => {
  const runnable = () =>
    Runnable.fromPromise(async (_: object) => {
      await sleep(500)
      return "done"
    })

  it("through the Promise facade", async () => {
    await expect(async () => {
      for await (const _ of facade(runnable()).stream({}, { timeout: 50 })) {
        // drain
      }
    }).rejects.toThrow(/timeout/i)
  })

  it("through toLangChain", async () => {
    await expect(async () => {
      const stream = await toLangChain(runnable()).stream({}, { timeout: 50 })
      for await (const _ of stream) {
        // drain
      }
    }).rejects.toThrow(/timeout/i)
  })
})

describe("Should not raise node warning", () => {
  const formatDocumentsAsString = (documents: Array<Document>) => {
    return documents.map((doc) => doc.pageContent).join("\n\n")
  }
  const ragChainWithSources = () => {
    const retriever = Runnable.sync((_: { question: string }) => {
      return [
        new Document({ pageContent: "test1" }),
        new Document({ pageContent: "test2" }),
        new Document({ pageContent: "test4" }),
        new Document({ pageContent: "test5" })
      ]
    })
    return Fx.sequence(
      Fx.parallel({
        // Return raw documents here for now since we want to return them at
        // the end - we'll format in the next step of the chain
        context: retriever,
        question: Runnable.identity<{ question: string }>()
      }),
      Fx.assign({
        answer: Fx.sequence(
          Runnable.sync((input: { context: Array<Document>; question: unknown }) => {
            return {
              // Now we format the documents as strings for the prompt
              context: formatDocumentsAsString(input.context),
              question: input.question
            }
          }),
          fromLangChain(ChatPromptTemplate.fromTemplate("Hello")),
          fromLangChain(new FakeListChatModel({ responses: ["test"] })),
          fromLangChain(new StringOutputParser())
        )
      })
    )
  }

  /** Runs `f`, collecting the warnings Node emits meanwhile. */
  const warningsOf = async (f: () => Promise<unknown>) => {
    const warnings: Array<Error> = []
    const onWarning = (warning: Error) => warnings.push(warning)
    process.on("warning", onWarning)
    try {
      await f()
      await sleep(0)
    } finally {
      process.off("warning", onWarning)
    }
    return warnings
  }

  it("through the Promise facade", async () => {
    const warnings = await warningsOf(() =>
      collect(facade(ragChainWithSources()).stream(
        {
          question: "What is the capital of France?"
        },
        {
          signal: new AbortController().signal
        }
      ))
    )
    expect(warnings.filter((warning) => warning.name === "MaxListenersExceededWarning")).toEqual([])
  })

  it("through toLangChain", async () => {
    const warnings = await warningsOf(async () =>
      collect(
        await toLangChain(ragChainWithSources()).stream(
          {
            question: "What is the capital of France?"
          },
          {
            signal: new AbortController().signal
          }
        )
      )
    )
    expect(warnings.filter((warning) => warning.name === "MaxListenersExceededWarning")).toEqual([])
  })
})

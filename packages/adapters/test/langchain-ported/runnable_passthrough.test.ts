/**
 * Ported from LangChain.js: libs/langchain-core/src/runnables/tests/runnable_passthrough.test.ts
 *
 * `RunnablePassthrough.assign` is `Fx.assign`; a `RunnablePassthrough` with a `func` (called for
 * its effect, the value passing through) is `Runnable.identity` with `Fx.tap`, which reads the
 * run's configuration from `RunConfig`. LangChain's prompt, fake model and parser come in through
 * `fromLangChain`.
 */
import { describe, expect, it } from "@effect/vitest"
import * as Fx from "@fxchain/combinators"
import { RunConfig, Runnable } from "@fxchain/core"
import { JsonOutputParser } from "@langchain/core/output_parsers"
import { PromptTemplate } from "@langchain/core/prompts"
import { FakeChatModel } from "@langchain/core/utils/testing"
import { Chunk, Effect, Stream } from "effect"
import { fromLangChain } from "../../src/langchain.js"
import { collect, facade, toLangChain } from "./support.js"

const promptModelParser = () =>
  Fx.sequence(
    fromLangChain(PromptTemplate.fromTemplate("{input}")),
    fromLangChain(new FakeChatModel({})),
    fromLangChain(new JsonOutputParser<Record<string, any>>())
  )

describe("RunnablePassthrough can call .assign and pass prev result through", () => {
  const text = `\`\`\`
{"outputValue": "testing"}
\`\`\``
  const chainWithAssign = () =>
    Fx.sequence(promptModelParser(), Fx.assign({ outputValue: Runnable.sync((i: Record<string, any>) => i.outputValue) }))

  it("through the Promise facade", async () => {
    expect(await facade(chainWithAssign()).invoke({ input: text })).toEqual({ outputValue: "testing" })
  })

  it("through toLangChain", async () => {
    expect(await toLangChain(chainWithAssign()).invoke({ input: text })).toEqual({ outputValue: "testing" })
  })

  it.effect("in fxchain's Effect form", () =>
    Effect.gen(function*() {
      expect(yield* Runnable.invoke(chainWithAssign(), { input: text })).toEqual({ outputValue: "testing" })
    }))
})

describe("RunnablePassthrough can call .assign as the first step with proper typing", () => {
  const text = `\`\`\`
{"outputValue": "testing2"}
\`\`\``
  const chain = () =>
    Fx.sequence(
      Fx.assign({ input: Runnable.sync((input: { otherProp: string }) => input.otherProp) }),
      promptModelParser()
    )

  it("through the Promise facade", async () => {
    expect(await facade(chain()).invoke({ otherProp: text })).toEqual({ outputValue: "testing2" })
  })

  it("through toLangChain", async () => {
    expect(await toLangChain(chain()).invoke({ otherProp: text })).toEqual({ outputValue: "testing2" })
  })

  it.effect("in fxchain's Effect form", () =>
    Effect.gen(function*() {
      expect(yield* Runnable.invoke(chain(), { otherProp: text })).toEqual({ outputValue: "testing2" })
    }))
})

/** `new RunnablePassthrough<number>({ func })`: the input passes through, `func` is called with it. */
const passthroughWith = (func: (input: number) => void) =>
  Runnable.identity<number>().pipe(Fx.tap((input: number) => Effect.sync(() => func(input))))

describe("RunnablePassthrough can invoke a function without modifying passthrough value", () => {
  const make = () => {
    const called = { wasCalled: false }
    const addOne = (input: number) => {
      called.wasCalled = true
      return input + 1
    }
    return { called, passthrough: passthroughWith(addOne) }
  }

  it("through the Promise facade", async () => {
    const { called, passthrough } = make()
    expect(await facade(passthrough).invoke(1)).toEqual(1)
    expect(called.wasCalled).toEqual(true)
  })

  it("through toLangChain", async () => {
    const { called, passthrough } = make()
    expect(await toLangChain(passthrough).invoke(1)).toEqual(1)
    expect(called.wasCalled).toEqual(true)
  })

  it.effect("in fxchain's Effect form", () =>
    Effect.gen(function*() {
      const { called, passthrough } = make()
      expect(yield* Runnable.invoke(passthrough, 1)).toEqual(1)
      expect(called.wasCalled).toEqual(true)
    }))
})

describe("RunnablePassthrough can transform a function as constructor args", () => {
  const make = () => {
    const called = { wasCalled: false }
    const addOne = (input: number) => {
      called.wasCalled = true
      return input + 1
    }
    return { called, passthrough: passthroughWith(addOne) }
  }
  async function* generateNumbers() {
    yield 1
  }

  it("through toLangChain", async () => {
    const { called, passthrough } = make()
    const transformedGenerator = toLangChain(passthrough).transform(generateNumbers(), {})
    expect(await collect(transformedGenerator)).toEqual([1])
    expect(called.wasCalled).toEqual(true)
  })

  it.effect("in fxchain's Effect form", () =>
    Effect.gen(function*() {
      const { called, passthrough } = make()
      const results = yield* Stream.runCollect(Runnable.transform(passthrough, Stream.fromAsyncIterable(generateNumbers(), (e) => e)))
      expect(Chunk.toArray(results)).toEqual([1])
      expect(called.wasCalled).toEqual(true)
    }))
})

describe("RunnablePassthrough can invoke a function and pass through config", () => {
  const make = () => {
    const seen = { wasCalled: false, addOneResult: 0 }
    const passthrough = Runnable.identity<number>().pipe(Fx.tap((input: number) =>
      Effect.flatMap(RunConfig.RunConfig, (config) => {
        seen.wasCalled = true
        const number = config.configurable.number
        if (typeof number !== "number" || Number.isNaN(number)) return Effect.die(new Error("configurable.number is NaN"))
        seen.addOneResult = input + number
        return Effect.void
      })
    ))
    return { seen, passthrough }
  }

  it("through the Promise facade", async () => {
    const { passthrough, seen } = make()
    expect(await facade(passthrough).invoke(1, { configurable: { number: 1 } })).toEqual(1)
    expect(seen.addOneResult).toEqual(2)
    expect(seen.wasCalled).toEqual(true)
  })

  it("through toLangChain", async () => {
    const { passthrough, seen } = make()
    expect(await toLangChain(passthrough).invoke(1, { configurable: { number: 1 } })).toEqual(1)
    expect(seen.addOneResult).toEqual(2)
    expect(seen.wasCalled).toEqual(true)
  })

  it.effect("in fxchain's Effect form", () =>
    Effect.gen(function*() {
      const { passthrough, seen } = make()
      expect(yield* Runnable.invoke(Runnable.withConfig(passthrough, { configurable: { number: 1 } }), 1)).toEqual(1)
      expect(seen.addOneResult).toEqual(2)
      expect(seen.wasCalled).toEqual(true)
    }))
})

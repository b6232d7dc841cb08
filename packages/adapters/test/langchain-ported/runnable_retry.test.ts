/**
 * Ported from LangChain.js: libs/langchain-core/src/runnables/tests/runnable_retry.test.ts
 *
 * `withRetry({ stopAfterAttempt })` is `Fx.retry({ times: stopAfterAttempt - 1 })` (`times`
 * counts retries; LangChain's default, 3 attempts, is `times: 2`); a lambda that throws is
 * `Runnable.try`; `onFailedAttempt(error, input)` is an `onError` listener on the retried step
 * (`Fx.withListeners`), which sees each failed attempt with its input. The retries wait on
 * Effect's Clock: in the Effect form, the `TestClock` drives them.
 */
import { describe, expect, it } from "@effect/vitest"
import * as Fx from "@fxchain/combinators"
import { Runnable } from "@fxchain/core"
import { Effect, Fiber, TestClock } from "effect"
import { facade, toLangChain } from "./support.js"

/** A lambda that throws "TEST ERROR" while `attemptCount < succeedFrom`, then answers the count. */
const flaky = (succeedFrom: number) => {
  const state = { attemptCount: 0 }
  const runnable = Runnable.try((_thing: unknown) => {
    state.attemptCount += 1
    if (state.attemptCount < succeedFrom) {
      throw new Error("TEST ERROR")
    } else {
      return state.attemptCount
    }
  }, { catch: (error) => error as Error })
  return { runnable, state }
}

/** Runs an Effect whose retries wait on the clock: the clock moves until it is done. */
const withTime = <A, E>(effect: Effect.Effect<A, E>) =>
  Effect.gen(function*() {
    const fiber = yield* Effect.fork(effect)
    yield* TestClock.adjust("1 minute")
    return yield* Fiber.join(fiber)
  })

describe("RunnableRetry invoke", () => {
  it("through the Promise facade", async () => {
    const { runnable } = flaky(3)
    expect(await facade(runnable.pipe(Fx.retry({ times: 2 }))).invoke("")).toEqual(3)
  })

  it("through toLangChain", async () => {
    const { runnable } = flaky(3)
    expect(await toLangChain(runnable.pipe(Fx.retry({ times: 2 }))).invoke("")).toEqual(3)
  })

  it.effect("in fxchain's Effect form", () =>
    Effect.gen(function*() {
      const { runnable } = flaky(3)
      expect(yield* withTime(Runnable.invoke(runnable.pipe(Fx.retry({ times: 2 })), ""))).toEqual(3)
    }))
})

describe("RunnableRetry invoke with a failed attempt handler", () => {
  const retried = () => {
    const { runnable } = flaky(3)
    return runnable.pipe(
      Fx.withListeners({
        onError: ({ error, input }) =>
          Effect.sync(() => {
            expect(error.message).toBe("TEST ERROR")
            expect(input).toBe("test")
          })
      }),
      Fx.retry({ times: 2 })
    )
  }

  it("through the Promise facade", async () => {
    expect(await facade(retried()).invoke("test")).toEqual(3)
  })

  it("through toLangChain", async () => {
    expect(await toLangChain(retried()).invoke("test")).toEqual(3)
  })

  it.effect("in fxchain's Effect form", () =>
    Effect.gen(function*() {
      expect(yield* withTime(Runnable.invoke(retried(), "test"))).toEqual(3)
    }))
})

describe("RunnableRetry batch with thrown errors", () => {
  const retried = () =>
    Runnable.try((_thing: unknown): number => {
      throw new Error("TEST ERROR")
    }, { catch: (error) => error as Error }).pipe(Fx.retry({ times: 0 }))

  it("through the Promise facade", async () => {
    await expect(async () => {
      await facade(retried()).batch(["", "", ""])
    }).rejects.toThrow()
  })

  it("through toLangChain", async () => {
    await expect(async () => {
      await toLangChain(retried()).batch(["", "", ""])
    }).rejects.toThrow()
  })

  it.effect("in fxchain's Effect form", () =>
    Effect.gen(function*() {
      expect(yield* Effect.flip(Runnable.batch(retried(), ["", "", ""]))).toBeInstanceOf(Error)
    }))
})

describe("RunnableRetry batch with all returned errors", () => {
  const expected = [
    expect.objectContaining({ message: "TEST ERROR" }),
    expect.objectContaining({ message: "TEST ERROR" }),
    expect.objectContaining({ message: "TEST ERROR" })
  ]

  it("through the Promise facade", async () => {
    const { runnable } = flaky(5)
    const result = await facade(runnable.pipe(Fx.retry({ times: 0 }))).batch(["", "", ""], undefined, {
      returnExceptions: true
    })
    expect(result).toEqual(expected)
  })

  it("through toLangChain", async () => {
    const { runnable } = flaky(5)
    const result = await toLangChain(runnable.pipe(Fx.retry({ times: 0 }))).batch(["", "", ""], undefined, {
      returnExceptions: true
    })
    expect(result).toEqual(expected)
  })

  it.effect("in fxchain's Effect form", () =>
    Effect.gen(function*() {
      const { runnable } = flaky(5)
      const result = yield* Runnable.batch(runnable.pipe(Fx.retry({ times: 0 })), ["", "", ""], { mode: "either" })
      expect(result.map((either) => either._tag === "Left" ? either.left : either.right)).toEqual(expected)
    }))
})

describe("RunnableRetry batch should not retry successful requests", () => {
  it("through the Promise facade", async () => {
    const { runnable, state } = flaky(3)
    const result = await facade(runnable.pipe(Fx.retry({ times: 1 }))).batch(["", "", ""])
    expect(state.attemptCount).toEqual(5)
    expect(result.sort()).toEqual([3, 4, 5])
  })

  it("through toLangChain", async () => {
    const { runnable, state } = flaky(3)
    const result = await toLangChain(runnable.pipe(Fx.retry({ times: 1 }))).batch(["", "", ""])
    expect(state.attemptCount).toEqual(5)
    expect(result.sort()).toEqual([3, 4, 5])
  })

  it.effect("in fxchain's Effect form", () =>
    Effect.gen(function*() {
      const { runnable, state } = flaky(3)
      const result = yield* withTime(Runnable.batch(runnable.pipe(Fx.retry({ times: 1 })), ["", "", ""]))
      expect(state.attemptCount).toEqual(5)
      expect(result.sort()).toEqual([3, 4, 5])
    }))
})

describe("RunnableRetry batch with an onFailedAttempt handler", () => {
  // Kept difference: each item of a batch retries on its own, so each failed attempt is reported
  // with its own input (the two items whose first attempt failed). LangChain retries the failed
  // items of a batch together, and reports each round once, with its first failed input ("test1").
  const retried = (failedInputs: Array<unknown>) => {
    const flakyStep = flaky(3)
    const runnable = flakyStep.runnable.pipe(
      Fx.withListeners({
        onError: ({ error, input }) =>
          Effect.sync(() => {
            expect(error.message).toEqual("TEST ERROR")
            failedInputs.push(input)
          })
      }),
      Fx.retry({ times: 1 })
    )
    return { runnable, state: flakyStep.state }
  }

  it("through the Promise facade", async () => {
    const failedInputs: Array<unknown> = []
    const { runnable, state } = retried(failedInputs)
    const result = await facade(runnable).batch(["test1", "test2", "test3"])
    expect(state.attemptCount).toEqual(5)
    expect(result.sort()).toEqual([3, 4, 5])
    expect(failedInputs).toEqual(["test1", "test2"])
  })

  // (each item a LangChain invoke: which two fail first depends on when their calls get there)
  it("through toLangChain", async () => {
    const failedInputs: Array<unknown> = []
    const { runnable, state } = retried(failedInputs)
    const result = await toLangChain(runnable).batch(["test1", "test2", "test3"])
    expect(state.attemptCount).toEqual(5)
    expect(result.sort()).toEqual([3, 4, 5])
    expect(new Set(failedInputs).size).toEqual(2)
  })
})

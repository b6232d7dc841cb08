import { describe, expect, it } from "@effect/vitest"
import { FakeModel } from "@fxchain/adapters"
import { Runnable } from "@fxchain/core"
import { Effect, Either, Exit, Fiber, TestClock } from "effect"
import { expectTypeOf } from "vitest"
import * as rewritten from "./coming-from-langchain.js"

describe("examples/coming-from-langchain (docs/coming-from-langchain.md)", () => {
  it.effect("the rewritten chain classifies, and falls back to \"unknown\" once the retries are spent", () =>
    Effect.gen(function*() {
      // the fallback cannot fail, so neither can the chain: its error type is never
      const typed: Runnable.Runnable<{ ticket: string }, string, never, unknown> = rewritten.classify
      expect(typed.name).toBe("withFallbacks")

      const answered = yield* rewritten.enrichAll(["I was charged twice", "The app crashes"]).pipe(
        Effect.provide(FakeModel.layer({ responses: "billing" }))
      )
      expect(answered).toEqual([
        Either.right({ ticket: "I was charged twice", category: "billing" }),
        Either.right({ ticket: "The app crashes", category: "billing" })
      ])

      const fake = yield* FakeModel.make({ responses: "billing", failures: () => FakeModel.rateLimitError() })
      const fiber = yield* Effect.fork(rewritten.enrichAll(["I was charged twice"]).pipe(Effect.provide(fake.layer)))
      yield* TestClock.adjust("1 second")
      expect(yield* Fiber.join(fiber)).toEqual([Either.right({ ticket: "I was charged twice", category: "unknown" })])
      expect(yield* fake.calls).toHaveLength(3) // the first attempt and 2 retries
    }))

  it.effect("a lambda that may throw ports as Runnable.try: the throw is a typed failure, which a fallback sees", () =>
    Effect.gen(function*() {
      expectTypeOf(rewritten.parse).toEqualTypeOf<Runnable.Runnable<string, unknown, rewritten.BadJson>>()
      expectTypeOf(rewritten.safe).toEqualTypeOf<Runnable.Runnable<string, unknown>>()
      expect(yield* Runnable.invoke(rewritten.parse, "[1]")).toEqual([1])
      expect(yield* Effect.exit(Runnable.invoke(rewritten.parse, "{"))).toEqual(Exit.fail(new rewritten.BadJson({ text: "{" })))
      expect(yield* Runnable.invoke(rewritten.safe, "{")).toEqual({})
    }))
})

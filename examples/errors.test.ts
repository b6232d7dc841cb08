import { describe, expect, it } from "@effect/vitest"
import * as Fx from "@fxchain/combinators"
import { Errors, Runnable } from "@fxchain/core"
import { Cause, Effect, Either, Exit, Fiber, Option, Schedule, Stream, TestClock } from "effect"
import * as errors from "./errors.js"

describe("examples/errors (docs/errors.md)", () => {
  it.effect("a sequence fails with the first failing step's error, unchanged; later steps never run", () =>
    Effect.gen(function*() {
      expect(yield* errors.summaryOrReason(1)).toBe("#1: app crashes")
      expect(yield* errors.summaryOrReason(2)).toBe("ticket of bob")
      expect(yield* errors.summaryOrReason(404)).toBe("no ticket #404")
      const failure = yield* Effect.flip(Runnable.invoke(errors.ticketSummary, 2))
      expect(failure).toBeInstanceOf(errors.Forbidden)
      expect(failure).toEqual(new errors.Forbidden({ owner: "bob" }))

      const names = Array.from(yield* Runnable.streamEvents(errors.ticketSummary, 2).pipe(
        Stream.map((event) => `${event._tag} ${event.name}`),
        Stream.catchAll(() => Stream.empty),
        Stream.runCollect
      ))
      expect(names).toEqual([
        "Started sequence",
        "Started loadTicket",
        "Streamed loadTicket",
        // as in LangChain, the next step starts at its first input chunk, before this one ends
        "Started checkAccess",
        "Ended loadTicket",
        "Failed checkAccess",
        "Failed sequence"
      ])
    }))

  it.effect("mode: either keeps every item's output or error, in input order", () =>
    Effect.gen(function*() {
      expect(yield* errors.perItem).toEqual([
        Either.right("#1: app crashes"),
        Either.left(new errors.Forbidden({ owner: "bob" })),
        Either.left(new errors.NotFound({ id: 404 }))
      ])
    }))

  it.effect("parallel: the failing branch's error at 1 s; the other branch is interrupted then", () =>
    Effect.gen(function*() {
      const fiber = yield* Effect.fork(Effect.flip(Runnable.invoke(errors.profile, 7)))
      yield* TestClock.adjust("999 millis")
      expect(fiber.unsafePoll()).toBeNull()
      yield* TestClock.adjust("1 millis")
      expect(fiber.unsafePoll()).not.toBeNull()
      expect(yield* Fiber.join(fiber)).toEqual(new errors.BillingDown())
      expect(errors.crmProbe.unsafeStats()).toMatchObject({ started: 1, interrupted: 1, inFlight: 0 })

      const ok = yield* Effect.fork(Runnable.invoke(errors.profile, 8))
      yield* TestClock.adjust("3 seconds")
      expect(yield* Fiber.join(ok)).toEqual({ customer: "customer 8", invoices: ["invoice 8-1"] })
    }))

  it.effect("a thrown exception is a defect; typed failures are what catchAll, either and retries see", () =>
    Effect.gen(function*() {
      const exit = yield* errors.crashed
      expect(Exit.isFailure(exit) && Cause.isDie(exit.cause)).toBe(true)
      if (Exit.isFailure(exit)) expect(Cause.squash(exit.cause)).toEqual(new Error("not an amount: ten"))
      expect(yield* errors.amounts).toEqual([Either.right(12.5), Either.left(new errors.NotAnAmount({ text: "ten" }))])
      expect(yield* errors.triedAmounts).toEqual([Either.right(12.5), Either.left(new errors.NotAnAmount({ text: "ten" }))])
      expect(yield* errors.lastResort).toBe("crashed: not an amount: ten")

      // nothing else treats the defect as an outcome
      let calls = 0
      const counted = Runnable.sync((text: string) => {
        calls++
        throw new Error(`not an amount: ${text}`)
      })
      const isDie = <A, E>(effect: Effect.Effect<A, E>) => Effect.map(Effect.exit(effect), (exit) => Exit.isFailure(exit) && Cause.isDie(exit.cause))
      expect(yield* isDie(Effect.catchAll(Runnable.invoke(counted, "x"), () => Effect.succeed(0)))).toBe(true)
      expect(yield* isDie(Runnable.batch(counted, ["x"], { mode: "either" }))).toBe(true)
      calls = 0
      expect(yield* isDie(Runnable.invoke(Fx.retry(counted, { schedule: Schedule.recurs(3) }), "x"))).toBe(true)
      expect(calls).toBe(1)
      expect(yield* isDie(Runnable.invoke(Fx.withFallbacks(counted, [Runnable.succeed(0)]), "x"))).toBe(true)
    }))

  it.effect("fxchain's own errors: tagged, naming the runnable", () =>
    Effect.gen(function*() {
      const badOption = Option.getOrThrow(Cause.dieOption(Option.getOrThrow(Exit.causeOption(yield* Effect.exit(errors.badOption)))))
      expect(badOption).toBeInstanceOf(Errors.InvalidOptionError)
      expect(badOption).toMatchObject({ _tag: "InvalidOptionError", runnable: "summarize", option: "concurrency", value: 0 })

      const fiber = yield* Effect.fork(Effect.flip(errors.tooSlow))
      yield* TestClock.adjust("1 second")
      const timeout = yield* Fiber.join(fiber)
      expect(timeout).toMatchObject({ _tag: "TimeoutError", runnable: "crm", deadline: "total", durationMillis: 1000 })
      expect(timeout.message).toBe("Runnable \"crm\" timed out: did not finish within 1000 ms (total deadline)")

      expect(yield* Effect.flip(errors.noRoute)).toMatchObject({ _tag: "RouteNotFound", key: "bob", available: ["ada"] })
      expect(yield* Effect.flip(errors.badInput)).toMatchObject({ _tag: "SchemaError", runnable: "summarize", boundary: "input" })
      const missing = yield* Effect.flip(errors.missingVariable)
      expect(missing).toMatchObject({ _tag: "MissingVariableError", variables: ["audience"] })
      expect(missing.message).toBe("Runnable \"PromptTemplate\" is missing variable \"audience\"")
      expect(yield* Effect.flip(errors.cutShort)).toMatchObject({
        _tag: "ParseFailure",
        runnable: "JsonOutputParser",
        text: "{\"answer\": 4",
        reason: "expected more JSON, got end of input"
      })
    }))

  it.effect("a model fails with AiError, unchanged: a 429 is an HttpResponseError with its retryAfter", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(Effect.provide(errors.limited, errors.RateLimitedLive))
      expect(error._tag).toBe("HttpResponseError")
      expect(error).toMatchObject({ response: { status: 429, headers: { "retry-after": "2" } } })
      expect((error as unknown as { retryAfter: unknown }).retryAfter).toBeDefined()
    }))

  it.effect("mapError turns the model's error into one of the program's", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(Effect.provide(Runnable.invoke(errors.assistant, { question: "hi" }), errors.RateLimitedLive))
      expect(error).toEqual(new errors.AssistantUnavailable({ reason: "HttpResponseError" }))
    }))

  it.effect("a runnable nested deeper than maxDepth dies with RecursionLimitError", () =>
    Effect.gen(function*() {
      const exit = yield* errors.tooDeep
      expect(Exit.isFailure(exit) && Cause.isDie(exit.cause)).toBe(true)
      if (Exit.isFailure(exit)) {
        const defect = Cause.squash(exit.cause)
        expect(defect).toBeInstanceOf(Errors.RecursionLimitError)
        expect(defect).toMatchObject({ runnable: "countdown", depth: 101, limit: 100 })
      }
    }))
})

/**
 * One rule for bad options (core's `Options`, docs/errors.md): every option of every constructor,
 * combinator and executor, given nonsense, throws `InvalidOptionError` where it is given (when the
 * runnable is built), or makes the run die with it (an option given at run time). Never a typed
 * failure, never accepted silently.
 */
import { describe, expect, it } from "@effect/vitest"
import { Errors, RunConfig, Runnable } from "@fxchain/core"
import { Cause, type Duration, Effect, Exit, Option, Stream } from "effect"
import * as fc from "effect/FastCheck"
import { cached } from "../src/Cached.js"
import { each } from "../src/Each.js"
import { withFallbacks } from "../src/Fallbacks.js"
import { pick } from "../src/Parallel.js"
import { rateLimit } from "../src/RateLimit.js"
import { retry } from "../src/Retry.js"
import { sequence } from "../src/Sequence.js"
import { timeout } from "../src/Timeout.js"

const step = Runnable.sync((n: number) => n, { name: "step" })

/** Values no count, duration or name should accept. */
const nonsense = fc.oneof(
  fc.constantFrom<unknown>(Number.NaN, -1, -0.5, 2.5, Infinity, -Infinity, "4", "", null, {}, [], true, () => 1, Symbol("x")),
  fc.double({ noNaN: false }).filter((value) => !Number.isInteger(value)),
  fc.integer({ max: -1 }),
  fc.string().filter((text) => !/^\s*\d+(\.\d+)?\s+(nanos?|micros?|millis?|seconds?|minutes?|hours?|days?|weeks?)\s*$/.test(text))
)
const negativeDurations = fc.oneof(
  fc.integer({ max: -1 }),
  fc.double({ max: -Number.MIN_VALUE, noNaN: true }),
  fc.integer({ min: 1 }).map((n) => `-${n} seconds`),
  fc.constantFrom<unknown>(Number.NaN, "soon", [-1, 0], [1, Number.NaN])
)
const badCounts = fc.oneof(
  fc.constantFrom<unknown>(Number.NaN, Infinity, -Infinity, "4", null, {}),
  fc.double({ noNaN: false }).filter((value) => !Number.isInteger(value))
)

const thrown = (f: () => unknown): unknown => {
  try {
    f()
  } catch (error) {
    return error
  }
  return undefined
}

const rejects = (option: string, f: () => unknown) => {
  const error = thrown(f)
  expect(error, `${option} was accepted`).toBeInstanceOf(Errors.InvalidOptionError)
  expect((error as Errors.InvalidOptionError).option).toBe(option)
}

const dies = <A, E>(option: string, effect: Effect.Effect<A, E>) =>
  Effect.map(Effect.exit(effect), (exit) => {
    const defect = Exit.isFailure(exit) ? Option.getOrUndefined(Cause.dieOption(exit.cause)) : undefined
    expect(defect, `${option} was accepted`).toBeInstanceOf(Errors.InvalidOptionError)
    expect(Exit.isFailure(exit) && Option.isNone(Cause.failureOption(exit.cause))).toBe(true)
  })

const options = { fastCheck: { numRuns: 1_000, seed: 1203 } }

describe("every option, given nonsense, is refused by the one rule", () => {
  it.prop("counts known when a runnable is built throw", [badCounts], ([value]) => {
    rejects("concurrency", () => Runnable.withConfig(step, { concurrency: value as number }))
    rejects("maxDepth", () => Runnable.withConfig(step, { maxDepth: value as number }))
    rejects("concurrency", () => RunConfig.layer({ concurrency: value as number }))
    rejects("maxDepth", () => RunConfig.withPatch({ maxDepth: value as number }))
    rejects("concurrency", () => each(step, { concurrency: value as number }))
    rejects("times", () => retry(step, { times: value as number }))
    rejects("limit", () => rateLimit(step, { limit: value as number, interval: "1 second" }))
    rejects("capacity", () => cached(step, { capacity: value as number, timeToLive: "1 minute" }))
  }, options)

  it.prop("counts below their least value throw", [fc.integer({ max: 0 })], ([value]) => {
    rejects("concurrency", () => Runnable.withConfig(step, { concurrency: value }))
    rejects("maxDepth", () => Runnable.withConfig(step, { maxDepth: value }))
    rejects("concurrency", () => each(step, { concurrency: value }))
    rejects("limit", () => rateLimit(step, { limit: value, interval: "1 second" }))
    rejects("capacity", () => cached(step, { capacity: value, timeToLive: "1 minute" }))
    if (value < 0) rejects("times", () => retry(step, { times: value }))
  }, options)

  it.prop("durations that are negative or unreadable throw", [negativeDurations], ([value]) => {
    const duration = value as Duration.DurationInput
    rejects("duration", () => timeout(step, duration))
    rejects("firstChunk", () => timeout(step, "1 second", { firstChunk: duration }))
    rejects("idle", () => timeout(step, "1 second", { idle: duration }))
    rejects("timeToLive", () => cached(step, { capacity: 1, timeToLive: duration }))
    rejects("interval", () => rateLimit(step, { limit: 1, interval: duration }))
  }, options)

  it.prop("names, keys, tags and lists of the wrong kind throw", [nonsense], ([value]) => {
    if (typeof value !== "string" || value === "") rejects("runName", () => Runnable.withConfig(step, { runName: value as string }))
    if (typeof value !== "string") rejects("tags", () => Runnable.withConfig(step, { tags: [value] as Array<string> }))
    if (typeof value !== "string" || value === "") {
      rejects("exceptionKey", () => (withFallbacks as (...args: Array<unknown>) => unknown)(step, [step], { exceptionKey: value }))
    }
    if (!Array.isArray(value)) rejects("fallbacks", () => withFallbacks(step, value as [typeof step]))
    if (typeof value !== "string") rejects("keys", () => pick(value as string))
    rejects("keys", () => pick([]))
    rejects("steps", () => (sequence as (...steps: Array<unknown>) => unknown)(step, value))
  }, options)

  it.effect.prop("counts and modes given at run time make the run die", [badCounts], ([value]) =>
    Effect.gen(function*() {
      yield* dies("concurrency", Runnable.batch(step, [1], { concurrency: value as number }))
      yield* dies("concurrency", Stream.runDrain(Runnable.batchAsCompleted(step, [1], { concurrency: value as number })))
      yield* dies("concurrency", Stream.runDrain(Runnable.streamBatch(step, [1], { concurrency: value as number })))
      yield* dies("mode", Runnable.batch(step, [1], { mode: String(value) as "either" }))
    }), { fastCheck: { numRuns: 100, seed: 1203 } })
})

/**
 * The one rule for bad options, and the checks every constructor, combinator and executor of
 * fxchain applies with it.
 *
 * A bad option is a programmer error, never a typed failure:
 *
 * - an option known when a runnable is built (`Fx.timeout(r, "-5 seconds")`, `withConfig({ maxDepth: NaN })`,
 *   `Fx.retry({ times: 2.5 })`) throws `InvalidOptionError` there, before anything runs;
 * - an option given when a run starts (`Runnable.batch(r, inputs, { concurrency: 0 })`) makes
 *   that run die with `InvalidOptionError` (a defect) before any item starts.
 *
 * Every number is checked (an integer where a count is meant, in range, finite unless infinity
 * means something) and every duration (any `Duration.DurationInput`) must be 0 or more.
 *
 * The checks are exported so that combinators written outside fxchain follow the same rule.
 *
 * @since 0.2.0
 */
import * as Duration from "effect/Duration"
import * as Option from "effect/Option"
import { InvalidOptionError } from "./Errors.js"
import type * as RunConfig from "./RunConfig.js"

/**
 * Throws `InvalidOptionError` for `option` of `runnable`.
 *
 * @since 0.2.0
 * @category checks
 */
export const invalid = (runnable: string, option: string, value: unknown, expected: string): never => {
  throw new InvalidOptionError({ runnable, option, value, expected })
}

/**
 * Checks an integer option: finite, an integer, at least `min` (and at most `max` when given).
 * Returns it, or throws `InvalidOptionError`.
 *
 * @example
 * ```ts
 * import { Options } from "@fxchain/core"
 *
 * Options.integer("myStep", "concurrency", 4, { min: 1 }) // 4
 * // Options.integer("myStep", "concurrency", 2.5, { min: 1 }) throws InvalidOptionError
 * ```
 *
 * @since 0.2.0
 * @category checks
 */
export const integer = (
  runnable: string,
  option: string,
  value: unknown,
  range: { readonly min: number; readonly max?: number | undefined }
): number => {
  if (typeof value === "number" && Number.isInteger(value) && value >= range.min && (range.max === undefined || value <= range.max)) {
    return value
  }
  return invalid(
    runnable,
    option,
    value,
    range.max === undefined ? `an integer >= ${range.min}` : `an integer from ${range.min} to ${range.max}`
  )
}

/**
 * Checks a number option: a number in `[min, max]`, not `NaN` (finite unless `max` is
 * `Infinity`). Returns it, or throws `InvalidOptionError`.
 *
 * @since 0.2.0
 * @category checks
 */
export const number = (
  runnable: string,
  option: string,
  value: unknown,
  range: { readonly min: number; readonly max?: number | undefined }
): number => {
  const max = range.max ?? Number.MAX_VALUE
  if (typeof value === "number" && value >= range.min && value <= max) return value
  return invalid(runnable, option, value, `a number from ${range.min} to ${range.max ?? "any finite number"}`)
}

const isNonNegative = (input: unknown): boolean => {
  if (typeof input === "number") return input >= 0
  if (typeof input === "bigint") return input >= BigInt(0)
  if (typeof input === "string") return !input.trimStart().startsWith("-")
  if (Array.isArray(input)) {
    return input.length === 2 && input.every((part) => typeof part === "number" && Number.isFinite(part) && part >= 0)
  }
  return true
}

/**
 * Checks a duration option: any `Duration.DurationInput` ("5 seconds", `Duration.millis(500)`, a
 * number of milliseconds, `Duration.infinity`) of 0 or more. Returns it decoded, or throws
 * `InvalidOptionError` (Effect's own `Duration.decode` would turn a negative duration into 0).
 *
 * @since 0.2.0
 * @category checks
 */
export const duration = (runnable: string, option: string, input: unknown): Duration.Duration => {
  const decoded = isNonNegative(input) ? Duration.decodeUnknown(input) : Option.none()
  if (Option.isSome(decoded)) return decoded.value
  return invalid(
    runnable,
    option,
    input,
    "a Duration.DurationInput of 0 or more (\"5 seconds\", Duration.millis(500), a number of milliseconds)"
  )
}

const isRecord = (value: unknown): value is Readonly<Record<string, unknown>> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

/**
 * Checks a `RunConfig` patch (what `Runnable.withConfig`, `RunConfig.layer` and
 * `RunConfig.withPatch` take): `concurrency` and `maxDepth` integers >= 1, `tags` an array of
 * strings, `metadata` and `configurable` records. Returns it, or throws `InvalidOptionError`.
 *
 * @since 0.2.0
 * @category checks
 */
export const configPatch = <Patch extends RunConfig.RunConfigPatch>(runnable: string, patch: Patch): Patch => {
  if (patch.concurrency !== undefined) integer(runnable, "concurrency", patch.concurrency, { min: 1 })
  if (patch.maxDepth !== undefined) integer(runnable, "maxDepth", patch.maxDepth, { min: 1 })
  if (patch.tags !== undefined && !(Array.isArray(patch.tags) && patch.tags.every((tag) => typeof tag === "string"))) {
    invalid(runnable, "tags", patch.tags, "an array of strings")
  }
  if (patch.metadata !== undefined && !isRecord(patch.metadata)) invalid(runnable, "metadata", patch.metadata, "a record")
  if (patch.configurable !== undefined && !isRecord(patch.configurable)) {
    invalid(runnable, "configurable", patch.configurable, "a record")
  }
  return patch
}

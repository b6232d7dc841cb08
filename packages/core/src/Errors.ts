/**
 * fxchain's own failures. A user's error value is never wrapped in one of these: they describe
 * what fxchain itself refused or could not do, always naming the runnable concerned.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"

/**
 * A run was nested deeper than `RunConfig`'s `maxDepth` allows (a runnable that invokes itself
 * without end, say). The run dies with this error (a defect: a pipeline built to recurse without
 * end is a bug, and a typed failure would be in every runnable's error type) instead of growing
 * without bound.
 *
 * @since 0.1.0
 * @category errors
 */
export class RecursionLimitError extends Schema.TaggedError<RecursionLimitError>()("RecursionLimitError", {
  runnable: Schema.String,
  depth: Schema.Number,
  limit: Schema.Number
}) {
  override get message(): string {
    return `Runnable "${this.runnable}" would run at nesting depth ${this.depth}, deeper than the limit of ${this.limit} (RunConfig.maxDepth)`
  }
}

/**
 * An option given to an executor or combinator is not valid (a concurrency of 0, `NaN`, 2.5, ...).
 * Raised before any work starts.
 *
 * @since 0.1.0
 * @category errors
 */
export class InvalidOptionError extends Schema.TaggedError<InvalidOptionError>()("InvalidOptionError", {
  runnable: Schema.String,
  option: Schema.String,
  value: Schema.Unknown,
  expected: Schema.String
}) {
  override get message(): string {
    return `Invalid option "${this.option}" for runnable "${this.runnable}": got ${String(this.value)}, expected ${this.expected}`
  }
}

/**
 * A runnable whose result is made of stream chunks (`Runnable.fromStream`,
 * `Runnable.fromAsyncIterable`) was invoked, and its stream ended without a single chunk, so there
 * is no value to return.
 *
 * @since 0.1.0
 * @category errors
 */
export class EmptyStreamError extends Schema.TaggedError<EmptyStreamError>()("EmptyStreamError", {
  runnable: Schema.String
}) {
  override get message(): string {
    return `Runnable "${this.runnable}" was invoked but its stream produced no chunk`
  }
}

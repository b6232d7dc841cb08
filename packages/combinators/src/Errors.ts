/**
 * The failures combinators add. A user's own error values are never wrapped in these; they
 * describe what a combinator itself decided (a deadline passed, no route matched, a value did not
 * fit its schema), always naming the runnable concerned.
 *
 * @since 0.1.0
 */
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"

/**
 * A deadline of `Fx.timeout` passed: the work was interrupted (its finalizers ran).
 * `deadline` says which one: the whole run, the first chunk of a stream, or the gap between
 * two chunks.
 *
 * @since 0.1.0
 * @category errors
 */
export class TimeoutError extends Schema.TaggedError<TimeoutError>()("TimeoutError", {
  runnable: Schema.String,
  deadline: Schema.Literal("total", "firstChunk", "idle"),
  durationMillis: Schema.Number
}) {
  override get message(): string {
    const what = this.deadline === "total"
      ? "did not finish"
      : this.deadline === "firstChunk"
      ? "produced no first chunk"
      : "produced no next chunk"
    return `Runnable "${this.runnable}" timed out: ${what} within ${this.durationMillis} ms (${this.deadline} deadline)`
  }
}

/**
 * `Fx.route` computed a key that names no route.
 *
 * @since 0.1.0
 * @category errors
 */
export class RouteNotFound extends Schema.TaggedError<RouteNotFound>()("RouteNotFound", {
  runnable: Schema.String,
  key: Schema.String,
  available: Schema.Array(Schema.String)
}) {
  override get message(): string {
    return `Runnable "${this.runnable}" has no route "${this.key}" (routes: ${this.available.join(", ")})`
  }
}

/**
 * `Fx.alternatives` found a choice in `RunConfig`'s `configurable` values that names no
 * alternative.
 *
 * @since 0.1.0
 * @category errors
 */
export class AlternativeNotFound extends Schema.TaggedError<AlternativeNotFound>()("AlternativeNotFound", {
  runnable: Schema.String,
  key: Schema.String,
  choice: Schema.Unknown,
  available: Schema.Array(Schema.String)
}) {
  override get message(): string {
    return `Runnable "${this.runnable}" has no alternative ${JSON.stringify(this.choice)} for configurable "${this.key}" (alternatives: ${
      this.available.join(", ")
    })`
  }
}

/**
 * A value at a schema boundary did not fit its schema: the input of a runnable wrapped by
 * `Fx.withSchema` (before it ran) or its output (after), or the JSON an output parser read
 * (`OutputParser.schema`, boundary `"output"`, with the raw `text`). Carries the `ParseError`
 * (every issue found, not only the first). fxchain's one schema-mismatch error.
 *
 * @since 0.1.0
 * @category errors
 */
export class SchemaError extends Schema.TaggedError<SchemaError>()("SchemaError", {
  runnable: Schema.String,
  boundary: Schema.Literal("input", "output"),
  parseError: Schema.instanceOf(ParseResult.ParseError),
  /** The text the value was read from, when it was parsed from text (an output parser's JSON). */
  text: Schema.optional(Schema.String)
}) {
  override get message(): string {
    return `Runnable "${this.runnable}" got an ${this.boundary} that does not fit its schema: ${this.parseError.message}`
  }
}

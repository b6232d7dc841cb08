/**
 * Output parsers: runnables (kind `"parser"`) that turn a model's answer into a value — its text,
 * JSON, a value decoded with `effect/Schema`, a list.
 *
 * Every parser streams through: it has a `transform`, so in `Fx.sequence(prompt, model, parser)`
 * it consumes the model's chunks as they arrive and yields its own while the model is still
 * answering. A parser's input is a model message (or message chunk) — anything with a `text` —
 * or a plain string; only the text is read.
 *
 * Chunks follow the concat rule (`Concat`), as every fxchain stream does: the chunks a parser
 * yields combine into what `invoke` returns, so a step after it that gathers its input, and the
 * `Ended` event of its run, see the whole value. `accumulate` turns a stream of chunks into the
 * value so far after each chunk.
 *
 * @example
 * ```ts
 * import { OutputParser } from "@fxchain/adapters"
 * import * as Fx from "@fxchain/combinators"
 * import { Runnable } from "@fxchain/core"
 *
 * declare const model: Runnable.Runnable<string, { readonly text: string }>
 *
 * const chain = Fx.sequence(model, OutputParser.json())
 * const answer = Runnable.invoke(chain, "Give me a JSON object") // Effect<JsonValue, ParseFailure>
 * const live = Runnable.stream(chain, "Give me a JSON object").pipe(OutputParser.accumulate) // partial values
 * ```
 *
 * @since 0.1.0
 */
import type { SchemaError } from "@fxchain/combinators"
import type { Runnable } from "@fxchain/core"
import * as Schema from "effect/Schema"
import type * as Stream from "effect/Stream"
import * as internal from "./internal/outputParser.js"

/**
 * What a parser reads: a string, or a model message or message chunk (its `text`; tool calls,
 * finish reason and usage are not read).
 *
 * @since 0.1.0
 * @category models
 */
export type Input = string | { readonly text: string }

/**
 * A value JSON can hold.
 *
 * @since 0.1.0
 * @category models
 */
export type JsonValue = null | boolean | number | string | ReadonlyArray<JsonValue> | { readonly [key: string]: JsonValue }

/**
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** The run's name in events and spans; each parser has a default (`"JsonOutputParser"`, ...). */
  readonly name?: string | undefined
}

/**
 * @since 0.1.0
 * @category models
 */
export interface ListOptions extends Options {
  /**
   * What separates items: one string or several (any of them separates). Defaults to commas and
   * line breaks: `[",", "\n"]`. Give `"\n"` for one item per line (items may then hold commas),
   * `","` for a comma-separated answer over several lines.
   */
  readonly separator?: string | ReadonlyArray<string> | undefined
  /**
   * Removes a list marker from the start of each item: `- `, `* `, `+ `, `• `, `1. `, `1) `.
   * Defaults to `false`.
   */
  readonly stripMarkers?: boolean | undefined
}

/**
 * A parser's text is not the JSON it expected: malformed, cut short, or not JSON at all.
 * Carries the raw text it read (fences and all) and what is wrong with it.
 *
 * @since 0.1.0
 * @category errors
 */
export class ParseFailure extends Schema.TaggedError<ParseFailure>()("ParseFailure", {
  runnable: Schema.String,
  text: Schema.String,
  reason: Schema.String
}) {
  override get message(): string {
    const excerpt = this.text.length > 80 ? `${this.text.slice(0, 80)}…` : this.text
    return `Runnable "${this.runnable}" could not parse its input as JSON: ${this.reason} (text: ${JSON.stringify(excerpt)})`
  }
}

/**
 * The text of a model's answer. Streams the text chunks through as they arrive (chunks without
 * text, such as a tool-call or usage chunk, are skipped); `invoke` returns the whole text. It
 * cannot fail.
 *
 * @example
 * ```ts
 * import { OutputParser } from "@fxchain/adapters"
 * import * as Fx from "@fxchain/combinators"
 * import { Runnable } from "@fxchain/core"
 *
 * declare const model: Runnable.Runnable<string, { readonly text: string }>
 *
 * const chat = Fx.sequence(model, OutputParser.string) // Runnable<string, string>
 * const tokens = Runnable.stream(chat, "Hi!") // Stream<string>: the text as it arrives
 * ```
 *
 * @since 0.1.0
 * @category parsers
 */
export const string: Runnable.Runnable<Input, string> = internal.string

/**
 * JSON from a model's answer — the text itself, or the JSON inside a ```` ```json ```` fence,
 * with or without prose before it. `invoke` returns the complete value; JSON that is malformed,
 * cut short or absent fails with `ParseFailure`, carrying the raw text. Parsing is as strict as
 * `JSON.parse` and gives the same values, but for one limit: arrays and objects nested more than
 * 1,000 levels deep fail with `ParseFailure` too (`JSON.parse` takes them, but the steps after a
 * parser, which recurse into the value, would overflow the stack on them).
 *
 * Streaming (`transform`, and so inside a streamed sequence) yields while the JSON is still
 * arriving: after each input chunk, when what has been parsed so far changed:
 *
 * - the chunks are differences that the concat rule combines: a string grows by its new text,
 *   an object by its new or grown keys, an array by its new elements. Combined, the chunks are
 *   the complete value (what `invoke` returns); `accumulate` gives the partial values
 *   themselves, as LangChain's `JsonOutputParser` streams them;
 * - only what is certain is yielded: an unterminated string as far as it goes, but no number or
 *   `true`/`false`/`null` until it is complete (`1` may become `123`), and an array's elements
 *   only once each is complete. So every partial value is the final one with parts still
 *   missing, never a wrong value;
 * - malformed JSON fails at the end of the input, with `ParseFailure`, after the chunks of what
 *   was valid so far (a fence may still come after prose that is not JSON).
 *
 * - a key given again replaces its earlier value (as with `JSON.parse`): its new value arrives as
 *   `Concat.replace(value)` under that key, which the concat rule puts in place of the old one;
 *   an answer that changes its mind (prose that looked like JSON before a fenced value) yields
 *   the new value whole, as `Concat.replace(value)`. A consumer that reads the differences one
 *   by one, rather than combining them, tells these apart with `Concat.isReplacement`.
 *
 * With no input chunk at all, nothing is yielded. `stream` on a whole input yields the value as
 * one chunk.
 *
 * @example
 * ```ts
 * import { OutputParser } from "@fxchain/adapters"
 * import { Runnable } from "@fxchain/core"
 * import { Stream } from "effect"
 *
 * const chunks = Stream.make("```json\n{\"name\": \"Ad", "a\", \"tags\": [\"x\",", " \"y\"]}\n```")
 * const diffs = Runnable.transform(OutputParser.json(), chunks)
 * // { name: "Ad" }, { name: "a", tags: ["x"] }, { tags: ["y"] }
 * const partials = diffs.pipe(OutputParser.accumulate)
 * // { name: "Ad" }, { name: "Ada", tags: ["x"] }, { name: "Ada", tags: ["x", "y"] }
 * ```
 *
 * @since 0.1.0
 * @category parsers
 */
export const json: (options?: Options) => Runnable.Runnable<Input, JsonValue, ParseFailure> = internal.json

/**
 * JSON from a model's answer (as `json` reads it), decoded with an `effect/Schema`. Text that is
 * not JSON fails with `ParseFailure`; JSON the schema rejects fails with `Fx.SchemaError` (boundary `"output"`),
 * carrying the schema's `ParseError` (all its issues) and the raw text.
 *
 * Streaming consumes the model's chunks as they arrive and yields one chunk, the decoded value,
 * once the answer is complete: a partial value would not be an `A` (a required key still
 * missing) and could pass a check that the complete value fails. For a live preview, stream
 * `json()` and decode its last accumulated value with this schema.
 *
 * @example
 * ```ts
 * import { OutputParser } from "@fxchain/adapters"
 * import { Schema } from "effect"
 *
 * const Person = Schema.Struct({ name: Schema.String, age: Schema.Number })
 * const parser = OutputParser.schema(Person)
 * // Runnable<Input, { readonly name: string; readonly age: number }, ParseFailure | SchemaError>
 * ```
 *
 * @since 0.1.0
 * @category parsers
 */
export const schema: <A, I, R>(
  schema: Schema.Schema<A, I, R>,
  options?: Options
) => Runnable.Runnable<Input, A, ParseFailure | SchemaError, R> = internal.schema

/**
 * A list from a model's answer: items separated by commas or line breaks (see `ListOptions`),
 * each trimmed, empty ones dropped. `invoke` returns the array; an answer with no item is `[]`.
 *
 * Streaming (`transform`) yields each item, as a one-item array, as soon as the separator after
 * it arrives (the last one when the input ends), so the chunks combine by the concat rule into
 * the array; an answer without items yields `[]`. `stream` on a whole input yields the array as
 * one chunk. It cannot fail.
 *
 * @example
 * ```ts
 * import { OutputParser } from "@fxchain/adapters"
 * import { Runnable } from "@fxchain/core"
 * import { Stream } from "effect"
 *
 * const items = Runnable.transform(OutputParser.list(), Stream.make("red, gr", "een, blue"))
 * // ["red"], ["green"], ["blue"]
 * const lines = OutputParser.list({ separator: "\n", stripMarkers: true }) // "- a\n- b" -> ["a", "b"]
 * ```
 *
 * @since 0.1.0
 * @category parsers
 */
export const list: (options?: ListOptions) => Runnable.Runnable<Input, Array<string>> = internal.list

/**
 * The value so far after each chunk: each chunk combined by the concat rule with those before
 * it. Turns `json()`'s differences into LangChain-style partial values; the last one is the
 * complete value.
 *
 * @example
 * ```ts
 * import { OutputParser } from "@fxchain/adapters"
 * import { Stream } from "effect"
 *
 * Stream.make({ a: "He" }, { a: "llo", b: [1] }).pipe(OutputParser.accumulate)
 * // { a: "He" }, { a: "Hello", b: [1] }
 * ```
 *
 * @since 0.1.0
 * @category combinators
 */
export const accumulate: <A, E, R>(self: Stream.Stream<A, E, R>) => Stream.Stream<A, E, R> = internal.accumulate

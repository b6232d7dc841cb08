/**
 * Schema boundaries: a runnable's input decoded with an `effect/Schema` before it runs, its
 * output decoded after, and a value that does not fit is a typed `SchemaError` naming the
 * runnable and carrying the `ParseError`.
 *
 * @since 0.1.0
 */
import { Runnable } from "@fxchain/core"
import { dual } from "effect/Function"
import type * as Schema from "effect/Schema"
import type { SchemaError } from "./Errors.js"
import * as internal from "./internal/withSchema.js"

/**
 * Decodes a runnable's input with `input` (from its encoded side, `I`, to the type the runnable
 * takes, `A`) before it runs, and its output with `output` (from what it returns to the schema's
 * type) after:
 *
 * - types: an input schema `Schema<A, I, RI>` turns a `Runnable<A, Out, E, R>` into a
 *   `Runnable<I, Out, E | SchemaError, R | RI>` (it then takes raw data: JSON from a request, a
 *   model's parsed output); an output schema `Schema<B, Out, RO>` makes the output `B` (and can
 *   transform it: `Schema.NumberFromString` turns `"42"` into `42`).
 * - A bad input fails the run with `SchemaError` (`boundary: "input"`, the runnable's name, the
 *   `ParseError`) before the runnable's work starts: nothing else runs. A bad output fails it with
 *   `boundary: "output"` after the work.
 * - Input is decoded as unknown data at run time, whatever its static type: the point of a
 *   boundary is data that does not keep its promises.
 * - Streaming: each chunk is decoded on its own, as a chunk has the output's type; the first
 *   chunk that does not fit fails the stream there, after the chunks before it were delivered.
 *   A runnable that consumes a streamed input (`transform`) has each input chunk decoded too.
 *   So `invoke` decodes the whole output while `stream` decodes the chunks: a schema whose
 *   decoding does not commute with the concat rule (one that parses numbers from strings, say)
 *   can give them different results.
 * - No run is added: the result is the runnable itself (same name, kind, configuration), with
 *   its boundaries checked.
 *
 * @example
 * ```ts
 * import * as Fx from "@fxchain/combinators"
 * import { Runnable } from "@fxchain/core"
 * import { Schema } from "effect"
 *
 * const Question = Schema.Struct({ text: Schema.NonEmptyString, maxWords: Schema.NumberFromString })
 * const Answer = Schema.Struct({ text: Schema.String, confidence: Schema.Number.pipe(Schema.between(0, 1)) })
 *
 * declare const answer: Runnable.Runnable<typeof Question.Type, { text: string; confidence: number }>
 *
 * // Runnable<{ text: string; maxWords: string }, { text: string; confidence: number }, SchemaError>
 * const checked = answer.pipe(Fx.withSchema({ input: Question, output: Answer }))
 * ```
 *
 * @since 0.1.0
 * @category policies
 */
export const withSchema: {
  <A, I, RI, B, Out, RO>(
    schemas: { readonly input: Schema.Schema<A, I, RI>; readonly output: Schema.Schema<B, Out, RO> }
  ): <E, R>(self: Runnable.Runnable<A, Out, E, R>) => Runnable.Runnable<I, B, E | SchemaError, R | RI | RO>
  <A, I, RI>(
    schemas: { readonly input: Schema.Schema<A, I, RI>; readonly output?: undefined }
  ): <Out, E, R>(self: Runnable.Runnable<A, Out, E, R>) => Runnable.Runnable<I, Out, E | SchemaError, R | RI>
  <B, Out, RO>(
    schemas: { readonly input?: undefined; readonly output: Schema.Schema<B, Out, RO> }
  ): <In, E, R>(self: Runnable.Runnable<In, Out, E, R>) => Runnable.Runnable<In, B, E | SchemaError, R | RO>
  <A, E, R, I, RI, B, O, RO>(
    self: Runnable.Runnable<NoInfer<A>, NoInfer<O>, E, R>,
    schemas: { readonly input: Schema.Schema<A, I, RI>; readonly output: Schema.Schema<B, O, RO> }
  ): Runnable.Runnable<I, B, E | SchemaError, R | RI | RO>
  <A, Out, E, R, I, RI>(
    self: Runnable.Runnable<NoInfer<A>, Out, E, R>,
    schemas: { readonly input: Schema.Schema<A, I, RI>; readonly output?: undefined }
  ): Runnable.Runnable<I, Out, E | SchemaError, R | RI>
  <In, E, R, B, O, RO>(
    self: Runnable.Runnable<In, NoInfer<O>, E, R>,
    schemas: { readonly input?: undefined; readonly output: Schema.Schema<B, O, RO> }
  ): Runnable.Runnable<In, B, E | SchemaError, R | RO>
} = dual((args) => Runnable.isRunnable(args[0]), internal.withSchema)

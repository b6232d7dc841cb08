/** @internal */
import { Runnable } from "@fxchain/core"
import * as Effect from "effect/Effect"
import type * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import { SchemaError } from "../Errors.js"

type AnySchema = Schema.Schema<any, any, any>

/** @internal */
export interface Schemas {
  readonly input?: AnySchema | undefined
  readonly output?: AnySchema | undefined
}

const decoder = (
  name: string,
  boundary: "input" | "output",
  schema: AnySchema | undefined
): ((value: unknown) => Effect.Effect<any, SchemaError, any>) | undefined => {
  if (schema === undefined) return undefined
  const decode = Schema.decodeUnknown(schema)
  const toError = (parseError: ParseResult.ParseError) => new SchemaError({ runnable: name, boundary, parseError })
  return (value) => Effect.mapError(decode(value), toError)
}

/** @internal */
export const withSchema = (
  self: Runnable.Runnable<any, any, any, any>,
  schemas: Schemas
): Runnable.Runnable<any, any, any, any> => {
  const decodeInput = decoder(self.name, "input", schemas.input)
  const decodeOutput = decoder(self.name, "output", schemas.output)
  return Runnable.wrap(self, ({ run, stream, transform }) => ({
    run: (input: unknown) => {
      const ran = decodeInput === undefined ? run(input) : Effect.flatMap(decodeInput(input), run)
      return decodeOutput === undefined ? ran : Effect.flatMap(ran, decodeOutput)
    },
    stream: stream === undefined ? undefined : (input: unknown) => {
      const streamed = decodeInput === undefined ? stream(input) : Stream.unwrap(Effect.map(decodeInput(input), stream))
      return decodeOutput === undefined ? streamed : Stream.mapEffect(streamed, decodeOutput)
    },
    transform: transform === undefined ? undefined : (input: Stream.Stream<any, any, any>) => {
      const transformed = transform(decodeInput === undefined ? input : Stream.mapEffect(input, decodeInput))
      return decodeOutput === undefined ? transformed : Stream.mapEffect(transformed, decodeOutput)
    }
  }))
}

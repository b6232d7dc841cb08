/** @internal */
import { SchemaError } from "@fxchain/combinators"
import { Concat, Runnable } from "@fxchain/core"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import type * as OutputParser from "../OutputParser.js"
import type { JsonValue } from "../OutputParser.js"
import { ParseFailure } from "../OutputParser.js"
import { JsonChunks, parse } from "./outputParserJson.js"

/** @internal */
export const textOf = (input: OutputParser.Input): string => typeof input === "string" ? input : input.text

/**
 * Runs `step` over each input chunk's text, with state made afresh for each run of the stream;
 * `end` then adds what the state still holds, or fails. `end` learns whether any input arrived:
 * a parser given no input at all yields nothing, as a step that gathers its input does not run
 * on an empty stream.
 */
const statefulText = <State, A, E, R, E2, R2>(
  input: Stream.Stream<OutputParser.Input, E2, R2>,
  initial: () => State,
  step: (state: State, text: string) => ReadonlyArray<A>,
  end: (state: State, sawInput: boolean) => Effect.Effect<ReadonlyArray<A>, E, R>
): Stream.Stream<A, E | E2, R | R2> =>
  Stream.suspend(() => {
    const state = initial()
    let sawInput = false
    return input.pipe(
      Stream.mapChunks((chunk) => {
        if (Chunk.isEmpty(chunk)) return Chunk.empty<A>()
        sawInput = true
        const output: Array<A> = []
        for (const item of chunk) {
          for (const value of step(state, textOf(item))) output.push(value)
        }
        return Chunk.unsafeFromArray(output)
      }),
      Stream.concat(Stream.flatMap(Stream.fromEffect(Effect.suspend(() => end(state, sawInput))), Stream.fromIterable))
    )
  })

// -----------------------------------------------------------------------------
// string
// -----------------------------------------------------------------------------

/** @internal */
export const string: Runnable.Runnable<OutputParser.Input, string> = Runnable.make({
  name: "StringOutputParser",
  kind: "parser",
  run: (input: OutputParser.Input) => Effect.sync(() => textOf(input)),
  stream: (input: OutputParser.Input) => Stream.sync(() => textOf(input)),
  transform: (input) =>
    statefulText(
      input,
      () => ({ emitted: false }),
      (state, text) => {
        if (text.length === 0) return []
        state.emitted = true
        return [text]
      },
      // chunks that all held no text still make an answer: the empty one
      (state, sawInput) => Effect.succeed(sawInput && !state.emitted ? [""] : [])
    ),
  sync: textOf
})

// -----------------------------------------------------------------------------
// json
// -----------------------------------------------------------------------------

/** @internal */
export const parseJson = (runnable: string, text: string): Effect.Effect<JsonValue, ParseFailure> =>
  Effect.suspend(() => {
    const result = parse(text, false)
    return result._tag === "Value"
      ? Effect.succeed(result.value)
      : Effect.fail(new ParseFailure({ runnable, text, reason: result._tag === "Error" ? result.reason : "no JSON value" }))
  })

/** @internal */
export const jsonChunks = <E2, R2>(
  runnable: string,
  input: Stream.Stream<OutputParser.Input, E2, R2>
): Stream.Stream<JsonValue, ParseFailure | E2, R2> =>
  statefulText(
    input,
    () => new JsonChunks(),
    (chunks, text) => text.length === 0 ? [] : chunks.push(text),
    (chunks, sawInput) =>
      sawInput ? Effect.map(parseJson(runnable, chunks.text), (value) => chunks.finish(value)) : Effect.succeed([])
  )

/** @internal */
export const json = (options?: OutputParser.Options): Runnable.Runnable<OutputParser.Input, JsonValue, ParseFailure> => {
  const name = options?.name ?? "JsonOutputParser"
  return Runnable.make({
    name,
    kind: "parser",
    run: (input: OutputParser.Input) => parseJson(name, textOf(input)),
    transform: (input) => jsonChunks(name, input)
  })
}

// -----------------------------------------------------------------------------
// schema
// -----------------------------------------------------------------------------

/** @internal */
export const schema = <A, I, R>(
  schema: Schema.Schema<A, I, R>,
  options?: OutputParser.Options
): Runnable.Runnable<OutputParser.Input, A, ParseFailure | SchemaError, R> => {
  const name = options?.name ?? "SchemaOutputParser"
  const decode = Schema.decodeUnknown(schema, { errors: "all" })
  const parseAndDecode = (text: string): Effect.Effect<A, ParseFailure | SchemaError, R> =>
    Effect.flatMap(
      parseJson(name, text),
      (value) => Effect.mapError(decode(value), (parseError) => new SchemaError({ runnable: name, boundary: "output", text, parseError }))
    )
  return Runnable.make({
    name,
    kind: "parser",
    run: (input: OutputParser.Input) => parseAndDecode(textOf(input)),
    transform: (input) =>
      statefulText(
        input,
        () => ({ text: "" }),
        (state, text) => {
          state.text += text
          return []
        },
        (state, sawInput) => sawInput ? Effect.map(parseAndDecode(state.text), (value) => [value]) : Effect.succeed([])
      )
  })
}

// -----------------------------------------------------------------------------
// list
// -----------------------------------------------------------------------------

const defaultSeparators: ReadonlyArray<string> = [",", "\n"]
const marker = /^(?:[-*+•]|\d+[.)])\s+/

/** Cuts text into items as separators arrive; the text after the last separator is pending. */
class ListSplitter {
  private pending = ""
  /** Where in `pending` a separator may start: none starts before. */
  private searchFrom = 0
  private readonly longest: number
  constructor(private readonly separators: ReadonlyArray<string>, private readonly stripMarkers: boolean) {
    this.longest = Math.max(...separators.map((separator) => separator.length))
  }

  private clean(item: string): string | undefined {
    let text = item.trim()
    if (this.stripMarkers) text = text.replace(marker, "").trim()
    return text.length === 0 ? undefined : text
  }

  push(text: string): Array<string> {
    const items: Array<string> = []
    this.pending += text
    while (true) {
      let at = -1
      let length = 0
      for (const separator of this.separators) {
        const index = this.pending.indexOf(separator, this.searchFrom)
        if (index >= 0 && (at < 0 || index < at || (index === at && separator.length > length))) {
          at = index
          length = separator.length
        }
      }
      if (at < 0) {
        // a separator cut by the end of this text may still be completed by the next one
        this.searchFrom = Math.max(0, this.pending.length - this.longest + 1)
        return items
      }
      const item = this.clean(this.pending.slice(0, at))
      this.pending = this.pending.slice(at + length)
      this.searchFrom = 0
      if (item !== undefined) items.push(item)
    }
  }

  end(): Array<string> {
    const item = this.clean(this.pending)
    this.pending = ""
    this.searchFrom = 0
    return item === undefined ? [] : [item]
  }
}

const separatorsOf = (options: OutputParser.ListOptions | undefined): ReadonlyArray<string> => {
  const separator = options?.separator
  const separators = separator === undefined ? defaultSeparators : typeof separator === "string" ? [separator] : separator
  if (separators.length === 0 || separators.some((each) => each.length === 0)) {
    throw new TypeError("OutputParser.list: a separator is a non-empty string")
  }
  return separators
}

/** @internal */
export const list = (options?: OutputParser.ListOptions): Runnable.Runnable<OutputParser.Input, Array<string>> => {
  const name = options?.name ?? "ListOutputParser"
  const separators = separatorsOf(options)
  const stripMarkers = options?.stripMarkers ?? false
  const split = (text: string): Array<string> => {
    const splitter = new ListSplitter(separators, stripMarkers)
    return [...splitter.push(text), ...splitter.end()]
  }
  return Runnable.make({
    name,
    kind: "parser",
    run: (input: OutputParser.Input) => Effect.sync(() => split(textOf(input))),
    stream: (input: OutputParser.Input) => Stream.sync(() => split(textOf(input))),
    transform: (input) =>
      statefulText(
        input,
        () => ({ splitter: new ListSplitter(separators, stripMarkers), emitted: false }),
        (state, text) => {
          const items = state.splitter.push(text)
          if (items.length > 0) state.emitted = true
          return items.map((item) => [item])
        },
        (state, sawInput) =>
          Effect.sync((): ReadonlyArray<Array<string>> => {
            const items = state.splitter.end().map((item) => [item])
            // an answer without items is the empty list, still one chunk
            return items.length === 0 && sawInput && !state.emitted ? [[]] : items
          })
      ),
    sync: (input: OutputParser.Input) => split(textOf(input))
  })
}

// -----------------------------------------------------------------------------
// accumulate
// -----------------------------------------------------------------------------

/** @internal */
export const accumulate = <A, E, R>(self: Stream.Stream<A, E, R>): Stream.Stream<A, E, R> =>
  Stream.mapAccum(self, Option.none<A>(), (sofar, chunk) => {
    const next = Option.isNone(sofar)
      ? (Concat.isReplacement(chunk) ? chunk.value as A : chunk)
      : Concat.combine(sofar.value, chunk)
    return [Option.some(next), next]
  })

/**
 * Properties over generated inputs (`effect/FastCheck`, `fuzzRuns` runs each, seed `fuzzSeed`):
 * prompt templates and the values put in them, JSON cut at random points (keys given twice,
 * nesting thousands deep), and schema parsers. Each run ends in a value or a typed failure,
 * never a defect, and streaming agrees with invoking.
 */
import { describe, expect, it } from "@effect/vitest"
import { Concat, Runnable } from "@fxchain/core"
import { Arbitrary, Cause, Chunk, Effect, Either, Exit, Option, Schema, Stream } from "effect"
import * as fc from "effect/FastCheck"
import { isDeepStrictEqual } from "node:util"
import { maxDepth, parse } from "../../src/internal/outputParserJson.js"
import * as OutputParser from "../../src/OutputParser.js"
import * as PromptTemplate from "../../src/PromptTemplate.js"
import { cut, isConsistent } from "../support/pieces.js"
import { fuzzRuns, fuzzSeed, record, soak, timed } from "./support/harness.js"

/**
 * Checks a property over `fuzzRuns` runs with the seed, and records the figure. Each run yields
 * to the event loop first, so that a long check does not starve the test runner's messages.
 */
const check = <Ts extends [unknown, ...Array<unknown>]>(
  name: string,
  arbitraries: { [K in keyof Ts]: fc.Arbitrary<Ts[K]> },
  predicate: (...values: Ts) => void
): Promise<void> =>
  Effect.runPromise(timed(Effect.promise(() =>
    fc.assert(
      fc.asyncProperty(...arbitraries, async (...values: Ts) => {
        await new Promise((resolve) => setImmediate(resolve))
        predicate(...values)
      }),
      { numRuns: fuzzRuns, seed: fuzzSeed, endOnFailure: true }
    )
  ))).then(([, millis]) => record({ suite: "fuzz", name, runs: fuzzRuns, seed: fuzzSeed, millis }))

/** A property takes seconds in CI, minutes in the soak run. */
const timeout = soak ? 3_600_000 : 120_000

/** The failure of an exit, or "defect" / "interrupted"; `undefined` for a success. */
const failureOf = <A, E>(exit: Exit.Exit<A, E>): E | "defect" | "interrupted" | undefined => {
  if (Exit.isSuccess(exit)) return undefined
  const failure = Cause.failureOption(exit.cause)
  if (failure._tag === "Some") return failure.value
  return Cause.isInterruptedOnly(exit.cause) ? "interrupted" : "defect"
}

/** Streams `pieces` through a parser, one chunk each; the chunks yielded, and how the stream ended. */
const transformed = <Out, E>(parser: Runnable.Runnable<OutputParser.Input, Out, E>, pieces: ReadonlyArray<string>) => {
  const chunks: Array<Out> = []
  const exit = Effect.runSyncExit(
    Runnable.transform(parser, Stream.fromIterable(pieces).pipe(Stream.rechunk(1))).pipe(
      Stream.runForEach((chunk) => Effect.sync(() => chunks.push(chunk)))
    )
  )
  return { chunks, exit }
}

// -----------------------------------------------------------------------------
// prompt templates
// -----------------------------------------------------------------------------

/** Template text: mostly prose and variables, with braces (balanced or not) mixed in. */
const templateText = fc.array(
  fc.oneof(
    { weight: 4, arbitrary: fc.string({ unit: fc.constantFrom("a", "b", " ", ".", "é", "\n") }) },
    { weight: 3, arbitrary: fc.constantFrom("{a}", "{b}", "{c}", "{long name}") },
    { weight: 1, arbitrary: fc.constantFrom("{", "}", "{{", "}}", "{}", "{ a}", "{a{b}") }
  ),
  { maxLength: 12 }
).map((parts) => parts.join(""))

const circular = (): unknown => {
  const value: Record<string, unknown> = { name: "loop" }
  value.self = value
  return value
}

class Opaque {
  toString(): string {
    throw new Error("no text")
  }
}

/** Values a caller may pass where a template wants strings, the unrenderable ones included. */
const templateValue = fc.oneof(
  { weight: 6, arbitrary: fc.string() },
  { weight: 2, arbitrary: fc.anything({ withBigInt: true, withDate: true, withMap: true, withSet: true, withNullPrototype: true }) },
  {
    weight: 1,
    arbitrary: fc.constantFrom<() => unknown>(
      circular,
      () => [1n],
      () => ({ toJSON: () => { throw new Error("no JSON") } }),
      () => new Opaque(),
      () => Object.create(Object.create(null)),
      () => undefined,
      () => null
    ).map((make) => make())
  }
)

/** The text of a well-formed template with string values, by a rule independent of the implementation. */
const reference = (template: string, values: Readonly<Record<string, string>>): string =>
  template.replace(/\{\{|\}\}|\{([^{}]*)\}/g, (match, name: string | undefined) =>
    match === "{{" ? "{" : match === "}}" ? "}" : values[name!]!)

describe("fuzz: prompt templates", () => {
  it("any template either throws InvalidTemplateError when made, or fills in any values: text or a typed failure", async () => {
    await check(
      "prompt templates × values (make, format)",
      [templateText, fc.dictionary(fc.constantFrom("a", "b", "c", "long name", "other"), templateValue)],
      (template, values) => {
        let prompt: ReturnType<typeof PromptTemplate.make<string>>
        try {
          prompt = PromptTemplate.make(template)
        } catch (error) {
          expect(error).toBeInstanceOf(PromptTemplate.InvalidTemplateError)
          expect(() => PromptTemplate.variables(template)).toThrow(PromptTemplate.InvalidTemplateError)
          return
        }
        const exit = Effect.runSyncExit(Runnable.invoke(prompt, values as Record<string, string>))
        const failure = failureOf(exit)
        if (failure !== undefined) {
          expect(["MissingVariableError", "UnrenderableValueError"]).toContain((failure as { _tag?: string })._tag)
        }
        const formatted = PromptTemplate.format(template, values as Record<string, string>)
        expect(Either.isLeft(formatted) ? formatted.left._tag : "text").toBe(
          failure === undefined ? "text" : (failure as { _tag: string })._tag
        )
        const variables = PromptTemplate.variables(template)
        if (Exit.isSuccess(exit) && variables.every((name) => typeof values[name] === "string")) {
          const text = reference(template, values as Record<string, string>)
          expect(Either.getOrThrow(formatted)).toBe(text)
          expect(exit.value.content.length).toBe(1)
        }
      }
    )
  }, timeout)
})

// -----------------------------------------------------------------------------
// JSON cut at random points
// -----------------------------------------------------------------------------

/** JSON text, and whether one of its objects gives a key twice. */
interface JsonText {
  readonly text: string
  readonly repeatsKey: boolean
}

/** JSON text whose objects draw keys from a small set, so that a key is often given twice. */
const jsonWithRepeatedKeys: fc.Arbitrary<JsonText> = fc.letrec<{ value: JsonText }>((tie) => ({
  value: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.oneof(
      fc.string({ maxLength: 6 }).map((text) => JSON.stringify(text)),
      fc.double({ noNaN: true, noDefaultInfinity: true }).map((number) => JSON.stringify(number)),
      fc.constantFrom("true", "false", "null", "0", "-1.5e3", "\"\\u00e9\\n\\\"\"", "\"😀\"")
    ).map((text) => ({ text, repeatsKey: false })),
    fc.array(tie("value"), { maxLength: 4 }).map((items) => ({
      text: `[${items.map((item) => item.text).join(",")}]`,
      repeatsKey: items.some((item) => item.repeatsKey)
    })),
    fc.array(fc.tuple(fc.constantFrom("a", "b", "c", "__proto__"), tie("value")), { maxLength: 5 }).map((members) => ({
      text: `{${members.map(([key, value]) => `${JSON.stringify(key)}: ${value.text}`).join(", ")}}`,
      repeatsKey: new Set(members.map(([key]) => key)).size < members.length || members.some(([, value]) => value.repeatsKey)
    }))
  )
})).value

const parser = OutputParser.json()

describe("fuzz: JSON cut at random points", () => {
  it("keys given twice: the streamed chunks combine into JSON.parse's value, after every piece as after the last", async () => {
    await check(
      "JSON with repeated keys, cut at random points",
      [jsonWithRepeatedKeys, fc.array(fc.nat(), { maxLength: 12 }), fc.boolean()],
      ({ repeatsKey, text: json }, cuts, fenced) => {
        const expected = JSON.parse(json)
        const text = fenced ? "Here you go:\n```json\n" + json + "\n```" : json
        const pieces = cut(text, cuts)
        const { chunks, exit } = transformed(parser, pieces)
        expect(Exit.isSuccess(exit)).toBe(true)
        expect(isDeepStrictEqual(Concat.combineAll(chunks), expected)).toBe(true)
        expect(isDeepStrictEqual(Effect.runSync(Runnable.invoke(parser, text)), expected)).toBe(true)
        // what was combined after each piece is what the text so far says, by the whole-text parser
        const partials = Effect.runSync(Stream.runCollect(Stream.fromIterable(chunks).pipe(OutputParser.accumulate)))
        let sofar = ""
        // a number at the very end is certain only once the input has ended
        const references: Array<unknown> = [expected]
        for (const piece of pieces) {
          sofar += piece
          const reference = parse(sofar, true)
          if (reference._tag === "Value") references.push(reference.value)
        }
        for (const partial of partials) {
          expect(references.some((reference) => isDeepStrictEqual(reference, partial))).toBe(true)
        }
        expect(isDeepStrictEqual(Chunk.last(partials), Option.some(expected))).toBe(true)
        // without a key given twice, every partial value is the final one with parts missing
        if (!repeatsKey) for (const partial of partials) expect(isConsistent(partial, expected)).toBe(true)
      }
    )
  }, timeout)

  it("nesting up to the limit streams, combines and parses as JSON.parse does; deeper fails with ParseFailure", async () => {
    const nested = fc.tuple(
      fc.oneof({ weight: 4, arbitrary: fc.integer({ min: 1, max: maxDepth }) }, fc.integer({ min: maxDepth + 1, max: 3 * maxDepth })),
      fc.array(fc.boolean(), { minLength: 1, maxLength: 8 }),
      fc.string({ maxLength: 4 })
    )
      .map(([depth, kinds, leaf]) => {
        let open = ""
        let close = ""
        for (let level = 0; level < depth; level++) {
          const inObject = kinds[level % kinds.length]!
          open += inObject ? `{"k${level % 3}": ` : "["
          close = (inObject ? "}" : "]") + close
        }
        return { depth, json: open + JSON.stringify(leaf) + close }
      })
    await check(
      `JSON nested up to ${3 * maxDepth} deep (limit ${maxDepth}), cut at random points`,
      [nested, fc.array(fc.nat(), { maxLength: 8 })],
      ({ depth, json }, cuts) => {
        const { chunks, exit } = transformed(parser, cut(json, cuts))
        const invoked = Effect.runSyncExit(Runnable.invoke(parser, json))
        if (depth > maxDepth) {
          expect(failureOf(exit)).toMatchObject({ _tag: "ParseFailure" })
          expect(failureOf(invoked)).toMatchObject({ _tag: "ParseFailure" })
          return
        }
        const expected = JSON.parse(json)
        expect(exit).toEqual(Exit.void)
        expect(isDeepStrictEqual(Concat.combineAll(chunks), expected)).toBe(true)
        expect(Exit.isSuccess(invoked) && isDeepStrictEqual(invoked.value, expected)).toBe(true)
      }
    )
  }, timeout)

  it("text that is not JSON, cut anywhere, fails with ParseFailure after what was valid, never a defect", async () => {
    await check(
      "arbitrary text through json(), cut at random points",
      [fc.string({ unit: fc.constantFrom("{", "}", "[", "]", "\"", ":", ",", "a", "1", " ", "\\", "`", "n", "u", "e", "-") }), fc.array(fc.nat(), { maxLength: 8 })],
      (text, cuts) => {
        const invoked = Effect.runSyncExit(Runnable.invoke(parser, text))
        const { exit } = transformed(parser, cut(text, cuts))
        const failure = failureOf(invoked)
        expect(failure === undefined || (failure as { _tag?: string })._tag === "ParseFailure").toBe(true)
        expect(failureOf(exit) === undefined).toBe(failure === undefined)
        if (failure !== undefined) expect(failureOf(exit)).toMatchObject({ _tag: "ParseFailure", text })
      }
    )
  }, timeout)
})

// -----------------------------------------------------------------------------
// schema parsers
// -----------------------------------------------------------------------------

const Ticket = Schema.Struct({
  title: Schema.String,
  priority: Schema.Int.pipe(Schema.between(1, 5)),
  tags: Schema.Array(Schema.String),
  due: Schema.optional(Schema.DateFromString)
})

describe("fuzz: schema parsers", () => {
  it("any answer decodes to a Ticket or fails with ParseFailure or SchemaError, streamed as invoked", async () => {
    const ticketParser = OutputParser.schema(Ticket)
    const answers = fc.oneof(
      Arbitrary.make(Ticket).map((ticket) => JSON.stringify(Schema.encodeSync(Ticket)(ticket))),
      fc.jsonValue().map((value) => JSON.stringify(value)),
      fc.record({ title: fc.jsonValue(), priority: fc.jsonValue(), tags: fc.jsonValue() }).map((value) => JSON.stringify(value)),
      fc.string()
    )
    await check(
      "OutputParser.schema over generated answers, cut at random points",
      [answers, fc.array(fc.nat(), { maxLength: 8 })],
      (text, cuts) => {
        const invoked = Effect.runSyncExit(Runnable.invoke(ticketParser, text))
        const failure = failureOf(invoked)
        if (failure === undefined) expect(Schema.is(Ticket)(Exit.isSuccess(invoked) ? invoked.value : undefined)).toBe(true)
        else expect(["ParseFailure", "SchemaError"]).toContain((failure as { _tag?: string })._tag)
        const { chunks, exit } = transformed(ticketParser, cut(text, cuts))
        expect(failureOf(exit) === undefined).toBe(failure === undefined)
        if (failure === undefined) expect(chunks).toEqual([Exit.isSuccess(invoked) ? invoked.value : undefined])
        else expect((failureOf(exit) as { _tag: string })._tag).toBe((failure as { _tag: string })._tag)
      }
    )
  }, timeout)
})

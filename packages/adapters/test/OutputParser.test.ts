import { describe, expect, expectTypeOf, it } from "@effect/vitest"
import * as Fx from "@fxchain/combinators"
import { Concat, Runnable, RunEvent, Testing } from "@fxchain/core"
import { Chunk, Effect, Fiber, ParseResult, Schema, Stream, TestClock } from "effect"
import * as fc from "effect/FastCheck"
import { JsonChunks, parse } from "../src/internal/outputParserJson.js"
import * as OutputParser from "../src/OutputParser.js"
import { cut, isConsistent } from "./support/pieces.js"

/** A model message chunk as the model runnable yields it; only `text` is read by parsers. */
interface MessageChunk {
  readonly text: string
  readonly toolCalls: ReadonlyArray<unknown>
  readonly finishReason?: string
}

/**
 * A stand-in model: streams `parts` as message chunks, one every `chunkLatency` on the Clock,
 * then a last chunk with no text and a finish reason (as a real model does).
 */
const modelOf = (parts: ReadonlyArray<string>) =>
  Testing.scripted({
    name: "model",
    kind: "model",
    respond: (_: string): MessageChunk => ({ text: parts.join(""), toolCalls: [], finishReason: "stop" }),
    chunks: () => [...parts.map((text): MessageChunk => ({ text, toolCalls: [] })), { text: "", toolCalls: [], finishReason: "stop" }],
    chunkLatency: "1 second"
  })

const collect = <A, E, R>(stream: Stream.Stream<A, E, R>) => Effect.map(Stream.runCollect(stream), Chunk.toReadonlyArray)

/** The pieces as a stream that delivers each separately, as a model streams its chunks. */
const piecesOf = (pieces: ReadonlyArray<string>) => Stream.fromIterable(pieces).pipe(Stream.rechunk(1))

const transformed = <Out, E>(parser: Runnable.Runnable<OutputParser.Input, Out, E>, pieces: ReadonlyArray<string>) =>
  collect(Runnable.transform(parser, piecesOf(pieces)))

/** Streams `stream` in a fiber, recording what it yields, so a test can look between Clock ticks. */
const record = <A, E>(stream: Stream.Stream<A, E>) =>
  Effect.gen(function*() {
    const seen: Array<A> = []
    const fiber = yield* Effect.fork(Stream.runForEach(stream, (chunk) => Effect.sync(() => seen.push(chunk))))
    yield* Effect.yieldNow()
    return { seen, fiber }
  })

describe("OutputParser.string", () => {
  it.effect("invoke returns the text of a string or of a message", () =>
    Effect.gen(function*() {
      expectTypeOf(OutputParser.string).toEqualTypeOf<Runnable.Runnable<OutputParser.Input, string>>()
      expect([OutputParser.string.name, OutputParser.string.kind]).toEqual(["StringOutputParser", "parser"])
      expect(yield* Runnable.invoke(OutputParser.string, "plain")).toBe("plain")
      const message: MessageChunk = { text: "from a model", toolCalls: [{ id: "1" }], finishReason: "stop" }
      expect(yield* Runnable.invoke(OutputParser.string, message)).toBe("from a model")
      expect(yield* collect(Runnable.stream(OutputParser.string, message))).toEqual(["from a model"])
    }))

  it.effect("transform yields each chunk's text, skipping chunks without text", () =>
    Effect.gen(function*() {
      const chunks: ReadonlyArray<MessageChunk> = [
        { text: "Hel", toolCalls: [] },
        { text: "", toolCalls: [{ id: "call" }] },
        { text: "lo", toolCalls: [] },
        { text: "", toolCalls: [], finishReason: "stop" }
      ]
      expect(yield* collect(Runnable.transform(OutputParser.string, Stream.fromIterable(chunks).pipe(Stream.rechunk(1))))).toEqual([
        "Hel",
        "lo"
      ])
      // chunks without any text are still an (empty) answer; no chunks at all are none
      expect(yield* collect(Runnable.transform(OutputParser.string, Stream.make({ text: "" }, { text: "" })))).toEqual([""])
      expect(yield* collect(Runnable.transform(OutputParser.string, Stream.empty))).toEqual([])
    }))

  it.effect("in a streamed sequence the text flows through while the model is still answering", () =>
    Effect.gen(function*() {
      const chain = Fx.sequence(modelOf(["Once", " upon", " a time"]), OutputParser.string)
      expectTypeOf(chain).toEqualTypeOf<Runnable.Runnable<string, string>>()
      const { fiber, seen } = yield* record(Runnable.stream(chain, "story"))
      yield* TestClock.adjust("1 millis")
      expect(seen).toEqual(["Once"])
      expect(fiber.unsafePoll()).toBeNull()
      yield* TestClock.adjust("1 second")
      expect(seen).toEqual(["Once", " upon"])
      yield* TestClock.adjust("2 seconds")
      yield* Fiber.join(fiber)
      expect(seen).toEqual(["Once", " upon", " a time"])
      expect(yield* Runnable.invoke(chain, "story")).toBe("Once upon a time")
    }))
})

describe("OutputParser.json", () => {
  const parser = OutputParser.json()

  it.effect("invoke parses the text, or the JSON in a ``` fence", () =>
    Effect.gen(function*() {
      expectTypeOf(parser).toEqualTypeOf<Runnable.Runnable<OutputParser.Input, OutputParser.JsonValue, OutputParser.ParseFailure>>()
      expect([parser.name, parser.kind]).toEqual(["JsonOutputParser", "parser"])
      const expected = { a: [1, { b: null }], c: "d" }
      const texts = [
        `{"a": [1, {"b": null}], "c": "d"}`,
        ` \n{"a":[1,{"b":null}],"c":"d"}\n `,
        "```json\n{\"a\": [1, {\"b\": null}], \"c\": \"d\"}\n```",
        "```\n{\"a\": [1, {\"b\": null}], \"c\": \"d\"}\n```\nAnything after the fence.",
        "Here is the JSON you asked for:\n\n```json\n{\"a\": [1, {\"b\": null}], \"c\": \"d\"}\n```",
        "```json\n{\"a\": [1, {\"b\": null}], \"c\": \"d\"}" // the model stopped before closing the fence
      ]
      for (const text of texts) {
        expect(yield* Runnable.invoke(parser, text)).toEqual(expected)
        expect(yield* Runnable.invoke(parser, { text })).toEqual(expected)
      }
      expect(yield* Runnable.invoke(parser, "42")).toBe(42)
      expect(yield* Runnable.invoke(parser, `"a \\"quoted\\" \\u00e9 \\ud83d\\ude00"`)).toBe(`a "quoted" é 😀`)
      expect(yield* Runnable.invoke(parser, `{"code": "\`\`\`js\\nx\\n\`\`\`"}`)).toEqual({ code: "```js\nx\n```" })
    }))

  it.effect("malformed, cut short or missing JSON fails with ParseFailure carrying the raw text and the reason", () =>
    Effect.gen(function*() {
      const cases: ReadonlyArray<readonly [string, RegExp]> = [
        [`{"a": 1,}`, /expected a property name in double quotes, got character "}" at position 8/],
        [`{"a": tru}`, /expected "true", got character "}"/],
        [`{"a": "unterminated`, /expected more JSON, got end of input/],
        [`[1, 2`, /expected more JSON/],
        [`{"a": 1} and some words`, /expected the end of the JSON value, got character "a" at position 9/],
        [`Sure! {"a": 1}`, /expected a JSON value, got character "S" at position 0/],
        ["", /expected more JSON, got end of input/],
        ["```json\n{\"a\": }\n```", /in the ``` fence at position 0: expected a JSON value, got character "}"/],
        [`{'a': 1}`, /expected a property name in double quotes/],
        [`[01]`, /expected ',' or ']', got character "1"/],
        [`{"a": "tab\there"}`, /control characters must be escaped/]
      ]
      for (const [text, reason] of cases) {
        const error = yield* Effect.flip(Runnable.invoke(parser, { text }))
        expect(error).toBeInstanceOf(OutputParser.ParseFailure)
        expect(error._tag).toBe("ParseFailure")
        expect(error.text).toBe(text)
        expect(error.runnable).toBe("JsonOutputParser")
        expect(error.reason).toMatch(reason)
        expect(error.message).toContain(`Runnable "JsonOutputParser" could not parse its input as JSON: ${error.reason}`)
        // JSON.parse agrees that it is not JSON
        if (!text.includes("```")) expect(() => JSON.parse(text)).toThrow()
      }
      const named = yield* Effect.flip(Runnable.invoke(OutputParser.json({ name: "answerParser" }), "nope"))
      expect(named.runnable).toBe("answerParser")
    }))

  it.effect("stream on a whole input yields the value as one chunk", () =>
    Effect.gen(function*() {
      expect(yield* collect(Runnable.stream(parser, `{"a": "b", "n": [1, 2]}`))).toEqual([{ a: "b", n: [1, 2] }])
      const error = yield* Effect.flip(collect(Runnable.stream(parser, "{")))
      expect(error).toMatchObject({ _tag: "ParseFailure", text: "{" })
    }))

  it.effect("transform yields differences that the concat rule combines; accumulate gives the partial values", () =>
    Effect.gen(function*() {
      const pieces = ["```json\n{\"name\": \"Ad", "a\", \"tags\": [\"x\",", " \"y\"]}\n```"]
      const chunks = yield* transformed(parser, pieces)
      expect(chunks).toEqual([{ name: "Ad" }, { name: "a", tags: ["x"] }, { tags: ["y"] }])
      expect(Concat.combineAll(chunks)).toEqual(yield* Runnable.invoke(parser, pieces.join("")))
      const partials = yield* collect(Runnable.transform(parser, piecesOf(pieces)).pipe(OutputParser.accumulate))
      expect(partials).toEqual([{ name: "Ad" }, { name: "Ada", tags: ["x"] }, { name: "Ada", tags: ["x", "y"] }])
    }))

  it.effect("strings with escaped quotes, also when a chunk ends inside an escape", () =>
    Effect.gen(function*() {
      expect(yield* transformed(parser, [`{"q": "he said \\"`, `hi\\" to`, ` me"}`])).toEqual([
        { q: `he said "` },
        { q: `hi" to` },
        { q: " me" }
      ])
      expect(yield* transformed(parser, [`{"q": "a\\`, `"b\\`, `\\c"}`])).toEqual([{ q: "a" }, { q: `"b` }, { q: "\\c" }])
      expect(yield* transformed(parser, [`"caf\\u00`, `e9 \\ud83d`, `\\ude00"`])).toEqual(["caf", "é ", "😀"])
    }))

  it.effect("nested arrays: an array grows by complete elements only", () =>
    Effect.gen(function*() {
      expect(yield* transformed(parser, ["[[1, 2], [3", ", 4]", ", [5]]"])).toEqual([[[1, 2]], [[3, 4]], [[5]]])
      expect(yield* transformed(parser, [`{"rows": [{"a": "x`, `y"}, {"a"`, `: "z"}]}`])).toEqual([
        { rows: [] },
        { rows: [{ a: "xy" }] },
        { rows: [{ a: "z" }] }
      ])
    }))

  it.effect("a number split across chunks is yielded only once complete", () =>
    Effect.gen(function*() {
      expect(yield* transformed(parser, [`{"n": 1`, `23, "m": -`, `4.5e`, `1}`])).toEqual([{}, { n: 123 }, { m: -45 }])
      expect(yield* transformed(parser, ["1", "23"])).toEqual([123])
      expect(yield* transformed(parser, ["[1", "23", "]"])).toEqual([[], [123]])
    }))

  it.effect("true, false and null split across chunks are yielded only once complete", () =>
    Effect.gen(function*() {
      expect(yield* transformed(parser, [`{"ok": tr`, `ue, "no": n`, `ull, "off": f`, "alse}"])).toEqual([
        {},
        { ok: true },
        { no: null },
        { off: false }
      ])
      expect(yield* transformed(parser, ["tr", "ue"])).toEqual([true])
    }))

  it.effect("fences split across chunks, with prose before them", () =>
    Effect.gen(function*() {
      expect(yield* transformed(parser, ["``", "`json\n{\"a\"", ": \"x\"}\n`", "``"])).toEqual([{}, { a: "x" }])
      expect(yield* transformed(parser, ["Sure, here it is:\n``", "`json", "\n[\"a\",", " \"b\"]\n```\nEnjoy!"])).toEqual([
        ["a"],
        ["b"]
      ])
    }))

  it.effect("yields only when the parsed value changed", () =>
    Effect.gen(function*() {
      expect(yield* transformed(parser, [`{"a": "x"`, " ", ",", "", ` "b": 1}`])).toEqual([{ a: "x" }, { b: 1 }])
    }))

  it.effect("malformed JSON fails at the end of the input, after the chunks of what was valid", () =>
    Effect.gen(function*() {
      const seen: Array<unknown> = []
      const error = yield* Runnable.transform(parser, piecesOf([`{"a": "x"`, `, oops}`])).pipe(
        Stream.runForEach((chunk) => Effect.sync(() => seen.push(chunk))),
        Effect.flip
      )
      expect(seen).toEqual([{ a: "x" }])
      expect(error).toBeInstanceOf(OutputParser.ParseFailure)
      expect(error).toMatchObject({ text: `{"a": "x", oops}` })
      // one chunk with no text is an answer without JSON; no chunk at all is no answer
      expect(yield* Effect.flip(transformed(parser, [""]))).toMatchObject({ _tag: "ParseFailure", text: "" })
      expect(yield* collect(Runnable.transform(parser, Stream.empty))).toEqual([])
    }))

  it.effect("an answer that changes its mind yields the new value as a replacement: still combining into the final value", () =>
    Effect.gen(function*() {
      const pieces = [`{"draft": "x"}`, " — no wait:\n```json\n{\"final\": 2}\n```"]
      const chunks = yield* transformed(parser, pieces)
      expect(chunks).toEqual([{ draft: "x" }, Concat.replace({ final: 2 })])
      expect(Concat.combineAll(chunks)).toEqual({ final: 2 })
      const partials = yield* collect(Stream.fromIterable(chunks).pipe(OutputParser.accumulate))
      expect(partials).toEqual([{ draft: "x" }, { final: 2 }])
      expect(yield* Runnable.invoke(parser, pieces.join(""))).toEqual({ final: 2 })
    }))

  it.effect("a key given twice: the last value wins, as with JSON.parse; streaming replaces the first value with it", () =>
    Effect.gen(function*() {
      const pieces = [`{"a": "x", "b": 1, "a`, `": "y"}`]
      expect(yield* Runnable.invoke(parser, pieces.join(""))).toEqual(JSON.parse(pieces.join("")))
      const chunks = yield* transformed(parser, pieces)
      expect(chunks).toEqual([{ a: "x", b: 1 }, { a: Concat.replace("y") }])
      expect(Concat.combineAll(chunks)).toEqual({ a: "y", b: 1 })
      // the key given again in a later chunk than its first value, whatever the value's kind
      for (
        const [pieces, expected] of [
          [[`{"a":"x","a"`, `:"y"}`], { a: "y" }],
          [[`{"a":[1],"a"`, `:[2]}`], { a: [2] }],
          [[`{"a":{"b":"x"},"a"`, `:{"c":"y"}}`], { a: { c: "y" } }],
          [[`{"a":"x","a":"y`, `z","a":1`, `2}`], { a: 12 }],
          [[`{"o":{"a":"x"},"p":1,`, `"o":{"a":"y","a":"z"}}`], { o: { a: "z" }, p: 1 }]
        ] as const
      ) {
        const text = pieces.join("")
        expect(JSON.parse(text)).toEqual(expected)
        const streamed = yield* transformed(parser, pieces)
        expect(Concat.combineAll(streamed), text).toEqual(expected)
        const partials = yield* collect(Stream.fromIterable(streamed).pipe(OutputParser.accumulate))
        expect(partials.at(-1), text).toEqual(expected)
        expect(Runnable.invoke(parser, text).pipe(Effect.runSync)).toEqual(expected)
      }
      // "__proto__" is a key like any other, as with JSON.parse
      const value = yield* Runnable.invoke(parser, `{"__proto__": {"polluted": true}}`)
      expect(Object.keys(value as object)).toEqual(["__proto__"])
      expect(Object.getPrototypeOf(value)).toBe(Object.prototype)
    }))

  it.effect("nesting deeper than 1,000 levels fails with ParseFailure, however deep, streamed or invoked", () =>
    Effect.gen(function*() {
      const nested = (depth: number) => "[".repeat(depth) + "1" + "]".repeat(depth)
      const deepest = nested(1_000)
      expect(yield* Runnable.invoke(parser, deepest)).toEqual(JSON.parse(deepest))
      expect(Concat.combineAll(yield* transformed(parser, [deepest.slice(0, 700), deepest.slice(700)]))).toEqual(JSON.parse(deepest))
      for (const depth of [1_001, 100_000]) {
        const text = nested(depth)
        JSON.parse(text) // JSON.parse takes it
        expect(yield* Effect.flip(Runnable.invoke(parser, text))).toMatchObject({
          _tag: "ParseFailure",
          reason: `expected JSON nested at most 1000 levels deep, got character "[" at position 1000`
        })
        expect(yield* Effect.flip(transformed(parser, [text.slice(0, 900), text.slice(900)]))).toMatchObject({ _tag: "ParseFailure" })
        expect(yield* Effect.flip(Runnable.invoke(OutputParser.schema(Schema.Unknown), text))).toMatchObject({ _tag: "ParseFailure" })
      }
    }))

  it.effect("in a streamed sequence the first partial value arrives before the model has finished", () =>
    Effect.gen(function*() {
      const chain = Fx.sequence(modelOf([`{"title": "Du`, `ne", "year": 19`, `65}`]), OutputParser.json())
      const { fiber, seen } = yield* record(Runnable.stream(chain, "a book"))
      yield* TestClock.adjust("1 millis")
      expect(seen).toEqual([{ title: "Du" }])
      expect(fiber.unsafePoll()).toBeNull()
      yield* TestClock.adjust("1 second")
      expect(seen).toEqual([{ title: "Du" }, { title: "ne" }])
      yield* TestClock.adjust("1 second")
      expect(seen).toEqual([{ title: "Du" }, { title: "ne" }, { year: 1965 }])
      expect(fiber.unsafePoll()).toBeNull() // the model's last chunk is still to come
      yield* TestClock.adjust("1 second")
      yield* Fiber.join(fiber)
      expect(Concat.combineAll(seen)).toEqual({ title: "Dune", year: 1965 })
    }))

  it.effect("the parser's Ended event holds the complete value (the chunks combined by the concat rule)", () =>
    Effect.gen(function*() {
      const chain = Fx.sequence(modelOf([`{"title": "Du`, `ne", "tags": ["a"`, `, "b"]}`]), OutputParser.json())
      const fiber = yield* Effect.fork(collect(Runnable.streamEvents(chain, "a book")))
      yield* TestClock.adjust("10 seconds")
      const events = yield* Fiber.join(fiber)
      const ended = events.filter(RunEvent.$is("Ended")).find((event) => event.name === "JsonOutputParser")!
      expect(ended.kind).toBe("parser")
      expect(ended.output).toEqual({ title: "Dune", tags: ["a", "b"] })
    }))

  const wrappers = [
    (json: string) => json,
    (json: string) => "```json\n" + json + "\n```",
    (json: string) => "Here it is:\n```\n" + json + "\n```\nAnything else?"
  ]

  const jsonArbitrary = fc.oneof(fc.jsonValue({ maxDepth: 4 }), fc.jsonValue({ maxDepth: 3, stringUnit: "binary" }))

  it.prop(
    "the streaming reader agrees, after every piece, with the whole-text parser run on the text so far",
    [jsonArbitrary, fc.array(fc.nat(), { maxLength: 24 }), fc.boolean(), fc.integer({ min: 0, max: 2 })],
    ([value, cuts, pretty, wrapper]) => {
      const text = wrappers[wrapper]!(JSON.stringify(value, null, pretty ? 2 : undefined))
      const chunks = new JsonChunks()
      let sofar = ""
      let combined: unknown = undefined
      for (const piece of cut(text, cuts)) {
        sofar += piece
        for (const chunk of chunks.push(piece)) combined = combined === undefined ? chunk : Concat.combine(combined, chunk)
        // the whole-text parser finds nothing (or, before a fence, an error) where nothing was yielded yet
        const reference = parse(sofar, true)
        expect(combined).toEqual(reference._tag === "Value" ? reference.value : undefined)
      }
    },
    { fastCheck: { numRuns: 300 } }
  )

  it.effect.prop(
    "over any chunking of any JSON, the chunks combine into JSON.parse of it and every partial value is consistent with it",
    [
      jsonArbitrary,
      fc.array(fc.nat(), { maxLength: 16 }),
      fc.boolean(),
      fc.integer({ min: 0, max: wrappers.length - 1 })
    ],
    ([value, cuts, pretty, wrapper]) =>
      Effect.gen(function*() {
        const json = JSON.stringify(value, null, pretty ? 2 : undefined)
        const expected = JSON.parse(json)
        const text = wrappers[wrapper]!(json)
        const chunks = yield* transformed(parser, cut(text, cuts))
        expect(Concat.combineAll(chunks)).toEqual(expected)
        const partials = yield* collect(Stream.fromIterable(chunks).pipe(OutputParser.accumulate))
        expect(partials.at(-1)).toEqual(expected)
        for (const partial of partials) expect(isConsistent(partial, expected)).toBe(true)
        // no two partial values in a row are the same
        for (let index = 1; index < partials.length; index++) expect(partials[index]).not.toEqual(partials[index - 1])
        expect(yield* Runnable.invoke(parser, text)).toEqual(expected)
      }),
    { fastCheck: { numRuns: 300 } }
  )
})

describe("OutputParser.schema", () => {
  const Book = Schema.Struct({ title: Schema.String, published: Schema.DateFromString, pages: Schema.Number })
  const parser = OutputParser.schema(Book)

  it.effect("decodes the JSON with the schema", () =>
    Effect.gen(function*() {
      expectTypeOf(parser).toEqualTypeOf<
        Runnable.Runnable<OutputParser.Input, typeof Book.Type, OutputParser.ParseFailure | Fx.SchemaError>
      >()
      expect([parser.name, parser.kind]).toEqual(["SchemaOutputParser", "parser"])
      const text = "```json\n{\"title\": \"Dune\", \"published\": \"1965-08-01\", \"pages\": 412, \"extra\": true}\n```"
      const book = yield* Runnable.invoke(parser, { text })
      expect(book).toEqual({ title: "Dune", published: new Date("1965-08-01"), pages: 412 })
      expect(book.published).toBeInstanceOf(Date)
    }))

  it.effect("JSON the schema rejects fails with SchemaError (boundary output) carrying the ParseError (every issue) and the raw text", () =>
    Effect.gen(function*() {
      const text = `{"title": 7, "published": "1965-08-01"}`
      const error = yield* Effect.flip(Runnable.invoke(parser, text))
      expect(error).toBeInstanceOf(Fx.SchemaError)
      if (error._tag !== "SchemaError") throw error
      expect(error.text).toBe(text)
      expect(error.runnable).toBe("SchemaOutputParser")
      expect(ParseResult.isParseError(error.parseError)).toBe(true)
      expect(error.parseError.message).toMatch(/\["title"\][\s\S]*Expected string, actual 7/)
      expect(error.parseError.message).toMatch(/\["pages"\][\s\S]*is missing/)
      expect(error.message).toContain(`Runnable "SchemaOutputParser" got an output that does not fit its schema`)
    }))

  it.effect("text that is not JSON fails with ParseFailure", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(Runnable.invoke(parser, "I cannot help with that."))
      expect(error).toBeInstanceOf(OutputParser.ParseFailure)
      expect(error).toMatchObject({ text: "I cannot help with that.", runnable: "SchemaOutputParser" })
    }))

  it.effect("streaming consumes chunks as they arrive and yields the decoded value once, when the answer is complete", () =>
    Effect.gen(function*() {
      const pieces = [`{"title": "Du`, `ne", "published": "1965-08-01",`, ` "pages": 412}`]
      const expected = { title: "Dune", published: new Date("1965-08-01"), pages: 412 }
      expect(yield* transformed(parser, pieces)).toEqual([expected])
      expect(yield* collect(Runnable.stream(parser, pieces.join("")))).toEqual([expected])

      const chain = Fx.sequence(modelOf(pieces), OutputParser.schema(Book))
      const { fiber, seen } = yield* record(Runnable.stream(chain, "a book"))
      yield* TestClock.adjust("2 seconds")
      expect(seen).toEqual([])
      yield* TestClock.adjust("2 seconds")
      yield* Fiber.join(fiber)
      expect(seen).toEqual([expected])

      const mismatch = yield* Effect.flip(transformed(parser, [`{"title": "Dune"`, `}`]))
      expect(mismatch).toMatchObject({ _tag: "SchemaError", boundary: "output", text: `{"title": "Dune"}` })
    }))
})

describe("OutputParser.list", () => {
  it.effect("invoke splits on commas and line breaks, trims, drops empty items", () =>
    Effect.gen(function*() {
      const parser = OutputParser.list()
      expectTypeOf(parser).toEqualTypeOf<Runnable.Runnable<OutputParser.Input, Array<string>>>()
      expect([parser.name, parser.kind]).toEqual(["ListOutputParser", "parser"])
      expect(yield* Runnable.invoke(parser, "red, green\nblue,, \n\n yellow ")).toEqual(["red", "green", "blue", "yellow"])
      expect(yield* Runnable.invoke(parser, { text: "  " })).toEqual([])
      expect(yield* collect(Runnable.stream(parser, "a, b"))).toEqual([["a", "b"]])
    }))

  it.effect("separator options: lines only, commas only, or any of several", () =>
    Effect.gen(function*() {
      const text = "Paris, France\nRome, Italy"
      expect(yield* Runnable.invoke(OutputParser.list({ separator: "\n" }), text)).toEqual(["Paris, France", "Rome, Italy"])
      expect(yield* Runnable.invoke(OutputParser.list({ separator: "," }), "a,\nb, c")).toEqual(["a", "b", "c"])
      expect(yield* Runnable.invoke(OutputParser.list({ separator: [";", " | "] }), "a; b | c|d")).toEqual(["a", "b", "c|d"])
      expect(() => OutputParser.list({ separator: "" })).toThrow(/non-empty/)
    }))

  it.effect("stripMarkers removes bullets and numbers", () =>
    Effect.gen(function*() {
      const text = "- alpha\n* beta\n+ gamma\n• delta\n1. epsilon\n2) zeta\n-not a marker"
      expect(yield* Runnable.invoke(OutputParser.list({ stripMarkers: true }), text)).toEqual([
        "alpha",
        "beta",
        "gamma",
        "delta",
        "epsilon",
        "zeta",
        "-not a marker"
      ])
    }))

  it.effect("transform yields each item as soon as the separator after it arrives", () =>
    Effect.gen(function*() {
      const parser = OutputParser.list()
      expect(yield* transformed(parser, ["red, gr", "een, bl", "ue"])).toEqual([["red"], ["green"], ["blue"]])
      expect(yield* transformed(OutputParser.list({ separator: " | " }), ["a |", " b |", " c|d"])).toEqual([["a"], ["b"], ["c|d"]])
      // the chunks combine (arrays append) into what invoke returns
      expect(Concat.combineAll(yield* transformed(parser, ["x,y", "\nz"]))).toEqual(yield* Runnable.invoke(parser, "x,y\nz"))
      // an answer without items is the empty list; no chunk at all is nothing
      expect(yield* transformed(parser, [" ", ",\n"])).toEqual([[]])
      expect(yield* collect(Runnable.transform(parser, Stream.empty))).toEqual([])
    }))

  it.effect.prop(
    "over any chunking, the items streamed combine into what invoke returns",
    [
      fc.array(fc.stringMatching(/^[a-z ]{0,6}$/), { maxLength: 8 }),
      // how the items are joined, and the separator option that splits them again
      fc.constantFrom<readonly [string, OutputParser.ListOptions["separator"]]>(
        [",", undefined],
        [",\n", undefined],
        [", ", ","],
        ["\n", "\n"],
        [" | ", " | "]
      ),
      fc.array(fc.nat(), { maxLength: 10 })
    ],
    ([items, [joiner, separator], cuts]) =>
      Effect.gen(function*() {
        const parser = OutputParser.list({ separator })
        const text = items.join(joiner)
        const expected = items.map((item) => item.trim()).filter((item) => item !== "")
        const pieces = cut(text, cuts)
        const chunks = yield* transformed(parser, pieces)
        expect(yield* Runnable.invoke(parser, text)).toEqual(expected)
        if (pieces.length > 0) expect(Concat.combineAll(chunks)).toEqual(expected)
        expect(chunks.every((chunk) => chunk.length <= 1)).toBe(true)
      })
  )

  it.effect("in a streamed sequence items arrive one by one while the model is still answering", () =>
    Effect.gen(function*() {
      const chain = Fx.sequence(modelOf(["apples, ba", "nanas, cher", "ries"]), OutputParser.list())
      const { fiber, seen } = yield* record(Runnable.stream(chain, "fruit"))
      yield* TestClock.adjust("1 millis")
      expect(seen).toEqual([["apples"]])
      yield* TestClock.adjust("1 second")
      expect(seen).toEqual([["apples"], ["bananas"]])
      yield* TestClock.adjust("1 second")
      expect(seen).toEqual([["apples"], ["bananas"]]) // "cherries" may still grow
      yield* TestClock.adjust("1 second")
      yield* Fiber.join(fiber)
      expect(seen).toEqual([["apples"], ["bananas"], ["cherries"]])
    }))
})

describe("OutputParser.accumulate", () => {
  it.effect("gives the value so far after each chunk, by the concat rule", () =>
    Effect.gen(function*() {
      expect(yield* collect(Stream.make({ a: "He" }, { a: "llo", b: [1] }, { b: [2] }).pipe(OutputParser.accumulate))).toEqual([
        { a: "He" },
        { a: "Hello", b: [1] },
        { a: "Hello", b: [1, 2] }
      ])
      expect(yield* collect(Stream.make("a", "b").pipe(OutputParser.accumulate))).toEqual(["a", "ab"])
      expect(yield* collect(Stream.empty.pipe(OutputParser.accumulate))).toEqual([])
    }))
})

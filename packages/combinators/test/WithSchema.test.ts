import { describe, expect, expectTypeOf, it } from "@effect/vitest"
import { Runnable, RunEvent, Testing } from "@fxchain/core"
import { Chunk, Effect, Either, ParseResult, Schema, Stream } from "effect"
import { SchemaError } from "../src/Errors.js"
import { withSchema } from "../src/WithSchema.js"

const Question = Schema.Struct({ text: Schema.NonEmptyString, maxWords: Schema.NumberFromString })
type Question = typeof Question.Type

const answerer = (probe: Testing.Probe) =>
  Testing.scripted({
    name: "answer",
    respond: (question: Question) => ({ text: question.text.slice(0, question.maxWords), confidence: 0.9 }),
    probe
  })

describe("withSchema", () => {
  it.effect("decodes the input before the runnable runs (from its encoded form)", () =>
    Effect.gen(function*() {
      const probe = Testing.makeProbe()
      const checked = answerer(probe).pipe(withSchema({ input: Question }))
      expectTypeOf(checked).toEqualTypeOf<
        Runnable.Runnable<{ readonly text: string; readonly maxWords: string }, { text: string; confidence: number }, SchemaError>
      >()
      expect(yield* Runnable.invoke(checked, { text: "hello", maxWords: "3" })).toEqual({ text: "hel", confidence: 0.9 })
      expect([checked.name, checked.kind]).toEqual(["answer", "lambda"])
    }))

  it.effect("a bad input fails with SchemaError (input boundary) and the runnable never runs", () =>
    Effect.gen(function*() {
      const probe = Testing.makeProbe()
      const checked = withSchema(answerer(probe), { input: Question })
      const error = yield* Effect.flip(Runnable.invoke(checked, { text: "", maxWords: "three" }))
      expect(error).toBeInstanceOf(SchemaError)
      expect(error).toMatchObject({ _tag: "SchemaError", runnable: "answer", boundary: "input" })
      expect((error as SchemaError).parseError).toBeInstanceOf(ParseResult.ParseError)
      expect((error as SchemaError).message).toContain("answer")
      expect(probe.unsafeStats().started).toBe(0)
      // and in events: the run fails with it
      const events = yield* Runnable.streamEvents(checked, { text: "", maxWords: "1" }).pipe(Stream.either, Stream.runCollect)
      const failed = Chunk.toReadonlyArray(events).flatMap((item) =>
        Either.isRight(item) && RunEvent.$is("Failed")(item.right) ? [item.right] : []
      )
      expect(failed.map((event) => [event.name, (event.error as SchemaError).boundary])).toEqual([["answer", "input"]])
      expect(probe.unsafeStats().started).toBe(0)
    }))

  it.effect("decodes the output after the run; a bad output fails with SchemaError (output boundary)", () =>
    Effect.gen(function*() {
      const probe = Testing.makeProbe()
      const count = Testing.scripted({ name: "count", respond: (text: string) => text === "" ? "none" : String(text.length), probe })
      const counted = withSchema(count, { output: Schema.NumberFromString })
      expectTypeOf(counted).toEqualTypeOf<Runnable.Runnable<string, number, SchemaError>>()
      expect(yield* Runnable.invoke(counted, "four")).toBe(4)
      const error = yield* Effect.flip(Runnable.invoke(counted, ""))
      expect(error).toMatchObject({ _tag: "SchemaError", runnable: "count", boundary: "output" })
      expect(error.parseError).toBeInstanceOf(ParseResult.ParseError)
      expect(probe.unsafeStats()).toMatchObject({ started: 2, finished: 2 })
    }))

  it.effect("input and output together; the runnable's own errors pass through unchanged", () =>
    Effect.gen(function*() {
      const divide = Runnable.fromEffect((pair: readonly [number, number]) =>
        pair[1] === 0 ? Effect.fail({ _tag: "DivisionByZero" as const }) : Effect.succeed(String(pair[0] / pair[1]))
      )
      const checked = divide.pipe(
        withSchema({ input: Schema.Tuple(Schema.NumberFromString, Schema.NumberFromString), output: Schema.NumberFromString })
      )
      expectTypeOf(checked).toEqualTypeOf<
        Runnable.Runnable<readonly [string, string], number, { _tag: "DivisionByZero" } | SchemaError>
      >()
      expect(yield* Runnable.invoke(checked, ["6", "3"])).toBe(2)
      expect(yield* Effect.flip(Runnable.invoke(checked, ["6", "0"]))).toEqual({ _tag: "DivisionByZero" })
      expect(yield* Effect.flip(Runnable.invoke(checked, ["6", "x"]))).toMatchObject({ boundary: "input" })
    }))

  it.effect("streaming decodes each chunk; the first bad chunk fails the stream after those before it", () =>
    Effect.gen(function*() {
      const tokens = Runnable.make({
        name: "tokens",
        run: (text: string) => Effect.succeed(text),
        stream: (text: string) => Stream.fromIterable(text.split(" "))
      })
      const numbers = withSchema(tokens, { output: Schema.NumberFromString })
      expect(Chunk.toReadonlyArray(yield* Stream.runCollect(Runnable.stream(numbers, "1 2 3")))).toEqual([1, 2, 3])
      const seen: Array<number> = []
      const error = yield* Runnable.stream(numbers, "1 x 3").pipe(
        Stream.runForEach((n) => Effect.sync(() => seen.push(n))),
        Effect.flip
      )
      expect(seen).toEqual([1])
      expect(error).toMatchObject({ _tag: "SchemaError", boundary: "output", runnable: "tokens" })
    }))

  it.effect("a runnable that consumes a streamed input has each input chunk decoded", () =>
    Effect.gen(function*() {
      const doubler = Runnable.make({
        name: "doubler",
        run: (n: number) => Effect.succeed(n * 2),
        transform: (input) => Stream.map(input, (n: number) => n * 2)
      })
      const checked = withSchema(doubler, { input: Schema.NumberFromString })
      const out = yield* Stream.runCollect(Runnable.transform(checked, Stream.make("1", "2")))
      expect(Chunk.toReadonlyArray(out)).toEqual([2, 4])
      const error = yield* Effect.flip(Stream.runCollect(Runnable.transform(checked, Stream.make("1", "two"))))
      expect(error).toMatchObject({ _tag: "SchemaError", boundary: "input" })
    }))

  it("types: a schema must fit the runnable it guards", () => {
    const length = Runnable.sync((text: string) => text.length)
    expectTypeOf(withSchema(length, { input: Schema.Trim, output: Schema.Positive })).toEqualTypeOf<
      Runnable.Runnable<string, number, SchemaError>
    >()
    // @ts-expect-error the input schema decodes to a number, the runnable takes a string
    withSchema(length, { input: Schema.NumberFromString })
    // @ts-expect-error the output schema decodes from a string, the runnable gives a number
    length.pipe(withSchema({ output: Schema.NumberFromString }))
  })

  it.effect("keeps the configuration given with withConfig", () =>
    Effect.gen(function*() {
      const configured = Runnable.withConfig(Runnable.sync((n: number) => n + 1, { name: "inc" }), { tags: ["kept"] })
      const checked = withSchema(configured, { input: Schema.NumberFromString })
      const events = yield* Stream.runCollect(Runnable.streamEvents(checked, "1"))
      expect(Chunk.toReadonlyArray(events).every((event) => event.tags.includes("kept"))).toBe(true)
    }))
})

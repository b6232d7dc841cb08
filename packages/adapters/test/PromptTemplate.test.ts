import * as Prompt from "@effect/ai/Prompt"
import { describe, expect, expectTypeOf, it } from "@effect/vitest"
import * as Fx from "@fxchain/combinators"
import { Runnable, RunEvent } from "@fxchain/core"
import { Chunk, Effect, Either, Exit, ParseResult, Stream } from "effect"
import * as PromptTemplate from "../src/PromptTemplate.js"

/** Each message of a prompt as [role, text]. */
const messagesOf = (prompt: Prompt.Prompt): Array<[string, string]> =>
  prompt.content.map((message) => {
    if (message.role === "system") return [message.role, message.content]
    const text = message.content.map((part) => part.type === "text" ? part.text : `<${part.type}>`).join("")
    return [message.role, text]
  })

const collect = <A, E, R>(stream: Stream.Stream<A, E, R>) => Effect.map(Stream.runCollect(stream), Chunk.toReadonlyArray)

describe("PromptTemplate.make", () => {
  it.effect("fills the variables in and makes a prompt of one user message", () =>
    Effect.gen(function*() {
      const prompt = PromptTemplate.make("Tell me about {topic} in {style}")
      expectTypeOf(prompt).toEqualTypeOf<
        Runnable.Runnable<{ topic: string; style: string }, Prompt.Prompt, PromptTemplate.MissingVariableError | PromptTemplate.UnrenderableValueError>
      >()
      expect([prompt.name, prompt.kind]).toEqual(["PromptTemplate", "prompt"])
      const result = yield* Runnable.invoke(prompt, { topic: "tides", style: "a haiku" })
      expect(Prompt.isPrompt(result)).toBe(true)
      expect(messagesOf(result)).toEqual([["user", "Tell me about tides in a haiku"]])
      // the same as @effect/ai's own constructor makes
      expect(result.content).toEqual(Prompt.make("Tell me about tides in a haiku").content)
    }))

  it("infers the variables from the template's type", () => {
    expectTypeOf<PromptTemplate.Variables<"Tell me about {topic} in {style}">>().toEqualTypeOf<"topic" | "style">()
    expectTypeOf<PromptTemplate.Variables<"no variables">>().toEqualTypeOf<never>()
    expectTypeOf<PromptTemplate.Variables<"{a}{b}{a}">>().toEqualTypeOf<"a" | "b">()
    expectTypeOf<PromptTemplate.Variables<"{{literal}} and {{{wrapped}}} {x}}}">>().toEqualTypeOf<"wrapped" | "x">()
    expectTypeOf<PromptTemplate.Variables<string>>().toEqualTypeOf<string>()
    expectTypeOf(PromptTemplate.make("Hello")).toEqualTypeOf<Runnable.Runnable<{}, Prompt.Prompt, PromptTemplate.MissingVariableError | PromptTemplate.UnrenderableValueError>>()
    const dynamic: string = "Hello {name}"
    expectTypeOf(PromptTemplate.make(dynamic)).toEqualTypeOf<
      Runnable.Runnable<{ [x: string]: string }, Prompt.Prompt, PromptTemplate.MissingVariableError | PromptTemplate.UnrenderableValueError>
    >()

    const prompt = PromptTemplate.make("Tell me about {topic} in {style}")
    // @ts-expect-error -- "style" is missing
    const missing: Runnable.Runnable.Input<typeof prompt> = { topic: "tides" }
    // @ts-expect-error -- "style" is missing
    prompt.pipe(Runnable.invoke({ topic: "tides" }))
    // @ts-expect-error -- a value is a string
    prompt.pipe(Runnable.invoke({ topic: "tides", style: 3 }))
    // extra keys are allowed (a record passed along carries more than the template uses)...
    const record = { topic: "tides", style: "prose", unused: true }
    Runnable.invoke(prompt, record)
    prompt.pipe(Runnable.invoke(record))
    // ...but an object literal written for the template is checked for typos, as TypeScript does
    // @ts-expect-error -- "styel" is not a variable (and "style" is missing)
    Runnable.invoke(prompt, { topic: "tides", styel: "prose" })
    expect(missing).toBeDefined()
  })

  it("a malformed literal template does not compile, and any malformed template throws InvalidTemplateError", () => {
    const attempts = [
      // @ts-expect-error -- unclosed brace
      () => PromptTemplate.make("Hello {name"),
      // @ts-expect-error -- single closing brace
      () => PromptTemplate.make("Hello name}"),
      // @ts-expect-error -- empty variable
      () => PromptTemplate.make("Hello {}"),
      // @ts-expect-error -- whitespace around the name
      () => PromptTemplate.make("Hello { name }"),
      // @ts-expect-error -- a brace in the name
      () => PromptTemplate.make("Hello {a{b}"),
      // @ts-expect-error -- a single brace after a variable
      () => PromptTemplate.make("Hello {name}}")
    ]
    for (const attempt of attempts) {
      const error = (() => {
        try {
          attempt()
        } catch (error) {
          return error
        }
      })()
      expect(error).toBeInstanceOf(PromptTemplate.InvalidTemplateError)
      expect(error).toMatchObject({ _tag: "InvalidTemplateError" })
    }
    expect(() => PromptTemplate.make("Hello {name" as string)).toThrow(/"\{" at position 6 is not closed/)
    expect(() => PromptTemplate.make("a } b" as string)).toThrow(/single "\}" at position 2/)
  })

  it.effect("{{ and }} are literal braces", () =>
    Effect.gen(function*() {
      const prompt = PromptTemplate.make("Reply as {{\"answer\": {answer}}} {{{name}}} }}{{")
      expectTypeOf(prompt).toEqualTypeOf<
        Runnable.Runnable<{ answer: string; name: string }, Prompt.Prompt, PromptTemplate.MissingVariableError | PromptTemplate.UnrenderableValueError>
      >()
      const result = yield* Runnable.invoke(prompt, { answer: "42", name: "Ada" })
      expect(messagesOf(result)).toEqual([["user", "Reply as {\"answer\": 42} {Ada} }{"]])
      expect(PromptTemplate.variables("{{not}} {yes} {{{also}}} {yes}")).toEqual(["yes", "also"])
    }))

  it.effect("a missing variable (absent, undefined or null) fails with MissingVariableError naming each and the runnable", () =>
    Effect.gen(function*() {
      const prompt = PromptTemplate.make("Tell me about {topic} in {style} for {audience}", { name: "explain" })
      const values = { style: undefined, audience: null } as unknown as { topic: string; style: string; audience: string }
      const error = yield* Effect.flip(Runnable.invoke(prompt, values))
      if (error._tag !== "MissingVariableError") throw error
      expect(error).toBeInstanceOf(PromptTemplate.MissingVariableError)
      expect(error.runnable).toBe("explain")
      expect(error.variables).toEqual(["topic", "style", "audience"])
      expect(error.template).toBe("Tell me about {topic} in {style} for {audience}")
      expect(error.message).toBe(`Runnable "explain" is missing variables "topic", "style", "audience"`)
      const one = yield* Effect.flip(Runnable.invoke(prompt, { topic: "tides", audience: "kids" } as Runnable.Runnable.Input<typeof prompt>))
      expect(one.message).toBe(`Runnable "explain" is missing variable "style"`)
      // a streamed run fails the same way; no prompt is produced
      const streamed = yield* Effect.flip(collect(Runnable.stream(prompt, values)))
      expect(streamed).toMatchObject({ _tag: "MissingVariableError", variables: ["topic", "style", "audience"] })
    }))

  it.effect("a missing variable is a typed failure, not a defect, inside a sequence (templates are not `sync`)", () =>
    Effect.gen(function*() {
      const prompt = PromptTemplate.make("Hi {name}")
      expect(prompt[Runnable.TypeId].sync).toBeUndefined()
      let calls = 0
      const model = Runnable.sync((input: Prompt.Prompt) => {
        calls++
        return messagesOf(input)[0]![1]
      })
      const chain = Fx.sequence(prompt, model)
      expect(yield* Runnable.invoke(chain, { name: "Ada" })).toBe("Hi Ada")
      const exit = yield* Effect.exit(Runnable.invoke(chain, {} as { name: string }))
      expect(Exit.isFailure(exit) && exit.cause._tag).toBe("Fail")
      const streamed = yield* Effect.exit(collect(Runnable.stream(chain, {} as { name: string })))
      expect(Exit.isFailure(streamed) && streamed.cause._tag).toBe("Fail")
      expect(calls).toBe(1)
    }))

  it.effect("extra keys are ignored", () =>
    Effect.gen(function*() {
      const prompt = PromptTemplate.make("Hi {name}")
      const values = { name: "Ada", surname: "Lovelace", age: 36 }
      const result = yield* Runnable.invoke(prompt, values)
      expect(messagesOf(result)).toEqual([["user", "Hi Ada"]])
    }))

  it.effect("values that are not strings: String for scalars, JSON for arrays and plain objects", () =>
    Effect.gen(function*() {
      const prompt = PromptTemplate.make("{n} {b} {big} {list} {record} {date} {empty}")
      const values = {
        n: 1.5,
        b: false,
        big: 10n,
        list: [1, "two"],
        record: { a: 1 },
        date: new Date(0),
        empty: ""
      } as unknown as PromptTemplate.Values<"{n} {b} {big} {list} {record} {date} {empty}">
      const result = yield* Runnable.invoke(prompt, values)
      expect(messagesOf(result)).toEqual([["user", `1.5 false 10 [1,"two"] {"a":1} ${String(new Date(0))} `]])
    }))

  it.effect("a value that cannot be put in as text fails with UnrenderableValueError naming the runnable and the variable", () =>
    Effect.gen(function*() {
      const circular: Record<string, unknown> = { name: "loop" }
      circular.self = circular
      class Opaque {
        toString(): string {
          throw new Error("no text for you")
        }
      }
      const unrenderable: ReadonlyArray<readonly [string, unknown, RegExp]> = [
        ["a bigint inside an array", [1n], /BigInt/],
        ["a bigint inside a record", { amount: 2n }, /BigInt/],
        ["a circular record", circular, /circular/],
        ["a throwing toJSON", { toJSON: () => { throw new Error("no JSON for you") } }, /no JSON for you/],
        ["a toJSON returning undefined", { toJSON: () => undefined }, /JSON is undefined/],
        ["a throwing toString", new Opaque(), /no text for you/],
        ["an object without a prototype chain to a toString", Object.create(Object.create(null)), /Cannot convert object/],
        ["a throwing Symbol.toPrimitive", new (class {
          [Symbol.toPrimitive](): string {
            throw "a string, thrown"
          }
        })(), /a string, thrown/]
      ]
      const prompt = PromptTemplate.make("Describe {value}", { name: "describe" })
      const chat = PromptTemplate.chat([["user", "Describe {value}"]], { name: "chatty" })
      for (const [what, value, reason] of unrenderable) {
        for (const [template, name] of [[prompt, "describe"], [chat, "chatty"]] as const) {
          const error = yield* Effect.flip(Runnable.invoke(template, { value } as unknown as { value: string }))
          expect(error, what).toBeInstanceOf(PromptTemplate.UnrenderableValueError)
          expect(error, what).toMatchObject({ _tag: "UnrenderableValueError", runnable: name, variable: "value" })
          expect((error as PromptTemplate.UnrenderableValueError).reason, what).toMatch(reason)
          expect(error.message, what).toContain(`variable "value"`)
        }
        const formatted = PromptTemplate.format("Describe {value}", { value } as unknown as { value: string })
        expect(Either.isLeft(formatted) && formatted.left._tag, what).toBe("UnrenderableValueError")
      }
      // a getter that throws, on the values themselves
      const values = Object.defineProperty({}, "value", { enumerable: true, get: () => { throw new RangeError("not today") } })
      expect(yield* Effect.flip(Runnable.invoke(prompt, values as { value: string }))).toMatchObject({
        _tag: "UnrenderableValueError",
        variable: "value",
        reason: "RangeError: not today"
      })
      // a bigint on its own is a scalar, rendered with String
      expect(messagesOf(yield* Runnable.invoke(prompt, { value: 3n } as unknown as { value: string }))).toEqual([["user", "Describe 3"]])
    }))

  it.effect("a messages placeholder whose value throws while read fails with UnrenderableValueError", () =>
    Effect.gen(function*() {
      const prompt = PromptTemplate.chat([PromptTemplate.placeholder("history"), ["user", "{question}"]])
      const history = {
        *[Symbol.iterator]() {
          throw new Error("the history is gone")
        }
      }
      const values = { history, question: "hi" } as unknown as Runnable.Runnable.Input<typeof prompt>
      expect(yield* Effect.flip(Runnable.invoke(prompt, values))).toMatchObject({
        _tag: "UnrenderableValueError",
        runnable: "ChatPromptTemplate",
        variable: "history",
        reason: "Error: the history is gone"
      })
    }))

  it.effect("streams the prompt as one chunk, and a streamed input is gathered by the concat rule first", () =>
    Effect.gen(function*() {
      const prompt = PromptTemplate.make("{a} and {b}")
      const chunks = yield* collect(Runnable.stream(prompt, { a: "x", b: "y" }))
      expect(chunks.map(messagesOf)).toEqual([[["user", "x and y"]]])
      const gathered = yield* collect(Runnable.transform(prompt, Stream.make({ a: "x" }, { b: "y" }) as Stream.Stream<{ a: string; b: string }>))
      expect(gathered.map(messagesOf)).toEqual([[["user", "x and y"]]])
    }))

  it.effect("a run shows up in streamEvents as kind prompt", () =>
    Effect.gen(function*() {
      const prompt = PromptTemplate.make("Hi {name}", { name: "greeting" })
      const events = yield* collect(Runnable.streamEvents(prompt, { name: "Ada" }))
      const ended = events.filter(RunEvent.$is("Ended"))
      expect(ended.map((event) => [event.name, event.kind])).toEqual([["greeting", "prompt"]])
    }))
})

describe("PromptTemplate.chat", () => {
  it.effect("makes role messages and puts a placeholder's messages in place", () =>
    Effect.gen(function*() {
      const prompt = PromptTemplate.chat([
        ["system", "You are {role}"],
        PromptTemplate.placeholder("history"),
        ["user", "{question}"]
      ])
      expectTypeOf(prompt).toEqualTypeOf<
        Runnable.Runnable<
          { role: string; question: string; history: Prompt.RawInput },
          Prompt.Prompt,
          PromptTemplate.MissingVariableError | PromptTemplate.InvalidVariableError | PromptTemplate.UnrenderableValueError
        >
      >()
      expect([prompt.name, prompt.kind]).toEqual(["ChatPromptTemplate", "prompt"])
      const result = yield* Runnable.invoke(prompt, {
        role: "a librarian",
        question: "And its sequel?",
        history: [
          { role: "user", content: "Who wrote Dune?" },
          { role: "assistant", content: [{ type: "text", text: "Frank Herbert." }] }
        ]
      })
      expect(messagesOf(result)).toEqual([
        ["system", "You are a librarian"],
        ["user", "Who wrote Dune?"],
        ["assistant", "Frank Herbert."],
        ["user", "And its sequel?"]
      ])
      expect(result.content.every(Prompt.isMessage)).toBe(true)
    }))

  it.effect("roles: system, user, assistant, and LangChain's human and ai", () =>
    Effect.gen(function*() {
      const prompt = PromptTemplate.chat([
        ["system", "s {x}"],
        ["human", "h {x}"],
        ["ai", "a {y}"],
        ["user", "u"],
        ["assistant", "b {{x}}"]
      ])
      expectTypeOf<Runnable.Runnable.Input<typeof prompt>>().toEqualTypeOf<{ x: string; y: string }>()
      const result = yield* Runnable.invoke(prompt, { x: "1", y: "2" })
      expect(messagesOf(result)).toEqual([["system", "s 1"], ["user", "h 1"], ["assistant", "a 2"], ["user", "u"], [
        "assistant",
        "b {x}"
      ]])
    }))

  it.effect("a placeholder takes encoded messages, a prompt's messages, a Prompt or a string", () =>
    Effect.gen(function*() {
      const prompt = PromptTemplate.chat([PromptTemplate.placeholder("history"), ["user", "next"]])
      const previous = Prompt.make([{ role: "system", content: "rules" }, { role: "user", content: "hi" }])
      const inputs: ReadonlyArray<Prompt.RawInput> = [previous, previous.content, "hi", [{ role: "user", content: "hi" }]]
      const results = yield* Effect.forEach(inputs, (history) => Runnable.invoke(prompt, { history }))
      expect(results.map(messagesOf)).toEqual([
        [["system", "rules"], ["user", "hi"], ["user", "next"]],
        [["system", "rules"], ["user", "hi"], ["user", "next"]],
        [["user", "hi"], ["user", "next"]],
        [["user", "hi"], ["user", "next"]]
      ])
      // an empty history adds nothing
      expect(messagesOf(yield* Runnable.invoke(prompt, { history: [] }))).toEqual([["user", "next"]])
    }))

  it.effect("an optional placeholder may be absent; a required one, like any variable, is reported missing", () =>
    Effect.gen(function*() {
      const optional = PromptTemplate.chat([
        ["system", "Be {tone}"],
        PromptTemplate.placeholder("scratchpad", { optional: true }),
        ["user", "{question}"]
      ])
      expectTypeOf<Runnable.Runnable.Input<typeof optional>>().toEqualTypeOf<
        { tone: string; question: string; scratchpad?: Prompt.RawInput | undefined }
      >()
      expect(messagesOf(yield* Runnable.invoke(optional, { tone: "brief", question: "why?" }))).toEqual([
        ["system", "Be brief"],
        ["user", "why?"]
      ])

      const required = PromptTemplate.chat([["system", "Be {tone}"], PromptTemplate.placeholder("history"), ["user", "{question}"]], {
        name: "assistantPrompt"
      })
      // @ts-expect-error -- "history" is required
      required.pipe(Runnable.invoke({ tone: "brief", question: "why?" }))
      const missing = yield* Effect.flip(Runnable.invoke(required, { tone: "brief" } as Runnable.Runnable.Input<typeof required>))
      expect(missing).toBeInstanceOf(PromptTemplate.MissingVariableError)
      if (missing._tag !== "MissingVariableError") throw missing
      expect(missing).toMatchObject({ runnable: "assistantPrompt", variables: ["history", "question"] })
      expect(missing.message).toBe(`Runnable "assistantPrompt" is missing variables "history", "question"`)
      expect(missing.template).toContain("system: Be {tone}")
    }))

  it.effect("a placeholder value that is not messages fails with InvalidVariableError carrying the ParseError", () =>
    Effect.gen(function*() {
      const prompt = PromptTemplate.chat([PromptTemplate.placeholder("history")])
      for (const history of [42, [{ role: "wizard", content: "hi" }], { role: "user", content: "not in an array" }]) {
        const error = yield* Effect.flip(Runnable.invoke(prompt, { history } as unknown as { history: Prompt.RawInput }))
        expect(error).toBeInstanceOf(PromptTemplate.InvalidVariableError)
        if (error._tag !== "InvalidVariableError") throw error
        expect(error.variable).toBe("history")
        expect(error.runnable).toBe("ChatPromptTemplate")
        expect(ParseResult.isParseError(error.parseError)).toBe(true)
        expect(error.message).toContain(`got a value for placeholder "history" that is not messages`)
      }
    }))

  it("malformed message templates do not compile and throw", () => {
    // @ts-expect-error -- unclosed brace in a message
    expect(() => PromptTemplate.chat([["system", "ok"], ["user", "{oops"]])).toThrow(PromptTemplate.InvalidTemplateError)
    // @ts-expect-error -- not a role
    expect(() => PromptTemplate.chat([["wizard", "hi"]])).toThrow(/with role one of system, user, human, assistant, ai; got role "wizard"/)
  })
})

describe("PromptTemplate utilities", () => {
  it("format fills a template in, as an Either", () => {
    expect(PromptTemplate.format("{greeting}, {name}!", { greeting: "Hello", name: "Ada" })).toEqual(Either.right("Hello, Ada!"))
    const missing = PromptTemplate.format("{greeting}, {name}!", { greeting: "Hello" } as { greeting: string; name: string })
    expect(Either.isLeft(missing) && missing.left).toMatchObject({
      _tag: "MissingVariableError",
      runnable: "PromptTemplate.format",
      variables: ["name"]
    })
  })

  it.effect("format can be yielded in Effect.gen", () =>
    Effect.gen(function*() {
      expect(yield* PromptTemplate.format("{{{x}}}", { x: "y" })).toBe("{y}")
    }))

  it.effect("partial gives some values ahead of time; values given at run time take precedence", () =>
    Effect.gen(function*() {
      const prompt = PromptTemplate.make("Tell me about {topic} in {style}")
      const haiku = PromptTemplate.partial(prompt, { style: "a haiku" })
      expectTypeOf(haiku).toEqualTypeOf<
        Runnable.Runnable<{ topic: string; style?: string | undefined }, Prompt.Prompt, PromptTemplate.MissingVariableError | PromptTemplate.UnrenderableValueError>
      >()
      expect([haiku.name, haiku.kind]).toEqual(["PromptTemplate", "prompt"])
      expect(messagesOf(yield* Runnable.invoke(haiku, { topic: "tides" }))).toEqual([["user", "Tell me about tides in a haiku"]])
      expect(messagesOf(yield* Runnable.invoke(haiku, { topic: "tides", style: "prose" }))).toEqual([
        ["user", "Tell me about tides in prose"]
      ])
      expect(messagesOf(yield* Runnable.invoke(haiku, { topic: "tides", style: undefined }))).toEqual([
        ["user", "Tell me about tides in a haiku"]
      ])
      const piped = prompt.pipe(PromptTemplate.partial({ topic: "tides" }))
      expectTypeOf<Runnable.Runnable.Input<typeof piped>>().toEqualTypeOf<{ style: string; topic?: string | undefined }>()
      // @ts-expect-error -- "topic" is still needed
      haiku.pipe(Runnable.invoke({ style: "prose" }))
      const missing = yield* Effect.flip(Runnable.invoke(haiku, {} as Runnable.Runnable.Input<typeof haiku>))
      expect(missing).toMatchObject({ _tag: "MissingVariableError", variables: ["topic"] })
    }))

  it.effect("partial keeps optional placeholders optional", () =>
    Effect.gen(function*() {
      const prompt = PromptTemplate.chat([
        ["system", "You help with {product}"],
        PromptTemplate.placeholder("history", { optional: true }),
        ["user", "{question}"]
      ])
      const acme = PromptTemplate.partial(prompt, { product: "Acme" })
      expect(messagesOf(yield* Runnable.invoke(acme, { question: "hi" }))).toEqual([
        ["system", "You help with Acme"],
        ["user", "hi"]
      ])
    }))
})

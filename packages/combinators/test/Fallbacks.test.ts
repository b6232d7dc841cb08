import { describe, expect, it } from "@effect/vitest"
import { Errors, Runnable, Testing } from "@fxchain/core"
import { Cause, Chunk, Effect, Exit, Fiber, Stream, TestClock } from "effect"
import { withFallbacks } from "../src/Fallbacks.js"

class Overloaded {
  readonly _tag = "Overloaded"
  constructor(readonly by: string) {}
}
class Refused {
  readonly _tag = "Refused"
}
class Exhausted {
  readonly _tag = "Exhausted"
}

/** A runnable that records its calls and fails with `error` (or answers when it is undefined). */
const step = <E = never>(name: string, error?: E) => {
  const calls: Array<unknown> = []
  const runnable = Runnable.fromEffect(
    (input: string) =>
      Effect.suspend(() => {
        calls.push(input)
        return error === undefined ? Effect.succeed(`${name}:${input}`) : Effect.fail(error)
      }),
    { name }
  )
  return { runnable, calls }
}

describe("withFallbacks", () => {
  it.effect("tries the fallbacks in order and answers with the first success", () =>
    Effect.gen(function*() {
      const primary = step("primary", new Overloaded("primary"))
      const second = step("second", new Overloaded("second"))
      const third = step("third")
      const fourth = step("fourth")
      const chain = withFallbacks(primary.runnable, [second.runnable, third.runnable, fourth.runnable])
      expect(yield* Runnable.invoke(chain, "q")).toBe("third:q")
      expect([primary.calls, second.calls, third.calls, fourth.calls]).toEqual([["q"], ["q"], ["q"], []])

      const first = step("first")
      const unused = step("unused")
      expect(yield* Runnable.invoke(first.runnable.pipe(withFallbacks([unused.runnable])), "q")).toBe("first:q")
      expect(unused.calls).toEqual([])
    }))

  it.effect("when every runnable fails, the last one's error comes out unchanged", () =>
    Effect.gen(function*() {
      const last = new Exhausted()
      const chain = withFallbacks(step("a", new Overloaded("a")).runnable, [step("b", new Refused()).runnable, step("c", last).runnable])
      const error = yield* Effect.flip(Runnable.invoke(chain, "q"))
      expect(error).toBe(last)
    }))

  it.effect("when decides which failures fall back; the others come out at once", () =>
    Effect.gen(function*() {
      const refused = new Refused()
      const primary = step<Overloaded | Refused>("primary", refused)
      const backup = step("backup")
      const chain = withFallbacks(primary.runnable, [backup.runnable], { while: (error) => error._tag === "Overloaded" })
      expect(yield* Effect.flip(Runnable.invoke(chain, "q"))).toBe(refused)
      expect(backup.calls).toEqual([])

      const overloaded = step<Overloaded | Refused>("primary", new Overloaded("primary"))
      const accepted = withFallbacks(overloaded.runnable, [backup.runnable], { while: (error) => error._tag === "Overloaded" })
      expect(yield* Runnable.invoke(accepted, "q")).toBe("backup:q")
    }))

  it.effect("defects and interruptions never fall back", () =>
    Effect.gen(function*() {
      const backup = step("backup")
      const boom = Runnable.fromEffect((_: string) => Effect.die(new Error("boom")))
      const exit = yield* Effect.exit(Runnable.invoke(withFallbacks(boom, [backup.runnable]), "q"))
      expect(Exit.isFailure(exit) && Cause.isDie(exit.cause)).toBe(true)
      const interrupted = Runnable.fromEffect((_: string) => Effect.interrupt)
      const interruptedExit = yield* Effect.exit(Runnable.invoke(withFallbacks(interrupted, [backup.runnable]), "q"))
      expect(Exit.isInterrupted(interruptedExit)).toBe(true)
      expect(backup.calls).toEqual([])
    }))

  it.effect("exceptionKey hands the original input and the latest error to each fallback", () =>
    Effect.gen(function*() {
      interface Question {
        readonly question: string
      }
      const seen: Array<unknown> = []
      const primary = Runnable.fromEffect((_: Question) => Effect.fail(new Overloaded("primary")), { name: "primary" })
      const second = Runnable.fromEffect(
        (input: Question & { readonly error: Overloaded | Refused }) =>
          Effect.suspend(() => (seen.push(input), Effect.fail(new Refused()))),
        { name: "second" }
      )
      const third = Runnable.fromEffect(
        (input: Question & { readonly error: unknown }) =>
          Effect.sync(() => (seen.push(input), `answer to ${input.question}`)),
        { name: "third" }
      )
      const chain = withFallbacks(primary, [second, third], { exceptionKey: "error" })
      expect(yield* Runnable.invoke(chain, { question: "why" })).toBe("answer to why")
      expect(seen).toEqual([{ question: "why", error: new Overloaded("primary") }, { question: "why", error: new Refused() }])

      // data-last, streamed
      seen.length = 0
      const piped = primary.pipe(withFallbacks([third], { exceptionKey: "error" }))
      expect(Chunk.toReadonlyArray(yield* Stream.runCollect(Runnable.stream(piped, { question: "how" })))).toEqual([
        "answer to how"
      ])
      expect(seen).toEqual([{ question: "how", error: new Overloaded("primary") }])

      // the types check what is handed on
      const wantsRefused = Runnable.fromEffect((input: Question & { readonly error: Refused }) => Effect.succeed(input.question))
      // @ts-expect-error the primary fails with Overloaded, which the fallback does not accept
      withFallbacks(primary, [wantsRefused], { exceptionKey: "error" })
      // @ts-expect-error the same, data-last
      primary.pipe(withFallbacks([wantsRefused], { exceptionKey: "error" }))
      const wantsOverloaded = Runnable.fromEffect((input: Question & { readonly error: Overloaded }) => Effect.succeed(input.question))
      // @ts-expect-error the second fails with Refused, which the third does not accept
      withFallbacks(primary, [second, wantsOverloaded], { exceptionKey: "error" })
      // @ts-expect-error the same, data-last
      primary.pipe(withFallbacks([second, wantsOverloaded], { exceptionKey: "error" }))
      const other = Runnable.fromEffect((_: { readonly other: number }) => Effect.fail(new Overloaded("x")))
      // @ts-expect-error a fallback must get the rest of the input too
      other.pipe(withFallbacks([third], { exceptionKey: "error" }))
      const fits: Runnable.Runnable<Question, string, Overloaded | Refused> = withFallbacks(primary, [second, third], {
        exceptionKey: "error",
        while: (error) => error._tag === "Overloaded"
      })
      expect(fits.name).toBe("withFallbacks")
    }))

  it.effect("types: the error narrows to the last fallback's; when keeps every error; a refinement removes the accepted", () =>
    Effect.gen(function*() {
      const primary = step<Overloaded | Refused>("primary", new Overloaded("primary")).runnable
      const second = step<Refused>("second", new Refused()).runnable
      const last = step<Exhausted>("last").runnable
      const safe = step("safe").runnable

      const narrowed: Effect.Effect<string, Exhausted> = Runnable.invoke(withFallbacks(primary, [second, last]), "q")
      const piped: Effect.Effect<string, Exhausted> = Runnable.invoke(primary.pipe(withFallbacks([second, last])), "q")
      const never: Effect.Effect<string> = Runnable.invoke(primary.pipe(withFallbacks([safe])), "q")
      // @ts-expect-error the primary's errors are gone from the type
      const _wrong: Effect.Effect<string, Exhausted> = Runnable.invoke(withFallbacks(last, [primary]), "q")

      const predicate: Effect.Effect<string, Overloaded | Refused | Exhausted> = Runnable.invoke(
        withFallbacks(primary, [last], { while: (error) => error._tag === "Overloaded" }),
        "q"
      )
      // @ts-expect-error with a predicate, the primary's errors stay
      const _predicateWrong: Effect.Effect<string, Exhausted> = Runnable.invoke(
        withFallbacks(primary, [last], { while: (error) => error._tag === "Overloaded" }),
        "q"
      )
      const refined: Effect.Effect<string, Refused | Exhausted> = Runnable.invoke(
        primary.pipe(withFallbacks([last], { while: (error): error is Overloaded => error._tag === "Overloaded" })),
        "q"
      )
      // @ts-expect-error a fallback must accept the input
      withFallbacks(primary, [Runnable.sync((n: number) => n)])
      // @ts-expect-error with exceptionKey, the input must be a record
      withFallbacks(primary, [safe], { exceptionKey: "error" })

      expect(yield* Effect.all([narrowed, piped, never, predicate, refined].map(Effect.either))).toHaveLength(5)
    }))

  it.effect("a stream that fails before its first chunk falls back; after a chunk it does not", () =>
    Effect.gen(function*() {
      const backup = Testing.scripted({ name: "backup", respond: (_: string) => "backup answer", chunks: (text) => text.split(" ") })
      const early = Runnable.make({
        name: "early",
        run: (_: string) => Effect.fail(new Overloaded("early")),
        stream: (_: string) => Stream.fail(new Overloaded("early"))
      })
      const fiber = yield* Effect.fork(Stream.runCollect(Runnable.stream(withFallbacks(early, [backup]), "q")))
      yield* TestClock.adjust("1 second")
      expect(Chunk.toReadonlyArray(yield* Fiber.join(fiber))).toEqual(["backup", "answer"])

      const probe = Testing.makeProbe()
      const late = Runnable.make({
        name: "late",
        run: (_: string) => Effect.fail(new Overloaded("late")),
        stream: (_: string) => Stream.concat(Stream.make("partial"), Stream.fail(new Overloaded("late")))
      })
      const delivered: Array<string> = []
      const exit = yield* Effect.exit(
        Runnable.stream(withFallbacks(late, [Testing.probed(backup, probe)]), "q").pipe(
          Stream.runForEach((chunk) => Effect.sync(() => delivered.push(chunk)))
        )
      )
      expect(exit).toEqual(Exit.fail(new Overloaded("late")))
      expect(delivered).toEqual(["partial"])
      expect(probe.unsafeStats().started).toBe(0)
    }))

  it.effect("the fallbacks are a run; the runnables tried are nested runs, each ended before the next starts", () =>
    Effect.gen(function*() {
      const chain = withFallbacks(step("primary", new Overloaded("primary")).runnable, [step("backup").runnable])
      const events = Chunk.toReadonlyArray(yield* Stream.runCollect(Runnable.streamEvents(chain, "q")))
      expect(events.map((event) => `${event._tag} ${event.name}`)).toEqual([
        "Started withFallbacks",
        "Started primary",
        "Failed primary",
        "Started backup",
        "Streamed backup",
        // a streamed run ends once its chunk has moved on, as in LangChain
        "Streamed withFallbacks",
        "Ended backup",
        "Ended withFallbacks"
      ])
      const root = events[0]!
      expect(root.kind).toBe("chain")
      for (const event of events.filter((event) => event.name !== "withFallbacks")) {
        expect(event.parentIds).toEqual([root.runId])
      }
    }))

  it.effect("bad options throw InvalidOptionError when the runnable is built", () =>
    Effect.sync(() => {
      const primary = step("primary").runnable
      const untyped = withFallbacks as (...args: Array<unknown>) => any
      const attempts = [
        () => untyped(primary, []),
        () => untyped(primary, [primary], { exceptionKey: "" }),
        () => untyped([primary], { exceptionKey: 42 })(primary)
      ]
      for (const attempt of attempts) {
        expect(attempt).toThrow(Errors.InvalidOptionError)
      }
    }))
})

/** Samples for docs/runnables.md: constructors and executors. */
import { Runnable } from "@fxchain/core"
import { Effect, Either, Stream } from "effect"

// --- constructors
export const wordCount = Runnable.sync((text: string) => text.split(/\s+/).filter(Boolean).length, { name: "wordCount" })

export const delayedEcho = Runnable.fromEffect(
  (text: string) => Effect.as(Effect.sleep("10 millis"), text),
  { name: "delayedEcho" }
)

export const letters = Runnable.fromStream((text: string) => Stream.fromIterable(text.split("")), { name: "letters" })
// invoke(letters, "abc") is "abc": the chunks combined by the concat rule

class NotANumber {
  readonly _tag = "NotANumber"
  constructor(readonly text: string) {}
}

export const parse = Runnable.fromEffect(
  (text: string) => {
    const value = Number(text)
    return Number.isNaN(value) ? Effect.fail(new NotANumber(text)) : Effect.succeed(value)
  },
  { name: "parse" }
) // Runnable<string, number, NotANumber>

// --- executors
export const one = Runnable.invoke(parse, "42") // Effect<number, NotANumber>

export const failFast = Runnable.batch(parse, ["1", "x", "3"], { concurrency: 2 })
// Effect<number[], NotANumber>: fails with NotANumber("x"), interrupting the rest

export const eachResult = Runnable.batch(parse, ["1", "x", "3"], { mode: "either" })
// Effect<Either<number, NotANumber>[]>: [right(1), left(NotANumber("x")), right(3)]

export const asCompleted = Runnable.batchAsCompleted(parse, ["1", "x", "3"], { concurrency: 3 })
// Stream<readonly [index, Either<number, NotANumber>]>, in completion order

export const interleaved = Runnable.streamBatch(letters, ["ab", "cd"], { concurrency: 2 })
// Stream<readonly [index, string]>: every item's chunks as they are produced, e.g. [0, "a"], [1, "c"], [0, "b"], [1, "d"]

export const streamed = Runnable.stream(letters, "hey") // Stream<string>: "h", "e", "y"

export const counted = Runnable.transform(wordCount, Stream.make("two ", "words")) // Stream<number>: 2

export const main = Effect.gen(function*() {
  return {
    one: yield* one,
    failFast: yield* Effect.flip(failFast),
    eachResult: (yield* eachResult).map(Either.map((n) => n)),
    asCompleted: Array.from(yield* Stream.runCollect(asCompleted)),
    interleaved: Array.from(yield* Stream.runCollect(interleaved)),
    streamed: Array.from(yield* Stream.runCollect(streamed)),
    counted: Array.from(yield* Stream.runCollect(counted)),
    echoed: yield* Runnable.invoke(delayedEcho, "echo"),
    invokedLetters: yield* Runnable.invoke(letters, "abc")
  }
})

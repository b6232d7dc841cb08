/**
 * Types of core's constructors and executors, checked by `pnpm check` (this folder is not run by
 * vitest). Each `@ts-expect-error` is followed by what the compiler must say there, which
 * test/typeErrors.test.ts checks.
 */
import { Runnable } from "@fxchain/core"
import type { Errors, RunEvent } from "@fxchain/core"
import type { Either, Scope } from "effect"
import { Cause, Effect, Stream } from "effect"
import { expectTypeOf } from "vitest"

class Overloaded {
  readonly _tag = "Overloaded"
}
class Closed {
  readonly _tag = "Closed"
}

const keys = Runnable.sync((input: object) => Object.keys(input).length)
const empty = Runnable.sync((_: {}) => "no variables")
const optional = Runnable.sync((input: undefined) => input)
const greet = Runnable.sync((name: string) => `Hello, ${name}`)

export const executorsAreDataFirstWhenTheFirstArgumentIsARunnable = Effect.gen(function*() {
  expectTypeOf(Runnable.invoke(empty, {})).toEqualTypeOf<Effect.Effect<string>>()
  expectTypeOf(yield* Runnable.invoke(empty, {})).toEqualTypeOf<string>()
  expectTypeOf(Runnable.invoke(optional, undefined)).toEqualTypeOf<Effect.Effect<undefined>>()
  // an input that looks like run options is still the input
  expectTypeOf(Runnable.invoke(keys, { runTags: ["x"] })).toEqualTypeOf<Effect.Effect<number>>()
  expectTypeOf(Runnable.invoke(keys, {}, { runTags: ["x"] })).toEqualTypeOf<Effect.Effect<number>>()
  expectTypeOf(Runnable.stream(keys, {})).toEqualTypeOf<Stream.Stream<number>>()
  expectTypeOf(Runnable.streamEvents(keys, {})).toEqualTypeOf<Stream.Stream<RunEvent.RunEvent>>()
  expectTypeOf(Runnable.batch(keys, [{}, { a: 1 }])).toEqualTypeOf<Effect.Effect<Array<number>>>()
  // data-last
  expectTypeOf(greet.pipe(Runnable.invoke("Ada"))).toEqualTypeOf<Effect.Effect<string>>()
  expectTypeOf(empty.pipe(Runnable.invoke({}))).toEqualTypeOf<Effect.Effect<string>>()
  expectTypeOf(greet.pipe(Runnable.stream("Ada"))).toEqualTypeOf<Stream.Stream<string>>()
  expectTypeOf(greet.pipe(Runnable.batch(["Ada"]))).toEqualTypeOf<Effect.Effect<Array<string>>>()
  // @ts-expect-error Argument of type 'number' is not assignable to parameter of type 'string'.
  Runnable.invoke(greet, 1)
  // @ts-expect-error Argument of type '{}' is not assignable to parameter of type 'undefined'.
  Runnable.invoke(optional, {})
})

export const rawBehaviourIsNotReachable = () => {
  // @ts-expect-error Property 'run' does not exist on type 'Runnable<string, string, never, never>'.
  greet.run("Ada")
  // @ts-expect-error Property 'stream' does not exist on type 'Runnable<string, string, never, never>'.
  greet.stream("Ada")
  // @ts-expect-error Property 'transform' does not exist on type 'Runnable<string, string, never, never>'.
  greet.transform(Stream.make("Ada"))
  // @ts-expect-error Property 'sync' does not exist on type 'Runnable<string, string, never, never>'.
  greet.sync("Ada")
  // @ts-expect-error Property 'config' does not exist on type 'Runnable<string, string, never, never>'.
  greet.config
}

export const constructorsThatMayFail = () => {
  const fetched = Runnable.fromPromise((url: string) => Promise.resolve(url.length))
  expectTypeOf(fetched).toEqualTypeOf<Runnable.Runnable<string, number, Cause.UnknownException>>()
  const caught = Runnable.fromPromise((url: string) => Promise.resolve(url.length), {
    catch: (reason, input) => {
      expectTypeOf(reason).toEqualTypeOf<unknown>()
      expectTypeOf(input).toEqualTypeOf<string>()
      return new Overloaded()
    }
  })
  expectTypeOf(caught).toEqualTypeOf<Runnable.Runnable<string, number, Overloaded>>()
  expectTypeOf(Runnable.fromAsyncIterable(async function*(text: string) {
    yield text
  })).toEqualTypeOf<Runnable.Runnable<string, string, Cause.UnknownException | Errors.EmptyStreamError>>()

  const parse = Runnable.try((text: string): unknown => JSON.parse(text))
  expectTypeOf(parse).toEqualTypeOf<Runnable.Runnable<string, unknown, Cause.UnknownException>>()
  const parseOrFail = Runnable.try((text: string) => Number(text), {
    catch: (reason, input) => {
      expectTypeOf(reason).toEqualTypeOf<unknown>()
      expectTypeOf(input).toEqualTypeOf<string>()
      return new Overloaded()
    }
  })
  expectTypeOf(parseOrFail).toEqualTypeOf<Runnable.Runnable<string, number, Overloaded>>()
  // a throw inside sync is a defect, not in the type
  expectTypeOf(Runnable.sync((text: string) => Number(text))).toEqualTypeOf<Runnable.Runnable<string, number>>()
}

interface Connection {
  readonly _tag: "Connection"
}
interface Pool {
  readonly _tag: "Pool"
}
declare const acquired: Effect.Effect<Runnable.Runnable<string, number, Overloaded, Connection>, Closed, Scope.Scope | Pool>

export const unwrapRemovesTheScope = () => {
  expectTypeOf(Runnable.unwrap(acquired)).toEqualTypeOf<Runnable.Runnable<string, number, Overloaded | Closed, Connection | Pool>>()
}

export const batchFailsOnlyWithTheRunnablesErrors = () => {
  const failing = Runnable.fromEffect((text: string) => text === "" ? Effect.fail(new Overloaded()) : Effect.succeed(text))
  expectTypeOf(Runnable.batch(failing, ["a"], { concurrency: 2 })).toEqualTypeOf<Effect.Effect<Array<string>, Overloaded>>()
  expectTypeOf(Runnable.batch(failing, ["a"], { mode: "either" })).toEqualTypeOf<
    Effect.Effect<Array<Either.Either<string, Overloaded>>>
  >()
  expectTypeOf(failing.pipe(Runnable.batch(["a"]))).toEqualTypeOf<Effect.Effect<Array<string>, Overloaded>>()
}

export const identityNeedsItsType = () => {
  expectTypeOf(Runnable.identity<string>()).toEqualTypeOf<Runnable.Runnable<string, string>>()
  expectTypeOf(Runnable.identity()).toEqualTypeOf<Runnable.Runnable<unknown, unknown>>()
}

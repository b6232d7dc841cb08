/** @internal */
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Stream from "effect/Stream"
import { InvalidOptionError } from "../Errors.js"
import type * as Runnable from "../Runnable.js"
import { invoke, stream } from "./executor.js"
import { configOf, isTracing } from "./observedRun.js"
import { currentContext } from "./runContext.js"

/** The concurrency an executor will use: the option, else RunConfig's; a typed error when invalid. @internal */
export const resolveConcurrency = (
  name: string,
  given: number | undefined
): Effect.Effect<number, InvalidOptionError> =>
  Effect.withFiberRuntime((fiber) => {
    const value = given ?? configOf(fiber).concurrency
    return Number.isInteger(value) && value >= 1
      ? Effect.succeed(value)
      : Effect.fail(new InvalidOptionError({ runnable: name, option: "concurrency", value, expected: "an integer >= 1" }))
  })

/**
 * Runs items on at most `concurrency` worker fibers that take the next input in turn: a fiber per
 * worker, not per item, so a batch of 100,000 cheap items forks `concurrency` fibers, not 100,000.
 * Fail-fast: the first failure interrupts the other workers, and no further item starts.
 */
const runPool = <A, B, E, R>(
  inputs: ReadonlyArray<A>,
  concurrency: number,
  item: (input: A) => Effect.Effect<B, E, R>
): Effect.Effect<Array<B>, E, R> => {
  const results = new Array<B>(inputs.length)
  let next = 0
  const worker: Effect.Effect<void, E, R> = Effect.suspend(function loop(): Effect.Effect<void, E, R> {
    if (next >= inputs.length) return Effect.void
    const index = next++
    return Effect.flatMap(item(inputs[index]!), (output) => {
      results[index] = output
      return loop()
    })
  })
  const workers = Math.min(concurrency, inputs.length)
  const all = workers === 1
    ? worker
    : Effect.all(Array.from({ length: workers }, () => worker), { concurrency: "unbounded", discard: true })
  return Effect.as(all, results)
}

const runSyncBatch = <A, B>(inputs: ReadonlyArray<A>, f: (input: A) => B, either: boolean): Effect.Effect<Array<unknown>> =>
  Effect.sync(() => {
    const results = new Array<unknown>(inputs.length)
    for (let index = 0; index < inputs.length; index++) {
      const output = f(inputs[index]!)
      results[index] = either ? Either.right(output) : output
    }
    return results
  })

/** @internal */
export const batch = <In, Out, E, R>(
  self: Runnable.Runnable<In, Out, E, R>,
  inputs: Iterable<In>,
  options?: Runnable.BatchOptions
): Effect.Effect<Array<any>, E | InvalidOptionError, R> =>
  Effect.flatMap(resolveConcurrency(self.name, options?.concurrency), (concurrency) =>
    Effect.withFiberRuntime((fiber) => {
      const items = Array.from(inputs)
      const either = options?.mode === "either"
      if (items.length === 0) return Effect.succeed([])
      if (self.sync !== undefined && currentContext(fiber).listener === undefined && !isTracing(fiber)) {
        return runSyncBatch(items, self.sync, either)
      }
      return either
        ? runPool(items, concurrency, (input) => Effect.either(invoke(self, input)))
        : runPool(items, concurrency, (input) => invoke(self, input))
    }))

/** @internal */
export const batchAsCompleted = <In, Out, E, R>(
  self: Runnable.Runnable<In, Out, E, R>,
  inputs: Iterable<In>,
  options?: Runnable.ConcurrencyOptions
): Stream.Stream<readonly [number, Either.Either<Out, E>], InvalidOptionError, R> =>
  Stream.unwrap(Effect.map(resolveConcurrency(self.name, options?.concurrency), (concurrency) =>
    Stream.fromIterable(inputs).pipe(
      Stream.zipWithIndex,
      Stream.mapEffect(
        ([input, index]) => Effect.map(Effect.either(invoke(self, input)), (result) => [index, result] as const),
        { concurrency, unordered: true }
      )
    )))

/** @internal */
export const streamBatch = <In, Out, E, R>(
  self: Runnable.Runnable<In, Out, E, R>,
  inputs: Iterable<In>,
  options?: Runnable.ConcurrencyOptions
): Stream.Stream<readonly [number, Out], E | InvalidOptionError, R> =>
  Stream.unwrap(Effect.map(resolveConcurrency(self.name, options?.concurrency), (concurrency) =>
    Stream.fromIterable(inputs).pipe(
      Stream.zipWithIndex,
      Stream.flatMap(
        ([input, index]) => Stream.map(stream(self, input), (chunk) => [index, chunk] as const),
        { concurrency }
      )
    )))

/** @internal */
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import type * as Fiber from "effect/Fiber"
import { identity } from "effect/Function"
import * as Stream from "effect/Stream"
import * as Options from "../Options.js"
import type * as Runnable from "../Runnable.js"
import { invoke, stream, suspendedStream } from "./executor.js"
import { configOf, isObserved, runConfigOf, tooDeep } from "./observedRun.js"
import { currentContext, nested, withContext } from "./runContext.js"
import { behaviourOf } from "./runnable.js"

/**
 * The concurrency an executor will use: the option, else the runnable's own `withConfig`, else
 * RunConfig's. A bad option given at run time is a defect (`InvalidOptionError`, thrown here
 * inside the run), as `Options` says.
 */
const concurrencyOf = (
  fiber: Fiber.RuntimeFiber<unknown, unknown>,
  self: Runnable.Runnable<any, any, any, any>,
  given: number | undefined
): number =>
  Options.integer(
    self.name,
    "concurrency",
    given === undefined ? behaviourOf(self).config?.concurrency ?? configOf(fiber).concurrency : given,
    { min: 1 }
  )

/** @internal */
export const resolveConcurrency = (
  self: Runnable.Runnable<any, any, any, any>,
  given: number | undefined
): Effect.Effect<number> => Effect.withFiberRuntime((fiber) => Effect.succeed(concurrencyOf(fiber, self, given)))

/** What a worker runs inside of (the run context of its items). */
type InWorker = <X, E, R>(worker: Effect.Effect<X, E, R>) => Effect.Effect<X, E, R>

/**
 * Runs items on worker fibers that take the next input in turn: a fiber per worker, not per item,
 * and no more workers than the items need. One worker starts at once; more start only when the
 * running ones made no progress since the last look (they wait on something), doubling each time
 * until `concurrency` run. So a batch of cheap items that never wait runs on one or a few fibers,
 * and a batch of waiting items reaches `concurrency` in a few scheduler ticks.
 * Fail-fast: the first failure interrupts the other workers, and no further item starts.
 */
const runPool = <A, B, E, R>(
  inputs: ReadonlyArray<A>,
  concurrency: number,
  item: (input: A) => Effect.Effect<B, E, R>,
  inWorker: InWorker
): Effect.Effect<Array<B>, E, R> =>
  Effect.suspend(() => {
    const results = new Array<B>(inputs.length)
    let next = 0
    let completed = 0
    const worker: Effect.Effect<void, E, R> = inWorker(Effect.suspend(function loop(): Effect.Effect<void, E, R> {
      if (next >= inputs.length) return Effect.void
      const index = next++
      return Effect.flatMap(item(inputs[index]!), (output) => {
        results[index] = output
        completed++
        return loop()
      })
    }))
    if (concurrency === 1 || inputs.length === 1) return Effect.as(worker, results)
    return Effect.scoped(Effect.gen(function*() {
      const outcome = yield* Deferred.make<void, E>()
      let running = 0
      const start = Effect.suspend(() => {
        running++
        return Effect.forkScoped(Effect.onExit(worker, (exit) => {
          if (Exit.isFailure(exit)) return Deferred.failCause(outcome, exit.cause)
          return --running === 0 ? Deferred.succeed(outcome, undefined) : Effect.void
        }))
      })
      yield* start
      let started = 1
      let seen = completed
      while (next < inputs.length && started < concurrency && !(yield* Deferred.isDone(outcome))) {
        yield* Effect.yieldNow()
        if (completed === seen) {
          // the running workers all wait: double them (up to `concurrency`), so a batch of waiting
          // items reaches full concurrency in a few ticks
          const more = Math.min(started, concurrency - started, inputs.length - next)
          for (let index = 0; index < more; index++) yield* start
          started += more
        }
        seen = completed
      }
      yield* Deferred.await(outcome)
      return results
    }))
  })

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
): Effect.Effect<Array<any>, E, R> =>
  Effect.withFiberRuntime<Array<any>, E, R>((fiber) => {
    const concurrency = concurrencyOf(fiber, self, options?.concurrency)
    const mode = options?.mode
    if (mode !== undefined && mode !== "fail-fast" && mode !== "either") {
      Options.invalid(self.name, "mode", mode, "\"fail-fast\" or \"either\"")
    }
    const either = mode === "either"
    const items = Array.from(inputs)
    if (items.length === 0) return Effect.succeed([])
    const parent = currentContext(fiber)
    const behaviour = behaviourOf(self)
    if (!isObserved(fiber, parent) && behaviour.config === undefined) {
      // nobody observes: items are runs of the same depth, so each worker enters that depth
      // once and then calls the raw behaviour directly
      if (behaviour.sync !== undefined) return runSyncBatch(items, behaviour.sync, either)
      const limit = tooDeep(self.name, parent.depth + 1, runConfigOf(fiber, self).maxDepth)
      if (limit !== undefined) return limit
      const context = nested(parent)
      const inWorker: InWorker = (worker) => withContext(worker, context)
      return either
        ? runPool(items, concurrency, (input: In) => Effect.either(behaviour.run(input)), inWorker)
        : runPool(items, concurrency, behaviour.run, inWorker)
    }
    return either
      ? runPool(items, concurrency, (input: In) => Effect.either(invoke(self, input)), identity)
      : runPool(items, concurrency, (input: In) => invoke(self, input), identity)
  })

/** @internal */
export const batchAsCompleted = <In, Out, E, R>(
  self: Runnable.Runnable<In, Out, E, R>,
  inputs: Iterable<In>,
  options?: Runnable.ConcurrencyOptions
): Stream.Stream<readonly [number, Either.Either<Out, E>], never, R> =>
  suspendedStream(Effect.map(resolveConcurrency(self, options?.concurrency), (concurrency) =>
    Stream.fromIterable(inputs).pipe(
      Stream.zipWithIndex,
      Stream.mapEffect(
        ([input, index]) => Effect.map(Effect.either(invoke(self, input)), (result) => [index, result] as const),
        { concurrency, unordered: true }
      ),
      Stream.toChannel
    )))

/** @internal */
export const streamBatch = <In, Out, E, R>(
  self: Runnable.Runnable<In, Out, E, R>,
  inputs: Iterable<In>,
  options?: Runnable.ConcurrencyOptions
): Stream.Stream<readonly [number, Out], E, R> =>
  suspendedStream(Effect.map(resolveConcurrency(self, options?.concurrency), (concurrency) =>
    Stream.fromIterable(inputs).pipe(
      Stream.zipWithIndex,
      Stream.flatMap(
        ([input, index]) => Stream.map(stream(self, input), (chunk) => [index, chunk] as const),
        { concurrency }
      ),
      Stream.toChannel
    )))

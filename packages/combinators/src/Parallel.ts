/**
 * Parallel maps: LangChain's `RunnableParallel` (`RunnableMap`), `RunnablePassthrough.assign` and
 * `RunnablePick`.
 *
 * @since 0.1.0
 */
import { Concat, Options, Runnable } from "@fxchain/core"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import type { Branch, Conflict, InputOfAll, TakesRecord } from "./internal/mismatch.js"

type AnyRunnable = Runnable.Runnable<any, any, any, any>

/**
 * The input of a parallel map: what every branch accepts.
 *
 * @since 0.1.0
 * @category models
 */
export type ParallelInput<Branches> = InputOfAll<Branch<Branches>>

/**
 * The output of a parallel map: each branch's output under its key (or at its position).
 *
 * @since 0.1.0
 * @category models
 */
export type ParallelOutput<Branches> = { -readonly [K in keyof Branches]: Runnable.Runnable.Output<Branches[K]> } extends
  infer Output ? Output : never

/**
 * Types of `parallel`: what its branches must fit.
 *
 * @since 0.2.0
 * @category models
 */
export declare namespace Parallel {
  /**
   * For each branch, `unknown` when some input fits it and every other branch; otherwise a type
   * no runnable has, naming the branch, its input and what the others take, so that the compiler
   * reports the conflict at the call.
   *
   * @since 0.2.0
   * @category models
   */
  export type Check<Branches> = { readonly [K in keyof Branches]: Conflict<"Fx.parallel", Branches, K> }
}

/**
 * Types of `assign`: what its branches must fit.
 *
 * @since 0.2.0
 * @category models
 */
export declare namespace Assign {
  /**
   * `Parallel.Check`, and each branch must take a record (the input `assign` adds keys to).
   *
   * @since 0.2.0
   * @category models
   */
  export type Check<Branches> = {
    readonly [K in keyof Branches]: TakesRecord<"Fx.assign", K, Runnable.Runnable.Input<Branches[K]>> & Conflict<"Fx.assign", Branches, K>
  }
  /**
   * The input of an assign: what every branch accepts, a record.
   *
   * @since 0.2.0
   * @category models
   */
  export type Input<Branches> = [ParallelInput<Branches>] extends [object] ? ParallelInput<Branches>
    : ParallelInput<Branches> & object
}

interface Plan {
  readonly keys: ReadonlyArray<string>
  readonly runnables: ReadonlyArray<AnyRunnable>
  readonly options: ReadonlyArray<Runnable.RunOptions>
  readonly synchronous: ReadonlyArray<number>
  readonly asynchronous: ReadonlyArray<number>
}

const plan = (branches: Readonly<Record<string, AnyRunnable>>): Plan => {
  const keys = Object.keys(branches)
  const runnables = keys.map((key) => branches[key]!)
  const indices = runnables.map((_, index) => index)
  return {
    keys,
    runnables,
    options: keys.map((key) => ({ runTags: [`map:key:${key}`] })),
    synchronous: indices.filter((index) => runnables[index]![Runnable.TypeId].sync !== undefined),
    asynchronous: indices.filter((index) => runnables[index]![Runnable.TypeId].sync === undefined)
  }
}

/**
 * Runs every branch on the input and returns their outputs by key. Synchronous branches run
 * inline, one after the other (they cannot overlap anyway); only the others get a fiber each.
 */
const runAll = (plan: Plan, input: unknown): Effect.Effect<Record<string, unknown>, any, any> => {
  const { asynchronous, keys, options, runnables, synchronous } = plan
  const invokeAt = (index: number) => Runnable.invoke(runnables[index]!, input, options[index])
  const inline = Effect.forEach(synchronous, invokeAt)
  const concurrent = Effect.forEach(asynchronous, invokeAt, {
    concurrency: asynchronous.length > 1 ? "unbounded" : undefined
  })
  return Effect.zipWith(inline, concurrent, (inlineOutputs, concurrentOutputs) => {
    const output: Record<string, unknown> = {}
    synchronous.forEach((index, position) => (output[keys[index]!] = inlineOutputs[position]))
    asynchronous.forEach((index, position) => (output[keys[index]!] = concurrentOutputs[position]))
    return output
  })
}

const syncAll = (plan: Plan): ((input: unknown) => Record<string, unknown>) | undefined => {
  if (plan.asynchronous.length > 0) return undefined
  return (input) => {
    const output: Record<string, unknown> = {}
    for (let index = 0; index < plan.keys.length; index++) output[plan.keys[index]!] = plan.runnables[index]![Runnable.TypeId].sync!(input)
    return output
  }
}

/**
 * Every branch streams at once; each chunk arrives as `{ key: chunk }`. Synchronous branches
 * stream first, one after the other, without a fiber each.
 */
const streamAll = (plan: Plan, input: unknown): Stream.Stream<Record<string, unknown>, any, any> => {
  const keyed = (index: number) =>
    Stream.map(Runnable.stream(plan.runnables[index]!, input, plan.options[index]), (chunk) => ({ [plan.keys[index]!]: chunk }))
  const inline = plan.synchronous.map(keyed)
  const concurrent = plan.asynchronous.map(keyed)
  return Stream.concatAll(Chunk.fromIterable([
    ...inline,
    concurrent.length > 1 ? Stream.mergeAll(concurrent, { concurrency: "unbounded" }) : concurrent[0] ?? Stream.empty
  ]))
}

/** Chunks of the input a branch may run ahead of the slowest one (then the input waits). */
const maximumLag = 64

/**
 * Every branch transforms its own copy of a streamed input (LangChain's
 * `RunnableParallel.transform`): a branch with `transform` consumes the chunks as they arrive,
 * one without gathers its copy first. Each chunk arrives as `{ key: chunk }`.
 */
const transformAll = (plan: Plan, input: Stream.Stream<unknown, any, any>): Stream.Stream<Record<string, unknown>, any, any> =>
  Stream.unwrapScoped(Effect.map(Stream.broadcast(input, plan.keys.length, maximumLag), (copies) =>
    Stream.mergeAll(
      plan.keys.map((key, index) =>
        Stream.map(Runnable.transform(plan.runnables[index]!, copies[index]!, plan.options[index]), (chunk) => ({ [key]: chunk }))
      ),
      { concurrency: "unbounded" }
    )))

const anyTransforms = (plan: Plan): boolean => plan.runnables.some((runnable) => runnable[Runnable.TypeId].transform !== undefined)

/**
 * The branches of an assign over a streamed input: the input's chunks pass through as they
 * arrive (without the keys the branches compute, as LangChain's `RunnableAssign` does), while the
 * branches run on their copy; their chunks follow once the input has ended.
 */
const assignTransform = (plan: Plan, input: Stream.Stream<Record<string, unknown>, any, any>) =>
  Stream.unwrapScoped(Effect.gen(function*() {
    const [passthrough, forBranches] = yield* Stream.broadcast(input, 2, maximumLag)
    const branches = anyTransforms(plan)
      ? transformAll(plan, forBranches)
      : Stream.unwrap(Effect.map(Concat.gather(forBranches), Option.match({
        onNone: () => Stream.empty,
        onSome: (gathered) => streamAll(plan, gathered)
      })))
    // the branches run meanwhile; what they yield before the input ends waits here
    const branchChunks = yield* Stream.toQueue(branches, { strategy: "unbounded" })
    const computed = new Set(plan.keys)
    const passed = Stream.filterMap(passthrough, (chunk) => {
      const kept = Object.entries(chunk).filter(([key]) => !computed.has(key))
      return kept.length === 0 ? Option.none() : Option.some(Object.fromEntries(kept))
    })
    return Stream.concat(passed, Stream.flattenTake(Stream.fromQueue(branchChunks)))
  }))

const toArray = (record: Record<string, unknown>, length: number): Array<unknown> =>
  Array.from({ length }, (_, index) => record[index])

/**
 * Runs every branch on the same input at once; the output holds each branch's output under its
 * key (record form) or at its position (tuple form).
 *
 * - A failure interrupts the other branches at once (their finalizers run); the error is the
 *   first failure's, unchanged.
 * - Synchronous branches (`Runnable.sync`, `Fx.pick`, ...) run inline without a fiber each; when
 *   all are synchronous and nobody observes, the whole map is one function call.
 * - Record form: streaming yields `{ key: chunk }` as each branch streams; the chunks combine by
 *   the concat rule into the invoke output. Tuple form: streaming yields the output array once,
 *   when every branch is done (array chunks would append, not combine by position).
 * - Each branch runs as a nested run tagged `map:key:KEY` (its position for a tuple).
 * - Types, for any number of branches: the input is what every branch accepts (the intersection
 *   of their inputs); branches that no input fits together are a compile error at the call,
 *   naming both branches and their input types.
 *
 * @example
 * ```ts
 * import * as Fx from "@fxchain/combinators"
 * import { Runnable } from "@fxchain/core"
 *
 * const stats = Fx.parallel({
 *   length: Runnable.sync((text: string) => text.length),
 *   words: Runnable.sync((text: string) => text.split(" ").length)
 * }) // Runnable<string, { length: number; words: number }>
 * ```
 *
 * @since 0.1.0
 * @category composition
 */
export const parallel: {
  <const Branches extends ReadonlyArray<AnyRunnable> | Readonly<Record<string, AnyRunnable>>>(
    branches: Branches & Parallel.Check<Branches>
  ): Runnable.Runnable<
    ParallelInput<Branches>,
    ParallelOutput<Branches>,
    Runnable.Runnable.Error<Branch<Branches>>,
    Runnable.Runnable.Context<Branch<Branches>>
  >
} = (branches: ReadonlyArray<AnyRunnable> | Readonly<Record<string, AnyRunnable>>): any => {
  const plan_ = plan(branches as Readonly<Record<string, AnyRunnable>>)
  if (Array.isArray(branches)) {
    const length = branches.length
    const syncRecord = syncAll(plan_)
    return Runnable.make({
      name: "parallel",
      kind: "chain",
      run: (input: unknown) => Effect.map(runAll(plan_, input), (record) => toArray(record, length)),
      sync: syncRecord === undefined ? undefined : (input: unknown) => toArray(syncRecord(input), length)
    })
  }
  return Runnable.make({
    name: "parallel",
    kind: "chain",
    run: (input: unknown) => runAll(plan_, input),
    stream: (input: unknown) => streamAll(plan_, input),
    // no branch consumes a stream: gathering the input first is the same, and cheaper
    transform: anyTransforms(plan_) ? (input: Stream.Stream<unknown, any, any>) => transformAll(plan_, input) : undefined,
    sync: syncAll(plan_)
  })
}

/**
 * LangChain's `RunnablePassthrough.assign`: the input record with new keys, each computed by a
 * branch from the input; the branches run as in `parallel`. Streaming yields the input's own keys
 * as one chunk, then `{ key: chunk }` per branch chunk; they combine into the output.
 *
 * The input is a record that every branch accepts: a branch taking something else, or branches
 * that no input fits together, are a compile error at the call naming the branch and the types.
 *
 * @example
 * ```ts
 * import * as Fx from "@fxchain/combinators"
 * import { Runnable } from "@fxchain/core"
 *
 * const withLength = Fx.assign({ length: Runnable.sync((input: { text: string }) => input.text.length) })
 * // Runnable<{ text: string }, { text: string } & { length: number }>
 * ```
 *
 * @since 0.1.0
 * @category composition
 */
export const assign = <const Branches extends Readonly<Record<string, AnyRunnable>>>(
  branches: Branches & Assign.Check<Branches>
): Runnable.Runnable<
  Assign.Input<Branches>,
  Assign.Input<Branches> & ParallelOutput<Branches>,
  Runnable.Runnable.Error<Branches[keyof Branches]>,
  Runnable.Runnable.Context<Branches[keyof Branches]>
> => {
  const plan_ = plan(branches)
  const syncRecord = syncAll(plan_)
  return Runnable.make({
    name: "assign",
    kind: "chain",
    run: (input: Record<string, unknown>) => Effect.map(runAll(plan_, input), (added) => ({ ...input, ...added })),
    stream: (input: Record<string, unknown>) => assignTransform(plan_, Stream.succeed(input)),
    transform: (input: Stream.Stream<Record<string, unknown>, any, any>) => assignTransform(plan_, input),
    sync: syncRecord === undefined ? undefined : (input: Record<string, unknown>) => ({ ...input, ...syncRecord(input) })
  }) as any
}

const present = (keys: ReadonlyArray<string>, input: Record<string, unknown>): Record<string, unknown> | undefined => {
  const picked = keys.filter((key) => input[key] !== undefined)
  return picked.length === 0 ? undefined : Object.fromEntries(picked.map((key) => [key, input[key]]))
}

/**
 * Picks from a record input (LangChain's `RunnablePick`): `pick("key")` gives the key's value
 * itself, `pick(["a", "b"])` a record of those keys that have a value (`undefined` when none has).
 * It streams through: each input chunk gives what it holds of the keys (a chunk holding none of
 * them gives nothing). The picked values are typed `any`, as the input is only known where the
 * step is placed; for a typed output, write `Fx.map(step, ({ question }) => question)`.
 *
 * @example
 * ```ts
 * import * as Fx from "@fxchain/combinators"
 *
 * const question = Fx.pick("question") // { question: "why?", context: "..." } → "why?"
 * const both = Fx.pick(["question", "context"]) // → { question, context }
 * ```
 *
 * @since 0.1.0
 * @category composition
 */
export const pick: {
  <const Key extends string>(key: Key): Runnable.Runnable<{ readonly [K in Key]?: any } & { readonly [key: string]: unknown }, any>
  <const Keys extends ReadonlyArray<string>>(
    keys: Keys
  ): Runnable.Runnable<
    { readonly [K in Keys[number]]?: any } & { readonly [key: string]: unknown },
    { [K in Keys[number]]?: any } | undefined
  >
} = (keys: string | ReadonlyArray<string>): Runnable.Runnable<any, any> => {
  if (!(typeof keys === "string" || (Array.isArray(keys) && keys.length > 0 && keys.every((key) => typeof key === "string")))) {
    Options.invalid("pick", "keys", keys, "a key or a non-empty array of keys")
  }
  const select = typeof keys === "string"
    ? (input: Record<string, unknown>) => input[keys]
    : (input: Record<string, unknown>) => present(keys, input)
  return Runnable.make({
    name: "pick",
    kind: "chain",
    run: (input: Record<string, unknown>) => Effect.succeed(select(input)),
    transform: (input: Stream.Stream<Record<string, unknown>, any, any>) =>
      Stream.filterMap(input, (chunk) => {
        const picked = select(chunk)
        return picked === undefined ? Option.none() : Option.some(picked)
      }),
    sync: select
  })
}

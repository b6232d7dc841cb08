/**
 * The concat rule: how the chunks of a stream combine into one value.
 *
 * `Runnable.fromStream` uses it to turn chunks into the `invoke` result, a sequence step without
 * `transform` uses it to gather its streamed input, and `RunEvent.Ended` uses it for a streamed
 * run's output. One rule everywhere:
 *
 * - strings concatenate: `"Hel" + "lo"` is `"Hello"`;
 * - arrays append: `[1] + [2, 3]` is `[1, 2, 3]`;
 * - plain records (object literals) merge key by key with this same rule: a key on one side only
 *   is kept, a key on both sides is combined;
 * - two instances of the same class with a `concat` method (LangChain's `AIMessageChunk`, say)
 *   combine with it: `left.concat(right)`;
 * - anything else (numbers, booleans, `null`, other class instances, mixed kinds): the last chunk
 *   wins;
 * - a `Replacement` (`replace(value)`) replaces what it meets instead of combining with it: as a
 *   chunk, the combined value becomes `value`; as the value of a key in a record chunk, that key's
 *   value becomes `value`. This is how a stream says "not more of the same, but this instead" —
 *   a JSON key given a second time, an answer that changes its mind — and still combines, by this
 *   one rule, into what `invoke` returns.
 *
 * @since 0.1.0
 */
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import { emittedChunk } from "./internal/fiberInternals.js"

/**
 * Tells whether a value is a plain record: an object literal or an object without prototype.
 * Class instances (including Effect's data types) are not plain records.
 *
 * @since 0.1.0
 * @category guards
 */
export const isPlainRecord = (value: unknown): value is Record<string, unknown> => {
  if (typeof value !== "object" || value === null) return false
  const prototype = Object.getPrototypeOf(value)
  return prototype === Object.prototype || prototype === null
}

/**
 * A chunk that replaces what it is combined with (see `replace`).
 *
 * @since 0.2.0
 * @category models
 */
export class Replacement<out A> {
  readonly _tag = "Replacement"
  constructor(readonly value: A) {}
}

/**
 * A chunk saying "this instead": combined by the concat rule, it replaces the value so far (or,
 * as the value of a key in a record chunk, that key's value) with `value`, where a plain chunk
 * would have been appended or merged. Typed as the value it stands for, so it fits wherever a
 * chunk of that type does; a consumer that reads chunks one by one, rather than combining them,
 * can tell it apart with `isReplacement`.
 *
 * @example
 * ```ts
 * import { Concat } from "@fxchain/core"
 *
 * Concat.combine({ a: "x", b: [1] }, { a: Concat.replace("y") }) // { a: "y", b: [1] }
 * Concat.combineAll(["draft", Concat.replace("final")]) // "final"
 * ```
 *
 * @since 0.2.0
 * @category constructors
 */
export const replace = <A>(value: A): A => new Replacement(value) as unknown as A

/**
 * Tells whether a chunk is a `Replacement`.
 *
 * @since 0.2.0
 * @category guards
 */
export const isReplacement = (value: unknown): value is Replacement<unknown> => value instanceof Replacement

const resolve = <A>(value: A): A => value instanceof Replacement ? value.value as A : value

/**
 * Combines two chunks by the concat rule.
 *
 * @example
 * ```ts
 * import { Concat } from "@fxchain/core"
 *
 * Concat.combine("Hel", "lo") // "Hello"
 * Concat.combine({ text: "a", tokens: [1] }, { text: "b", tokens: [2] }) // { text: "ab", tokens: [1, 2] }
 * Concat.combine(1, 2) // 2
 * ```
 *
 * @since 0.1.0
 * @category combinators
 */
export const combine = <A>(left: A, right: A): A => {
  if (typeof left === "string" && typeof right === "string") return (left + right) as A
  if (right instanceof Replacement) return right.value as A
  if (left instanceof Replacement) return combine(left.value as A, right)
  if (Array.isArray(left) && Array.isArray(right)) return [...left, ...right] as A
  if (isPlainRecord(left) && isPlainRecord(right)) {
    const merged: Record<string, unknown> = { ...left }
    for (const key of Object.keys(right)) {
      const value = Object.hasOwn(left, key) ? combine(left[key], right[key]) : resolve(right[key])
      // defineProperty, not assignment: a "__proto__" key (JSON.parse makes one) stays a key
      Object.defineProperty(merged, key, { value, enumerable: true, writable: true, configurable: true })
    }
    return merged as A
  }
  if (isConcatenable(left) && isConcatenable(right) && left.constructor === right.constructor) {
    return left.concat(right) as A
  }
  return right
}

const isConcatenable = (value: unknown): value is { concat(other: unknown): unknown } =>
  typeof value === "object" && value !== null && typeof (value as { concat?: unknown }).concat === "function"

/**
 * Combines chunks one at a time by the concat rule, keeping only their combination, not the
 * chunks: for a streamed run that reports its output at the end. A run of array chunks is
 * appended in place, in time linear in their total length.
 *
 * @example
 * ```ts
 * import { Concat } from "@fxchain/core"
 *
 * const combined = new Concat.Accumulator<string>()
 * combined.add("Hel")
 * combined.add("lo")
 * combined.result // "Hello"
 * ```
 *
 * @since 0.2.0
 * @category combinators
 */
export class Accumulator<A> {
  private value: A | undefined = undefined
  private count = 0
  private ownsArray = false

  /** Adds the next chunk. */
  add(chunk: A): void {
    if (this.count++ === 0) {
      this.value = resolve(chunk)
    } else if (Array.isArray(this.value) && Array.isArray(chunk)) {
      // appending in place keeps a long run of array chunks linear instead of quadratic
      if (!this.ownsArray) this.value = [...this.value] as A
      this.ownsArray = true
      ;(this.value as Array<unknown>).push(...chunk)
    } else {
      this.value = combine(this.value as A, chunk)
      this.ownsArray = false
    }
  }

  /** No chunk was added. */
  get isEmpty(): boolean {
    return this.count === 0
  }

  /** The chunks added so far, combined; `undefined` when there are none. */
  get result(): A | undefined {
    return this.value
  }
}

/**
 * Combines chunks in order by the concat rule; `undefined` when there are none. A run of array
 * chunks is appended in place, in time linear in their total length.
 *
 * @since 0.1.0
 * @category combinators
 */
export const combineAll = <A>(chunks: Iterable<A>): A | undefined => {
  const combined = new Accumulator<A>()
  for (const chunk of chunks) combined.add(chunk)
  return combined.result
}

/**
 * Runs a stream to its end and combines its chunks by the concat rule: `Option.none()` when it
 * produced none. This is how a step without `transform` gathers a streamed input, and how
 * `Runnable.fromStream` makes its `invoke` result.
 *
 * @since 0.1.0
 * @category combinators
 */
export const gather = <A, E, R>(stream: Stream.Stream<A, E, R>): Effect.Effect<Option.Option<A>, E, R> => {
  // a stream of one chunk known up front (a sequence's input) is combined without running it
  const known = emittedChunk(stream)
  if (known !== undefined) return Effect.sync(() => combined(known))
  return Effect.map(Stream.runCollect(stream), combined)
}

const combined = <A>(chunks: Chunk.Chunk<A>): Option.Option<A> =>
  Chunk.isEmpty(chunks) ? Option.none() : Option.some(combineAll(chunks) as A)

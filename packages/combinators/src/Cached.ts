/**
 * Caching on Effect's `Cache`: a runnable's outputs kept by a key computed from the input, for a
 * time to live on the `Clock` (so `TestClock` drives expiry in tests), with concurrent calls for
 * one key sharing a single run of the work.
 *
 * @since 0.1.0
 */
import type { Runnable } from "@fxchain/core"
import type * as Duration from "effect/Duration"
import type * as Effect from "effect/Effect"
import { dual } from "effect/Function"
import type * as Scope from "effect/Scope"
import * as internal from "./internal/cached.js"

/**
 * How `cached` keeps outputs.
 *
 * @since 0.1.0
 * @category models
 */
export interface CachedOptions<In> {
  /**
   * The most entries kept (an integer >= 1). Past it, entries are dropped in the order of
   * Effect's `Cache`, close to the order in which they were first looked up: reading an entry
   * again does not always keep it longer (the order is not strictly least recently used).
   */
  readonly capacity: number
  /**
   * How long an output is served from the cache, on the Clock, counted from when its work
   * finished. An entry is fresh while no more than this has passed (Effect's `Cache`: with
   * "1 second", it is still served at exactly 1000 ms and recomputed after). `Duration.infinity`
   * keeps entries until `capacity` drops them.
   */
  readonly timeToLive: Duration.DurationInput
  /**
   * The key of an input (two inputs with the same key share an output). By default a string,
   * number or other primitive input is its own key and any other input is keyed by
   * `JSON.stringify` (so objects whose keys come in another order are different keys, and a
   * string input can collide with an object printed alike: pass `key` for inputs where that
   * matters). Keys are compared with `===` (`NaN` matches `NaN`).
   */
  readonly key?: ((input: In) => string | number) | undefined
}

/**
 * The attribute, on a cached run's `Ended` event and span, that says whether its output came
 * from the cache (`true`, including a call that waited for another caller's run of the same key)
 * or from running the work (`false`).
 *
 * @since 0.1.0
 * @category constants
 */
export const hitAttribute: "fxchain.cache.hit" = internal.hitAttribute

/**
 * Caches a runnable's outputs on Effect's `Cache`, which lives in the `Scope`.
 *
 * - Concurrent calls with the same key run the work once and all get its result (the `Cache`
 *   dedupes lookups in flight).
 * - Failures are not cached: every caller that was waiting on the failed run gets its error,
 *   and the next call runs the work again. Successes are kept for `timeToLive`.
 * - Interruption: the work runs in a fiber owned by the cache's scope, not in the fiber of the
 *   caller that happened to come first, so a caller that is interrupted only stops waiting and
 *   the other callers still get the output. When every caller waiting on a key has been
 *   interrupted, the work is interrupted too (its finalizers run) and nothing is cached. When
 *   the scope closes, work in flight is interrupted; the runnable should not be used after.
 *   This is why the constructor needs a `Scope`: a `Cache` alone does not (Effect's lookup runs
 *   in its first caller, whose interruption would fail every other waiter).
 * - The work runs with its first caller's context (services, `RunConfig`), and its nested runs
 *   belong to that caller's run.
 * - No run is added: the result is the runnable itself (same name, kind, configuration); each
 *   call is its run, whose `Ended` attributes and span say `"fxchain.cache.hit"`.
 * - Streaming: the work runs as `invoke` does (one run's output is shared by every caller), and
 *   a stream of the cached runnable yields that output as one chunk. A streamed input is
 *   gathered first (the key needs all of it).
 * - Bad options (a `capacity` that is not an integer >= 1, a `timeToLive` that is not a
 *   duration of 0 or more) throw `InvalidOptionError` (from `@fxchain/core`'s `Errors`, naming
 *   the option) when `cached` is called, as every bad option does (see core's `Options`).
 *
 * @example
 * ```ts
 * import * as Fx from "@fxchain/combinators"
 * import { Runnable } from "@fxchain/core"
 * import { Effect } from "effect"
 *
 * declare const embed: Runnable.Runnable<string, ReadonlyArray<number>>
 *
 * const program = Effect.scoped(
 *   Effect.gen(function*() {
 *     const cachedEmbed = yield* Fx.cached(embed, { capacity: 10_000, timeToLive: "1 hour" })
 *     const [first, again] = yield* Effect.all(
 *       [Runnable.invoke(cachedEmbed, "hello"), Runnable.invoke(cachedEmbed, "hello")],
 *       { concurrency: 2 }
 *     ) // `embed` ran once
 *   })
 * )
 * ```
 *
 * @since 0.1.0
 * @category policies
 */
export const cached: {
  <In>(
    options: CachedOptions<In>
  ): <Out, E, R>(
    self: Runnable.Runnable<In, Out, E, R>
  ) => Effect.Effect<Runnable.Runnable<In, Out, E, R>, never, Scope.Scope>
  <In, Out, E, R>(
    self: Runnable.Runnable<In, Out, E, R>,
    options: CachedOptions<NoInfer<In>>
  ): Effect.Effect<Runnable.Runnable<In, Out, E, R>, never, Scope.Scope>
} = dual(2, internal.cached)

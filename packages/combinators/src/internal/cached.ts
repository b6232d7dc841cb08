/** @internal */
import { Options, Runnable } from "@fxchain/core"
import * as Cache from "effect/Cache"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Equal from "effect/Equal"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Hash from "effect/Hash"
import * as Option from "effect/Option"
import type * as Scope from "effect/Scope"
import type * as Cached from "../Cached.js"

/** @internal */
export const hitAttribute = "fxchain.cache.hit"

/** The default key: a primitive input is its own key, anything else its JSON. @internal */
export const defaultKey = (input: unknown): unknown =>
  (typeof input === "object" && input !== null) || typeof input === "function" ? JSON.stringify(input) : input

const sameKey = (left: unknown, right: unknown): boolean => left === right || (left !== left && right !== right)

/**
 * What the cache is keyed by: the key computed from the input, and, along with it (not part of
 * its identity), the work that computes the value for that input in its caller's context.
 */
class CacheKey<Out, E> implements Equal.Equal {
  /** Set when this caller's lookup ran the work: its run was a miss. */
  ran = false
  constructor(readonly key: unknown, readonly work: Effect.Effect<Out, E>) {}
  [Equal.symbol](that: Equal.Equal): boolean {
    return that instanceof CacheKey && sameKey(this.key, that.key)
  }
  [Hash.symbol](): number {
    return Hash.hash(this.key)
  }
}

/** The callers waiting on one key and the fibers looking it up for them. */
interface Flight {
  waiters: number
  readonly fibers: Set<Fiber.RuntimeFiber<unknown, unknown>>
}

/** The options of `cached`, checked when it is called (see `Options`); returns the time to live. */
const validate = (name: string, options: Cached.CachedOptions<never>): Duration.Duration => {
  Options.integer(name, "capacity", options.capacity, { min: 1 })
  return Options.duration(name, "timeToLive", options.timeToLive)
}

/** @internal */
export const cached = <In, Out, E, R>(
  self: Runnable.Runnable<In, Out, E, R>,
  options: Cached.CachedOptions<In>
): Effect.Effect<Runnable.Runnable<In, Out, E, R>, never, Scope.Scope> => {
  const timeToLive = validate(self.name, options)
  return Effect.gen(function*() {
    const scope = yield* Effect.scope
    // values are the work's `Exit`s, so that a failure is a value the cache can hold for no time
    const cache = yield* Cache.makeWith<CacheKey<Out, E>, Exit.Exit<Out, E>>({
      capacity: options.capacity,
      lookup: (key) =>
        Effect.suspend(() => {
          key.ran = true
          return Effect.exit(key.work)
        }),
      timeToLive: (exit) => Exit.isSuccess(exit) && Exit.isSuccess(exit.value) ? timeToLive : Duration.zero
    })
    const flights = new Map<unknown, Flight>()

    // A failure would stay until the Clock moves past its zero time to live: remove it now (only
    // that entry: another lookup of the key may have started since).
    const load = (key: CacheKey<Out, E>): Effect.Effect<Exit.Exit<Out, E>> =>
      Effect.tap(cache.get(key), (exit) => Exit.isSuccess(exit) ? Effect.void : cache.invalidateWhen(key, (value) => value === exit))

    // A lookup runs in a fiber of the cache's scope, not in its caller's: a caller that is
    // interrupted only stops waiting, and the others still get the value. When the last caller
    // waiting on a key is interrupted, the lookup is interrupted too (its finalizers run).
    const lookupInScope = (key: CacheKey<Out, E>, flight: Flight): Effect.Effect<Exit.Exit<Out, E>> =>
      Effect.flatMap(
        Effect.uninterruptible(
          Effect.tap(Effect.forkIn(Effect.interruptible(load(key)), scope), (fiber) =>
            Effect.sync(() => {
              flight.fibers.add(fiber)
              fiber.addObserver(() => flight.fibers.delete(fiber))
            }))
        ),
        Fiber.join
      )

    const lookup = (key: CacheKey<Out, E>, flight: Flight): Effect.Effect<Exit.Exit<Out, E>> =>
      Effect.flatMap(cache.contains(key), (present) =>
        present
          ? Effect.flatMap(
            cache.getOption(key),
            Option.match({ onNone: () => lookupInScope(key, flight), onSome: Effect.succeed })
          )
          : lookupInScope(key, flight))

    const leave = (key: unknown, flight: Flight, exit: Exit.Exit<unknown, unknown>): Effect.Effect<void> =>
      Effect.suspend(() => {
        flight.waiters--
        if (flight.waiters > 0) return Effect.void
        if (flights.get(key) === flight) flights.delete(key)
        return Exit.isInterrupted(exit) && flight.fibers.size > 0 ? Fiber.interruptAll(flight.fibers) : Effect.void
      })

    const get = (input: In, work: Effect.Effect<Out, E>): Effect.Effect<Out, E> =>
      Effect.uninterruptibleMask((restore) =>
        Effect.suspend(() => {
          const key = options.key === undefined ? defaultKey(input) : options.key(input)
          const cacheKey = new CacheKey(key, work)
          let flight = flights.get(key)
          if (flight === undefined) {
            flight = { waiters: 0, fibers: new Set() }
            flights.set(key, flight)
          }
          flight.waiters++
          const joined = flight
          return restore(lookup(cacheKey, joined)).pipe(
            Effect.onExit((exit) => leave(key, joined, exit)),
            Effect.tap(() => Runnable.annotateRun({ [hitAttribute]: !cacheKey.ran })),
            Effect.flatten
          )
        })
      )

    return Runnable.wrap(self, (behaviour) => ({
      run: (input: In): Effect.Effect<Out, E, R> =>
        Effect.flatMap(Effect.context<R>(), (context) => get(input, Effect.mapInputContext(behaviour.run(input), () => context)))
    }))
  })
}

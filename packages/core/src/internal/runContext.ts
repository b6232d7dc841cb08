/**
 * The current run of a fiber: its nesting depth, the run ids of its lineage and the event listener.
 *
 * Each fiber owns one mutable `Holder` (a FiberRef whose `fork` copies it, so a forked fiber
 * starts from its parent's current run, and whose `join` keeps the parent's). Executors swap
 * `holder.current` in and out around a run instead of setting a FiberRef or providing a Context:
 * both copy a map and cost microseconds, which a run of a cheap step must not pay.
 *
 * @internal
 */
import type * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import type * as Fiber from "effect/Fiber"
import * as FiberRef from "effect/FiberRef"
import { globalValue } from "effect/GlobalValue"
import type * as RunEvent from "../RunEvent.js"

/** @internal */
export interface RunContext {
  readonly depth: number
  /** Run ids from the root to the current run (included); empty when nobody observes. */
  readonly lineage: ReadonlyArray<string>
  /** Receives every event of the current run's descendants; set by `streamEvents`. */
  readonly listener: ((event: RunEvent.RunEvent) => void) | undefined
  /** What `annotateRun` adds to the current run; only observed runs keep it. */
  readonly attributes: Record<string, unknown> | undefined
}

/** @internal */
export const rootContext: RunContext = { depth: 0, lineage: [], listener: undefined, attributes: undefined }

/** The context of a run nested in `parent` that nobody observes: one level deeper, nothing else. @internal */
export const nested = (parent: RunContext): RunContext => ({
  depth: parent.depth + 1,
  lineage: parent.lineage,
  listener: undefined,
  attributes: undefined
})

/** @internal */
export class Holder {
  constructor(public current: RunContext) {}
}

const initialHolder = new Holder(rootContext)

/** @internal */
export const currentHolder: FiberRef.FiberRef<Holder> = globalValue(
  Symbol.for("@fxchain/core/CurrentRun"),
  () =>
    FiberRef.unsafeMake(initialHolder, {
      fork: (holder) => new Holder(holder.current),
      join: (parent) => parent
    })
)

/** The current run of the fiber (read only). @internal */
export const currentContext = (fiber: Fiber.RuntimeFiber<unknown, unknown>): RunContext =>
  fiber.getFiberRef(currentHolder).current

/**
 * The fiber's own holder, installed on first use (the initial one is shared and never written).
 * Pass the holder already read from the fiber, if any, to skip reading it again.
 *
 * @internal
 */
export const ownHolder = (
  fiber: Fiber.RuntimeFiber<unknown, unknown>,
  holder: Holder = fiber.getFiberRef(currentHolder)
): Holder => {
  if (holder !== initialHolder) return holder
  const own = new Holder(rootContext)
  // `setFiberRef` is on every fiber runtime (the one `withFiberRuntime` hands over) but not on
  // the public `RuntimeFiber` type; this runs inside that fiber, as the method requires.
  ;(fiber as unknown as { setFiberRef<A>(ref: FiberRef.FiberRef<A>, value: A): void }).setFiberRef(currentHolder, own)
  return own
}

/**
 * Runs an effect as part of the given run and restores the previous one afterwards, on
 * interruption too.
 *
 * @internal
 */
export const withContext = <A, E, R>(effect: Effect.Effect<A, E, R>, context: RunContext): Effect.Effect<A, E, R> =>
  Effect.withFiberRuntime<A, E, R>((fiber) => {
    const holder = ownHolder(fiber)
    const previous = holder.current
    holder.current = context
    return Effect.onExit(effect, () =>
      Effect.sync(() => {
        holder.current = previous
      }))
  })

/**
 * Like `withContext`, for the hot path: restores on success and failure without an
 * uninterruptible region. If the fiber is interrupted inside, only its finalizers run afterwards
 * and they see the inner run as current, which affects the nesting depth they count from and
 * nothing else (this path only runs when nobody observes runs).
 *
 * @internal
 */
export const withDepth = <A, E, R>(
  effect: Effect.Effect<A, E, R>,
  holder: Holder,
  context: RunContext
): Effect.Effect<A, E, R> => {
  const previous = holder.current
  holder.current = context
  return Effect.matchCauseEffect(effect, {
    onFailure: (cause) => {
      holder.current = previous
      return Effect.failCause(cause)
    },
    onSuccess: (value) => {
      holder.current = previous
      return Effect.succeed(value)
    }
  })
}

/**
 * `withDepth` for an effect run again and again (a stream's pull): each run of the returned effect
 * swaps `context` in as the fiber's current run and back after it. The handlers are made once,
 * not per run; the runs must not overlap, as a stream's pulls never do.
 *
 * @internal
 */
export const withContextEachTime = <A, E, R>(effect: Effect.Effect<A, E, R>, context: RunContext): Effect.Effect<A, E, R> => {
  let holder: Holder | undefined
  let previous: RunContext = context
  const handlers = {
    onFailure: (cause: Cause.Cause<E>) => {
      holder!.current = previous
      return Effect.failCause(cause)
    },
    onSuccess: (value: A) => {
      holder!.current = previous
      return Effect.succeed(value)
    }
  }
  return Effect.withFiberRuntime<A, E, R>((fiber) => {
    holder = ownHolder(fiber)
    previous = holder.current
    holder.current = context
    return Effect.matchCauseEffect(effect, handlers)
  })
}

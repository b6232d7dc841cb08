/**
 * The current run: its nesting depth, the run ids of its lineage and the sink of its events.
 *
 * Where the calling code runs is known in two ways, both cheap:
 *
 * - each fiber owns one mutable `Holder` (a FiberRef whose `fork` copies it, so a forked fiber
 *   starts from its parent's current run, and whose `join` keeps the parent's). An invoke swaps
 *   `holder.current` in and out around its run instead of setting a FiberRef or providing a
 *   Context: both copy a map and cost microseconds, which a run of a cheap step must not pay;
 * - while the executor calls a runnable's raw stream or transform constructor (a synchronous
 *   call), the run is the current "constructing" run: a stream made for a nested run inside that
 *   call (a sequence's steps, a parallel's branches, a recursion) records it as its parent, so the
 *   nested run is placed right wherever and whenever its stream starts, with nothing to do per
 *   chunk.
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import type * as Fiber from "effect/Fiber"
import * as FiberRef from "effect/FiberRef"
import { globalValue } from "effect/GlobalValue"
import type { EventSink } from "./eventSink.js"
import { setFiberRef } from "./fiberInternals.js"

/**
 * The run ids from the root to a run (included), as a linked list: a run adds one node, so runs
 * nested thousands deep hold one id each, not a copy of their ancestors' ids.
 *
 * @internal
 */
export interface Lineage {
  readonly runId: string
  readonly parent: Lineage | undefined
  readonly length: number
  /** The ids as an array, kept once made for a short lineage. */
  ids?: ReadonlyArray<string>
}

/** Lineages up to this length keep their array of ids once made (events read it per chunk). */
const keptUpTo = 64

/** A lineage short enough to keep its ids as an array (see `idsOf`). @internal */
export const isShort = (lineage: Lineage | undefined): boolean => lineage === undefined || lineage.length <= keptUpTo

/** The run ids of a lineage, root first. @internal */
export const idsOf = (lineage: Lineage | undefined): ReadonlyArray<string> => {
  if (lineage === undefined) return []
  if (lineage.ids !== undefined) return lineage.ids
  const ids = new Array<string>(lineage.length)
  for (let node: Lineage | undefined = lineage; node !== undefined; node = node.parent) ids[node.length - 1] = node.runId
  if (lineage.length <= keptUpTo) lineage.ids = ids
  return ids
}

/** @internal */
export interface RunContext {
  readonly depth: number
  /** The current run and its ancestors; undefined when nobody listens. */
  readonly lineage: Lineage | undefined
  /** Receives every event of the current run's descendants; set by `streamEvents`. */
  readonly sink: EventSink | undefined
  /** What `annotateRun` adds to the current run; only observed runs keep it. */
  readonly attributes: Record<string, unknown> | undefined
  /** The current run when someone observes it: where `dispatchCustomEvent` reports. */
  readonly observed?: { readonly custom: (event: string, data: unknown) => void } | undefined
}

/** @internal */
export const rootContext: RunContext = { depth: 0, lineage: undefined, sink: undefined, attributes: undefined }

/** The context of a run nested in `parent` that nobody observes: one level deeper, nothing else. @internal */
export const nested = (parent: RunContext): RunContext => ({
  depth: parent.depth + 1,
  lineage: parent.lineage,
  sink: undefined,
  attributes: undefined
})

/** @internal */
export class Holder {
  constructor(public current: RunContext) {}
}

/**
 * The holder every fiber starts with until it installs its own. Global, as the FiberRef is: two
 * copies of this module in one process (two bundles, a test runner's module reset) share both, so
 * each must know the shared initial holder, or one copy would take it for a fiber's own and
 * write into it.
 */
const initialHolder = globalValue(Symbol.for("@fxchain/core/InitialRun"), () => new Holder(rootContext))

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
  setFiberRef(fiber, currentHolder, own)
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

let constructing: RunContext | undefined

/**
 * Calls a runnable's raw stream (or transform) constructor as part of the run `context`: streams
 * that executors make for nested runs during the call record `context` as their parent.
 *
 * @internal
 */
export const constructWithin = <A>(context: RunContext, make: () => A): A => {
  const previous = constructing
  constructing = context
  try {
    return make()
  } finally {
    constructing = previous
  }
}

/** The run whose raw stream is being constructed right now, if any (see `constructWithin`). @internal */
export const constructionParent = (): RunContext | undefined => constructing

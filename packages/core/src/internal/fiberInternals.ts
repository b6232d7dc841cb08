/**
 * The Effect internals core reads, all in one place. Each is read on a run's hot path, where the
 * public lookup would cost map lookups or an allocation per run; each has a public fallback where
 * one exists. `test/EffectInternals.test.ts` fails loudly if an Effect release renames one.
 *
 * - `currentTracer` and `currentContext`: fields a `FiberRuntime` keeps up to date from its
 *   FiberRefs (`refreshRefCache` in Effect's fiberRuntime.ts);
 * - `setFiberRef`: a method on every `FiberRuntime`, not on the public `RuntimeFiber` type;
 * - the global `"effect/FiberCurrent"`: the fiber Effect's runtime is running right now (what
 *   `Fiber.getCurrentFiber` reads, without the `Option` it allocates);
 * - a stream of one chunk known up front (`Stream.succeed`, `Stream.fromChunk`) is an `Emit`
 *   channel holding that chunk, so gathering it needs no stream run (`emittedChunk`).
 *
 * @internal
 */
import * as Chunk from "effect/Chunk"
import * as Context from "effect/Context"
import * as DefaultServices from "effect/DefaultServices"
import type * as Fiber from "effect/Fiber"
import * as FiberRef from "effect/FiberRef"
import * as Stream from "effect/Stream"
import * as Tracer from "effect/Tracer"

type AnyFiber = Fiber.RuntimeFiber<unknown, unknown>

/** @internal */
export interface FiberRuntimeInternals {
  readonly currentTracer?: Tracer.Tracer
  readonly currentContext?: Context.Context<never>
  setFiberRef<A>(ref: FiberRef.FiberRef<A>, value: A): void
}

/** The fiber's tracer. @internal */
export const tracerOf = (fiber: AnyFiber): Tracer.Tracer =>
  (fiber as unknown as FiberRuntimeInternals).currentTracer ??
    Context.get(fiber.getFiberRef(DefaultServices.currentServices), Tracer.Tracer)

/** The fiber's Effect context (its services). @internal */
export const contextOf = (fiber: AnyFiber): Context.Context<never> =>
  (fiber as unknown as FiberRuntimeInternals).currentContext ?? fiber.getFiberRef(FiberRef.currentContext)

/** Sets a FiberRef of the fiber running the calling code. @internal */
export const setFiberRef = <A>(fiber: AnyFiber, ref: FiberRef.FiberRef<A>, value: A): void =>
  (fiber as unknown as FiberRuntimeInternals).setFiberRef(ref, value)

/** @internal */
export const currentFiberKey = "effect/FiberCurrent"

/** The fiber running the calling code, read where no Effect hands it over (inside a channel). @internal */
export const runningFiber = (): AnyFiber | undefined =>
  (globalThis as Record<string, unknown>)[currentFiberKey] as AnyFiber | undefined

/**
 * The chunk a stream emits, when it is known without running it: a stream made by
 * `Stream.succeed` or `Stream.fromChunk` is an `Emit` channel of that chunk (Effect's
 * core-stream.ts `write`), and nothing else. `undefined` for every other stream.
 *
 * @internal
 */
export const emittedChunk = <A>(stream: Stream.Stream<A, unknown, unknown>): Chunk.Chunk<A> | undefined => {
  const channel = Stream.toChannel(stream) as unknown as { readonly _tag?: unknown; readonly out?: unknown }
  return channel._tag === "Emit" && Chunk.isChunk(channel.out) ? channel.out as Chunk.Chunk<A> : undefined
}

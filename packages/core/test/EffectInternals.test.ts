/**
 * Core reads a few Effect internals on its hot paths (see src/internal/fiberInternals.ts). Each
 * has a fallback or would fail silently; this suite fails loudly when an Effect release renames
 * or removes one, so an upgrade cannot slow fxchain down or break it quietly.
 */
import { describe, expect, it } from "@effect/vitest"
import { Chunk, Context, Effect, Fiber, FiberRef, Option, Stream, Tracer } from "effect"
import * as Concat from "../src/Concat.js"
import {
  currentFiberKey,
  emittedChunk,
  type FiberRuntimeInternals,
  runningFiber
} from "../src/internal/fiberInternals.js"

describe("the Effect internals core reads", () => {
  it.effect("a FiberRuntime keeps currentTracer and currentContext as fields, and has setFiberRef", () =>
    Effect.withFiberRuntime((fiber) => {
      const internals = fiber as unknown as FiberRuntimeInternals
      expect("currentTracer" in internals).toBe(true)
      expect(internals.currentContext).toBe(fiber.getFiberRef(FiberRef.currentContext))
      expect(typeof internals.setFiberRef).toBe("function")
      const ref = FiberRef.unsafeMake(0)
      internals.setFiberRef(ref, 42)
      expect(fiber.getFiberRef(ref)).toBe(42)
      return Effect.void
    }))

  it.effect("currentTracer is the tracer a program installs", () =>
    Effect.gen(function*() {
      const installed = Tracer.make({ span: () => undefined as never, context: (f) => f() })
      const seen = yield* Effect.withFiberRuntime((fiber) =>
        Effect.succeed((fiber as unknown as FiberRuntimeInternals).currentTracer)
      ).pipe(Effect.withTracer(installed))
      expect(seen).toBe(installed)
      expect(seen).toBe(yield* Effect.tracer.pipe(Effect.withTracer(installed)))
      expect(Context.get(Context.make(Tracer.Tracer, installed), Tracer.Tracer)).toBe(installed)
    }))

  it.effect(`the running fiber is in the global "${currentFiberKey}"`, () =>
    Effect.withFiberRuntime((fiber) => {
      expect(runningFiber()).toBe(fiber)
      expect(Fiber.getCurrentFiber()._tag).toBe("Some")
      return Effect.void
    }))

  it.effect("a stream made by Stream.succeed or Stream.fromChunk is its chunk, known without running it", () =>
    Effect.gen(function*() {
      expect(emittedChunk(Stream.succeed("hi"))).toEqual(Chunk.of("hi"))
      expect(emittedChunk(Stream.fromChunk(Chunk.make(1, 2)))).toEqual(Chunk.make(1, 2))
      // anything else is run to be gathered
      expect(emittedChunk(Stream.make(1, 2))).toBeUndefined()
      expect(emittedChunk(Stream.suspend(() => Stream.succeed(1)))).toBeUndefined()
      expect(emittedChunk(Stream.fromEffect(Effect.succeed(1)))).toBeUndefined()
      expect(emittedChunk(Stream.empty)).toBeUndefined()
      // gathering either way gives the same value
      expect(yield* Concat.gather(Stream.fromChunk(Chunk.make("a", "b")))).toEqual(Option.some("ab"))
      expect(yield* Concat.gather(Stream.make("a", "b"))).toEqual(Option.some("ab"))
      expect(yield* Concat.gather(Stream.fromChunk(Chunk.empty<string>()))).toEqual(Option.none())
    }))
})

/**
 * The three ways a run goes, for running the same property under each: plain (nobody observes),
 * observed (inside a `streamEvents` listener) and traced (a tracer installed).
 */
import { Runnable, Testing } from "@fxchain/core"
import { Effect, Exit, Stream } from "effect"

/** @since 0.2.0 */
export type Mode = "plain" | "observed" | "traced"

/** @since 0.2.0 */
export const modes: ReadonlyArray<Mode> = ["plain", "observed", "traced"]

/**
 * Runs `effect` in a mode: as it is, inside a run whose events someone listens to (so every run it
 * makes is observed), or with a tracer installed.
 */
export const inMode = <A, E>(mode: Mode, effect: Effect.Effect<A, E>): Effect.Effect<A, E> => {
  if (mode === "plain") return effect
  if (mode === "traced") return Effect.withTracer(effect, Testing.recordingTracer().tracer)
  return Effect.suspend(() => {
    let exit: Exit.Exit<A, E> | undefined
    const host = Runnable.fromEffect(
      (_: null) =>
        Effect.flatMap(Runnable.currentRun, (current) =>
          current.runId === undefined
            ? Effect.dieMessage("observed mode is not observed")
            : Effect.tap(Effect.exit(effect), (result) => Effect.sync(() => (exit = result)))),
      { name: "law" }
    )
    return Effect.flatMap(Stream.runDrain(Runnable.streamEvents(host, null)), () => exit!)
  })
}

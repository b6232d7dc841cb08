/**
 * Listeners (LangChain's `withListeners`): Effects run around each run of a runnable, inside the
 * run, given its run id, its input and its output or error.
 *
 * @since 0.1.0
 */
import type { Runnable } from "@fxchain/core"
import type * as Cause from "effect/Cause"
import type * as Effect from "effect/Effect"
import { dual } from "effect/Function"
import * as internal from "./internal/listeners.js"

/**
 * What `onStart` is given.
 *
 * @since 0.1.0
 * @category models
 */
export interface ListenerStart<In> {
  /**
   * The run's id: the `runId` of its events when someone listens to them (`streamEvents`);
   * otherwise runs have no id, and a fresh UUID is made for this run (the same for its
   * `onStart` and its `onEnd` or `onError`).
   */
  readonly runId: string
  /** The run's name (the runnable's, as LangChain's listeners get it on their `Run`). */
  readonly name: string
  readonly input: In
}

/**
 * What `onEnd` is given.
 *
 * @since 0.1.0
 * @category models
 */
export interface ListenerEnd<In, Out> extends ListenerStart<In> {
  /** The output; for a streamed run, its chunks combined by the concat rule (`Concat`). */
  readonly output: Out
}

/**
 * What `onError` is given.
 *
 * @since 0.1.0
 * @category models
 */
export interface ListenerError<In, E> extends ListenerStart<In> {
  /** The run's typed error, as the runnable failed with it. */
  readonly error: E
  /** The whole cause of the failure. */
  readonly cause: Cause.Cause<E>
}

/**
 * The listeners `withListeners` runs; each may fail with `E2` or need `R2`.
 *
 * @since 0.1.0
 * @category models
 */
export interface Listeners<In, Out, E, E2 = never, R2 = never> {
  /** Runs when the run starts, before its work. */
  readonly onStart?: ((run: ListenerStart<In>) => Effect.Effect<unknown, E2, R2>) | undefined
  /** Runs when the work succeeded, before the run ends with its output. */
  readonly onEnd?: ((run: ListenerEnd<In, Out>) => Effect.Effect<unknown, E2, R2>) | undefined
  /** Runs when the work failed with a typed error, before the run ends with that error. */
  readonly onError?: ((run: ListenerError<In, E>) => Effect.Effect<unknown, E2, R2>) | undefined
}

/**
 * Runs Effects around each run of a runnable: `onStart` before its work, then `onEnd` with the
 * output or `onError` with the error. They run inside the run, in its fiber, in that order, and
 * the run ends only when they are done (they are not fired into the background): what they log
 * belongs to the run's span, and what they record is there when the caller gets the result.
 *
 * - A failing listener fails the run, and its error is in the runnable's error type
 *   (`E | E2`): `onStart` failing stops the run before the work; `onEnd` failing fails the run
 *   instead of returning the output; `onError` failing keeps the run's own error as its error
 *   (the first failure of the cause), the listener's coming after it in the cause. Catch inside a
 *   listener what must not fail the run.
 * - `onError` is for typed failures, as `Effect.tapError` is: a defect (an exception thrown in
 *   user code) or an interruption skips it (`streamEvents` reports those as `Failed`). An
 *   interrupted run, or a stream its consumer stops early, runs neither `onEnd` nor `onError`.
 * - Run ids: the run's event id when someone listens to events; otherwise a fresh UUID
 *   (`crypto.randomUUID()`) per run, since a run nobody observes has no id.
 * - Streaming: `onStart` runs before the first chunk, `onEnd` after the last one with the chunks
 *   combined by the concat rule (`undefined` if the stream had no chunk). A streamed input (the
 *   runnable as a step of a streamed sequence) is gathered first, so that every listener sees
 *   the whole input.
 * - No run is added: the result is the runnable itself (same name, kind, configuration).
 *
 * @example
 * ```ts
 * import * as Fx from "@fxchain/combinators"
 * import { Runnable } from "@fxchain/core"
 * import { Effect } from "effect"
 *
 * const double = Runnable.sync((n: number) => n * 2, { name: "double" })
 * const logged = Fx.withListeners(double, {
 *   onStart: ({ runId, input }) => Effect.log(`run ${runId} got ${input}`),
 *   onEnd: ({ runId, output }) => Effect.log(`run ${runId} gave ${output}`),
 *   onError: ({ runId, error }) => Effect.logError(`run ${runId} failed`, error)
 * })
 * ```
 *
 * @since 0.1.0
 * @category combinators
 */
export const withListeners: {
  <In, Out, E, E2 = never, R2 = never>(
    listeners: Listeners<In, Out, E, E2, R2>
  ): <R>(self: Runnable.Runnable<In, Out, E, R>) => Runnable.Runnable<In, Out, E | E2, R | R2>
  <In, Out, E, R, E2 = never, R2 = never>(
    self: Runnable.Runnable<In, Out, E, R>,
    listeners: Listeners<NoInfer<In>, NoInfer<Out>, NoInfer<E>, E2, R2>
  ): Runnable.Runnable<In, Out, E | E2, R | R2>
} = dual(2, internal.withListeners)

/** @internal */
import { Concat, Runnable } from "@fxchain/core"
import * as Cause from "effect/Cause"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import type * as Listeners from "../Listeners.js"

/** The current run's id, or a fresh one when nobody listens to events (the run then has none). */
const runIdOf: Effect.Effect<string> = Effect.map(Runnable.currentRun, (run) => run.runId ?? crypto.randomUUID())

/** @internal */
export const withListeners = <In, Out, E, R, E2, R2>(
  self: Runnable.Runnable<In, Out, E, R>,
  listeners: Listeners.Listeners<In, Out, E, E2, R2>
): Runnable.Runnable<In, Out, E | E2, R | R2> => {
  const { onEnd, onError, onStart } = listeners
  const name = self.name
  const started = (runId: string, input: In): Effect.Effect<unknown, E2, R2> =>
    onStart === undefined ? Effect.void : onStart({ runId, name, input })
  // the run's own failure stays first in the cause (it is the run's error); the listener's follows
  const failed = (runId: string, input: In, cause: Cause.Cause<E>): Effect.Effect<never, E | E2, R2> => {
    const error = Cause.failureOption(cause)
    if (onError === undefined || Option.isNone(error)) return Effect.failCause(cause)
    return Effect.matchCauseEffect(onError({ runId, name, input, error: error.value, cause }), {
      onFailure: (listenerCause) => Effect.failCause(Cause.sequential(cause, listenerCause)),
      onSuccess: () => Effect.failCause(cause)
    })
  }
  const ended = (runId: string, input: In, output: Out): Effect.Effect<Out, E2, R2> =>
    onEnd === undefined ? Effect.succeed(output) : Effect.as(onEnd({ runId, name, input, output }), output)

  return Runnable.wrap(self, ({ run, stream }) => ({
    run: (input: In) =>
      Effect.flatMap(runIdOf, (runId) =>
        Effect.zipRight(
          started(runId, input),
          Effect.matchCauseEffect(run(input), {
            onFailure: (cause) => failed(runId, input, cause),
            onSuccess: (output) => ended(runId, input, output)
          })
        )),
    stream: stream === undefined ? undefined : (input: In) =>
      Stream.unwrap(Effect.gen(function*() {
        const runId = yield* runIdOf
        yield* started(runId, input)
        const output = new Concat.Accumulator<Out>()
        return stream(input).pipe(
          // per Effect chunk: `Stream.tap` would run an Effect per item and re-chunk the stream item by item
          Stream.mapChunks((chunk) => {
            Chunk.forEach(chunk, (item) => output.add(item))
            return chunk
          }),
          Stream.catchAllCause((cause) => Stream.fromEffect(failed(runId, input, cause))),
          Stream.concat(Stream.execute(Effect.suspend(() => ended(runId, input, output.result as Out))))
        )
      }))
  }))
}

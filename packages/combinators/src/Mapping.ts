/**
 * The small adapters between steps: change a runnable's output, input or error, or run an
 * effect on its output. Each wraps the runnable's behaviour and keeps its name, kind and
 * `withConfig` settings: no run is added.
 *
 * @since 0.1.0
 */
import { Concat, Runnable } from "@fxchain/core"
import * as Effect from "effect/Effect"
import { dual } from "effect/Function"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"

/** The gathered output of a stream, by the concat rule, as a one-chunk stream (or none). */
const gathered = <A, B, E, R>(stream: Stream.Stream<A, E, R>, f: (value: A) => B): Stream.Stream<B, E, R> =>
  Stream.unwrap(Effect.map(Concat.gather(stream), Option.match({
    onNone: () => Stream.empty,
    onSome: (value) => Stream.succeed(f(value))
  })))

/**
 * Changes a runnable's output with a function. Streaming gathers the runnable's chunks (concat
 * rule) and yields `f` of the whole, so that `stream` agrees with `invoke`.
 *
 * @since 0.1.0
 * @category mapping
 */
export const map: {
  <Out, B>(f: (output: Out) => B): <In, E, R>(self: Runnable.Runnable<In, Out, E, R>) => Runnable.Runnable<In, B, E, R>
  <In, Out, E, R, B>(self: Runnable.Runnable<In, Out, E, R>, f: (output: Out) => B): Runnable.Runnable<In, B, E, R>
} = dual(2, <In, Out, E, R, B>(self: Runnable.Runnable<In, Out, E, R>, f: (output: Out) => B): Runnable.Runnable<In, B, E, R> =>
  Runnable.wrap(self, ({ run, stream, sync }) => ({
    run: (input: In) => Effect.map(run(input), f),
    stream: stream === undefined ? undefined : (input: In) => gathered(stream(input), f),
    sync: sync === undefined ? undefined : (input: In) => f(sync(input))
  })))

/**
 * Changes a runnable's input with a function applied before it runs.
 *
 * @since 0.1.0
 * @category mapping
 */
export const mapInput: {
  <In, A>(f: (input: A) => In): <Out, E, R>(self: Runnable.Runnable<In, Out, E, R>) => Runnable.Runnable<A, Out, E, R>
  <In, Out, E, R, A>(self: Runnable.Runnable<In, Out, E, R>, f: (input: A) => In): Runnable.Runnable<A, Out, E, R>
} = dual(2, <In, Out, E, R, A>(self: Runnable.Runnable<In, Out, E, R>, f: (input: A) => In): Runnable.Runnable<A, Out, E, R> =>
  Runnable.wrap(self, ({ run, stream, sync }) => ({
    run: (input: A) => Effect.suspend(() => run(f(input))),
    stream: stream === undefined ? undefined : (input: A) => Stream.suspend(() => stream(f(input))),
    sync: sync === undefined ? undefined : (input: A) => sync(f(input))
  })))

/** Marks a failure of the upstream stream, so that `mapError` changes only the runnable's own. */
class UpstreamFailure {
  constructor(readonly error: unknown) {}
}

/**
 * Changes a runnable's typed failure with a function; defects and interruptions are untouched.
 * A runnable that consumes a stream keeps doing so, and only its own failures are changed, never
 * those of the stream it consumes.
 *
 * @since 0.1.0
 * @category mapping
 */
export const mapError: {
  <E, E2>(f: (error: E) => E2): <In, Out, R>(self: Runnable.Runnable<In, Out, E, R>) => Runnable.Runnable<In, Out, E2, R>
  <In, Out, E, R, E2>(self: Runnable.Runnable<In, Out, E, R>, f: (error: E) => E2): Runnable.Runnable<In, Out, E2, R>
} = dual(2, <In, Out, E, R, E2>(self: Runnable.Runnable<In, Out, E, R>, f: (error: E) => E2): Runnable.Runnable<In, Out, E2, R> =>
  Runnable.wrap(self, ({ run, stream, sync, transform }) => ({
    run: (input: In) => Effect.mapError(run(input), f),
    stream: stream === undefined ? undefined : (input: In) => Stream.mapError(stream(input), f),
    sync,
    transform: transform === undefined ? undefined : <E3, R3>(input: Stream.Stream<In, E3, R3>) =>
      transform(Stream.mapError(input, (error) => new UpstreamFailure(error))).pipe(
        Stream.mapError((error) => error instanceof UpstreamFailure ? error.error as E3 : f(error as E))
      )
  })))

/**
 * Runs an effect on a runnable's output and keeps the output; a failure of the effect fails the
 * run. Streaming passes the chunks on as they come and runs the effect on their combination
 * (concat rule) at the end.
 *
 * @since 0.1.0
 * @category mapping
 */
export const tap: {
  <Out, X, E2, R2>(
    f: (output: Out) => Effect.Effect<X, E2, R2>
  ): <In, E, R>(self: Runnable.Runnable<In, Out, E, R>) => Runnable.Runnable<In, Out, E | E2, R | R2>
  <In, Out, E, R, X, E2, R2>(
    self: Runnable.Runnable<In, Out, E, R>,
    f: (output: Out) => Effect.Effect<X, E2, R2>
  ): Runnable.Runnable<In, Out, E | E2, R | R2>
} = dual(2, <In, Out, E, R, X, E2, R2>(
  self: Runnable.Runnable<In, Out, E, R>,
  f: (output: Out) => Effect.Effect<X, E2, R2>
): Runnable.Runnable<In, Out, E | E2, R | R2> =>
  Runnable.wrap(self, ({ run, stream }) => ({
    run: (input: In) => Effect.tap(run(input), f),
    stream: stream === undefined ? undefined : (input: In) =>
      Stream.suspend(() => {
        const output = new Concat.Accumulator<Out>()
        const atEnd = Effect.suspend((): Effect.Effect<unknown, E2, R2> =>
          output.isEmpty ? Effect.void : f(output.result as Out)
        )
        return Stream.concat(
          Stream.mapChunks(stream(input), (chunk) => {
            for (const item of chunk) output.add(item)
            return chunk
          }),
          Stream.drain(Stream.fromEffect(atEnd))
        )
      })
  })))

/**
 * The crossings between Effect and LangChain.js's Promise world: async iterators read as Streams
 * (closed and aborted when the stream stops early), Streams read as async generators (their
 * scope closed before the generator finishes), the LangChain configuration a run hands down to
 * the LangChain runnables nested in it, and how a failed run becomes what a Promise rejects with.
 *
 * @internal
 */
import * as Cause from "effect/Cause"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as FiberId from "effect/FiberId"
import * as Option from "effect/Option"
import * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import type { Runnable } from "@fxchain/core"
import type { RunnableConfig } from "@langchain/core/runnables"

/**
 * The LangChain run an fxchain run is nested in (`toLangChain` provides it): `configFor` gives
 * the configuration of the LangChain call that a `fromLangChain` run makes (`run` is where that
 * run is, from `Runnable.currentRun`), with callbacks that make the call's LangChain run a child
 * of the nearest LangChain run above it, so LangChain's callbacks and `streamEvents` see one tree.
 *
 * @internal
 */
export interface LangChainParent {
  readonly configFor: (run: Runnable.CurrentRun) => Promise<RunnableConfig>
}

/** @internal */
export class ParentConfig extends Context.Reference<ParentConfig>()("@fxchain/adapters/langchain/ParentConfig", {
  defaultValue: (): LangChainParent | undefined => undefined
}) {}

/**
 * A failure of the stream an fxchain runnable reads as its input, crossing LangChain code (which
 * only sees something thrown) on its way back into fxchain, where it fails with its own cause.
 *
 * @internal
 */
export class UpstreamFailure {
  constructor(readonly cause: Cause.Cause<unknown>) {}
}

/** What LangChain.js rejects with when a signal aborts a call (its `getAbortSignalError`). @internal */
export const abortError = (signal: AbortSignal): unknown => {
  const reason: unknown = signal.reason
  if (reason instanceof Error) return reason
  if (typeof reason === "string") return new Error(reason)
  return new Error("Aborted")
}

/**
 * What a Promise rejects with for a failed run: the typed failure itself (an upstream failure
 * unwrapped), else the defect, else (an interruption) the abort error of the signal that
 * aborted, or a `DOMException` named `"AbortError"`.
 *
 * @internal
 */
export const toRejection = (cause: Cause.Cause<unknown>, signal: AbortSignal | undefined): unknown => {
  const failure = Cause.failureOption(cause)
  if (Option.isSome(failure)) {
    const error = failure.value
    return error instanceof UpstreamFailure ? toRejection(error.cause, signal) : error
  }
  const defect = Cause.dieOption(cause)
  if (Option.isSome(defect)) return defect.value
  if (signal?.aborted === true) return abortError(signal)
  return new DOMException("The run was interrupted", "AbortError")
}

const isAborted = (signal: AbortSignal | undefined): signal is AbortSignal => signal?.aborted === true

/** Runs an Effect to its exit, interrupting it when `signal` aborts. @internal */
export type Runner<R> = <A, E>(
  effect: Effect.Effect<A, E, R>,
  signal: AbortSignal | undefined
) => Promise<Exit.Exit<A, unknown>>

const noop = () => {}

/**
 * Reads the async iterator that `open` gives as a Stream, one item a pull. When the stream stops
 * before the iterator is done (an interruption, an early `take`), `open`'s signal aborts and the
 * iterator's `return()` is called: at once when no step is in flight (and awaited), else as soon
 * as that step settles, so a stopped stream never waits on a LangChain step that ignores its
 * signal. Then `release` runs, and is awaited. A thrown `UpstreamFailure` fails the stream with
 * its own cause; anything else thrown goes through `onError`.
 *
 * @internal
 */
export const fromAsyncIterator = <A, E>(
  open: (signal: AbortSignal) => PromiseLike<AsyncIterator<A>> | AsyncIterator<A>,
  onError: (reason: unknown) => E,
  release?: () => PromiseLike<unknown>
): Stream.Stream<A, E> =>
  Stream.unwrapScoped(Effect.gen(function*() {
    const controller = new AbortController()
    let iterator: AsyncIterator<A> | undefined
    let inFlight: Promise<unknown> | undefined
    let finished = false
    const step = (): Promise<IteratorResult<A>> => {
      const next = iterator === undefined
        ? Promise.resolve(open(controller.signal)).then((opened) => {
          iterator = opened
          return opened.next()
        })
        : iterator.next()
      inFlight = next
      return next.then(
        (result) => {
          inFlight = undefined
          if (result.done === true) finished = true
          return result
        },
        (reason) => {
          inFlight = undefined
          finished = true
          throw reason
        }
      )
    }
    const close = (): Promise<void> => {
      const current = iterator
      if (finished || current?.return === undefined) return Promise.resolve()
      return Promise.resolve(current.return()).then(noop, noop)
    }
    yield* Effect.addFinalizer(() =>
      Effect.suspend(() => {
        controller.abort()
        if (inFlight === undefined) return Effect.promise(close)
        inFlight.then(close, close)
        return Effect.void
      }).pipe(Effect.zipRight(release === undefined ? Effect.void : Effect.promise(() => Promise.resolve(release()).then(noop, noop))))
    )
    return Stream.repeatEffectOption(
      Effect.tryPromise({ try: step, catch: (reason) => reason }).pipe(
        Effect.matchCauseEffect({
          onFailure: (cause) => {
            const reason = Cause.failureOption(cause)
            // no failure: a defect or an interruption, which carry no error value
            if (Option.isNone(reason)) return Effect.failCause(cause as Cause.Cause<never>)
            return reason.value instanceof UpstreamFailure
              ? Effect.failCause(Cause.map(reason.value.cause as Cause.Cause<E>, Option.some))
              : Effect.fail(Option.some(onError(reason.value)))
          },
          onSuccess: (result) => result.done === true ? Effect.fail(Option.none()) : Effect.succeed(result.value)
        })
      )
    )
  }))

/**
 * Reads a Stream as an async generator, one pull (one run of `run`) at a time, so the stream
 * waits while nobody asks for the next item. Its scope is closed before the generator finishes,
 * however it finishes (done, failed, aborted, or `return()`ed by an early `break`): when the
 * generator is done, the stream's finalizers have run. A failure is thrown as `reject` makes it
 * (`toRejection` by default).
 *
 * @internal
 */
export async function* toAsyncGenerator<A, E, R>(
  stream: Stream.Stream<A, E, R>,
  run: Runner<R>,
  signal: AbortSignal | undefined,
  reject: (cause: Cause.Cause<unknown>, signal: AbortSignal | undefined) => unknown = toRejection
): AsyncGenerator<A, void, undefined> {
  if (isAborted(signal)) throw reject(Cause.interrupt(FiberId.none), signal)
  const scope = Effect.runSync(Scope.make())
  let completed = false
  try {
    const opened = await run(Scope.extend(Stream.toPull(stream), scope), signal)
    if (Exit.isFailure(opened)) throw reject(opened.cause, signal)
    const pull = opened.value
    while (true) {
      // (a pull on an aborted signal would start before its interruption)
      if (isAborted(signal)) throw reject(Cause.interrupt(FiberId.none), signal)
      const pulled = await run(pull, signal)
      if (Exit.isSuccess(pulled)) {
        for (const item of pulled.value) yield item
        continue
      }
      const failure = Cause.failureOption(pulled.cause)
      if (Option.isSome(failure) && Option.isNone(failure.value as Option.Option<unknown>)) {
        completed = true
        return
      }
      throw reject(
        Cause.map(pulled.cause, (error) => Option.getOrUndefined(error as Option.Option<unknown>)),
        signal
      )
    }
  } finally {
    await Effect.runPromise(Scope.close(scope, completed ? Exit.void : Exit.interrupt(FiberId.none)))
  }
}

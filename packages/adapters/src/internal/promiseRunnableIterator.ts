/**
 * A `Stream` as an async iterator, pulled one element at a time on one fiber of the facade's
 * runtime: the fiber starts on the first `next()`, hands each element to the `next()` waiting
 * for it, and waits until the next `next()` before producing more (no read-ahead). `return()`
 * interrupts the fiber and settles once its finalizers ran, so a `for await` loop left early
 * exits after the run is cleaned up. Aborting the signal interrupts the fiber; the waiting (or
 * next) `next()` rejects with the signal's reason. A failure rejects one `next()`; afterwards the
 * iterator is done, as a generator is after it throws.
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import type * as Fiber from "effect/Fiber"
import * as FiberId from "effect/FiberId"
import * as Stream from "effect/Stream"
import { awaitExit, type Runner } from "./promiseRunnableRunner.js"

interface Waiter<A> {
  readonly resolve: (result: IteratorResult<A, undefined>) => void
  readonly reject: (reason: unknown) => void
}

const done: IteratorResult<never, undefined> = { done: true, value: undefined }

/** @internal */
export const iterate = <A, E, R, ER>(
  runner: Runner<R, ER>,
  stream: Stream.Stream<A, E, R>,
  signal: AbortSignal | undefined
): AsyncIterableIterator<A> & AsyncDisposable => {
  const waiters: Array<Waiter<A>> = []
  let fiber: Fiber.RuntimeFiber<void, E | ER> | undefined = undefined
  /** Set while the fiber holds an element back, waiting for a `next()`. */
  let resumeProducer: (() => void) | undefined = undefined
  let finished = false
  let returned = false
  /** A failure no `next()` was waiting for, to reject the next one with. */
  let pendingFailure: { readonly reason: unknown } | undefined = undefined

  const deliver = (value: A) =>
    Effect.async<void>((resume) => {
      waiters.shift()!.resolve({ done: false, value })
      if (waiters.length > 0) return resume(Effect.void)
      resumeProducer = () => resume(Effect.void)
      return Effect.sync(() => {
        resumeProducer = undefined
      })
    })

  const settle = (failure: { readonly reason: unknown } | undefined) => {
    finished = true
    resumeProducer = undefined
    if (failure !== undefined && !returned) {
      const first = waiters.shift()
      if (first === undefined) pendingFailure = failure
      else first.reject(failure.reason)
    }
    for (const waiter of waiters.splice(0)) waiter.resolve(done)
  }

  const start = () => {
    const refused = runner.refusal(signal)
    if (refused !== undefined) return settle(refused)
    fiber = runner.fork(Stream.runForEach(stream, deliver), signal, (exit) =>
      settle(Exit.isFailure(exit) ? { reason: runner.rejection(exit.cause, signal) } : undefined))
  }

  const close = async (): Promise<IteratorResult<A, undefined>> => {
    returned = true
    if (fiber === undefined || finished) {
      settle(undefined)
      return done
    }
    fiber.unsafeInterruptAsFork(FiberId.none)
    await awaitExit(fiber)
    return done
  }

  const iterator: AsyncIterableIterator<A> & AsyncDisposable = {
    next() {
      if (pendingFailure !== undefined) {
        const { reason } = pendingFailure
        pendingFailure = undefined
        return Promise.reject(reason)
      }
      if (finished || returned) return Promise.resolve(done)
      return new Promise<IteratorResult<A, undefined>>((resolve, reject) => {
        waiters.push({ resolve, reject })
        if (fiber === undefined) return start()
        const resume = resumeProducer
        if (resume !== undefined) {
          resumeProducer = undefined
          resume()
        }
      })
    },
    return: close,
    [Symbol.asyncIterator]() {
      return iterator
    },
    [Symbol.asyncDispose]: async () => {
      await close()
    }
  }
  return iterator
}

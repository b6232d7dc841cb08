/**
 * Where the Promise facade's runs run: one `ManagedRuntime`, the fibers in flight (so `dispose`
 * can interrupt them), abort signals wired to fiber interruption, and the value a failed run
 * rejects with.
 *
 * @internal
 */
import * as Cause from "effect/Cause"
import type * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import type * as Fiber from "effect/Fiber"
import * as FiberId from "effect/FiberId"
import type * as ManagedRuntime from "effect/ManagedRuntime"
import * as Option from "effect/Option"
import { DisposedError } from "../PromiseRunnable.js"

/** Resolves once the fiber has exited (its finalizers have run). @internal */
export const awaitExit = (fiber: Fiber.RuntimeFiber<unknown, unknown>): Promise<void> =>
  new Promise((resolve) => fiber.addObserver(() => resolve()))

/** @internal */
export class Runner<R, ER> {
  private readonly inFlight = new Set<Fiber.RuntimeFiber<unknown, unknown>>()
  private disposing: Promise<void> | undefined = undefined

  constructor(readonly runtime: ManagedRuntime.ManagedRuntime<R, ER>, readonly name: string) {}

  get isDisposed(): boolean {
    return this.disposing !== undefined
  }

  /**
   * What a run that could not start rejects with: `DisposedError` after `dispose`, the signal's
   * reason when it is already aborted; else `undefined`.
   */
  refusal(signal: AbortSignal | undefined): { readonly reason: unknown } | undefined {
    if (this.disposing !== undefined) return { reason: new DisposedError({ runnable: this.name }) }
    if (signal?.aborted === true) return { reason: signal.reason }
    return undefined
  }

  /**
   * Forks `effect` on the runtime (it starts at once, synchronously up to its first wait). Aborting
   * `signal` interrupts it; `onExit` receives its exit once it is over, finalizers included.
   */
  fork<A, E>(
    effect: Effect.Effect<A, E, R>,
    signal: AbortSignal | undefined,
    onExit: (exit: Exit.Exit<A, E | ER>) => void
  ): Fiber.RuntimeFiber<A, E | ER> {
    const fiber = this.runtime.runFork(effect)
    this.inFlight.add(fiber)
    const abort = () => fiber.unsafeInterruptAsFork(FiberId.none)
    signal?.addEventListener("abort", abort, { once: true })
    fiber.addObserver((exit) => {
      this.inFlight.delete(fiber)
      signal?.removeEventListener("abort", abort)
      onExit(exit)
    })
    return fiber
  }

  /** Runs `effect` to a Promise of its value, rejecting with `rejection(cause)`. */
  promise<A, E>(effect: Effect.Effect<A, E, R>, signal: AbortSignal | undefined): Promise<A> {
    const refused = this.refusal(signal)
    if (refused !== undefined) return Promise.reject(refused.reason)
    return new Promise<A>((resolve, reject) => {
      this.fork(effect, signal, (exit) => {
        if (Exit.isSuccess(exit)) resolve(exit.value)
        else reject(this.rejection(exit.cause, signal))
      })
    })
  }

  /**
   * The value a failed run rejects with: the signal's reason when the caller aborted (and the run
   * was interrupted), else the first typed failure, else the first defect's thrown value, else
   * (an interruption from elsewhere) `DisposedError` while disposing, or a `DOMException` named
   * `"AbortError"`.
   */
  rejection(cause: Cause.Cause<unknown>, signal: AbortSignal | undefined): unknown {
    if (signal?.aborted === true && Cause.isInterrupted(cause)) return signal.reason
    const failure = Cause.failureOption(cause)
    if (Option.isSome(failure)) return failure.value
    const defect = Cause.dieOption(cause)
    if (Option.isSome(defect)) return defect.value
    if (this.disposing !== undefined) return new DisposedError({ runnable: this.name })
    return new DOMException(`The run of "${this.name}" was interrupted`, "AbortError")
  }

  /** Interrupts the runs in flight, waits for their finalizers, then disposes of the runtime. */
  dispose(): Promise<void> {
    if (this.disposing === undefined) {
      const fibers = Array.from(this.inFlight)
      for (const fiber of fibers) fiber.unsafeInterruptAsFork(FiberId.none)
      this.disposing = Promise.all(fibers.map(awaitExit)).then(() => this.runtime.dispose())
    }
    return this.disposing
  }
}

/** @internal */
import { Options, Runnable } from "@fxchain/core"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Predicate from "effect/Predicate"
import type * as PromiseRunnable from "../PromiseRunnable.js"
import * as LangChainEvents from "./langchainEvents.js"
import { iterate } from "./promiseRunnableIterator.js"
import { Runner } from "./promiseRunnableRunner.js"

/** @internal */
export const TypeId: PromiseRunnable.TypeId = Symbol.for("@fxchain/adapters/PromiseRunnable") as PromiseRunnable.TypeId

/** @internal */
export const isPromiseRunnable = (u: unknown): u is PromiseRunnable.PromiseRunnable<unknown, unknown, unknown> =>
  Predicate.hasProperty(u, TypeId)

type AnyRunnable = Runnable.Runnable<any, any, any, any>

/**
 * The signal a run is interrupted by: the caller's, and a timer of `timeout` milliseconds
 * (`AbortSignal.timeout`, whose reason is a `DOMException` named `"TimeoutError"`).
 */
const signalOf = (runnable: AnyRunnable, options: PromiseRunnable.RunOptions | undefined): AbortSignal | undefined => {
  const timeout = options?.timeout
  if (timeout === undefined) return options?.signal
  const deadline = AbortSignal.timeout(Options.number(runnable.name, "timeout", timeout, { min: 0 }))
  return options?.signal === undefined ? deadline : AbortSignal.any([options.signal, deadline])
}

/** The runnable with the options' run configuration, or itself when they set none. */
const configured = (runnable: AnyRunnable, options: PromiseRunnable.RunOptions | undefined): AnyRunnable => {
  if (options === undefined) return runnable
  const { configurable, runName, tags } = options
  // as LangChain's `ensureConfig`: the model chosen at run time is named in the metadata too
  const model = configurable?.model
  const metadata = typeof model === "string" && options.metadata?.model === undefined
    ? { ...options.metadata, model }
    : options.metadata
  if (configurable === undefined && metadata === undefined && runName === undefined && tags === undefined) return runnable
  return Runnable.withConfig(runnable, { configurable, metadata, runName, tags })
}

/**
 * The runnable, except that an item that would start once `signal` is aborted is interrupted
 * before it runs. Interrupting the batch stops its workers already; this closes the gap between
 * the abort and the moment the interruption reaches a worker that was about to take an item.
 */
const refusingOnceAborted = (runnable: AnyRunnable, signal: AbortSignal): AnyRunnable =>
  Runnable.wrap(runnable, ({ run }) => ({
    run: (input: unknown) => Effect.suspend(() => signal.aborted ? Effect.interrupt : run(input))
  }))

class PromiseRunnableImpl<In, Out, E> implements PromiseRunnable.PromiseRunnable<In, Out, E> {
  readonly [TypeId]: PromiseRunnable.TypeId = TypeId
  readonly name: string
  readonly runtime: ManagedRuntime.ManagedRuntime<never, unknown>
  private readonly runner: Runner<any, unknown>

  constructor(readonly runnable: Runnable.Runnable<In, Out, E, any>, layer: Layer.Layer<never, unknown>) {
    this.name = runnable.name
    this.runtime = ManagedRuntime.make(layer)
    // the layer provides what the runnable needs, which the runtime's type does not record
    this.runner = new Runner(this.runtime as ManagedRuntime.ManagedRuntime<any, unknown>, runnable.name)
  }

  invoke(input: In, options?: PromiseRunnable.RunOptions): Promise<Out> {
    return this.withSignal(options, (signal) => this.runner.promise(Runnable.invoke(configured(this.runnable, options), input), signal))
  }

  /** Calls `f` with the run's signal, or rejects with the `InvalidOptionError` of a bad `timeout`. */
  private withSignal<A>(options: PromiseRunnable.RunOptions | undefined, f: (signal: AbortSignal | undefined) => Promise<A>): Promise<A> {
    let signal: AbortSignal | undefined
    try {
      signal = signalOf(this.runnable, options)
    } catch (error) {
      return Promise.reject(error)
    }
    return f(signal)
  }

  batch(
    inputs: ReadonlyArray<In>,
    options?: PromiseRunnable.BatchOptions,
    batchOptions?: PromiseRunnable.RunnableBatchOptions
  ): Promise<Array<any>> {
    return this.withSignal(options, (signal) => {
      let runnable = configured(this.runnable, options)
      if (signal !== undefined) runnable = refusingOnceAborted(runnable, signal)
      const concurrency = batchOptions?.maxConcurrency ?? options?.maxConcurrency
      const returnExceptions = batchOptions?.returnExceptions ?? options?.returnExceptions
      const effect = returnExceptions === true
        ? Effect.map(
          Runnable.batch(runnable, inputs, { concurrency, mode: "either" }),
          (results) => results.map(Either.merge)
        )
        : Runnable.batch(runnable, inputs, { concurrency })
      return this.runner.promise(effect, signal)
    })
  }

  stream(input: In, options?: PromiseRunnable.RunOptions): AsyncIterableIterator<Out> & AsyncDisposable {
    return iterate(this.runner, Runnable.stream(configured(this.runnable, options), input), signalOf(this.runnable, options))
  }

  streamEvents(
    input: In,
    options: PromiseRunnable.StreamEventsOptions,
    filter?: PromiseRunnable.EventFilter
  ): AsyncIterableIterator<any> & AsyncDisposable {
    const version: unknown = (options as PromiseRunnable.StreamEventsOptions | undefined)?.version
    if (version !== "v2") {
      throw new TypeError(`streamEvents supports only { version: "v2" }, got ${JSON.stringify(version)}`)
    }
    const events = LangChainEvents.streamEvents(configured(this.runnable, options), input, filter ?? options, options.runId)
    const signal = signalOf(this.runnable, options)
    return options.encoding === "text/event-stream"
      ? iterate(this.runner, LangChainEvents.eventStreamBytes(events), signal)
      : iterate(this.runner, events, signal)
  }

  dispose(): Promise<void> {
    return this.runner.dispose()
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.runner.dispose()
  }

  toJSON() {
    return { _id: "PromiseRunnable", name: this.name }
  }

  toString() {
    return `PromiseRunnable(${this.name})`
  }
}

/** @internal */
export const make = (
  runnable: AnyRunnable,
  options?: { readonly layer?: Layer.Layer<never, unknown> | undefined }
): PromiseRunnable.PromiseRunnable<any, any, any> => new PromiseRunnableImpl(runnable, options?.layer ?? Layer.empty)

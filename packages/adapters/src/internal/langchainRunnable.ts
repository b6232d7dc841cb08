/** @internal */
import { Runnable, type RunEvent } from "@fxchain/core"
import type { CallbackManagerForChainRun } from "@langchain/core/callbacks/manager"
import type { SerializedNotImplemented } from "@langchain/core/load/serializable"
import { isBaseMessage } from "@langchain/core/messages"
import {
  ensureConfig,
  getCallbackManagerForConfig,
  pickRunnableConfigKeys,
  Runnable as LangChainRunnable,
  type RunnableBatchOptions,
  type RunnableConfig
} from "@langchain/core/runnables"
import { AsyncGeneratorWithSetup, IterableReadableStream } from "@langchain/core/utils/stream"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import type * as LangChain from "../langchain.js"
import {
  abortError,
  fromAsyncIterator,
  type LangChainParent,
  ParentConfig,
  type Runner,
  toAsyncGenerator,
  toRejection,
  UpstreamFailure
} from "./langchainBridge.js"
import { coerceToDict, RunForwarder, runTypeOf } from "./langchainForwarder.js"
import { isPromptValue, promptFromLangChain } from "./langchainMessages.js"

type CallOptions = Partial<RunnableConfig> & { runType?: string }

/** The configuration the LangChain runnables nested in a run inherit, but their callbacks. */
const inheritedConfig = (config: CallOptions): RunnableConfig => {
  const { callbacks: _callbacks, signal: _signal, timeout: _timeout, ...inherited } = pickRunnableConfigKeys(config) ?? {}
  return inherited
}

/** Someone listens to the run on the LangChain side: its nested runs are forwarded to them. */
const isListened = (runManager: CallbackManagerForChainRun | undefined): runManager is CallbackManagerForChainRun =>
  runManager !== undefined && runManager.handlers.length > 0

/**
 * The LangChain parent of the runs nested in a run nobody listens to: the LangChain runnables
 * they call are children of the run (for its configuration; no callback sees them).
 */
const unlistenedParent = (config: CallOptions, runManager: CallbackManagerForChainRun | undefined): LangChainParent => {
  const inherited = inheritedConfig(config)
  const nested: RunnableConfig = runManager === undefined ? inherited : { ...inherited, callbacks: runManager.getChild() }
  return { configFor: () => Promise.resolve(nested) }
}

/** Runs the forwarder over the events of an observed run, one event at a time. */
const forwarding = (forwarder: RunForwarder) => (event: RunEvent.RunEvent) => Effect.promise(() => forwarder.forward(event))

async function* single<A>(value: A): AsyncGenerator<A> {
  yield value
}

/**
 * A LangChain.js runnable that runs an fxchain runnable (see `toLangChain`).
 *
 * @since 0.1.0
 * @category models
 */
export class FxChainRunnable<In, Out, E = never> extends LangChainRunnable<In, Out> {
  static override lc_name(): string {
    return "FxChainRunnable"
  }

  lc_namespace = ["fxchain", "runnables"]

  /** The fxchain runnable this LangChain runnable runs. */
  readonly runnable: Runnable.Runnable<In, Out, E, any>
  /** The runtime its runs run on (built from the layer on first use). */
  readonly runtime: ManagedRuntime.ManagedRuntime<never, unknown>
  private readonly ownsRuntime: boolean
  private readonly runType: string | undefined
  private readonly run: Runner<any>
  /** Aborted by `dispose()`: part of every run's signal (see `signalOf`). */
  private readonly disposal = new AbortController()
  /** Runs (and stream pulls) in flight, which `dispose()` waits for. */
  private readonly running = new Set<Promise<unknown>>()

  constructor(
    runnable: Runnable.Runnable<In, Out, E, any>,
    runtime: ManagedRuntime.ManagedRuntime<never, unknown>,
    ownsRuntime: boolean
  ) {
    super()
    this.name = runnable.name
    this.runnable = runnable
    this.runtime = runtime
    this.ownsRuntime = ownsRuntime
    this.runType = runTypeOf(runnable.kind)
    this.run = (effect, signal) => {
      // the runtime provides what the runnable needs (`toLangChain`'s types make sure of it)
      const exit = runtime.runPromiseExit(effect as Effect.Effect<any, unknown>, { signal })
      this.running.add(exit)
      return exit.finally(() => this.running.delete(exit))
    }
  }

  /**
   * What LangChain's callbacks receive as the runnable (`serialized`): not serializable, and named
   * by its last `id` element, as LangChain's own runnables are by their class, after the fxchain
   * runnable.
   */
  override toJSON(): SerializedNotImplemented {
    return { lc: 1, type: "not_implemented", id: [...this.lc_namespace, this.getName()] }
  }

  /** Options for LangChain's run helpers: the run type goes with them. */
  private withRunType(options: Partial<RunnableConfig> | undefined): CallOptions {
    return this.runType === undefined ? { ...options } : { ...options, runType: this.runType }
  }

  /**
   * A model's input as LangChain code hands it to a chat model (a prompt value, a list of
   * messages), made the `@effect/ai` prompt an fxchain model reads; any other input as it is.
   */
  private fromLangChainInput(input: In): In {
    if (this.runnable.kind !== "model") return input
    const isMessages = Array.isArray(input) && input.length > 0 && input.every(isBaseMessage)
    return isMessages || isPromptValue(input) ? promptFromLangChain(input as never) as In : input
  }

  /** The fxchain runnable configured from a LangChain call's configuration. */
  private configured(config: CallOptions): Runnable.Runnable<In, Out, E, any> {
    const patch: { -readonly [K in keyof Runnable.WithConfigOptions]: Runnable.WithConfigOptions[K] } = {}
    let patched = false
    if (config.runName !== undefined) {
      patch.runName = config.runName
      patched = true
    }
    if (config.tags !== undefined && config.tags.length > 0) {
      patch.tags = config.tags
      patched = true
    }
    if (config.metadata !== undefined && Object.keys(config.metadata).length > 0) {
      patch.metadata = config.metadata
      patched = true
    }
    if (config.configurable !== undefined && Object.keys(config.configurable).length > 0) {
      patch.configurable = config.configurable
      patched = true
    }
    const concurrency = config.maxConcurrency
    if (concurrency !== undefined && Number.isInteger(concurrency) && concurrency >= 1) {
      patch.concurrency = concurrency
      patched = true
    }
    return patched ? Runnable.withConfig(this.runnable, patch) : this.runnable
  }

  /** The signal a run is interrupted by: the call's, and this runnable's disposal. */
  private signalOf(signal: AbortSignal | undefined): AbortSignal {
    return signal === undefined ? this.disposal.signal : AbortSignal.any([signal, this.disposal.signal])
  }

  /** Runs an Effect on the runtime; rejects with the original error, after the run has ended. */
  private async runEffect<A>(effect: Effect.Effect<A, unknown, any>, callSignal: AbortSignal | undefined): Promise<A> {
    const signal = this.signalOf(callSignal)
    if (signal.aborted) throw abortError(signal)
    const exit = await this.run(effect, signal)
    if (Exit.isSuccess(exit)) return exit.value
    throw toRejection(exit.cause, signal)
  }

  /**
   * Runs the fxchain runnable once. LangChain callbacks receive the run's start, then its end or
   * error. Aborting `signal` (or reaching `timeout`) interrupts the run; the Promise settles
   * once the run has ended (its finalizers ran), unlike `_callWithConfig`, which rejects at the
   * abort while the work may still be winding down.
   */
  override async invoke(input: In, options?: Partial<RunnableConfig>): Promise<Out> {
    const config: CallOptions = ensureConfig(options)
    const callbackManager = await getCallbackManagerForConfig(config)
    const runManager = await callbackManager?.handleChainStart(
      this.toJSON(),
      coerceToDict(input, "input"),
      config.runId,
      this.runType,
      undefined,
      undefined,
      config.runName ?? this.getName()
    )
    delete config.runId
    let output: Out
    try {
      output = await this.runEffect(this.invoked(this.configured(config), this.fromLangChainInput(input), config, runManager), config.signal)
    } catch (error) {
      await runManager?.handleChainError(error)
      throw error
    }
    await runManager?.handleChainEnd(coerceToDict(output, "output"))
    return output
  }

  /**
   * The fxchain runnable invoked: when someone listens on the LangChain side, observed, and its
   * nested runs forwarded to them as children of the LangChain run.
   */
  private invoked(
    runnable: Runnable.Runnable<In, Out, E, any>,
    input: In,
    config: CallOptions,
    runManager: CallbackManagerForChainRun | undefined
  ): Effect.Effect<Out, unknown, any> {
    if (!isListened(runManager)) {
      return Effect.provideService(Runnable.invoke(runnable, input), ParentConfig, unlistenedParent(config, runManager))
    }
    const forwarder = new RunForwarder(runManager, inheritedConfig(config))
    let output: Out
    const observed = Runnable.fromEffect(
      (value: In) => Effect.map(Runnable.invoke(runnable, value), (result) => (output = result)),
      { name: runnable.name }
    )
    return Runnable.streamEvents(observed, input).pipe(
      Stream.runForEach(forwarding(forwarder)),
      Effect.provideService(ParentConfig, forwarder),
      Effect.map(() => output)
    )
  }

  /**
   * Runs the fxchain runnable on every input, at most `maxConcurrency` at once (unbounded by
   * default, as in LangChain.js), each item an `invoke` (so callbacks see each one). Without
   * `returnExceptions`, the first failure interrupts the items in flight, no further item
   * starts, and the Promise rejects with that failure once they have ended. An item whose signal
   * is aborted does not start.
   */
  override batch(
    inputs: Array<In>,
    options?: Partial<RunnableConfig> | Array<Partial<RunnableConfig>>,
    batchOptions?: RunnableBatchOptions & { returnExceptions?: false }
  ): Promise<Array<Out>>
  override batch(
    inputs: Array<In>,
    options?: Partial<RunnableConfig> | Array<Partial<RunnableConfig>>,
    batchOptions?: RunnableBatchOptions & { returnExceptions: true }
  ): Promise<Array<Out | Error>>
  override batch(
    inputs: Array<In>,
    options?: Partial<RunnableConfig> | Array<Partial<RunnableConfig>>,
    batchOptions?: RunnableBatchOptions
  ): Promise<Array<Out | Error>>
  override async batch(
    inputs: Array<In>,
    options?: Partial<RunnableConfig> | Array<Partial<RunnableConfig>>,
    batchOptions?: RunnableBatchOptions
  ): Promise<Array<Out | Error>> {
    const configs = this._getOptionsList(options ?? {}, inputs.length)
    const limit = configs[0]?.maxConcurrency ?? batchOptions?.maxConcurrency
    const workers = limit !== undefined && limit >= 1 ? Math.min(Math.floor(limit), inputs.length) : inputs.length
    const returnExceptions = batchOptions?.returnExceptions === true
    const stop = new AbortController()
    const results = new Array<Out | Error>(inputs.length)
    let failure: { readonly error: unknown } | undefined
    let next = 0
    const work = async (): Promise<void> => {
      while (failure === undefined && next < inputs.length) {
        const index = next++
        const config = configs[index]!
        try {
          if (config.signal?.aborted === true) throw abortError(config.signal)
          const signal = config.signal === undefined ? stop.signal : AbortSignal.any([config.signal, stop.signal])
          results[index] = await this.invoke(inputs[index]!, { ...config, signal })
        } catch (error) {
          if (returnExceptions) {
            results[index] = error as Error
          } else if (failure === undefined) {
            failure = { error }
            stop.abort()
          }
        }
      }
    }
    await Promise.all(Array.from({ length: workers }, work))
    if (failure !== undefined) throw failure.error
    return results
  }

  /** The fxchain run over a stream of inputs, as LangChain's transformer of `_transformStreamWithConfig`. */
  private transformChunks(
    inputs: AsyncGenerator<In>,
    runManager: CallbackManagerForChainRun | undefined,
    options: CallOptions | undefined
  ): AsyncGenerator<Out> {
    const config = options ?? {}
    const upstream = fromAsyncIterator(() => inputs, (error) => new UpstreamFailure(Cause.fail(error)))
    const read = this.runnable.kind === "model" ? Stream.map(upstream, (input) => this.fromLangChainInput(input)) : upstream
    const transformed = Runnable.transform(this.configured(config), read)
    if (!isListened(runManager)) {
      const run = Stream.provideService(transformed, ParentConfig, unlistenedParent(config, runManager))
      return toAsyncGenerator(run, this.run, this.signalOf(config.signal))
    }
    // observed, its nested runs forwarded; its own chunks are those of the run observing it
    const forwarder = new RunForwarder(runManager, inheritedConfig(config))
    const observed = Runnable.fromStream((_: undefined) => transformed, { name: this.runnable.name })
    const chunks = Runnable.streamEvents(observed, undefined).pipe(
      Stream.tap(forwarding(forwarder)),
      Stream.filterMap((event) =>
        event._tag === "Streamed" && event.parentIds.length === 0 ? Option.some(event.chunk as Out) : Option.none()
      ),
      Stream.provideService(ParentConfig, forwarder)
    )
    return toAsyncGenerator(chunks, this.run, this.signalOf(config.signal))
  }

  override async *_streamIterator(input: In, options?: Partial<RunnableConfig>): AsyncGenerator<Out> {
    yield* this._transformStreamWithConfig(
      single(input),
      (inputs, runManager, config) => this.transformChunks(inputs, runManager, config),
      this.withRunType(options)
    )
  }

  /**
   * Streams the run's chunks; a runnable with its own `transform` consumes its input chunk by
   * chunk, so it streams through a LangChain sequence. Cancelling the returned stream (leaving a
   * `for await` loop early) interrupts the run and settles once its finalizers ran.
   */
  override async stream(input: In, options?: Partial<RunnableConfig>): Promise<IterableReadableStream<Out>> {
    const config = ensureConfig(options)
    const cancel = new AbortController()
    const signal = config.signal === undefined ? cancel.signal : AbortSignal.any([config.signal, cancel.signal])
    const { signal: _signal, ...unsignalled } = config
    // the run itself is interrupted by the signal and then throws; racing it would settle too early
    const chunks = new AsyncGeneratorWithSetup<unknown, Out>({
      generator: this._streamIterator(input, { ...config, signal }),
      config: unsignalled
    })
    await chunks.setup
    return new IterableReadableStream<Out>({
      async pull(controller) {
        const result = await chunks.next()
        if (result.done === true) controller.close()
        else controller.enqueue(result.value)
      },
      async cancel(reason) {
        cancel.abort()
        await chunks.return(reason)
      }
    })
  }

  override transform(generator: AsyncGenerator<In>, options: Partial<RunnableConfig>): AsyncGenerator<Out> {
    return this._transformStreamWithConfig(
      generator,
      (inputs, runManager, config) => this.transformChunks(inputs, runManager, config),
      this.withRunType(options)
    )
  }

  /**
   * Interrupts the runs still in flight (they reject with an `AbortError` saying so), waits for
   * them to end, then closes the runtime built from the layer (a runtime given in the options is
   * left open). Later calls reject at once.
   */
  async dispose(): Promise<void> {
    if (!this.disposal.signal.aborted) {
      this.disposal.abort(new DOMException(`The LangChain runnable "${this.getName()}" was disposed`, "AbortError"))
    }
    await Promise.allSettled(this.running)
    if (this.ownsRuntime) await this.runtime.dispose()
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.dispose()
  }
}

/** @internal */
export const toLangChain = <In, Out, E, R>(
  runnable: Runnable.Runnable<In, Out, E, R>,
  options?: LangChain.ToLangChainOptions<never, unknown>
): FxChainRunnable<In, Out, E> => {
  const given = options?.runtime
  const runtime = given ?? ManagedRuntime.make(options?.layer ?? Layer.empty)
  return new FxChainRunnable(runnable, runtime, given === undefined)
}

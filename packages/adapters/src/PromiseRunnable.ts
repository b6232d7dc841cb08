/**
 * The Promise facade: an fxchain runnable with the familiar async API of a LangChain.js runnable
 * (`invoke`, `batch`, `stream`, `streamEvents`), for code that awaits Promises, backed by one
 * `ManagedRuntime` built from a `Layer`.
 *
 * fxchain keeps its promises across the boundary:
 *
 * - Errors: a rejection carries the runnable's own error value, unchanged (a `Schema.TaggedError`
 *   keeps its class and `_tag`), never an Effect `FiberFailure`. A defect (an exception thrown in
 *   user code) rejects with the thrown value itself.
 * - Cancellation: aborting the `signal` interrupts the whole run: every nested run, every item of
 *   a batch, every timer and socket it opened. The Promise settles only once the interruption is
 *   over (its finalizers have run), so when it rejects, nothing of the run is left running and no
 *   further item of a batch starts (LangChain.js rejects at once and keeps running queued items).
 *   It rejects with `signal.reason`, as `fetch` and `signal.throwIfAborted()` do: for
 *   `controller.abort()` that is a `DOMException` named `"AbortError"`, for
 *   `AbortSignal.timeout(ms)` one named `"TimeoutError"`, and for `controller.abort(reason)` your
 *   own `reason`. A signal already aborted rejects at once and runs nothing.
 * - Streams: leaving a `for await` loop early (`break`, `return`, a thrown exception) interrupts
 *   the run, and the loop exits only after its finalizers ran.
 * - Resources: `dispose()` (or `await using`) interrupts the runs still in flight (they reject
 *   with `DisposedError`) and then closes the runtime, which releases what the layer acquired.
 *
 * A run interrupted otherwise (the runnable interrupted itself) rejects with a `DOMException`
 * named `"AbortError"`.
 *
 * `stream` and `streamEvents` return their iterable at once (not a Promise), so LangChain.js code
 * written as `for await (const chunk of await runnable.stream(input))` works unchanged.
 *
 * @example
 * ```ts
 * import { PromiseRunnable } from "@fxchain/adapters"
 * import { Runnable } from "@fxchain/core"
 * import { Effect } from "effect"
 *
 * const shout = Runnable.fromEffect((text: string) => Effect.succeed(text.toUpperCase()), { name: "shout" })
 * const runnable = PromiseRunnable.make(shout)
 *
 * const answer = await runnable.invoke("hello") // "HELLO"
 * const answers = await runnable.batch(["a", "b"], { maxConcurrency: 2 }) // ["A", "B"]
 * for await (const chunk of runnable.stream("hi", { signal: AbortSignal.timeout(1_000) })) {
 *   console.log(chunk)
 * }
 * for await (const event of runnable.streamEvents("hi", { version: "v2" })) {
 *   console.log(event.event, event.name) // on_chain_start shout, on_chain_stream shout, on_chain_end shout
 * }
 * await runnable.dispose()
 * ```
 *
 * @since 0.1.0
 */
import type { Runnable } from "@fxchain/core"
import type * as Layer from "effect/Layer"
import type * as ManagedRuntime from "effect/ManagedRuntime"
import * as Schema from "effect/Schema"
import * as internal from "./internal/promiseRunnable.js"

// -----------------------------------------------------------------------------
// models
// -----------------------------------------------------------------------------

/**
 * @since 0.1.0
 * @category type ids
 */
export const TypeId: unique symbol = internal.TypeId

/**
 * @since 0.1.0
 * @category type ids
 */
export type TypeId = typeof TypeId

/**
 * A runnable behind the async API of a LangChain.js runnable. Its Promises reject with `E` (the
 * runnable's errors, and the layer's when it cannot be built), a defect's thrown value, the
 * abort signal's reason, or `DisposedError`.
 *
 * @since 0.1.0
 * @category models
 */
export interface PromiseRunnable<in In, out Out, out E = never> {
  readonly [TypeId]: TypeId
  /** The runnable's name. */
  readonly name: string
  /** The runnable this facade runs. */
  readonly runnable: Runnable.Runnable<In, Out, E, any>
  /**
   * The runtime every run of this facade runs on, built from the layer on first use (it provides
   * the layer's services, which its type does not record).
   */
  readonly runtime: ManagedRuntime.ManagedRuntime<never, unknown>

  /**
   * Runs the runnable once. Rejects with the run's error value, or `signal.reason` when aborted.
   */
  invoke(input: In, options?: RunOptions): Promise<Out>

  /**
   * Runs the runnable on every input, at most `maxConcurrency` at once; outputs come in input
   * order. Without `returnExceptions` the first failure interrupts the other items, no further
   * item starts, and the Promise rejects with that failure. As in LangChain.js, `returnExceptions`
   * and `maxConcurrency` may also come in a third argument (which wins); per-input options (an
   * array as second argument) are not supported.
   */
  batch(
    inputs: ReadonlyArray<In>,
    options: BatchOptions & { readonly returnExceptions: true },
    batchOptions?: RunnableBatchOptions
  ): Promise<Array<Out | E>>
  batch(
    inputs: ReadonlyArray<In>,
    options: BatchOptions | undefined,
    batchOptions: RunnableBatchOptions & { readonly returnExceptions: true }
  ): Promise<Array<Out | E>>
  batch(
    inputs: ReadonlyArray<In>,
    options?: BatchOptions & { readonly returnExceptions?: false | undefined },
    batchOptions?: RunnableBatchOptions & { readonly returnExceptions?: false | undefined }
  ): Promise<Array<Out>>
  batch(inputs: ReadonlyArray<In>, options?: BatchOptions, batchOptions?: RunnableBatchOptions): Promise<Array<Out | E>>

  /**
   * Streams the run's output chunks, pulled one at a time: the run waits while the consumer does
   * not ask for the next chunk. Leaving the loop early interrupts the run, and `return()` (which
   * `for await` calls) settles once its finalizers ran. The iterator is its own iterable and is
   * consumed once.
   */
  stream(input: In, options?: RunOptions): AsyncIterableIterator<Out>

  /**
   * Streams the events of the run and of every nested run, shaped as LangChain.js's
   * `streamEvents(input, { version: "v2" })` events (see `StreamEvent`). When the run fails, the
   * failed runs emit `on_<type>_error` (never `_end`), and the iterator then rejects with the
   * original error. As in LangChain.js, the filter may also come in a third argument (it then
   * replaces the lists given in `options`).
   */
  streamEvents(
    input: In,
    options: StreamEventsOptions & { readonly encoding?: undefined },
    filter?: EventFilter
  ): AsyncIterableIterator<StreamEvent>
  /**
   * The same events in LangChain's `text/event-stream` encoding, as bytes to write to an HTTP
   * response: `event: data` with each event as JSON, then `event: end`.
   */
  streamEvents(
    input: In,
    options: StreamEventsOptions & { readonly encoding: "text/event-stream" },
    filter?: EventFilter
  ): AsyncIterableIterator<Uint8Array>

  /**
   * Interrupts the runs in flight (they reject with `DisposedError`), then closes the runtime and
   * releases what its layer acquired. Idempotent; runs asked for afterwards reject with
   * `DisposedError`.
   */
  dispose(): Promise<void>

  /** `dispose()`, for `await using`. */
  [Symbol.asyncDispose](): Promise<void>
}

/**
 * @since 0.1.0
 * @category models
 */
export declare namespace PromiseRunnable {
  /** The input type of a facade. */
  export type Input<T> = T extends PromiseRunnable<infer In, any, any> ? In : never
  /** The output type of a facade. */
  export type Output<T> = T extends PromiseRunnable<any, infer Out, any> ? Out : never
  /** The errors a facade's Promises reject with (besides defects, aborts and `DisposedError`). */
  export type Error<T> = T extends PromiseRunnable<any, any, infer E> ? E : never
}

/**
 * Options of `make`.
 *
 * @since 0.1.0
 * @category models
 */
export interface MakeOptions<ROut = never, LE = never> {
  /**
   * Provides what the runnable needs. Built once, on the first run, into the facade's
   * `ManagedRuntime`; released by `dispose()`. Defaults to the empty layer.
   */
  readonly layer?: Layer.Layer<ROut, LE> | undefined
}

/**
 * Options every run takes (LangChain's `RunnableConfig`, as far as it applies). `tags`,
 * `metadata`, `runName` and `configurable` are applied with `Runnable.withConfig`: they show on
 * the run's events and span, and tags and metadata are inherited by every nested run.
 *
 * @since 0.1.0
 * @category models
 */
export interface RunOptions {
  /** Aborting it interrupts the run; the Promise (or iterator) then rejects with `signal.reason`. */
  readonly signal?: AbortSignal | undefined
  /**
   * Milliseconds the run may take (LangChain's `timeout`; for a stream, the whole stream): past
   * them the run is interrupted, as by an aborted `signal`, and the Promise (or iterator) rejects
   * with a `DOMException` named `"TimeoutError"` whose message says the operation timed out
   * (`AbortSignal.timeout`'s). A number of 0 or more, or the call throws `InvalidOptionError`.
   */
  readonly timeout?: number | undefined
  readonly tags?: ReadonlyArray<string> | undefined
  readonly metadata?: Readonly<Record<string, unknown>> | undefined
  /** Renames the run. */
  readonly runName?: string | undefined
  /**
   * Values chosen at run time (read by `Fx.alternatives` and user code from `RunConfig`). A
   * `model` given as a string is also the metadata's `model` (unless the metadata names one), as
   * LangChain's `ensureConfig` makes it for tracers.
   */
  readonly configurable?: Readonly<Record<string, unknown>> | undefined
}

/**
 * Options of `batch`.
 *
 * @since 0.1.0
 * @category models
 */
export interface BatchOptions extends RunOptions {
  /**
   * Items run at once. Defaults to `RunConfig`'s concurrency (16 unless the layer sets it with
   * `RunConfig.layer`), where LangChain.js runs every item at once. An integer >= 1, or the batch
   * rejects with `InvalidOptionError` before any item runs.
   */
  readonly maxConcurrency?: number | undefined
  /**
   * Every item runs to its end, and a failed item holds its error value in its place (LangChain's
   * `returnExceptions`). A defect still rejects the whole batch: fxchain does not turn a thrown
   * exception into a value silently.
   */
  readonly returnExceptions?: boolean | undefined
}

/**
 * The third argument of LangChain.js's `batch`, accepted for code written for it.
 *
 * @since 0.1.0
 * @category models
 */
export interface RunnableBatchOptions {
  readonly maxConcurrency?: number | undefined
  readonly returnExceptions?: boolean | undefined
}

/**
 * The run types of LangChain's stream events. A run's type follows from its kind: `lambda` and
 * `chain` are `chain`, `model` is `chat_model`, `prompt`, `parser`, `tool` and `retriever` keep
 * their name, as do `llm` and `embedding`; any other kind is `chain`.
 *
 * @since 0.1.0
 * @category models
 */
export type EventType = "chain" | "chat_model" | "llm" | "prompt" | "parser" | "tool" | "retriever" | "embedding"

/**
 * Which events `streamEvents` passes on, as LangChain filters them: when any `include*` list is
 * given, an event is kept if its run's name, type or one of its tags is in one of them; then an
 * event whose name, type or a tag is in an `exclude*` list is dropped. Types are LangChain's
 * (`includeTypes: ["chat_model"]`), not fxchain's kinds.
 *
 * @since 0.1.0
 * @category models
 */
export interface EventFilter {
  readonly includeNames?: ReadonlyArray<string> | undefined
  readonly includeTypes?: ReadonlyArray<string> | undefined
  readonly includeTags?: ReadonlyArray<string> | undefined
  readonly excludeNames?: ReadonlyArray<string> | undefined
  readonly excludeTypes?: ReadonlyArray<string> | undefined
  readonly excludeTags?: ReadonlyArray<string> | undefined
}

/**
 * Options of `streamEvents`. Only the `"v2"` event format exists.
 *
 * @since 0.1.0
 * @category models
 */
export interface StreamEventsOptions extends RunOptions, EventFilter {
  readonly version: "v2"
  /** `"text/event-stream"`: the events as Server-Sent Events bytes (LangChain's encoding). */
  readonly encoding?: "text/event-stream" | undefined
  /** The root run's `run_id` (LangChain's `runId`); defaults to a fresh UUID. */
  readonly runId?: string | undefined
}

/**
 * What a stream event carries, placed as LangChain places it (docs/events.md has the table):
 * `input` on `_start` (`{}` for a run that consumes a stream of input chunks) and, except for the
 * root, on `_end` (a streamed input combined by the concat rule); `chunk` on `_stream`; `output`
 * on `_end`; on `_error` the error as text (`"<_tag or name>: <message>"`) and the input. A chat
 * model's input is `{ messages: [messages] }`, an LLM's `{ prompts: [text] }`, a retriever's
 * `{ query }`.
 *
 * @since 0.1.0
 * @category models
 */
export interface StreamEventData {
  readonly input?: unknown
  readonly output?: unknown
  readonly chunk?: unknown
  readonly error?: string
}

/**
 * A LangChain.js v2 stream event (assignable to `@langchain/core`'s `StreamEvent`), plus
 * `parent_ids` as LangChain Python gives them. Every event of a run carries the same `run_id`,
 * `name`, `tags`, `metadata` and `parent_ids`:
 *
 * - `event`: `on_<type>_start`, then one `on_<type>_stream` per chunk the run yields (none for
 *   prompts, tools and retrievers, nor for a model's last chunk when it carries only the finish
 *   reason and usage, which are on `_end`'s output), then `on_<type>_end`, or `on_<type>_error`
 *   when the run failed (an interrupted run, such as the sibling of a failed branch, emits
 *   neither);
 * - `data.chunk` of a chat model is its `Model.Message` with LangChain's `content` (the text) and
 *   `id` (`run-<run_id>`, the same on every chunk and the output); an LLM's is `{ text }`, and its
 *   output `{ generations: [[{ text, generationInfo }]], llmOutput }`;
 * - `tags`: the inherited tags (from `withConfig`), then the run's own (`seq:step:N` for a
 *   sequence's step, `map:key:KEY` for a parallel branch);
 * - `parent_ids`: the ancestors' run ids, root first; `[]` for the root;
 * - `on_custom_event`: what a run reported with `Runnable.dispatchCustomEvent`; `name` is the
 *   custom event's, `data` what was reported (as LangChain types it, `StreamEventData`, whatever
 *   it holds), `run_id`, `tags` and `metadata` the reporting run's.
 *
 * @since 0.1.0
 * @category models
 */
export interface StreamEvent {
  readonly event: `on_${EventType}_${"start" | "stream" | "end" | "error"}` | "on_custom_event"
  readonly name: string
  readonly run_id: string
  readonly tags: Array<string>
  readonly metadata: Record<string, unknown>
  readonly parent_ids: Array<string>
  readonly data: StreamEventData
}

// -----------------------------------------------------------------------------
// errors
// -----------------------------------------------------------------------------

/**
 * The facade was disposed: a run it interrupted while disposing, or a run asked for afterwards.
 *
 * @since 0.1.0
 * @category errors
 */
export class DisposedError extends Schema.TaggedError<DisposedError>()("DisposedError", {
  runnable: Schema.String
}) {
  override get message(): string {
    return `The PromiseRunnable of "${this.runnable}" has been disposed`
  }
}

// -----------------------------------------------------------------------------
// constructors
// -----------------------------------------------------------------------------

/**
 * Puts a runnable behind Promises. Its requirements must be provided by `layer`, which is built
 * once, on the first run, into the facade's `ManagedRuntime`; call `dispose()` to release it.
 *
 * @example
 * ```ts
 * import { PromiseRunnable } from "@fxchain/adapters"
 * import { Runnable } from "@fxchain/core"
 * import { Context, Effect, Layer } from "effect"
 *
 * class Greeting extends Context.Tag("Greeting")<Greeting, string>() {}
 *
 * const greet = Runnable.fromEffect((name: string) => Effect.map(Greeting, (greeting) => `${greeting}, ${name}`))
 * await using runnable = PromiseRunnable.make(greet, { layer: Layer.succeed(Greeting, "Hello") })
 *
 * const controller = new AbortController()
 * const answer = await runnable.invoke("Ada", { signal: controller.signal, tags: ["demo"] }) // "Hello, Ada"
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: {
  <In, Out, E>(runnable: Runnable.Runnable<In, Out, E, never>, options?: MakeOptions): PromiseRunnable<In, Out, E>
  <In, Out, E, R extends ROut, ROut, LE>(
    runnable: Runnable.Runnable<In, Out, E, R>,
    options: MakeOptions<ROut, LE> & { readonly layer: Layer.Layer<ROut, LE> }
  ): PromiseRunnable<In, Out, E | LE>
} = internal.make

/**
 * @since 0.1.0
 * @category guards
 */
export const isPromiseRunnable: (u: unknown) => u is PromiseRunnable<unknown, unknown, unknown> =
  internal.isPromiseRunnable

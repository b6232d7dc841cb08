/**
 * LangChain.js interop, both ways, against the real `@langchain/core` (an optional peer
 * dependency: only this subpath imports it).
 *
 * - `fromLangChain(lcRunnable)`: a LangChain.js runnable (a chat model, a prompt, a parser, a
 *   whole LCEL chain) as an fxchain runnable. It runs through fxchain's executors like any
 *   runnable, so it is one run in `Runnable.streamEvents` and one span. Interrupting it aborts
 *   the `signal` LangChain receives (and closes its stream); a rejection is a typed
 *   `LangChainError` holding the original error.
 * - `toLangChain(runnable)`: an fxchain runnable as a real `@langchain/core` `Runnable`, to put
 *   in `RunnableSequence.from([...])` or `.pipe`. Its `invoke`, `batch`, `stream`, `transform`
 *   and `streamEvents` work as LangChain's own; `signal` and `timeout` interrupt the fxchain run;
 *   LangChain callbacks see its start and end or error, and its nested runs; a rejection is the
 *   fxchain run's own error value.
 * - `promptFromLangChain`, `promptToLangChain`, `messageToLangChain`: messages both ways, between
 *   LangChain's `BaseMessage`s and prompt values and `@effect/ai`'s `Prompt`.
 *
 * How runs nest across the boundary (both directions see the whole tree):
 *
 * - LangChain callbacks (and so LangChain's `streamEvents` and tracers) see a `toLangChain` run
 *   as one `chain` run (`prompt`/`parser` for those kinds), and, when any callback listens, every
 *   fxchain run inside it as a child run of its type: chain, prompt, parser, chat model (its
 *   tokens as `handleLLMNewToken` calls with `AIMessageChunk`s), LLM, tool, retriever. A
 *   `fromLangChain` run inside is not one of them: the LangChain runnable it calls makes that run,
 *   under the nearest LangChain run above it.
 * - fxchain's events and spans see a `fromLangChain` run as one run of its kind (`model` for chat
 *   models, `llm` for LLMs, `prompt`, `parser`, `tool`, `retriever`, `lambda` for
 *   `RunnableLambda`, else `chain`), nested where it runs; when someone listens to fxchain's
 *   events, the runs LangChain makes inside it (the model inside a LangChain chain, say) are
 *   reported as runs nested in it (`Runnable.runReporter`), a model's tokens as their chunks.
 * - fxchain's tags, metadata and configurable values reach the LangChain runnables it calls,
 *   and LangChain's reach the fxchain runnables it calls (with `maxConcurrency` as the default
 *   concurrency, and `runName` as the run's name).
 * - LangChain keeps its implicit configuration in an `AsyncLocalStorage`; an Effect fiber may
 *   resume in any other call's asynchronous context, so every LangChain call (and every step of
 *   its stream) runs with that storage set to the call's own configuration.
 *
 * Cancellation across the boundary: LangChain rejects at an abort, often before the work has
 * stopped (`raceWithSignal`), and leaves an aborted stream's generators suspended. fxchain does
 * not: a `toLangChain` call settles once the interrupted run has ended, and an interrupted
 * `fromLangChain` stream calls `return()` on LangChain's generator. Inside a LangChain
 * composite (a `RunnableSequence`), the composite itself still rejects at the abort, and the
 * fxchain step finishes its interruption right after.
 *
 * @example
 * ```ts
 * import { fromLangChain, toLangChain } from "@fxchain/adapters/langchain"
 * import * as Fx from "@fxchain/combinators"
 * import { Runnable } from "@fxchain/core"
 * import { RunnableLambda, RunnableSequence } from "@langchain/core/runnables"
 * import { Effect } from "effect"
 *
 * // LangChain inside fxchain
 * const shout = fromLangChain(RunnableLambda.from((text: string) => text.toUpperCase()), { name: "shout" })
 * const pipeline = Fx.sequence(Runnable.sync((text: string) => text.trim()), shout)
 * const answer = Runnable.invoke(pipeline, " hi ") // Effect<string, LangChainError>
 *
 * // fxchain inside LangChain
 * const exclaim = Runnable.fromEffect((text: string) => Effect.succeed(`${text}!`), { name: "exclaim" })
 * const chain = RunnableSequence.from([RunnableLambda.from((text: string) => text.trim()), toLangChain(exclaim)])
 * await chain.invoke(" hi ", { signal: AbortSignal.timeout(1_000) }) // "hi!"
 * ```
 *
 * @since 0.1.0
 */
import type * as Prompt from "@effect/ai/Prompt"
import type { Runnable, RunEvent } from "@fxchain/core"
import type { AIMessage, BaseMessage } from "@langchain/core/messages"
import type { BasePromptValueInterface } from "@langchain/core/prompt_values"
import type { RunnableInterface } from "@langchain/core/runnables"
import type * as Layer from "effect/Layer"
import type * as ManagedRuntime from "effect/ManagedRuntime"
import * as Schema from "effect/Schema"
import type * as Model from "./Model.js"
import * as from from "./internal/langchainFrom.js"
import * as messages from "./internal/langchainMessages.js"
import * as to from "./internal/langchainRunnable.js"

// -----------------------------------------------------------------------------
// errors
// -----------------------------------------------------------------------------

const messageOf = (cause: unknown): string =>
  cause instanceof Error ? cause.message : typeof cause === "string" ? cause : String(cause)

/**
 * A LangChain.js runnable called through `fromLangChain` rejected: `cause` is what it rejected
 * with (its own error, unchanged), `runnable` the fxchain run's name.
 *
 * @example
 * ```ts
 * import { fromLangChain } from "@fxchain/adapters/langchain"
 * import { Runnable } from "@fxchain/core"
 * import { RunnableLambda } from "@langchain/core/runnables"
 * import { Effect } from "effect"
 *
 * const broken = fromLangChain(RunnableLambda.from((_: string) => { throw new Error("boom") }), { name: "broken" })
 * const recovered = Runnable.invoke(broken, "x").pipe(
 *   Effect.catchTag("LangChainError", (error) => Effect.succeed(`recovered from ${error.runnable}`))
 * )
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class LangChainError extends Schema.TaggedError<LangChainError>()("LangChainError", {
  runnable: Schema.String,
  cause: Schema.Defect
}) {
  override get message(): string {
    return `LangChain runnable "${this.runnable}" failed: ${messageOf(this.cause)}`
  }
}

// -----------------------------------------------------------------------------
// from LangChain
// -----------------------------------------------------------------------------

/**
 * @since 0.1.0
 * @category models
 */
export interface FromLangChainOptions {
  /**
   * The run's name in fxchain's events and spans (and LangChain's `runName`); defaults to the
   * LangChain runnable's `getName()`.
   */
  readonly name?: string | undefined
  /** The run's kind; defaults to the one the LangChain runnable's class says (see the module's docs). */
  readonly kind?: RunEvent.RunKind | undefined
}

/**
 * A LangChain.js runnable as an fxchain runnable:
 *
 * - `invoke` calls its `invoke`; `stream` streams it (through its `transform` of the one input,
 *   which is what its `stream` does, without the `ReadableStream` wrapper that could not be
 *   closed); a streamed sequence feeds it through its `transform` when it has one of its own (so a
 *   LangChain output parser parses chunks as they arrive), while a model, prompt, tool or
 *   retriever gathers its input first, as in LangChain; one without a stream of its own (a
 *   prompt, a tool) is invoked, its output one chunk;
 * - a model (`model` or `llm` kind) invoked while someone listens to fxchain's events streams,
 *   as LangChain's do under `streamEvents`, and its runs carry LangChain's `ls_*` metadata;
 * - while someone listens to fxchain's events, the runs LangChain makes inside the call are
 *   reported as runs nested in this one, a model's tokens as their chunks;
 * - each call gets an `AbortSignal` that interrupting the run aborts; a stream stopped early is
 *   also closed (`return()` on LangChain's generator, awaited; when a step is in flight, as soon
 *   as it settles);
 * - a rejection fails the run with a `LangChainError` holding the original error; a failure of
 *   the input stream it reads comes back out unchanged;
 * - the call's configuration: the enclosing LangChain run's when the run is nested in a
 *   `toLangChain` runnable (so LangChain's callbacks nest the call under it), plus fxchain's
 *   tags, metadata, configurable values and concurrency (as `maxConcurrency`).
 *
 * @example
 * ```ts
 * import { fromLangChain } from "@fxchain/adapters/langchain"
 * import { Runnable } from "@fxchain/core"
 * import { StringOutputParser } from "@langchain/core/output_parsers"
 * import { Effect, Stream } from "effect"
 *
 * const parser = fromLangChain(new StringOutputParser()) // Runnable<..., string, LangChainError>, kind "parser"
 * const chunks = Runnable.stream(parser, "hello").pipe(Stream.runCollect) // ["hello"]
 * const withTimeout = Runnable.invoke(parser, "hello").pipe(Effect.timeout("1 second")) // aborts the call on timeout
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromLangChain: <In, Out>(
  runnable: RunnableInterface<In, Out, any>,
  options?: FromLangChainOptions
) => Runnable.Runnable<In, Out, LangChainError> = from.fromLangChain

// -----------------------------------------------------------------------------
// messages
// -----------------------------------------------------------------------------

/**
 * A LangChain prompt as an `@effect/ai` `Prompt`, so that a LangChain prompt feeds an fxchain
 * model: a `ChatPromptValue` (what a `ChatPromptTemplate` makes), a `StringPromptValue` or a text
 * (one user message), or a list of `BaseMessage`s. System, human, AI (with its tool calls) and
 * tool messages become system, user, assistant and tool messages; their text blocks are kept.
 *
 * @example
 * ```ts
 * import { Model } from "@fxchain/adapters"
 * import { fromLangChain, promptFromLangChain } from "@fxchain/adapters/langchain"
 * import * as Fx from "@fxchain/combinators"
 * import { Runnable } from "@fxchain/core"
 * import { ChatPromptTemplate } from "@langchain/core/prompts"
 *
 * const prompt = fromLangChain(ChatPromptTemplate.fromMessages([["system", "Be brief"], ["human", "{question}"]]))
 * const answer = Fx.sequence(prompt, Runnable.sync(promptFromLangChain), Model.fromLanguageModel())
 * ```
 *
 * @since 0.2.0
 * @category messages
 */
export const promptFromLangChain: (input: string | ReadonlyArray<BaseMessage> | BasePromptValueInterface) => Prompt.Prompt =
  messages.promptFromLangChain

/**
 * An `@effect/ai` prompt (a `Prompt`, a list of messages or a text) as LangChain `BaseMessage`s,
 * so that an fxchain prompt feeds a LangChain chat model: system, user, assistant (with its tool
 * calls) and tool messages become `SystemMessage`, `HumanMessage`, `AIMessage` and one
 * `ToolMessage` per tool result.
 *
 * @example
 * ```ts
 * import { PromptTemplate } from "@fxchain/adapters"
 * import { fromLangChain, promptToLangChain } from "@fxchain/adapters/langchain"
 * import * as Fx from "@fxchain/combinators"
 * import { Runnable } from "@fxchain/core"
 * import { FakeListChatModel } from "@langchain/core/utils/testing"
 *
 * const prompt = PromptTemplate.chat([["system", "Be brief"], ["user", "{question}"]])
 * const answer = Fx.sequence(prompt, Runnable.sync(promptToLangChain), fromLangChain(new FakeListChatModel({ responses: ["Yes"] })))
 * ```
 *
 * @since 0.2.0
 * @category messages
 */
export const promptToLangChain: (prompt: Prompt.RawInput) => Array<BaseMessage> = messages.promptToLangChain

/**
 * A model's answer (`Model.Message`) as LangChain's `AIMessage`: its text as `content`, its tool
 * calls as `tool_calls`, its usage as `usage_metadata` and its finish reason in
 * `response_metadata`; `id` when given.
 *
 * @since 0.2.0
 * @category messages
 */
export const messageToLangChain: (message: Model.Message<any>, options?: { readonly id?: string | undefined }) => AIMessage =
  messages.messageToLangChain

// -----------------------------------------------------------------------------
// to LangChain
// -----------------------------------------------------------------------------

/**
 * Where a `toLangChain` runnable runs: a `ManagedRuntime` built from `layer` (on first use, and
 * closed by `dispose()`), or a `runtime` you give (shared with other runnables, and left open by
 * `dispose()`). Without either, a runtime with no services.
 *
 * @since 0.1.0
 * @category models
 */
export interface ToLangChainOptions<R, ER> {
  readonly layer?: Layer.Layer<R, ER> | undefined
  readonly runtime?: ManagedRuntime.ManagedRuntime<R, ER> | undefined
}

/**
 * The LangChain.js runnable `toLangChain` makes: a real `@langchain/core` `Runnable` (name: the
 * fxchain runnable's), with `runnable`, `runtime` and `dispose()` (also `await using`).
 *
 * @since 0.1.0
 * @category models
 */
export const FxChainRunnable: typeof to.FxChainRunnable = to.FxChainRunnable

/**
 * @since 0.1.0
 * @category models
 */
export type FxChainRunnable<In, Out, E = never> = to.FxChainRunnable<In, Out, E>

/**
 * An fxchain runnable as a real LangChain.js `Runnable`, backed by a `ManagedRuntime` (see
 * `ToLangChainOptions`):
 *
 * - `invoke` runs it once; `batch` runs an `invoke` per input, at most `maxConcurrency` at once
 *   (without `returnExceptions`, the first failure interrupts the items in flight and starts no
 *   further one); `stream` streams its chunks, and in a LangChain sequence `transform` feeds it
 *   its input chunk by chunk (a runnable with its own `transform` streams through; any other
 *   gathers its input first); `streamEvents` and the rest come from LangChain;
 * - `config.signal` and `config.timeout` interrupt the fxchain run: every nested run, timer and
 *   resource it holds; `invoke`, `batch` and `stream` settle once the run has ended (its
 *   finalizers ran). Cancelling the stream (leaving `for await` early) interrupts it too;
 * - LangChain callbacks receive its start and its end or error (via LangChain's callback
 *   manager and `_transformStreamWithConfig`), and, when any callback listens, the fxchain runs
 *   inside it as its child runs, each of its type (a model's tokens included); the LangChain runs
 *   of `fromLangChain` runnables inside it are children of the nearest of those;
 * - a model reads what LangChain gives a chat model: a prompt value or a list of `BaseMessage`s
 *   becomes its `@effect/ai` prompt;
 * - a rejection is the run's own error value (a `Schema.TaggedError` keeps its class and
 *   `_tag`), or a defect's thrown value, never an Effect `FiberFailure`; an aborted call rejects
 *   as LangChain's own runnables do, with the signal's reason;
 * - `dispose()` (or `await using`) interrupts the runs in flight, waits for them to end, then
 *   closes the runtime built from the layer.
 *
 * @example
 * ```ts
 * import { toLangChain } from "@fxchain/adapters/langchain"
 * import { Runnable } from "@fxchain/core"
 * import { RunnableLambda, RunnableSequence } from "@langchain/core/runnables"
 * import { Context, Effect, Layer } from "effect"
 *
 * class Greeting extends Context.Tag("Greeting")<Greeting, string>() {}
 * const greet = Runnable.fromEffect((name: string) => Effect.map(Greeting, (greeting) => `${greeting}, ${name}`), {
 *   name: "greet"
 * })
 * const lcGreet = toLangChain(greet, { layer: Layer.succeed(Greeting, "Hello") })
 *
 * const chain = RunnableSequence.from([RunnableLambda.from((name: string) => name.trim()), lcGreet])
 * await chain.invoke(" Ada ") // "Hello, Ada"
 * await chain.batch(["Ada", "Alan", "Grace"], { maxConcurrency: 2 })
 * for await (const event of chain.streamEvents("Ada", { version: "v2" })) {
 *   console.log(event.event, event.name) // ..., on_chain_start greet, ..., on_chain_end greet, ...
 * }
 * await lcGreet.dispose()
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const toLangChain: {
  <In, Out, E>(
    runnable: Runnable.Runnable<In, Out, E, never>,
    options?: ToLangChainOptions<never, unknown>
  ): FxChainRunnable<In, Out, E>
  <In, Out, E, R, ER>(
    runnable: Runnable.Runnable<In, Out, E, R>,
    options:
      | ToLangChainOptions<R, ER> & { readonly layer: Layer.Layer<R, ER> }
      | ToLangChainOptions<R, ER> & { readonly runtime: ManagedRuntime.ManagedRuntime<R, ER> }
  ): FxChainRunnable<In, Out, E | ER>
} = to.toLangChain

/** @internal */
import { RunConfig, Runnable, type RunEvent } from "@fxchain/core"
import type { BaseCallbackHandler } from "@langchain/core/callbacks/base"
import type { Callbacks } from "@langchain/core/callbacks/manager"
import { AIMessage, AIMessageChunk } from "@langchain/core/messages"
import {
  pickRunnableConfigKeys,
  Runnable as LangChainRunnable,
  type RunnableConfig,
  type RunnableInterface
} from "@langchain/core/runnables"
import { AsyncLocalStorageProviderSingleton } from "@langchain/core/singletons"
import * as Effect from "effect/Effect"
import * as Runtime from "effect/Runtime"
import * as Stream from "effect/Stream"
import type * as LangChain from "../langchain.js"
import { LangChainError } from "../langchain.js"
import { fromAsyncIterator, ParentConfig, toAsyncGenerator, UpstreamFailure } from "./langchainBridge.js"
import { setLangChainChunks } from "./langchainEvents.js"
import { RunReportingHandler } from "./langchainReporter.js"

/** The runnable a `withConfig` binding binds, or the runnable itself. */
const unbound = (runnable: RunnableInterface): RunnableInterface => {
  const bound = (runnable as { readonly bound?: unknown }).bound
  return typeof bound === "object" && bound !== null && "lc_runnable" in bound ? unbound(bound as unknown as RunnableInterface) : runnable
}

/** The kind of run a LangChain runnable makes, from its namespace (`withConfig` bindings looked through). @internal */
export const kindOf = (bound: RunnableInterface): RunEvent.RunKind => {
  const runnable = unbound(bound)
  const namespace = (runnable as { readonly lc_namespace?: unknown }).lc_namespace
  switch (Array.isArray(namespace) ? namespace[1] : undefined) {
    case "chat_models":
      return "model"
    case "llms":
      return "llm"
    case "prompts":
      return "prompt"
    case "output_parsers":
      return "parser"
    case "tools":
      return "tool"
    case "retrievers":
      return "retriever"
  }
  // a retriever of another namespace (LangChain's own `FakeRetriever`, say) still retrieves
  if (typeof (runnable as { readonly _getRelevantDocuments?: unknown })._getRelevantDocuments === "function") return "retriever"
  const lcName = (runnable.constructor as { readonly lc_name?: () => string }).lc_name?.()
  return lcName === "RunnableLambda" ? "lambda" : "chain"
}

/**
 * Whether a LangChain runnable consumes a stream of input chunks as they arrive (it has a
 * `transform` of its own: sequences, maps, lambdas, parsers) or gathers them first (LangChain's
 * default `transform`: models, prompts, tools, retrievers).
 */
const consumesChunks = (runnable: RunnableInterface): boolean =>
  unbound(runnable).transform !== LangChainRunnable.prototype.transform

/**
 * Whether a LangChain runnable streams its output (it has a stream or a `transform` of its own),
 * or its stream is its invoke's output as one chunk (LangChain's default: prompts, tools,
 * retrievers), which it yields once its run has ended.
 */
const streamsOutput = (runnable: RunnableInterface): boolean =>
  consumesChunks(runnable) ||
  (unbound(runnable) as unknown as { readonly _streamIterator: unknown })._streamIterator !==
    (LangChainRunnable.prototype as unknown as { readonly _streamIterator: unknown })._streamIterator

const union = (left: ReadonlyArray<string>, right: ReadonlyArray<string>): Array<string> => [
  ...left,
  ...right.filter((tag) => !left.includes(tag))
]

/** `callbacks` with one more handler, whichever form LangChain gave them in. */
const withHandler = (callbacks: Callbacks | undefined, handler: BaseCallbackHandler): Callbacks => {
  if (callbacks === undefined) return [handler]
  if (Array.isArray(callbacks)) return [...callbacks, handler]
  const manager = callbacks.copy()
  manager.addHandler(handler, true)
  return manager
}

/**
 * The configuration of one LangChain call: the enclosing LangChain run's (callbacks included),
 * then fxchain's tags, metadata, configurable values and concurrency, and the call's signal;
 * when someone observes fxchain's events, a handler that reports LangChain's runs to them.
 */
const callConfig = (
  parent: RunnableConfig | undefined,
  config: RunConfig.RunConfigValue,
  reporter: Runnable.RunReporter | undefined,
  signal: AbortSignal,
  runName: string | undefined
): RunnableConfig => {
  const tags = union(config.tags, parent?.tags ?? [])
  const result: RunnableConfig = {
    ...parent,
    tags,
    metadata: { ...parent?.metadata, ...config.metadata },
    configurable: { ...parent?.configurable, ...config.configurable },
    maxConcurrency: config.concurrency,
    signal
  }
  if (runName !== undefined) result.runName = runName
  if (reporter !== undefined) result.callbacks = withHandler(parent?.callbacks, new RunReportingHandler(reporter, tags))
  return result
}

/**
 * Calls LangChain with its implicit (AsyncLocalStorage) configuration set to this call's: the
 * asynchronous context an Effect fiber resumes in may be any other LangChain call's.
 */
const withinConfig = <A>(config: RunnableConfig, call: () => A): A =>
  AsyncLocalStorageProviderSingleton.runWithConfig(pickRunnableConfigKeys(config), call, true)

/** An iterator whose steps each run with LangChain's implicit configuration set to `config`. */
const iteratingWithin = <A>(config: RunnableConfig, iterator: AsyncIterator<A>): AsyncIterator<A> => ({
  next: () => withinConfig(config, () => iterator.next()),
  return: (value?: unknown) =>
    withinConfig(config, () => iterator.return?.(value) ?? Promise.resolve({ done: true as const, value: undefined }))
})

async function* single<A>(value: A): AsyncGenerator<A> {
  yield value
}

/**
 * The configuration of the current run's LangChain calls, given each call's signal: nested in the
 * enclosing LangChain run (inside `toLangChain`), or reporting LangChain's runs to whoever
 * observes fxchain's events.
 */
const currentConfig = (runName: string | undefined): Effect.Effect<(signal: AbortSignal) => Promise<RunnableConfig>> =>
  Effect.map(
    Effect.all([ParentConfig, RunConfig.RunConfig, Runnable.runReporter, Runnable.currentRun]),
    ([parent, config, reporter, run]) => (signal) =>
      parent === undefined
        ? Promise.resolve(callConfig(undefined, config, reporter, signal, runName))
        : parent.configFor(run).then((enclosing) => callConfig(enclosing, config, undefined, signal, runName))
  )

/**
 * What a LangChain language model adds to its runs' metadata (`ls_provider`, `ls_model_type`,
 * ...), which fxchain's run of it carries too, as LangChain's events of it do.
 */
const modelMetadata = (runnable: RunnableInterface): Record<string, unknown> | undefined => {
  const model = runnable as { readonly getLsParamsWithDefaults?: (options: object) => Record<string, unknown> }
  return typeof model.getLsParamsWithDefaults === "function" ? model.getLsParamsWithDefaults({}) : undefined
}

/**
 * LangChain's `AIMessageChunk` of a whole `AIMessage` (what its events show a non-streaming chat
 * model yield): its fields, its tool calls as tool call chunks (as `convertToChunk` makes them, but
 * without copying the message's own LangChain bookkeeping into the chunk's).
 */
const messageChunk = (value: unknown): unknown => {
  if (!AIMessage.isInstance(value) || AIMessageChunk.isInstance(value)) return undefined
  return new AIMessageChunk({
    content: value.content,
    additional_kwargs: value.additional_kwargs,
    response_metadata: value.response_metadata,
    ...(value.id === undefined ? {} : { id: value.id }),
    ...(value.name === undefined ? {} : { name: value.name }),
    ...(value.usage_metadata === undefined ? {} : { usage_metadata: value.usage_metadata }),
    tool_call_chunks: (value.tool_calls ?? []).map((call) => ({
      type: "tool_call_chunk" as const,
      name: call.name,
      args: JSON.stringify(call.args),
      ...(call.id === undefined ? {} : { id: call.id })
    }))
  })
}

/** @internal */
export const fromLangChain = <In, Out>(
  runnable: RunnableInterface<In, Out, any>,
  options?: LangChain.FromLangChainOptions
): Runnable.Runnable<In, Out, LangChainError> => {
  const name = options?.name ?? runnable.getName()
  const runName = options?.name
  const fail = (cause: unknown) => new LangChainError({ runnable: name, cause })
  const configFor = currentConfig(runName)
  const run = (input: In): Effect.Effect<Out, LangChainError> =>
    Effect.flatMap(configFor, (configure) =>
      Effect.tryPromise({
        try: async (signal) => {
          const lcConfig = await configure(signal)
          return withinConfig(lcConfig, () => runnable.invoke(input, lcConfig))
        },
        catch: fail
      }))
  const stream = (input: In): Stream.Stream<Out, LangChainError> =>
    Stream.unwrap(Effect.map(configFor, (configure) =>
      fromAsyncIterator(async (signal) => {
        const lcConfig = await configure(signal)
        // `transform` of the one input streams as `stream` does, as a generator that `return()`
        // closes (`stream` wraps it in a ReadableStream, which abandons it once aborted)
        return iteratingWithin(lcConfig, withinConfig(lcConfig, () => runnable.transform(single(input), lcConfig)))
      }, fail)))
  const transform = <E2, R2>(input: Stream.Stream<In, E2, R2>): Stream.Stream<Out, LangChainError | E2, R2> =>
    Stream.unwrap(Effect.map(Effect.zip(configFor, Effect.runtime<R2>()), ([configure, runtime]) => {
      let inputs: AsyncGenerator<In, void, undefined> | undefined
      return fromAsyncIterator(
        async (signal) => {
          const lcConfig = await configure(signal)
          // the input is pulled in the fxchain run; its failure comes back out of LangChain unchanged
          inputs = toAsyncGenerator(
            input,
            (effect, pullSignal) =>
              Runtime.runPromiseExit(runtime, effect, pullSignal === undefined ? undefined : { signal: pullSignal }),
            signal,
            (cause) => new UpstreamFailure(cause)
          )
          return iteratingWithin(lcConfig, withinConfig(lcConfig, () => runnable.transform(inputs!, lcConfig)))
        },
        fail,
        // closes the input stream's scope when LangChain left it open
        () => inputs?.return() ?? Promise.resolve()
      ) as Stream.Stream<Out, LangChainError | E2>
    }))
  const kind = options?.kind ?? kindOf(runnable)
  const isModel = kind === "model" || kind === "llm"
  const metadata = isModel ? modelMetadata(runnable) : undefined
  if (kind === "model") setLangChainChunks(messageChunk)
  return Runnable.make({
    name,
    kind,
    run,
    stream: streamsOutput(runnable) ? stream : undefined,
    // a runnable that gathers its input starts its run once it has it, as in LangChain
    transform: consumesChunks(runnable) ? transform : undefined,
    // invoked while someone observes, a model streams, as LangChain's do under streamEvents
    streamsWhenObserved: isModel,
    config: metadata === undefined ? undefined : { metadata }
  })
}

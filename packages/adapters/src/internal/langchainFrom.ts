/** @internal */
import { RunConfig, Runnable, type RunEvent } from "@fxchain/core"
import { pickRunnableConfigKeys, type RunnableConfig, type RunnableInterface } from "@langchain/core/runnables"
import { AsyncLocalStorageProviderSingleton } from "@langchain/core/singletons"
import * as Effect from "effect/Effect"
import * as Runtime from "effect/Runtime"
import * as Stream from "effect/Stream"
import type * as LangChain from "../langchain.js"
import { LangChainError } from "../langchain.js"
import { fromAsyncIterator, ParentConfig, toAsyncGenerator, UpstreamFailure } from "./langchainBridge.js"

/** The kind of run a LangChain runnable makes, from its namespace (`withConfig` bindings looked through). @internal */
export const kindOf = (runnable: RunnableInterface): RunEvent.RunKind => {
  const bound = (runnable as { readonly bound?: unknown }).bound
  if (typeof bound === "object" && bound !== null && "lc_runnable" in bound) return kindOf(bound as unknown as RunnableInterface)
  const namespace = (runnable as { readonly lc_namespace?: unknown }).lc_namespace
  switch (Array.isArray(namespace) ? namespace[1] : undefined) {
    case "chat_models":
    case "llms":
      return "model"
    case "prompts":
      return "prompt"
    case "output_parsers":
      return "parser"
    case "tools":
      return "tool"
    case "retrievers":
      return "retriever"
  }
  const lcName = (runnable.constructor as { readonly lc_name?: () => string }).lc_name?.()
  return lcName === "RunnableLambda" ? "lambda" : "chain"
}

const union = (left: ReadonlyArray<string>, right: ReadonlyArray<string>): Array<string> => [
  ...left,
  ...right.filter((tag) => !left.includes(tag))
]

/**
 * The configuration of one LangChain call: the enclosing LangChain run's (callbacks included),
 * then fxchain's tags, metadata, configurable values and concurrency, and the call's signal.
 */
const callConfig = (
  parent: RunnableConfig | undefined,
  config: RunConfig.RunConfigValue,
  signal: AbortSignal,
  runName: string | undefined
): RunnableConfig => {
  const result: RunnableConfig = {
    ...parent,
    tags: union(parent?.tags ?? [], config.tags),
    metadata: { ...parent?.metadata, ...config.metadata },
    configurable: { ...parent?.configurable, ...config.configurable },
    maxConcurrency: config.concurrency,
    signal
  }
  if (runName !== undefined) result.runName = runName
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

const currentConfig = Effect.zip(ParentConfig, RunConfig.RunConfig)

/** @internal */
export const fromLangChain = <In, Out>(
  runnable: RunnableInterface<In, Out, any>,
  options?: LangChain.FromLangChainOptions
): Runnable.Runnable<In, Out, LangChainError> => {
  const name = options?.name ?? runnable.getName()
  const runName = options?.name
  const fail = (cause: unknown) => new LangChainError({ runnable: name, cause })
  const run = (input: In): Effect.Effect<Out, LangChainError> =>
    Effect.flatMap(currentConfig, ([parent, config]) =>
      Effect.tryPromise({
        try: (signal) => {
          const lcConfig = callConfig(parent, config, signal, runName)
          return withinConfig(lcConfig, () => runnable.invoke(input, lcConfig))
        },
        catch: fail
      }))
  const stream = (input: In): Stream.Stream<Out, LangChainError> =>
    Stream.unwrap(Effect.map(currentConfig, ([parent, config]) =>
      fromAsyncIterator((signal) => {
        const lcConfig = callConfig(parent, config, signal, runName)
        // `transform` of the one input streams as `stream` does, as a generator that `return()`
        // closes (`stream` wraps it in a ReadableStream, which abandons it once aborted)
        return iteratingWithin(lcConfig, withinConfig(lcConfig, () => runnable.transform(single(input), lcConfig)))
      }, fail)))
  const transform = <E2, R2>(input: Stream.Stream<In, E2, R2>): Stream.Stream<Out, LangChainError | E2, R2> =>
    Stream.unwrap(Effect.map(Effect.zip(currentConfig, Effect.runtime<R2>()), ([[parent, config], runtime]) => {
      let inputs: AsyncGenerator<In, void, undefined> | undefined
      return fromAsyncIterator(
        (signal) => {
          const lcConfig = callConfig(parent, config, signal, runName)
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
  return Runnable.make({ name, kind: options?.kind ?? kindOf(runnable), run, stream, transform })
}

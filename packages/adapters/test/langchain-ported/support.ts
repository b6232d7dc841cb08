/**
 * What the tests ported from LangChain.js share. Each ported file names the LangChain.js file its
 * cases come from (`libs/langchain-core/src/runnables/tests/`); each case keeps LangChain's inputs
 * and expected outputs, and runs through the Promise facade, through `toLangChain` inside the real
 * `@langchain/core`, and in fxchain's Effect form where that is the natural translation.
 */
import { Runnable } from "@fxchain/core"
import { afterEach } from "@effect/vitest"
import type { Layer } from "effect"
import * as PromiseRunnable from "../../src/PromiseRunnable.js"
import { toLangChain as toLangChainRunnable } from "../../src/langchain.js"

export const reverse = (text: string): string => text.split("").reverse().join("")

export const collect = async <A>(iterable: AsyncIterable<A>): Promise<Array<A>> => {
  const items: Array<A> = []
  for await (const item of iterable) items.push(item)
  return items
}

export const sleep = (millis: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, millis))

/**
 * LangChain.js's v2 events have no `parent_ids` (LangChain Python's have): the facade's events are
 * compared with LangChain.js's expectations without them.
 */
export const withoutParentIds = <A extends { readonly parent_ids?: unknown }>(events: ReadonlyArray<A>) =>
  events.map(({ parent_ids: _, ...event }) => event)

/**
 * The run name LangChain gives a construct by default (`RunnableSequence`, `RunnableLambda`, ...),
 * given explicitly: fxchain's default names are its own (a kept difference, see
 * docs/coming-from-langchain.md).
 */
export const named = <In, Out, E, R>(runnable: Runnable.Runnable<In, Out, E, R>, runName: string) =>
  Runnable.withConfig(runnable, { runName })

const disposables: Array<{ dispose(): Promise<void> }> = []

afterEach(async () => {
  await Promise.all(disposables.splice(0).map((disposable) => disposable.dispose()))
})

/** The runnable behind the Promise facade, disposed after the test. */
export const facade: {
  <In, Out, E>(runnable: Runnable.Runnable<In, Out, E, never>): PromiseRunnable.PromiseRunnable<In, Out, E>
  <In, Out, E, R, ROut extends R, LE>(
    runnable: Runnable.Runnable<In, Out, E, R>,
    layer: Layer.Layer<ROut, LE>
  ): PromiseRunnable.PromiseRunnable<In, Out, E | LE>
} = (runnable: Runnable.Runnable<any, any, any, any>, layer?: Layer.Layer<any, any>): any => {
  const made = PromiseRunnable.make(runnable, layer === undefined ? undefined : { layer } as any)
  disposables.push(made)
  return made
}

/** The runnable as a LangChain runnable (`toLangChain`), disposed after the test. */
export const toLangChain: {
  <In, Out, E>(runnable: Runnable.Runnable<In, Out, E, never>): ReturnType<typeof toLangChainRunnable<In, Out, E>>
  <In, Out, E, R, ROut extends R, LE>(
    runnable: Runnable.Runnable<In, Out, E, R>,
    layer: Layer.Layer<ROut, LE>
  ): ReturnType<typeof toLangChainRunnable<In, Out, E>>
} = (runnable: Runnable.Runnable<any, any, any, any>, layer?: Layer.Layer<any, any>): any => {
  const made = toLangChainRunnable(runnable, layer === undefined ? undefined : { layer } as any)
  disposables.push(made)
  return made
}

/** Settles a promise into its rejection; fails when it resolves. */
export const rejectionOf = async (promise: Promise<unknown>): Promise<unknown> => {
  try {
    await promise
  } catch (error) {
    return error
  }
  throw new Error("expected a rejection")
}

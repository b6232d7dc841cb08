/**
 * The three steps every invoke-overhead workload runs, and the baselines built from them: the
 * same steps hand-written with `Effect.flatMap`, as plain async functions, and as a LangChain
 * `RunnableSequence` of `RunnableLambda`s.
 */
import { Effect } from "effect"

export const f1 = (x: number) => x + 1
export const f2 = (x: number) => x * 2
export const f3 = (x: number) => x - 3

/** The three steps hand-written with `Effect.flatMap`. */
export const handWritten = (n: number) =>
  Effect.succeed(n).pipe(
    Effect.flatMap((x) => Effect.succeed(f1(x))),
    Effect.flatMap((x) => Effect.succeed(f2(x))),
    Effect.flatMap((x) => Effect.succeed(f3(x)))
  )

/** The three steps as async functions. */
export const p1 = async (x: number) => f1(x)
export const p2 = async (x: number) => f2(x)
export const p3 = async (x: number) => f3(x)

/** The three steps as plain async functions awaited in turn. */
export const plainSequence = async (n: number) => p3(await p2(await p1(n)))

/**
 * The three steps as a LangChain `RunnableSequence` of `RunnableLambda`s. The classes are passed
 * in because `@langchain/core` must be imported after `disableLangChainTracing()`.
 */
export const langChainSequence = (runnables: {
  readonly RunnableSequence: typeof import("@langchain/core/runnables").RunnableSequence
  readonly RunnableLambda: typeof import("@langchain/core/runnables").RunnableLambda
}) =>
  runnables.RunnableSequence.from([
    runnables.RunnableLambda.from(f1),
    runnables.RunnableLambda.from(f2),
    runnables.RunnableLambda.from(f3)
  ])

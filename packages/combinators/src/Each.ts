/**
 * Mapping a runnable over an array input: LangChain's `RunnableEach` (`.map()`), with bounded
 * concurrency.
 *
 * @since 0.1.0
 */
import { Options, Runnable } from "@fxchain/core"

/**
 * Runs `runnable` on every element of an array input, at most `concurrency` at once (default:
 * `RunConfig`'s), and returns the outputs in input order. Fail-fast like `Runnable.batch`: the
 * first failure interrupts the elements in flight. Each element is a nested run.
 *
 * @example
 * ```ts
 * import * as Fx from "@fxchain/combinators"
 * import { Runnable } from "@fxchain/core"
 *
 * const lengths = Fx.each(Runnable.sync((text: string) => text.length), { concurrency: 4 })
 * // Runnable<ReadonlyArray<string>, Array<number>, InvalidOptionError>
 * ```
 *
 * @since 0.1.0
 * @category composition
 */
export const each = <In, Out, E, R>(
  runnable: Runnable.Runnable<In, Out, E, R>,
  options?: Runnable.ConcurrencyOptions
): Runnable.Runnable<ReadonlyArray<In>, Array<Out>, E, R> => {
  if (options?.concurrency !== undefined) Options.integer("each", "concurrency", options.concurrency, { min: 1 })
  return Runnable.make({
    name: "each",
    kind: "chain",
    run: (inputs: ReadonlyArray<In>) => Runnable.batch(runnable, inputs, options)
  })
}

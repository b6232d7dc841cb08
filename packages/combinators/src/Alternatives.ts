/**
 * Configurable alternatives (LangChain Python's `configurable_alternatives`, which LangChain.js
 * lacks): one runnable standing for several, the one that runs being chosen at run time from
 * `RunConfig`'s `configurable` values.
 *
 * @since 0.1.0
 */
import type { Runnable } from "@fxchain/core"
import type { AlternativeNotFound } from "./Errors.js"
import * as internal from "./internal/alternatives.js"
import type { Accepts } from "./internal/mismatch.js"

/**
 * @since 0.1.0
 * @category models
 */
export interface AlternativesOptions {
  /** The `configurable` value that names the alternative to run. */
  readonly key: string
  /** The run's name in events and spans; defaults to `"alternatives"`. */
  readonly name?: string | undefined
}

/**
 * The alternatives: a `default` one and any others by name.
 *
 * @since 0.1.0
 * @category models
 */
export type AlternativesRecord = { readonly default: Runnable.Runnable.Any } & {
  readonly [name: string]: Runnable.Runnable.Any
}

/**
 * The runnable `alternatives` makes of a record of them: it takes what the `default` takes,
 * gives what any of them gives, fails as any of them fails or with `AlternativeNotFound`.
 *
 * @since 0.1.0
 * @category models
 */
export type Alternatives<A extends AlternativesRecord> = ReturnType<typeof alternatives<A>>

/**
 * Types of `alternatives`: what the alternatives must fit.
 *
 * @since 0.2.0
 * @category models
 */
export declare namespace Alternatives {
  /**
   * For each alternative, `unknown` when it accepts what the `default` takes; otherwise a type no
   * runnable has, naming the alternative and both types, so that the compiler reports the
   * mismatch at the call.
   *
   * @since 0.2.0
   * @category models
   */
  export type Check<A extends AlternativesRecord> = {
    readonly [K in keyof A]: Accepts<
      `Fx.alternatives: alternative ${K & string} does not accept the default's input`,
      Runnable.Runnable.Input<A[K]>,
      Runnable.Runnable.Input<A["default"]>
    >
  }
}

/**
 * The attribute, on an alternatives run's `Ended` event and span, holding the name of the
 * alternative it ran.
 *
 * @since 0.1.0
 * @category constants
 */
export const choiceAttribute: "fxchain.alternative" = internal.choiceAttribute

/**
 * A runnable that runs one of several, chosen when it runs from `RunConfig`'s
 * `configurable[key]`: set it with `Runnable.withConfig(r, { configurable: { [key]: "fast" } })`
 * on this runnable or on any runnable enclosing it (or with `RunConfig.withPatch` / `RunConfig.layer`
 * around the program). Without a value the `default` alternative runs.
 *
 * - A value that names no alternative (not a string, or not a key of the record) fails the run
 *   with `AlternativeNotFound`, carrying the key, the value and the names available; nothing runs.
 * - The alternatives runnable is a run of kind `"chain"` (named `"alternatives"` unless `name`
 *   says otherwise) and the chosen one runs nested in it, through the executors, so it shows in
 *   `streamEvents` with its own name and its parent's id; the name of the one chosen is also on
 *   the alternatives run's `Ended` attributes and span as `"fxchain.alternative"`.
 * - Streaming streams the chosen one; when some alternative consumes a streamed input chunk by
 *   chunk (`transform`), the alternatives runnable does too and hands the chunks to the chosen
 *   one (which gathers them if it does not).
 *
 * @example
 * ```ts
 * import * as Fx from "@fxchain/combinators"
 * import { Runnable } from "@fxchain/core"
 *
 * declare const careful: Runnable.Runnable<string, string>
 * declare const quick: Runnable.Runnable<string, string>
 *
 * const model = Fx.alternatives({ default: careful, fast: quick }, { key: "model" })
 * const program = Runnable.invoke(Runnable.withConfig(model, { configurable: { model: "fast" } }), "Hi") // runs `quick`
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const alternatives: <const A extends AlternativesRecord>(
  alternatives: A & Alternatives.Check<A>,
  options: AlternativesOptions
) => Runnable.Runnable<
  Runnable.Runnable.Input<A["default"]>,
  Runnable.Runnable.Output<A[keyof A]>,
  Runnable.Runnable.Error<A[keyof A]> | AlternativeNotFound,
  Runnable.Runnable.Context<A[keyof A]>
> = internal.alternatives

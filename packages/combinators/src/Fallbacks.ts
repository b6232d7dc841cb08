/**
 * Fallbacks: LangChain's `withFallbacks` (`RunnableWithFallbacks`). When a runnable fails, the
 * next one in line gets the input, and so on; the error type narrows to the last one's.
 *
 * @since 0.1.0
 */
import { Options, Runnable } from "@fxchain/core"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import { dual } from "effect/Function"
import type { Refinement } from "effect/Predicate"
import * as Stream from "effect/Stream"
import type { Accepts, AllOf, Mismatch, Next, Previous } from "./internal/mismatch.js"

type AnyRunnable = Runnable.Runnable<any, any, any, any>

/**
 * The runnables tried after the first one fails, in order: at least one.
 *
 * @since 0.1.0
 * @category models
 */
export type FallbackRunnables = readonly [AnyRunnable, ...Array<AnyRunnable>]

/**
 * Types computed from the fallbacks `Fs` (a tuple when written inline).
 *
 * @since 0.1.0
 * @category models
 */
export declare namespace Fallbacks {
  /**
   * The last fallback: its error is the only one left when every runnable failed.
   *
   * @since 0.1.0
   * @category models
   */
  export type Last<Fs extends ReadonlyArray<AnyRunnable>> = Fs extends readonly [...ReadonlyArray<AnyRunnable>, infer L] ? L
    : Fs[number]
  /**
   * The fallbacks but the last: their errors may be handed on.
   *
   * @since 0.1.0
   * @category models
   */
  export type Init<Fs extends ReadonlyArray<AnyRunnable>> = Fs extends
    readonly [...infer I extends ReadonlyArray<AnyRunnable>, AnyRunnable] ? I[number]
    : Fs[number]
  /**
   * What a fallback receives: the input, with the error of the runnable tried before it under
   * `exceptionKey` when there is one.
   *
   * @since 0.2.0
   * @category models
   */
  export type Received<In, K extends string, Error> = [K] extends [never] ? In
    : [K] extends [keyof In] ? Omit<In, K> & { readonly [Key in K]: Error }
    : In & { readonly [Key in K]: Error }
  /**
   * For each fallback, `unknown` when it accepts what it receives (`Received`, given the input
   * `In` of the runnable given fallbacks and that runnable's error `E`); otherwise a type no
   * runnable has, naming the fallback (1-based) and both types, so that the compiler reports the
   * mismatch at the call.
   *
   * @since 0.2.0
   * @category models
   */
  export type Check<Fs extends ReadonlyArray<AnyRunnable>, In, E, K extends string> = {
    readonly [I in keyof Fs]: I extends `${infer Index extends number}` ? Accepts<
        `Fx.withFallbacks: fallback ${Next<Index>} does not accept the input`,
        Runnable.Runnable.Input<Fs[I]>,
        Received<In, K, Index extends 0 ? E : Runnable.Runnable.Error<Fs[Previous<Index>]>>
      >
      : unknown
  }
  /**
   * `unknown` without `exceptionKey` or when the input `In` is a record (the errors are handed
   * on in it); otherwise a type no options have, naming the problem.
   *
   * @since 0.2.0
   * @category models
   */
  export type CheckInput<In, K extends string> = [K] extends [never] ? unknown
    : [In] extends [object] ? unknown
    : Mismatch<"Fx.withFallbacks: with exceptionKey, the input must be a record", { readonly input: In }>
  /**
   * `Check` and `CheckInput` for the runnable given fallbacks in the data-last form, where it
   * comes after them.
   *
   * @since 0.2.0
   * @category models
   */
  export type CheckSelf<Fs extends ReadonlyArray<AnyRunnable>, In, E, K extends string> =
    & AllOf<Check<Fs, In, E, K>>
    & CheckInput<In, K>
}

/**
 * How `withFallbacks` falls back.
 *
 * @since 0.1.0
 * @category models
 */
export interface FallbacksOptions<Error, K extends string = never> {
  /**
   * Which failures move on to the next runnable (by default every typed failure). A defect or an
   * interruption never does. A failure it rejects comes out unchanged at once.
   */
  readonly while?: ((error: Error) => boolean) | undefined
  /**
   * Hands the failure on (LangChain's `exceptionKey`): the next runnable's input is
   * `{ ...input, [exceptionKey]: error }`, the original input with the latest error. The input
   * must then be a record.
   */
  readonly exceptionKey?: K | undefined
}

const validate = (fallbacks: ReadonlyArray<unknown>, options: FallbacksOptions<unknown, string> | undefined): void => {
  if (!Array.isArray(fallbacks) || fallbacks.length === 0 || !fallbacks.every(Runnable.isRunnable)) {
    Options.invalid("withFallbacks", "fallbacks", fallbacks, "a non-empty array of runnables")
  }
  const key = options?.exceptionKey
  if (key !== undefined && (typeof key !== "string" || key === "")) {
    Options.invalid("withFallbacks", "exceptionKey", key, "a non-empty string")
  }
  const accepted = options?.while
  if (accepted !== undefined && typeof accepted !== "function") Options.invalid("withFallbacks", "while", accepted, "a function")
}

const make = (
  self: AnyRunnable,
  fallbacks: ReadonlyArray<AnyRunnable>,
  options?: FallbacksOptions<unknown, string>
): AnyRunnable => {
  validate(fallbacks, options)
  const runnables = [self, ...fallbacks]
  const last = runnables.length - 1
  const accepted = options?.while
  const key = options?.exceptionKey
  const accepts = (error: unknown) => accepted === undefined || accepted(error)
  const handOn = (input: unknown, error: unknown) =>
    key === undefined ? input : { ...(input as Record<string, unknown>), [key]: error }

  const invokeFrom = (index: number, input: unknown, original: unknown): Effect.Effect<unknown, unknown, unknown> => {
    const effect = Runnable.invoke(runnables[index]!, input)
    return index === last ? effect : Effect.catchAll(
      effect,
      (error) => accepts(error) ? invokeFrom(index + 1, handOn(original, error), original) : Effect.fail(error)
    )
  }

  const streamFrom = (index: number, input: unknown, original: unknown): Stream.Stream<unknown, unknown, unknown> => {
    if (index === last) return Runnable.stream(runnables[index]!, input)
    return Stream.suspend(() => {
      let emitted = false
      return Runnable.stream(runnables[index]!, input).pipe(
        Stream.mapChunks((chunk) => {
          if (!Chunk.isEmpty(chunk)) emitted = true
          return chunk
        }),
        Stream.catchAll((error) =>
          !emitted && accepts(error) ? streamFrom(index + 1, handOn(original, error), original) : Stream.fail(error)
        )
      )
    })
  }

  return Runnable.make({
    name: "withFallbacks",
    kind: "chain",
    run: (input: unknown) => invokeFrom(0, input, input),
    stream: (input: unknown) => streamFrom(0, input, input)
  })
}

/**
 * Tries a runnable, then each fallback in order while they fail (LangChain's `withFallbacks`):
 * the first success is the output.
 *
 * - Which failures fall back: those `while` accepts (named as in `Effect.retry` and `Fx.retry`),
 *   by default every typed failure; never a defect (an exception thrown in user code) nor an
 *   interruption. A failure `while` rejects comes
 *   out unchanged at once, and so does the last fallback's.
 * - Error type: without `while`, only the last fallback's error can come out, so the error type is
 *   its error type. With `while`, any runnable's error can (those `while` rejects); a refinement as
 *   `while` (`(error) => error is Retryable`) takes the errors it accepts out of the type, except
 *   the last fallback's.
 * - Types, for any number of fallbacks: each fallback must accept the input (with
 *   `exceptionKey`, the input and the error of the runnable tried before it); one that does not
 *   is a compile error at the call naming the fallback (1-based) and both types.
 * - `exceptionKey`: each fallback gets `{ ...input, [exceptionKey]: error }`, the original input
 *   with the error that made it run; the input must then be a record.
 * - Streaming: a stream that fails before its first chunk falls back to the next runnable's
 *   stream; once it has emitted a chunk, its error comes out as is (the chunks already delivered
 *   cannot be taken back, and another runnable's answer would be appended to them).
 * - Runs: the whole is a run named `withFallbacks`, of kind `"chain"`; the runnable and each
 *   fallback tried are nested runs (a failed one reports `Failed`, the next one then starts).
 *   A streamed input (as a step of a streamed sequence) is gathered first, since each fallback
 *   needs the whole input again.
 * - An empty `fallbacks` or an empty `exceptionKey` throws `InvalidOptionError` (from
 *   `@fxchain/core`'s `Errors`) when the runnable is built.
 *
 * @example
 * ```ts
 * import * as Fx from "@fxchain/combinators"
 * import { Runnable } from "@fxchain/core"
 *
 * declare const gpt: Runnable.Runnable<string, string, "Overloaded" | "Refused">
 * declare const claude: Runnable.Runnable<string, string, "Overloaded">
 * declare const canned: Runnable.Runnable<string, string, never>
 *
 * const answer = gpt.pipe(Fx.withFallbacks([claude, canned])) // Runnable<string, string, never>
 * const onlyOverloads = Fx.withFallbacks(gpt, [claude], { while: (error) => error === "Overloaded" })
 * // Runnable<string, string, "Overloaded" | "Refused">
 * ```
 *
 * @since 0.1.0
 * @category recovery
 */
export const withFallbacks: {
  <const Fs extends FallbackRunnables, K extends string = never>(
    fallbacks: Fs,
    options?: FallbacksOptions<never, K> & { readonly while?: undefined }
  ): <In, Out, E, R>(
    self: Runnable.Runnable<In, Out, E, R> & Fallbacks.CheckSelf<Fs, In, E, K>
  ) => Runnable.Runnable<
    In,
    Out | Runnable.Runnable.Output<Fs[number]>,
    Runnable.Runnable.Error<Fallbacks.Last<Fs>>,
    R | Runnable.Runnable.Context<Fs[number]>
  >
  <E, const Fs extends FallbackRunnables, W extends E | Runnable.Runnable.Error<Fallbacks.Init<Fs>>, K extends string = never>(
    fallbacks: Fs,
    options: FallbacksOptions<never, K> & {
      readonly while: Refinement<E | Runnable.Runnable.Error<Fallbacks.Init<Fs>>, W>
    }
  ): <In, Out, R>(
    self: Runnable.Runnable<In, Out, E, R> & Fallbacks.CheckSelf<Fs, In, E, K>
  ) => Runnable.Runnable<
    In,
    Out | Runnable.Runnable.Output<Fs[number]>,
    Exclude<E | Runnable.Runnable.Error<Fallbacks.Init<Fs>>, W> | Runnable.Runnable.Error<Fallbacks.Last<Fs>>,
    R | Runnable.Runnable.Context<Fs[number]>
  >
  <E, const Fs extends FallbackRunnables, K extends string = never>(
    fallbacks: Fs,
    options: FallbacksOptions<E | Runnable.Runnable.Error<Fallbacks.Init<Fs>>, K>
  ): <In, Out, R>(
    self: Runnable.Runnable<In, Out, E, R> & Fallbacks.CheckSelf<Fs, In, E, K>
  ) => Runnable.Runnable<
    In,
    Out | Runnable.Runnable.Output<Fs[number]>,
    E | Runnable.Runnable.Error<Fs[number]>,
    R | Runnable.Runnable.Context<Fs[number]>
  >
  <In, Out, E, R, const Fs extends FallbackRunnables, K extends string = never>(
    self: Runnable.Runnable<In, Out, E, R>,
    fallbacks: Fs & Fallbacks.Check<Fs, In, E, K>,
    options?: FallbacksOptions<never, K> & { readonly while?: undefined } & Fallbacks.CheckInput<In, K>
  ): Runnable.Runnable<
    In,
    Out | Runnable.Runnable.Output<Fs[number]>,
    Runnable.Runnable.Error<Fallbacks.Last<Fs>>,
    R | Runnable.Runnable.Context<Fs[number]>
  >
  <
    In,
    Out,
    E,
    R,
    const Fs extends FallbackRunnables,
    W extends E | Runnable.Runnable.Error<Fallbacks.Init<Fs>>,
    K extends string = never
  >(
    self: Runnable.Runnable<In, Out, E, R>,
    fallbacks: Fs & Fallbacks.Check<Fs, In, E, K>,
    options:
      & FallbacksOptions<never, K>
      & { readonly while: Refinement<E | Runnable.Runnable.Error<Fallbacks.Init<Fs>>, W> }
      & Fallbacks.CheckInput<In, K>
  ): Runnable.Runnable<
    In,
    Out | Runnable.Runnable.Output<Fs[number]>,
    Exclude<E | Runnable.Runnable.Error<Fallbacks.Init<Fs>>, W> | Runnable.Runnable.Error<Fallbacks.Last<Fs>>,
    R | Runnable.Runnable.Context<Fs[number]>
  >
  <In, Out, E, R, const Fs extends FallbackRunnables, K extends string = never>(
    self: Runnable.Runnable<In, Out, E, R>,
    fallbacks: Fs & Fallbacks.Check<Fs, In, E, K>,
    options: FallbacksOptions<E | Runnable.Runnable.Error<Fallbacks.Init<Fs>>, K> & Fallbacks.CheckInput<In, K>
  ): Runnable.Runnable<
    In,
    Out | Runnable.Runnable.Output<Fs[number]>,
    E | Runnable.Runnable.Error<Fs[number]>,
    R | Runnable.Runnable.Context<Fs[number]>
  >
} = dual((args) => Runnable.isRunnable(args[0]), make)

/**
 * Sequences: LangChain's `RunnableSequence` (`a.pipe(b)`), each step's output the next one's input.
 *
 * @since 0.1.0
 */
import { Options, Runnable } from "@fxchain/core"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import type * as mismatch from "./internal/mismatch.js"

type AnyRunnable = Runnable.Runnable<any, any, any, any>

/** The steps of every sequence made here, so that a sequence of sequences flattens into one. */
const stepsOf = new WeakMap<AnyRunnable, ReadonlyArray<AnyRunnable>>()

const make = (steps: ReadonlyArray<AnyRunnable>): AnyRunnable => {
  const options = steps.map((_, index) => ({ runTags: [`seq:step:${index + 1}`] }))
  const continuations = steps.map((step, index) => (value: unknown) => Runnable.invoke(step, value, options[index]))
  const syncs = steps.map((step) => step[Runnable.TypeId].sync)
  const syncSteps = syncs.every((sync) => sync !== undefined) ? syncs as ReadonlyArray<(input: unknown) => unknown> : undefined
  const through = (first: Stream.Stream<any, any, any>) => {
    let stream = first
    for (let index = 1; index < steps.length; index++) stream = Runnable.transform(steps[index]!, stream, options[index])
    return stream
  }
  const sequence = Runnable.make({
    name: "sequence",
    kind: "chain",
    run: (input: unknown) => {
      let effect = continuations[0]!(input)
      for (let index = 1; index < continuations.length; index++) effect = Effect.flatMap(effect, continuations[index]!)
      return effect
    },
    // the first step too is fed its input as a stream of one chunk, as LangChain's sequence does
    stream: (input: unknown) => through(Runnable.transform(steps[0]!, Stream.succeed(input), options[0])),
    transform: (input: Stream.Stream<unknown, any, any>) => through(Runnable.transform(steps[0]!, input, options[0])),
    sync: syncSteps === undefined ? undefined : (input: unknown) => {
      let value = input
      for (const step of syncSteps) value = step(value)
      return value
    }
  })
  stepsOf.set(sequence, steps)
  return sequence
}

/**
 * Types of `sequence`: what its steps must fit, and the runnable it makes.
 *
 * @since 0.2.0
 * @category models
 */
export declare namespace Sequence {
  /** At least one runnable. */
  export type Steps = readonly [AnyRunnable, ...Array<AnyRunnable>]
  /** The last step. */
  export type Last<S extends Steps> = S extends readonly [...Array<AnyRunnable>, infer L] ? L : S[number]
  /** The runnable a sequence of `S` is. */
  export type Make<S extends Steps> = Runnable.Runnable<
    Runnable.Runnable.Input<S[0]>,
    Runnable.Runnable.Output<Last<S>>,
    Runnable.Runnable.Error<S[number]>,
    Runnable.Runnable.Context<S[number]>
  >
  /**
   * For each step, `unknown` when it accepts the previous step's output; otherwise a type no
   * runnable has, which names both steps (1-based) and both types, so that the compiler reports
   * the mismatch at the call.
   */
  export type Check<S extends Steps> = {
    readonly [K in keyof S]: K extends `${infer Index extends number}` ? Fits<S, Index> : unknown
  }
  /** How a step that does not fit is reported. */
  export type Mismatch<Step extends number, Takes, Returns> = mismatch.Mismatch<
    `Fx.sequence: step ${Step} does not accept what step ${mismatch.Previous<Step>} returns`,
    { readonly takes: Takes; readonly returns: Returns }
  >
}

type Fits<S extends Sequence.Steps, Index extends number> = Index extends 0 ? unknown
  : [Runnable.Runnable.Output<S[mismatch.Previous<Index>]>] extends [Runnable.Runnable.Input<S[Index]>] ? unknown
  : Sequence.Mismatch<mismatch.Next<Index>, Runnable.Runnable.Input<S[Index]>, Runnable.Runnable.Output<S[mismatch.Previous<Index>]>>

/**
 * Runs steps one after the other, each step's output the next one's input; typed from the first
 * step's input to the last one's output, with the union of their errors and requirements, for
 * any number of steps. A step that does not accept the previous step's output is a compile error
 * at the call, naming both steps and both types.
 *
 * - `invoke` invokes each step in turn (a model answers with its non-streaming call).
 * - `stream` streams through the steps: a step with `transform` (a parser) consumes chunks as they
 *   arrive, a step without it gathers its input first by the concat rule. So prompt → model →
 *   parser yields its first parsed chunk while the model is still producing. A step's run starts
 *   when its first input chunk arrives; a step never reached emits no events.
 * - Each step runs as a nested run tagged `seq:step:N` (1-based).
 * - A sequence given as a step is flattened into this one (as LangChain's `pipe` does), unless it
 *   was renamed or configured with `Runnable.withConfig`.
 * - When every step is synchronous and nobody observes, the whole sequence is one function call.
 *
 * @example
 * ```ts
 * import * as Fx from "@fxchain/combinators"
 * import { Runnable } from "@fxchain/core"
 *
 * const trim = Runnable.sync((text: string) => text.trim())
 * const words = Runnable.sync((text: string) => text.split(/\s+/))
 * const count = Runnable.sync((words: Array<string>) => words.length)
 * const wordCount = Fx.sequence(trim, words, count) // Runnable<string, number>
 * // Fx.sequence(count, trim) does not compile:
 * // "Fx.sequence: step 2 does not accept what step 1 returns": { takes: string; returns: number }
 * ```
 *
 * @since 0.1.0
 * @category composition
 */
export const sequence = <const S extends Sequence.Steps>(...steps: S & Sequence.Check<S>): Sequence.Make<S> => {
  const flat = (steps as ReadonlyArray<AnyRunnable>).flatMap((step) => stepsOf.get(step) ?? [step])
  if (flat.length === 0 || !flat.every(Runnable.isRunnable)) {
    Options.invalid("sequence", "steps", steps, "one runnable or more")
  }
  return make(flat)
}

/**
 * `sequence` for `.pipe`: `prompt.pipe(Fx.pipeTo(model), Fx.pipeTo(parser))` is
 * `Fx.sequence(prompt, model, parser)`.
 *
 * @since 0.1.0
 * @category composition
 */
export const pipeTo = <B, C, E2, R2>(next: Runnable.Runnable<B, C, E2, R2>) =>
<A, E1, R1>(self: Runnable.Runnable<A, B, E1, R1>): Runnable.Runnable<A, C, E1 | E2, R1 | R2> => sequence(self, next)

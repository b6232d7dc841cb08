/**
 * Sequences: LangChain's `RunnableSequence` (`a.pipe(b)`), each step's output the next one's input.
 *
 * @since 0.1.0
 */
import { Runnable } from "@fxchain/core"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"

type AnyRunnable = Runnable.Runnable<any, any, any, any>

/** The steps of every sequence made here, so that a sequence of sequences flattens into one. */
const stepsOf = new WeakMap<AnyRunnable, ReadonlyArray<AnyRunnable>>()

const make = (steps: ReadonlyArray<AnyRunnable>): AnyRunnable => {
  const options = steps.map((_, index) => ({ runTags: [`seq:step:${index + 1}`] }))
  const continuations = steps.map((step, index) => (value: unknown) => Runnable.invoke(step, value, options[index]))
  const syncSteps = steps.every((step) => step.sync !== undefined) ? steps.map((step) => step.sync!) : undefined
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
    stream: (input: unknown) => through(Runnable.stream(steps[0]!, input, options[0])),
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
 * Runs steps one after the other, each step's output the next one's input; typed from the first
 * step's input to the last one's output, with the union of their errors and requirements.
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
 * ```
 *
 * @since 0.1.0
 * @category composition
 */
export const sequence: {
  <A, B, C, E1, R1, E2, R2>(
    step1: Runnable.Runnable<A, B, E1, R1>,
    step2: Runnable.Runnable<B, C, E2, R2>
  ): Runnable.Runnable<A, C, E1 | E2, R1 | R2>
  <A, B, C, D, E1, R1, E2, R2, E3, R3>(
    step1: Runnable.Runnable<A, B, E1, R1>,
    step2: Runnable.Runnable<B, C, E2, R2>,
    step3: Runnable.Runnable<C, D, E3, R3>
  ): Runnable.Runnable<A, D, E1 | E2 | E3, R1 | R2 | R3>
  <A, B, C, D, E, E1, R1, E2, R2, E3, R3, E4, R4>(
    step1: Runnable.Runnable<A, B, E1, R1>,
    step2: Runnable.Runnable<B, C, E2, R2>,
    step3: Runnable.Runnable<C, D, E3, R3>,
    step4: Runnable.Runnable<D, E, E4, R4>
  ): Runnable.Runnable<A, E, E1 | E2 | E3 | E4, R1 | R2 | R3 | R4>
  <A, B, C, D, E, F, E1, R1, E2, R2, E3, R3, E4, R4, E5, R5>(
    step1: Runnable.Runnable<A, B, E1, R1>,
    step2: Runnable.Runnable<B, C, E2, R2>,
    step3: Runnable.Runnable<C, D, E3, R3>,
    step4: Runnable.Runnable<D, E, E4, R4>,
    step5: Runnable.Runnable<E, F, E5, R5>
  ): Runnable.Runnable<A, F, E1 | E2 | E3 | E4 | E5, R1 | R2 | R3 | R4 | R5>
  <A, B, C, D, E, F, G, E1, R1, E2, R2, E3, R3, E4, R4, E5, R5, E6, R6>(
    step1: Runnable.Runnable<A, B, E1, R1>,
    step2: Runnable.Runnable<B, C, E2, R2>,
    step3: Runnable.Runnable<C, D, E3, R3>,
    step4: Runnable.Runnable<D, E, E4, R4>,
    step5: Runnable.Runnable<E, F, E5, R5>,
    step6: Runnable.Runnable<F, G, E6, R6>
  ): Runnable.Runnable<A, G, E1 | E2 | E3 | E4 | E5 | E6, R1 | R2 | R3 | R4 | R5 | R6>
  <A, B, C, D, E, F, G, H, E1, R1, E2, R2, E3, R3, E4, R4, E5, R5, E6, R6, E7, R7>(
    step1: Runnable.Runnable<A, B, E1, R1>,
    step2: Runnable.Runnable<B, C, E2, R2>,
    step3: Runnable.Runnable<C, D, E3, R3>,
    step4: Runnable.Runnable<D, E, E4, R4>,
    step5: Runnable.Runnable<E, F, E5, R5>,
    step6: Runnable.Runnable<F, G, E6, R6>,
    step7: Runnable.Runnable<G, H, E7, R7>
  ): Runnable.Runnable<A, H, E1 | E2 | E3 | E4 | E5 | E6 | E7, R1 | R2 | R3 | R4 | R5 | R6 | R7>
  <A, B, C, D, E, F, G, H, I, E1, R1, E2, R2, E3, R3, E4, R4, E5, R5, E6, R6, E7, R7, E8, R8>(
    step1: Runnable.Runnable<A, B, E1, R1>,
    step2: Runnable.Runnable<B, C, E2, R2>,
    step3: Runnable.Runnable<C, D, E3, R3>,
    step4: Runnable.Runnable<D, E, E4, R4>,
    step5: Runnable.Runnable<E, F, E5, R5>,
    step6: Runnable.Runnable<F, G, E6, R6>,
    step7: Runnable.Runnable<G, H, E7, R7>,
    step8: Runnable.Runnable<H, I, E8, R8>
  ): Runnable.Runnable<A, I, E1 | E2 | E3 | E4 | E5 | E6 | E7 | E8, R1 | R2 | R3 | R4 | R5 | R6 | R7 | R8>
  <A, B, C, D, E, F, G, H, I, J, E1, R1, E2, R2, E3, R3, E4, R4, E5, R5, E6, R6, E7, R7, E8, R8, E9, R9>(
    step1: Runnable.Runnable<A, B, E1, R1>,
    step2: Runnable.Runnable<B, C, E2, R2>,
    step3: Runnable.Runnable<C, D, E3, R3>,
    step4: Runnable.Runnable<D, E, E4, R4>,
    step5: Runnable.Runnable<E, F, E5, R5>,
    step6: Runnable.Runnable<F, G, E6, R6>,
    step7: Runnable.Runnable<G, H, E7, R7>,
    step8: Runnable.Runnable<H, I, E8, R8>,
    step9: Runnable.Runnable<I, J, E9, R9>
  ): Runnable.Runnable<A, J, E1 | E2 | E3 | E4 | E5 | E6 | E7 | E8 | E9, R1 | R2 | R3 | R4 | R5 | R6 | R7 | R8 | R9>
  <A, B, C, D, E, F, G, H, I, J, K, E1, R1, E2, R2, E3, R3, E4, R4, E5, R5, E6, R6, E7, R7, E8, R8, E9, R9, E10, R10>(
    step1: Runnable.Runnable<A, B, E1, R1>,
    step2: Runnable.Runnable<B, C, E2, R2>,
    step3: Runnable.Runnable<C, D, E3, R3>,
    step4: Runnable.Runnable<D, E, E4, R4>,
    step5: Runnable.Runnable<E, F, E5, R5>,
    step6: Runnable.Runnable<F, G, E6, R6>,
    step7: Runnable.Runnable<G, H, E7, R7>,
    step8: Runnable.Runnable<H, I, E8, R8>,
    step9: Runnable.Runnable<I, J, E9, R9>,
    step10: Runnable.Runnable<J, K, E10, R10>
  ): Runnable.Runnable<A, K, E1 | E2 | E3 | E4 | E5 | E6 | E7 | E8 | E9 | E10, R1 | R2 | R3 | R4 | R5 | R6 | R7 | R8 | R9 | R10>
  (...steps: ReadonlyArray<AnyRunnable>): AnyRunnable
} = (...steps: ReadonlyArray<AnyRunnable>): AnyRunnable => {
  const flat = steps.flatMap((step) => stepsOf.get(step) ?? [step])
  if (flat.length === 0) throw new TypeError("Fx.sequence needs at least one step")
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

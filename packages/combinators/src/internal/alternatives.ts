/** @internal */
import { RunConfig, Runnable } from "@fxchain/core"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import type * as Alternatives from "../Alternatives.js"
import { AlternativeNotFound } from "../Errors.js"

type AnyRunnable = Runnable.Runnable<any, any, any, any>

/** @internal */
export const defaultName = "alternatives"

/** @internal */
export const choiceAttribute = "fxchain.alternative"

/** @internal */
export const alternatives = (
  choices: { readonly default: AnyRunnable } & Readonly<Record<string, AnyRunnable>>,
  options: Alternatives.AlternativesOptions
): AnyRunnable => {
  const name = options.name ?? defaultName
  const key = options.key
  const available = Object.keys(choices)
  const choose: Effect.Effect<AnyRunnable, AlternativeNotFound> = Effect.flatMap(RunConfig.RunConfig, (config) => {
    const choice = config.configurable[key]
    const chosen = choice === undefined ? "default" : choice
    if (typeof chosen !== "string" || !Object.hasOwn(choices, chosen)) {
      return Effect.fail(new AlternativeNotFound({ runnable: name, key, choice, available }))
    }
    return Effect.as(Runnable.annotateRun({ [choiceAttribute]: chosen }), choices[chosen]!)
  })
  const anyTransforms = available.some((choice) => choices[choice]![Runnable.TypeId].transform !== undefined)
  return Runnable.make<any, any, any, any>({
    name,
    kind: "chain",
    run: (input) => Effect.flatMap(choose, (chosen) => Runnable.invoke(chosen, input)),
    stream: (input) => Stream.unwrap(Effect.map(choose, (chosen) => Runnable.stream(chosen, input))),
    transform: anyTransforms
      ? (input) => Stream.unwrap(Effect.map(choose, (chosen) => Runnable.transform(chosen, input)))
      : undefined
  })
}

/** Types of prompt templates in pipelines (see test/typeErrors.test.ts for the messages after `@ts-expect-error`). */
import type { Prompt } from "@effect/ai"
import * as Fx from "@fxchain/combinators"
import { Runnable } from "@fxchain/core"
import { Effect } from "effect"
import { expectTypeOf } from "vitest"
import * as PromptTemplate from "../../src/PromptTemplate.js"

const joke = PromptTemplate.make("Tell me a joke")
const hello = PromptTemplate.make("Hello {name}")

export const aTemplateWithoutVariablesTakesAnEmptyRecord = Effect.gen(function*() {
  expectTypeOf(yield* Runnable.invoke(joke, {})).toEqualTypeOf<Prompt.Prompt>()
  expectTypeOf(Runnable.invoke(hello, { name: "Ada" })).toEqualTypeOf<
    Effect.Effect<Prompt.Prompt, PromptTemplate.MissingVariableError | PromptTemplate.UnrenderableValueError>
  >()
  // @ts-expect-error Property 'name' is missing in type '{}' but required in type 'Values<"Hello {name}">'.
  Runnable.invoke(hello, {})
  // @ts-expect-error Property 'name' is missing in type '{}' but required in type 'Values<"Hello {name}">'.
  Runnable.invoke(PromptTemplate.make("Hello {name}"), {})
  // @ts-expect-error Object literal may only specify known properties, and 'nmae' does not exist in type 'Values<"Hello {name}">'.
  Runnable.invoke(hello, { nmae: "Ada" })
})

export const aVariableTypoFeedingAStep = () => {
  const topic = Runnable.sync((text: string) => ({ topc: text }))
  // @ts-expect-error "Fx.sequence: step 2 does not accept what step 1 returns": { readonly takes: Values<"Tell me about {topic}">; readonly returns: { topc: string; }; }
  Fx.sequence(topic, PromptTemplate.make("Tell me about {topic}"))
  const fixed = Runnable.sync((text: string) => ({ topic: text }))
  expectTypeOf(Fx.sequence(fixed, PromptTemplate.make("Tell me about {topic}"))).toEqualTypeOf<
    Runnable.Runnable<string, Prompt.Prompt, PromptTemplate.MissingVariableError | PromptTemplate.UnrenderableValueError>
  >()
  Fx.parallel({
    // @ts-expect-error "Fx.parallel: no input fits both branch count and branch prompt": { readonly takes: { readonly name: number; }; readonly otherTakes: Values<"Hello {name}">; }
    count: Runnable.sync((input: { readonly name: number }) => input.name),
    // @ts-expect-error "Fx.parallel: no input fits both branch prompt and branch count"
    prompt: hello
  })
}

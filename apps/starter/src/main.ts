/** A prompt, a model and a parser in one pipeline, run on a fake model: `pnpm build && pnpm start` here. */
import { FakeModel, Model, OutputParser, PromptTemplate } from "@fxchain/adapters"
import * as Fx from "@fxchain/combinators"
import { Runnable } from "@fxchain/core"
import { Effect } from "effect"

const greet = Fx.sequence(
  PromptTemplate.make("Greet {name} in one line"),
  Model.fromLanguageModel(),
  OutputParser.string
) // Runnable<{ name: string }, string, MissingVariableError | UnrenderableValueError | AiError, LanguageModel>

const program = Runnable.batch(greet, [{ name: "Ada" }, { name: "Grace" }]).pipe(
  Effect.provide(FakeModel.layer({ responses: (prompt) => `Hello! (${FakeModel.lastUserText(prompt)})` }))
)

Effect.runPromise(program).then((greetings) => console.log(greetings.join("\n")))

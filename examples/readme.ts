/** The README's example: a typed LLM pipeline, batched, with a retry and a deadline. */
import { FakeModel, Model, OutputParser, PromptTemplate } from "@fxchain/adapters"
import * as Fx from "@fxchain/combinators"
import { Runnable } from "@fxchain/core"
import { Effect, Schema } from "effect"

const Triage = Schema.Struct({ category: Schema.Literal("billing", "bug", "question"), urgency: Schema.Literal("low", "high") })

const triage = Fx.sequence(
  PromptTemplate.make("Triage this support ticket as JSON with a category and an urgency: {ticket}"),
  Model.fromLanguageModel().pipe(Fx.retry({ times: 3 }), Fx.timeout("20 seconds")),
  OutputParser.schema(Triage)
) // Runnable<{ ticket: string }, { category, urgency }, MissingVariableError | AiError | TimeoutError | ParseFailure | ..., LanguageModel>

export const program = Runnable.batch(triage, [{ ticket: "I was charged twice" }, { ticket: "The app crashes" }], { concurrency: 8 })
  .pipe(Effect.provide(FakeModel.layer({ // any @effect/ai model fits here, e.g. ChatCompletions.layer({ apiUrl, model })
    responses: (prompt) => FakeModel.lastUserText(prompt).includes("charged") ? `{"category":"billing","urgency":"high"}` : `{"category":"bug","urgency":"low"}`
  })))

/** Samples for docs/interop.md: OpenTelemetry, with an in-memory exporter as a test would use. */
import { FakeModel, Model, OutputParser, PromptTemplate } from "@fxchain/adapters"
import { Telemetry } from "@fxchain/adapters/otel"
import * as Fx from "@fxchain/combinators"
import { Runnable } from "@fxchain/core"
import { InMemorySpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base"
import { Effect } from "effect"

export const exporter = new InMemorySpanExporter()

export const TelemetryLive = Telemetry.layer(() => ({
  serviceName: "support-bot",
  spanProcessor: new SimpleSpanProcessor(exporter)
}))

const explain = Fx.sequence(
  PromptTemplate.make("Explain {topic}"),
  Model.fromLanguageModel({ model: "gpt-4o-mini" }),
  OutputParser.string
).pipe(Runnable.withConfig({ runName: "explain", metadata: { tenant: "acme" } }))

export const traced = Effect.gen(function*() {
  yield* Runnable.invoke(explain, { topic: "fibers" })
  return exporter.getFinishedSpans() // read before the layer is released: shutting down clears the exporter
}).pipe(
  Effect.provide(FakeModel.layer({ responses: "Fibers are cheap threads" })),
  Effect.provide(TelemetryLive)
)
// spans: explain (the root); PromptTemplate, model and StringOutputParser under it; @effect/ai's
// LanguageModel.generateText under model. The model's span has gen_ai.request.model "gpt-4o-mini",
// gen_ai.usage.input_tokens 2 and gen_ai.usage.output_tokens 4

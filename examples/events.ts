/** Samples for docs/events.md: streamEvents, RunConfig and withConfig. */
import { RunConfig, Runnable, RunEvent } from "@fxchain/core"
import { Effect, Stream } from "effect"

const retrieve = Runnable.sync((question: string) => [`doc about ${question}`], { name: "retrieve", kind: "retriever" })
const answer = Runnable.sync((docs: Array<string>) => `Answer from ${docs.length} doc(s)`, { name: "answer", kind: "model" })

export const rag = Runnable.fromEffect(
  (question: string) => Effect.flatMap(Runnable.invoke(retrieve, question), (docs) => Runnable.invoke(answer, docs)),
  { name: "rag", kind: "chain" }
).pipe(Runnable.withConfig({ tags: ["rag"], metadata: { tenant: "acme" } }))

// every nested run's events, filtered like LangChain's streamEvents
export const modelEvents = Runnable.streamEvents(rag, "fibers", { includeKinds: ["model"] })

export const tree = Runnable.streamEvents(rag, "fibers").pipe(
  Stream.map((event) => `${"  ".repeat(event.parentIds.length)}${event._tag} ${event.name} [${event.tags.join(",")}]`)
)

// configuration for a whole program, read by every run inside it
export const configured = Runnable.batch(rag, ["a", "b"]).pipe(
  Effect.provide(RunConfig.layer({ concurrency: 4, metadata: { env: "staging" } }))
)

export const main = Effect.gen(function*() {
  const models = yield* Stream.runCollect(modelEvents)
  return {
    modelEvents: Array.from(models, (event) => `${event._tag} ${event.name}`),
    modelMetadata: Array.from(models, (event: RunEvent.RunEvent) => event.metadata)[0],
    tree: Array.from(yield* Stream.runCollect(tree)),
    configured: yield* configured
  }
})

/**
 * docs/scale-out.md: a durable batch, embedded and on PostgreSQL runners.
 */
// --- define
import { DurableBatch } from "@fxchain/adapters/cluster"
import { Runnable } from "@fxchain/core"
import { Effect, Layer, Schema, Stream } from "effect"

const Document = Schema.Struct({ id: Schema.String, text: Schema.String })
class EmptyDocument extends Schema.TaggedError<EmptyDocument>()("EmptyDocument", { id: Schema.String }) {}

// any runnable: a model pipeline in real life
const summarize = Runnable.fromEffect(
  (document: typeof Document.Type) =>
    document.text.length === 0
      ? Effect.fail(new EmptyDocument({ id: document.id }))
      : Effect.succeed(document.text.split(".")[0]!),
  { name: "summarize" }
)

export const summaries = DurableBatch.make("summaries", summarize, {
  key: (document) => document.id, // an item's identity: stored once per key
  input: Document, // how items, results and typed failures are stored
  success: Schema.String,
  error: EmptyDocument,
  concurrency: 32 // items in flight at once, over all runners
})
// --- end define

export const documents: ReadonlyArray<typeof Document.Type> = [
  { id: "a", text: "Invoices are due in 30 days. Late fees apply." },
  { id: "b", text: "" },
  { id: "c", text: "Refunds take five days. Contact support." }
]

// --- embedded
// one process, a SQLite file, nothing to start: kill it and run it again, it resumes
const Embedded = DurableBatch.toLayer(summaries).pipe(
  Layer.provideMerge(DurableBatch.layerEmbedded({ filename: ".fxchain/summaries.sqlite" }))
)

export const everySummary = DurableBatch.run(summaries, documents, { mode: "either" }).pipe(
  Effect.provide(Embedded)
) // Effect<Either<string, EmptyDocument | ItemDefect>[], StoreError>
// --- end embedded

export const embedded = (filename: string) =>
  DurableBatch.toLayer(summaries).pipe(Layer.provideMerge(DurableBatch.layerEmbedded({ filename })))

// --- observe
export const observed = Effect.gen(function*() {
  // results as they are stored (those stored by an earlier run first), with their input positions
  const asCompleted = yield* DurableBatch.stream(summaries, documents).pipe(Stream.runCollect)
  // counted from the store: any process that reaches it can ask, while the batch runs elsewhere
  const progress = yield* DurableBatch.progress(summaries, documents)
  // { id, total: 3, done: 2, failed: 1, inFlight: 0, left: 0 }
  return { asCompleted, progress }
})
// --- end observe

// --- runners
// every runner process: the batch's workflows registered, listening for the other runners
export const runner = (url: string, port: number) =>
  Layer.launch(
    DurableBatch.toLayer(summaries).pipe(
      Layer.provideMerge(DurableBatch.layerPostgres({ url, runner: { host: "127.0.0.1", port } }))
    )
  ) // Effect<never, StoreError>: run it with NodeRuntime.runMain

// any process that starts batches (a runner too): the same `run`, on the shared store
export const submit = (url: string) =>
  DurableBatch.run(summaries, documents, { mode: "either" }).pipe(
    Effect.provide(DurableBatch.layerPostgres({ url }))
  )
// --- end runners

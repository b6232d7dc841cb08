/**
 * A process of the durable-batch tests, killed with SIGKILL by them:
 *
 *   embedded FILE COUNT      runs the batch on the SQLite store FILE, prints its results as JSON
 *   hold FILE                opens the SQLite store FILE and keeps it open until killed
 *   runner URL PORT          a runner of the PostgreSQL store URL on 127.0.0.1:PORT, until killed
 *
 * Each prints `ready` once it runs.
 */
import { DurableBatch } from "@fxchain/adapters/cluster"
import { Effect, Layer } from "effect"
import { batch, ensureSideTable, fastFailover, inputs } from "./durableBatchFixture.js"

const [mode, store, argument] = process.argv.slice(2)

const ready = Layer.effectDiscard(Effect.sync(() => console.log("ready")))
const registered = (engine: Layer.Layer<DurableBatch.Engine, DurableBatch.StoreError>) =>
  ready.pipe(
    Layer.provideMerge(DurableBatch.toLayer(batch)),
    Layer.provideMerge(Layer.effectDiscard(ensureSideTable)),
    Layer.provideMerge(engine)
  )

const program = mode === "hold"
  ? Layer.launch(registered(DurableBatch.layerEmbedded({ filename: store })))
  : mode === "embedded"
  ? Effect.gen(function*() {
    const results = yield* DurableBatch.run(batch, inputs(Number(argument)))
    console.log(JSON.stringify(results))
  }).pipe(Effect.provide(registered(DurableBatch.layerEmbedded({ filename: store }))))
  : Layer.launch(registered(DurableBatch.layerPostgres({
    url: store,
    runner: { host: "127.0.0.1", port: Number(argument) },
    shardingConfig: fastFailover
  })))

Effect.runPromiseExit(program).then((exit) => {
  if (exit._tag === "Failure") console.error(exit.cause)
  process.exit(exit._tag === "Success" ? 0 : 1)
})

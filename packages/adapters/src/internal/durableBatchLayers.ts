/** @internal */
import * as ClusterWorkflowEngine from "@effect/cluster/ClusterWorkflowEngine"
import * as RunnerAddress from "@effect/cluster/RunnerAddress"
import * as RunnerHealth from "@effect/cluster/RunnerHealth"
import * as Runners from "@effect/cluster/Runners"
import * as RunnerStorage from "@effect/cluster/RunnerStorage"
import * as Sharding from "@effect/cluster/Sharding"
import * as ShardingConfig from "@effect/cluster/ShardingConfig"
import * as SqlMessageStorage from "@effect/cluster/SqlMessageStorage"
import * as SqlRunnerStorage from "@effect/cluster/SqlRunnerStorage"
import * as Reactivity from "@effect/experimental/Reactivity"
import * as SqlClient from "@effect/sql/SqlClient"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as fs from "node:fs"
import * as path from "node:path"
import type * as DurableBatch from "../DurableBatch.js"
import { retryConflicts } from "./durableBatchStore.js"

const sqlite = (filename: string) =>
  Layer.unwrapEffect(Effect.promise(async () => {
    const { SqliteClient } = await import("@effect/sql-sqlite-node")
    const synchronousNormal = Layer.effectDiscard(Effect.flatMap(SqlClient.SqlClient, (sql) => sql`PRAGMA synchronous = NORMAL`))
    const store = Layer.provideMerge(synchronousNormal, SqliteClient.layer({ filename }))
    if (filename === ":memory:") return store
    fs.mkdirSync(path.dirname(path.resolve(filename)), { recursive: true })
    /**
     * One process runs the file's batches at a time: it holds an exclusive lock on a file beside
     * it, which the operating system drops when the process ends, however it ends. A second
     * process fails at once instead of running the same items; readers (`progress`) need no lock.
     */
    const owner = Layer.scopedDiscard(Effect.gen(function*() {
      const lock = yield* SqliteClient.make({ filename: `${filename}.lock`, disableWAL: true })
      yield* lock`PRAGMA busy_timeout = 0`
      yield* lock`PRAGMA locking_mode = EXCLUSIVE`
      yield* lock`BEGIN EXCLUSIVE`
      yield* lock`COMMIT`
    })).pipe(Layer.provide(Reactivity.layer))
    return Layer.provideMerge(store, owner)
  }))

/**
 * `@effect/cluster`'s defaults, changed where a batch differs from its usual entities: every item
 * is a short-lived entity (no need to keep it a minute once idle), local messages need not be
 * serialized to be checked, and a send the engine must try again is tried again soon (its 100 ms
 * made up most of an item's time on one runner).
 */
const defaults: Partial<ShardingConfig.ShardingConfig["Type"]> = {
  entityMaxIdleTime: "10 seconds",
  simulateRemoteSerialization: false,
  sendRetryInterval: "10 millis"
}

/** @internal */
export const defaultFilename = ".fxchain/durable-batches.sqlite"

/** @internal */
export const layerEmbedded = (
  options?: DurableBatch.EmbeddedOptions
): Layer.Layer<DurableBatch.Engine, DurableBatch.StoreError> =>
  ClusterWorkflowEngine.layer.pipe(
    Layer.provideMerge(Sharding.layer),
    Layer.provide(Runners.layerNoop),
    Layer.provideMerge(SqlMessageStorage.layer),
    Layer.provide([RunnerStorage.layerMemory, RunnerHealth.layerNoop]),
    Layer.provide(ShardingConfig.layer({ ...defaults, ...options?.shardingConfig })),
    Layer.provideMerge(sqlite(options?.filename ?? defaultFilename))
  )

const postgres = (url: string | Redacted.Redacted) =>
  Layer.unwrapEffect(Effect.promise(async () => {
    const { PgClient } = await import("@effect/sql-pg")
    // the engine holds connections across its transactions and shard locks: pg's 10 queue the items
    return PgClient.layer({ url: typeof url === "string" ? Redacted.make(url) : url, maxConnections: 20 })
  }))

/** @internal */
export const layerPostgres = (
  options: DurableBatch.PostgresOptions
): Layer.Layer<DurableBatch.Engine, DurableBatch.StoreError> =>
  Layer.unwrapEffect(Effect.promise(async () => {
    const { NodeClusterSocket } = await import("@effect/platform-node")
    const runner = options.runner
    const shardingConfig: Partial<ShardingConfig.ShardingConfig["Type"]> = {
      ...defaults,
      ...(runner === undefined ? {} : {
        runnerAddress: Option.some(RunnerAddress.make(runner.host, runner.port)),
        runnerListenAddress: Option.some(RunnerAddress.make(runner.listenHost ?? runner.host, runner.port))
      }),
      ...options.shardingConfig
    }
    const sharding = runner === undefined
      ? NodeClusterSocket.layer({ clientOnly: true, storage: "sql", shardingConfig })
      : NodeClusterSocket.layer({ storage: "sql", shardingConfig })
    return ClusterWorkflowEngine.layer.pipe(Layer.provideMerge(sharding), Layer.provide(engineTables(shardingConfig)))
  })).pipe(Layer.provideMerge(postgres(options.url)))

/**
 * The engine's tables, created before the engine starts: processes that start together race in
 * PostgreSQL's catalog on `CREATE TABLE IF NOT EXISTS` (a unique violation), which the engine
 * turns into a defect; a second try finds the tables.
 */
const engineTables = (shardingConfig: Partial<ShardingConfig.ShardingConfig["Type"]>) =>
  Layer.effectDiscard(
    Layer.build(
      Layer.mergeAll(SqlMessageStorage.layer, Layer.orDie(SqlRunnerStorage.layer)).pipe(
        Layer.provide(ShardingConfig.layer(shardingConfig))
      )
    ).pipe(Effect.scoped, Effect.sandbox, Effect.retry(retryConflicts), Effect.unsandbox)
  )

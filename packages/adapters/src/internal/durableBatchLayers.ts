/** @internal */
import * as ClusterWorkflowEngine from "@effect/cluster/ClusterWorkflowEngine"
import * as RunnerAddress from "@effect/cluster/RunnerAddress"
import * as RunnerHealth from "@effect/cluster/RunnerHealth"
import * as Runners from "@effect/cluster/Runners"
import * as RunnerStorage from "@effect/cluster/RunnerStorage"
import * as Sharding from "@effect/cluster/Sharding"
import * as ShardingConfig from "@effect/cluster/ShardingConfig"
import * as SqlMessageStorage from "@effect/cluster/SqlMessageStorage"
import * as SqlClient from "@effect/sql/SqlClient"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as fs from "node:fs"
import * as path from "node:path"
import type * as DurableBatch from "../DurableBatch.js"

/**
 * The SQLite file is this process's alone while it is open (an exclusive lock that the operating
 * system drops when the process ends, however it ends): a second process on the same file fails
 * at once instead of running the same items.
 */
const takeExclusiveLock = Layer.effectDiscard(Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  yield* sql`PRAGMA locking_mode = EXCLUSIVE`
  yield* sql`PRAGMA synchronous = NORMAL`
  yield* sql`BEGIN EXCLUSIVE`
  yield* sql`COMMIT`
}))

const sqlite = (filename: string) =>
  Layer.unwrapEffect(Effect.promise(async () => {
    const { SqliteClient } = await import("@effect/sql-sqlite-node")
    if (filename !== ":memory:") fs.mkdirSync(path.dirname(path.resolve(filename)), { recursive: true })
    return Layer.provideMerge(takeExclusiveLock, SqliteClient.layer({ filename }))
  }))

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
    Layer.provide(ShardingConfig.layer({ simulateRemoteSerialization: false, entityMaxIdleTime: "5 seconds", ...options?.shardingConfig })),
    Layer.provideMerge(sqlite(options?.filename ?? defaultFilename))
  )

const postgres = (url: string | Redacted.Redacted) =>
  Layer.unwrapEffect(Effect.promise(async () => {
    const { PgClient } = await import("@effect/sql-pg")
    return PgClient.layer({ url: typeof url === "string" ? Redacted.make(url) : url })
  }))

/** @internal */
export const layerPostgres = (
  options: DurableBatch.PostgresOptions
): Layer.Layer<DurableBatch.Engine, DurableBatch.StoreError> =>
  Layer.unwrapEffect(Effect.promise(async () => {
    const { NodeClusterSocket } = await import("@effect/platform-node")
    const runner = options.runner
    const shardingConfig: Partial<ShardingConfig.ShardingConfig["Type"]> = {
      ...(runner === undefined ? {} : {
        runnerAddress: Option.some(RunnerAddress.make(runner.host, runner.port)),
        runnerListenAddress: Option.some(RunnerAddress.make(runner.listenHost ?? runner.host, runner.port))
      }),
      ...options.shardingConfig
    }
    const sharding = runner === undefined
      ? NodeClusterSocket.layer({ clientOnly: true, storage: "sql", shardingConfig })
      : NodeClusterSocket.layer({ storage: "sql", shardingConfig })
    return ClusterWorkflowEngine.layer.pipe(Layer.provideMerge(sharding))
  })).pipe(Layer.provideMerge(postgres(options.url)))

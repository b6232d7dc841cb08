/**
 * The batch the process tests kill runners under: each execution of an item is a row in a side
 * table (`item_runs`: the item, the pid that ran it and when), written before the item's result.
 */
import type { ShardingConfig } from "@effect/cluster/ShardingConfig"
import * as SqlClient from "@effect/sql/SqlClient"
import { DurableBatch } from "@fxchain/adapters/cluster"
import { Runnable } from "@fxchain/core"
import { Effect, Schema } from "effect"

export const recordRun = Runnable.fromEffect((item: number) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    yield* Effect.orDie(sql`INSERT INTO item_runs ${sql.insert({ item, pid: process.pid, at: Date.now() })}`)
    return item * 2
  }), { name: "recordRun" })

export const concurrency = 16

export const batch = DurableBatch.make("kill-test", recordRun, {
  key: String,
  input: Schema.Number,
  success: Schema.Number,
  concurrency
})

export const inputs = (count: number): Array<number> => Array.from({ length: count }, (_, index) => index)

export const ensureSideTable = Effect.flatMap(
  SqlClient.SqlClient,
  (sql) => sql`CREATE TABLE IF NOT EXISTS item_runs (item INTEGER NOT NULL, pid INTEGER NOT NULL, at BIGINT NOT NULL)`
)

/** Failover in seconds, not the default minute: a runner that stops refreshing its locks is gone after 3 s. */
export const fastFailover: Partial<ShardingConfig["Type"]> = {
  shardLockRefreshInterval: "1 second",
  shardLockExpiration: "3 seconds",
  refreshAssignmentsInterval: "500 millis",
  entityMessagePollInterval: "500 millis",
  runnerHealthCheckInterval: "1 second"
}

/** Items whose result the store holds (status done or failed) right now. */
export const storedItems = Effect.flatMap(SqlClient.SqlClient, (sql) =>
  Effect.map(
    sql<{ readonly item_key: string }>`SELECT item_key FROM fxchain_durable_batch_items WHERE status IN ('done', 'failed')`,
    (rows) => new Set(rows.map((row) => Number(row.item_key)))
  ))

export interface Execution {
  readonly pid: number
  /** When it started (`Date.now()` in the process that ran it). */
  readonly at: number
}

/** Each item's executions, from the side table, in the order they started. */
export const executions = Effect.flatMap(SqlClient.SqlClient, (sql) =>
  Effect.map(sql<{ readonly item: number; readonly pid: number; readonly at: number | string }>`SELECT item, pid, at FROM item_runs ORDER BY at`, (rows) => {
    const byItem = new Map<number, Array<Execution>>()
    for (const row of rows) {
      const item = Number(row.item)
      byItem.set(item, [...(byItem.get(item) ?? []), { pid: Number(row.pid), at: Number(row.at) }])
    }
    return byItem
  }))

export interface Kill {
  readonly pid: number
  /** `Date.now()` when it was killed. */
  readonly at: number
  /** The items whose result was stored just before the kill. */
  readonly stored: ReadonlySet<number>
}

/** Reads what is stored, then SIGKILLs the process. */
export const kill = (process: { readonly pid: number; readonly kill: () => void }) =>
  Effect.map(storedItems, (stored) => {
    process.kill()
    return { pid: process.pid, at: Date.now(), stored } satisfies Kill
  })

/**
 * Checks the guarantees after a batch of `count` items survived `kills`: every item ran, and no
 * item ran again once its result was stored (an execution that started after a kill, of an item
 * stored before it). Returns the items that ran more than once: those in flight when their
 * runner died (or when their shard moved to a new runner).
 */
export const reruns = (count: number, byItem: ReadonlyMap<number, ReadonlyArray<Execution>>, kills: ReadonlyArray<Kill>) => {
  const again: Array<number> = []
  const violations: Array<string> = []
  for (let item = 0; item < count; item++) {
    const runs = byItem.get(item) ?? []
    if (runs.length === 0) violations.push(`item ${item} never ran`)
    if (runs.length > 1) again.push(item)
    for (const kill of kills) {
      if (kill.stored.has(item) && runs.some((run) => run.at > kill.at)) {
        violations.push(`item ${item}, stored before pid ${kill.pid} was killed, ran again after (${JSON.stringify(runs)})`)
      }
    }
  }
  return { again, violations }
}

/** @internal */
import * as SqlClient from "@effect/sql/SqlClient"
import type { SqlError } from "@effect/sql/SqlError"
import * as Effect from "effect/Effect"
import * as Schedule from "effect/Schedule"

/**
 * The batches' own tables, beside the engine's: one row per batch, one per item (its input, its
 * status, its stored result and the order results were stored in). The engine dispatches and
 * deduplicates; these rows answer "what is done" in one query from any process.
 */

/** @internal */
export type ItemStatus = "left" | "running" | "done" | "failed"

/** @internal */
export interface StoredItem {
  readonly position: number
  readonly key: string
  readonly input: string
}

/** @internal */
export interface CompletedItem {
  readonly position: number
  readonly result: string
  readonly completedOrder: number
}

/** @internal */
export interface StatusCount {
  readonly status: ItemStatus
  readonly count: number
}

const insertChunkSize = 500

/** Creating tables from several runners at once can race in PostgreSQL's catalog: try again. @internal */
export const retryConflicts = Schedule.spaced("100 millis").pipe(Schedule.intersect(Schedule.recurs(20)))

/**
 * Storage errors inside a batch are transient until proven otherwise: retried with backoff for
 * about a minute, then a defect.
 */
const retryStorage = Schedule.exponential("50 millis").pipe(
  Schedule.union(Schedule.spaced("5 seconds")),
  Schedule.upTo("1 minute")
)

/** @internal */
export const withStorageRetry = <A, R>(effect: Effect.Effect<A, SqlError, R>): Effect.Effect<A, never, R> =>
  effect.pipe(Effect.retry(retryStorage), Effect.orDie)

/** @internal */
export const ensureTables: Effect.Effect<void, SqlError, SqlClient.SqlClient> = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  const bigint = sql.onDialectOrElse({ pg: () => sql.literal("BIGINT"), orElse: () => sql.literal("INTEGER") })
  yield* sql`CREATE TABLE IF NOT EXISTS fxchain_durable_batches (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    total INTEGER NOT NULL,
    paused INTEGER NOT NULL DEFAULT 0,
    completed ${bigint} NOT NULL DEFAULT 0
  )`
  yield* sql`CREATE TABLE IF NOT EXISTS fxchain_durable_batch_items (
    batch_id TEXT NOT NULL,
    position INTEGER NOT NULL,
    item_key TEXT NOT NULL,
    input TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'left',
    result TEXT,
    completed_order ${bigint},
    PRIMARY KEY (batch_id, position)
  )`
  yield* sql`CREATE INDEX IF NOT EXISTS fxchain_durable_batch_items_completed
    ON fxchain_durable_batch_items (batch_id, completed_order)`
}).pipe(Effect.retry(retryConflicts))

/** Records a batch and its items, once: a batch that exists keeps its rows and results. @internal */
export const create = Effect.fn("DurableBatch.create")(function*(
  options: { readonly id: string; readonly name: string; readonly items: ReadonlyArray<StoredItem> }
) {
  const sql = yield* SqlClient.SqlClient
  const exists = yield* sql<{ readonly id: string }>`SELECT id FROM fxchain_durable_batches WHERE id = ${options.id}`
  if (exists.length > 0) return
  yield* sql.withTransaction(Effect.gen(function*() {
    for (let start = 0; start < options.items.length; start += insertChunkSize) {
      const rows = options.items.slice(start, start + insertChunkSize).map((item) => ({
        batch_id: options.id,
        position: item.position,
        item_key: item.key,
        input: item.input
      }))
      yield* sql`INSERT INTO fxchain_durable_batch_items ${sql.insert(rows)} ON CONFLICT DO NOTHING`
    }
    yield* sql`INSERT INTO fxchain_durable_batches ${
      sql.insert({ id: options.id, name: options.name, total: options.items.length })
    } ON CONFLICT DO NOTHING`
  }))
})

/** @internal */
export const setPaused = (id: string, paused: boolean): Effect.Effect<void, SqlError, SqlClient.SqlClient> =>
  Effect.flatMap(
    SqlClient.SqlClient,
    (sql) => sql`UPDATE fxchain_durable_batches SET paused = ${paused ? 1 : 0} WHERE id = ${id}`
  )

/** @internal */
export const isPaused = (id: string): Effect.Effect<boolean, SqlError, SqlClient.SqlClient> =>
  Effect.flatMap(SqlClient.SqlClient, (sql) =>
    Effect.map(
      sql<{ readonly paused: number }>`SELECT paused FROM fxchain_durable_batches WHERE id = ${id}`,
      (rows) => rows.length > 0 && Number(rows[0].paused) === 1
    ))

/** Items without a stored result, in input order. @internal */
export const unfinished = (id: string): Effect.Effect<ReadonlyArray<StoredItem>, SqlError, SqlClient.SqlClient> =>
  Effect.flatMap(SqlClient.SqlClient, (sql) =>
    Effect.map(
      sql<{ readonly position: number; readonly item_key: string; readonly input: string }>`
        SELECT position, item_key, input FROM fxchain_durable_batch_items
        WHERE batch_id = ${id} AND status IN ('left', 'running') ORDER BY position`,
      (rows) => rows.map((row) => ({ position: Number(row.position), key: row.item_key, input: row.input }))
    ))

/** @internal */
export const markRunning = (
  id: string,
  positions: ReadonlyArray<number>
): Effect.Effect<void, SqlError, SqlClient.SqlClient> =>
  Effect.flatMap(SqlClient.SqlClient, (sql) =>
    sql`UPDATE fxchain_durable_batch_items SET status = 'running'
      WHERE batch_id = ${id} AND status = 'left' AND ${sql.in("position", positions)}`)

/** An item's result, for every position of its key. @internal */
export interface Completion {
  readonly positions: ReadonlyArray<number>
  readonly status: "done" | "failed"
  readonly result: string
}

/**
 * Stores results under the next completion numbers, in one transaction: the counter and the rows
 * change together, so results become visible in completion order (readers page by that number).
 * One writer per batch calls it with every result that came in meanwhile: the counter's row is
 * locked once per call, not once per item. @internal
 */
export const complete = (
  id: string,
  completions: ReadonlyArray<Completion>
): Effect.Effect<void, SqlError, SqlClient.SqlClient> =>
  Effect.flatMap(SqlClient.SqlClient, (sql) =>
    sql.withTransaction(Effect.gen(function*() {
      const [counter] = yield* sql<{ readonly completed: number | string }>`
        UPDATE fxchain_durable_batches SET completed = completed + ${completions.length} WHERE id = ${id} RETURNING completed`
      const first = Number(counter.completed) - completions.length + 1
      for (let index = 0; index < completions.length; index++) {
        const completion = completions[index]
        yield* sql`UPDATE fxchain_durable_batch_items
          SET status = ${completion.status}, result = ${completion.result}, completed_order = ${first + index}
          WHERE batch_id = ${id} AND status IN ('left', 'running') AND ${sql.in("position", completion.positions)}`
      }
    })))

/** Where a reader of stored results is: the last completion number and position it has read. @internal */
export interface Cursor {
  readonly completedOrder: number
  readonly position: number
}

/** Stored results after `cursor` in completion order, at most `limit`. @internal */
export const completedSince = (
  id: string,
  cursor: Cursor,
  limit: number
): Effect.Effect<ReadonlyArray<CompletedItem>, SqlError, SqlClient.SqlClient> =>
  Effect.flatMap(SqlClient.SqlClient, (sql) =>
    Effect.map(
      sql<{ readonly position: number; readonly result: string; readonly completed_order: number | string }>`
        SELECT position, result, completed_order FROM fxchain_durable_batch_items
        WHERE batch_id = ${id} AND (completed_order > ${cursor.completedOrder}
          OR (completed_order = ${cursor.completedOrder} AND position > ${cursor.position}))
        ORDER BY completed_order, position LIMIT ${limit}`,
      (rows) =>
        rows.map((row) => ({
          position: Number(row.position),
          result: row.result,
          completedOrder: Number(row.completed_order)
        }))
    ))

/** @internal */
export const statusCounts = (id: string): Effect.Effect<ReadonlyArray<StatusCount>, SqlError, SqlClient.SqlClient> =>
  Effect.flatMap(SqlClient.SqlClient, (sql) =>
    Effect.map(
      sql<{ readonly status: ItemStatus; readonly count: number | string }>`
        SELECT status, COUNT(*) AS count FROM fxchain_durable_batch_items WHERE batch_id = ${id} GROUP BY status`,
      (rows) => rows.map((row) => ({ status: row.status, count: Number(row.count) }))
    ))

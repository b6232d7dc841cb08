/**
 * `@fxchain/adapters/cluster`: durable batches on `@effect/cluster`, `@effect/workflow` and
 * `@effect/sql` (optional peer dependencies: only this subpath imports them), embedded on SQLite
 * (`@effect/sql-sqlite-node`) or distributed on PostgreSQL (`@effect/sql-pg`, `@effect/platform-node`).
 *
 * @since 0.2.0
 */

/** @since 0.2.0 */
export * as DurableBatch from "./DurableBatch.js"

/**
 * A fresh PostgreSQL database per test file, on the server `.ci/postgres start` runs (its URL in
 * FXCHAIN_TEST_DATABASE_URL). Without that server the tests that need it fail: they never skip.
 */
import { PgClient } from "@effect/sql-pg"
import { Effect, Redacted } from "effect"

const serverUrl = (): string => {
  const url = process.env.FXCHAIN_TEST_DATABASE_URL
  if (url === undefined || url === "") {
    throw new Error("FXCHAIN_TEST_DATABASE_URL is not set: start PostgreSQL with `eval \"$(.ci/postgres start)\"` (.ci/run does)")
  }
  return url
}

const onServer = <A>(use: (sql: PgClient.PgClient) => Effect.Effect<A, unknown>): Promise<A> =>
  Effect.runPromise(
    Effect.flatMap(PgClient.PgClient, use).pipe(
      Effect.scoped,
      Effect.provide(PgClient.layer({ url: Redacted.make(serverUrl()), maxConnections: 1 })),
      Effect.orDie
    )
  )

export interface TestDatabase {
  readonly url: string
  readonly drop: () => Promise<void>
}

export const freshDatabase = async (): Promise<TestDatabase> => {
  const name = `fxchain_test_${process.pid}_${Math.random().toString(36).slice(2, 10)}`
  await onServer((sql) => sql`CREATE DATABASE ${sql(name)}`)
  const url = new URL(serverUrl())
  url.pathname = `/${name}`
  return {
    url: url.toString(),
    drop: () => onServer((sql) => sql`DROP DATABASE IF EXISTS ${sql(name)} WITH (FORCE)`).then(() => undefined)
  }
}

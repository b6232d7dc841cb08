import { DurableBatch } from "@fxchain/adapters/cluster"
import * as SqlClient from "@effect/sql/SqlClient"
import { Effect, Fiber, Schedule } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { batch, concurrency, executions, fastFailover, inputs, kill, reruns } from "./support/durableBatchFixture.js"
import { freshDatabase, type TestDatabase } from "./support/postgres.js"
import { freePort, startProcess, type TestProcess } from "./support/processes.js"

const count = 2000
const items = inputs(count)

let database: TestDatabase
const processes: Array<TestProcess> = []

beforeAll(async () => {
  database = await freshDatabase()
})

afterAll(async () => {
  for (const process of processes) process.kill()
  await Promise.all(processes.map((process) => process.exited))
  await database?.drop()
})

/** A runner process; its connections are named after it, so that PostgreSQL can tell which runner runs what. */
const startRunner = async () => {
  const port = await freePort()
  const url = new URL(database.url)
  url.searchParams.set("application_name", `runner-${port}`)
  const runner = startProcess(["runner", url.toString(), String(port)])
  processes.push(runner)
  await runner.line((line) => line === "ready")
  return { name: `runner-${port}`, process: runner }
}

/**
 * The runner the batch's workflow runs on: the one whose connections write the batch's own rows
 * (only the batch workflow does), read from PostgreSQL's view of its sessions.
 */
const batchWorkflowRunner = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  const rows = yield* sql<{ readonly application_name: string }>`
    SELECT application_name FROM pg_stat_activity
    WHERE datname = current_database() AND query LIKE 'UPDATE fxchain_durable_batch%' AND application_name LIKE 'runner-%'`
  return yield* rows.length === 0 ? Effect.fail("not seen yet") : Effect.succeed(rows[0].application_name)
}).pipe(Effect.retry(Schedule.spaced("10 millis")), Effect.orDie)

const storedAtLeast = (done: number) =>
  DurableBatch.progress(batch, items).pipe(
    Effect.filterOrFail((progress) => progress.done >= done),
    Effect.retry(Schedule.spaced("50 millis")),
    Effect.timeout("240 seconds"),
    Effect.orDie
  )

describe("DurableBatch on PostgreSQL, runner processes on loopback", () => {
  it("survives a SIGKILLed runner, the one running the batch's workflow: every result exactly once, no stored item run again", async () => {
    const runners = await Promise.all([startRunner(), startRunner()])

    const { byItem, killed, results } = await Effect.runPromise(Effect.gen(function*() {
      const run = yield* Effect.fork(DurableBatch.run(batch, items))
      yield* storedAtLeast(count / 3)
      const name = yield* batchWorkflowRunner
      const victim = runners.find((runner) => runner.name === name)!
      const killed = yield* kill(victim.process)
      const results = yield* Fiber.join(run)
      return { results, killed, byItem: yield* executions }
    }).pipe(Effect.provide(DurableBatch.layerPostgres({ url: database.url, shardingConfig: fastFailover }))))

    expect(results).toEqual(items.map((item) => item * 2))
    const { again, violations } = reruns(count, byItem, [killed])
    expect(violations).toEqual([])
    // only items in flight at the kill may run again
    expect(again.length).toBeLessThanOrEqual(concurrency)
    console.log(`${count} items, the batch workflow's runner SIGKILLed after ${killed.stored.size}: ${again.length} items in flight ran again`)
  }, 360_000)
})

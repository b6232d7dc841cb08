import { DurableBatch } from "@fxchain/adapters/cluster"
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

const startRunner = async () => {
  const runner = startProcess(["runner", database.url, String(await freePort())])
  processes.push(runner)
  await runner.line((line) => line === "ready")
  return runner
}

const storedAtLeast = (done: number) =>
  DurableBatch.progress(batch, items).pipe(
    Effect.filterOrFail((progress) => progress.done >= done),
    Effect.retry(Schedule.spaced("50 millis")),
    Effect.timeout("90 seconds"),
    Effect.orDie
  )

describe("DurableBatch on PostgreSQL, runner processes on loopback", () => {
  it("survives SIGKILLed runners: every result exactly once, no stored item run again", async () => {
    const [first, second] = await Promise.all([startRunner(), startRunner()])
    const { byItem, kills, results } = await Effect.runPromise(Effect.gen(function*() {
      const run = yield* Effect.fork(DurableBatch.run(batch, items))
      // kill one runner, start another in its place, then kill the runner that was there from the
      // start: whichever of the two held the batch's workflow, its death is survived
      yield* storedAtLeast(count / 4)
      const firstKill = yield* kill(second)
      yield* Effect.promise(startRunner)
      yield* storedAtLeast(count / 2)
      const secondKill = yield* kill(first)
      const results = yield* Fiber.join(run)
      return { results, kills: [firstKill, secondKill], byItem: yield* executions }
    }).pipe(Effect.provide(DurableBatch.layerPostgres({ url: database.url, shardingConfig: fastFailover }))))

    expect(results).toEqual(items.map((item) => item * 2))
    const { again, violations } = reruns(count, byItem, kills)
    expect(violations).toEqual([])
    // only items in flight at one of the three moves (two kills, and the shards moving to the new runner) may run again
    expect(again.length).toBeLessThanOrEqual(3 * concurrency)
    console.log(`${count} items, 2 runners SIGKILLed: ${again.length} items in flight ran again (${again.join(", ") || "none"})`)
  }, 180_000)
})

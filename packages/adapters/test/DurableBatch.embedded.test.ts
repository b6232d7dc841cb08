import { SqliteClient } from "@effect/sql-sqlite-node"
import { DurableBatch } from "@fxchain/adapters/cluster"
import { Effect, Schedule } from "effect"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { afterAll, describe, expect, it } from "vitest"
import { batch, concurrency, executions, inputs, kill, reruns } from "./support/durableBatchFixture.js"
import { startProcess, type TestProcess } from "./support/processes.js"

const count = 400
const items = inputs(count)
const directory = fs.mkdtempSync(path.join(os.tmpdir(), "fxchain-durable-"))
const processes: Array<TestProcess> = []

afterAll(async () => {
  for (const process of processes) process.kill()
  await Promise.all(processes.map((process) => process.exited))
  fs.rmSync(directory, { recursive: true, force: true })
})

const start = (file: string, mode = "embedded") => {
  const process = startProcess([mode, file, String(count)])
  processes.push(process)
  return process
}

/** Reads the store of a process that runs (or ran) on `file`, as any other process may. */
const reading = (file: string) => Effect.provide(SqliteClient.layer({ filename: file }))

describe("DurableBatch embedded, in a process killed with SIGKILL", () => {
  it("runs again from where it was: every result exactly once, no stored item run again", async () => {
    const file = path.join(directory, "batches.sqlite")
    const first = start(file)
    await first.line((line) => line === "ready")

    const firstKill = await Effect.runPromise(Effect.gen(function*() {
      yield* DurableBatch.progress(batch, items).pipe(
        Effect.filterOrFail((progress) => progress.done >= count / 3),
        Effect.retry(Schedule.spaced("20 millis")),
        Effect.timeout("180 seconds")
      )
      return yield* kill(first)
    }).pipe(reading(file)))
    expect(await first.exited).toBe("SIGKILL")
    expect(firstKill.stored.size).toBeLessThan(count)

    const resumed = start(file)
    const results = JSON.parse(await resumed.line((line) => line.startsWith("[")))
    expect(results).toEqual(items.map((item) => item * 2))
    expect(await resumed.exited).toBe(0)

    const byItem = await Effect.runPromise(executions.pipe(reading(file)))
    const { again, violations } = reruns(count, byItem, [firstKill])
    expect(violations).toEqual([])
    expect(again.length).toBeLessThanOrEqual(concurrency)
    console.log(`${count} items, the process SIGKILLed after ${firstKill.stored.size}: ${again.length} items in flight ran again`)
  }, 240_000)

  it("a store is one process's at a time: a second process on the same file fails at once", async () => {
    const file = path.join(directory, "held.sqlite")
    const holder = start(file, "hold")
    await holder.line((line) => line === "ready")
    const intruder = start(file)
    expect(await intruder.exited).toBe(1)
    expect(intruder.stdout()).not.toContain("ready")
    holder.kill()
    await holder.exited
    // the lock died with its process: the next one starts
    const next = start(file, "hold")
    await next.line((line) => line === "ready")
  }, 120_000)
})

/**
 * Durable batches (`@fxchain/adapters/cluster`): per-item overhead of `DurableBatch.run` against
 * `Runnable.batch` of the same items, on the embedded store (SQLite) and on PostgreSQL, and
 * throughput with 1 and 2 runner processes sharing PostgreSQL. The items are the durable-batch
 * tests' (`packages/adapters/test/support/durableBatchFixture.ts`): each inserts a row in a side
 * table and returns its input doubled, 16 at a time.
 *
 * PostgreSQL: the server at FXCHAIN_TEST_DATABASE_URL, else one started by `.ci/postgres start`
 * for this run (stopped after); a fresh database per measurement.
 */
import { DurableBatch } from "@fxchain/adapters/cluster"
import { Runnable } from "@fxchain/core"
import { Effect, Layer, ManagedRuntime } from "effect"
import { execFileSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { batch, concurrency, ensureSideTable, inputs, recordRun } from "../packages/adapters/test/support/durableBatchFixture.js"
import { freshDatabase } from "../packages/adapters/test/support/postgres.js"
import { freePort, startProcess, type TestProcess } from "../packages/adapters/test/support/processes.js"
import { log, report, round, type Row, timeMs } from "./harness.js"

const began = performance.now()
const quick = process.argv.includes("--quick")
const overheadItems = quick ? 100 : 500
const throughputItems = quick ? 200 : 1_000
const root = path.join(path.dirname(fileURLToPath(import.meta.url)), "..")
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "fxchain-bench-durable-"))

interface Overhead {
  readonly batchMs: number
  readonly durableMs: number
  /** (durable − batch) / items. */
  readonly perItemMs: number
  /** The same with this process's CPU time (user + system) instead of wall time: less sensitive to a busy machine. */
  readonly cpuPerItemMs: number
}

/** Wall and CPU milliseconds of `f`. */
const timed = async (f: () => Promise<unknown>) => {
  const cpu = process.cpuUsage()
  const ms = await timeMs(f)
  const used = process.cpuUsage(cpu)
  return { ms, cpuMs: (used.user + used.system) / 1000 }
}

/** `Runnable.batch` then `DurableBatch.run` of the same items on one runner, started before the clock runs. */
const overhead = async (store: Layer.Layer<DurableBatch.Engine, DurableBatch.StoreError>): Promise<Overhead> => {
  const items = inputs(overheadItems)
  const runtime = ManagedRuntime.make(
    DurableBatch.toLayer(batch).pipe(Layer.provideMerge(Layer.effectDiscard(ensureSideTable)), Layer.provideMerge(store))
  )
  try {
    await runtime.runPromise(Effect.void)
    const plain = await timed(() => runtime.runPromise(Runnable.batch(recordRun, items, { concurrency })))
    const durable = await timed(() => runtime.runPromise(DurableBatch.run(batch, items)))
    return {
      batchMs: plain.ms,
      durableMs: durable.ms,
      perItemMs: (durable.ms - plain.ms) / items.length,
      cpuPerItemMs: (durable.cpuMs - plain.cpuMs) / items.length
    }
  } finally {
    await runtime.dispose()
  }
}

/** Items per second of a batch run by `runners` runner processes (the client here runs none). */
const throughput = async (runners: number): Promise<number> => {
  const database = await freshDatabase()
  const processes: Array<TestProcess> = []
  try {
    for (let i = 0; i < runners; i++) processes.push(startProcess(["runner", database.url, String(await freePort())]))
    await Promise.all(processes.map((runner) => runner.line((line) => line === "ready")))
    const items = inputs(throughputItems)
    const client = ManagedRuntime.make(DurableBatch.layerPostgres({ url: database.url }))
    try {
      await client.runPromise(Effect.void)
      const ms = await timeMs(() => client.runPromise(DurableBatch.run(batch, items)))
      return items.length / (ms / 1000)
    } finally {
      await client.dispose()
    }
  } finally {
    for (const runner of processes) runner.kill()
    await Promise.all(processes.map((runner) => runner.exited))
    await database.drop()
  }
}

/** The server to use: the tests' when set, else one started now (and its stop). */
const postgresServer = (): { readonly stop: () => void } | undefined => {
  const given = process.env.FXCHAIN_TEST_DATABASE_URL
  if (given !== undefined && given !== "") return { stop: () => {} }
  // run as root, the server runs as the postgres user, which must be able to enter the scratch folder
  fs.chmodSync(scratch, 0o755)
  const env = { ...process.env, FXCHAIN_POSTGRES_DIR: path.join(scratch, "postgres") }
  try {
    const exported = execFileSync(path.join(root, ".ci/postgres"), ["start"], { env, encoding: "utf8" })
    const url = /FXCHAIN_TEST_DATABASE_URL=(\S+)/.exec(exported)?.[1]
    if (url === undefined) return undefined
    process.env.FXCHAIN_TEST_DATABASE_URL = url
    return { stop: () => execFileSync(path.join(root, ".ci/postgres"), ["stop"], { env }) }
  } catch (error) {
    log(`no PostgreSQL: ${String(error)}`)
    return undefined
  }
}

const overheadRow = (store: string, measured: Overhead | undefined): Row => ({
  workload: `durable batch of ${overheadItems} items, ${store}, concurrency ${concurrency}: ms per item above Runnable.batch` +
    (measured === undefined
      ? ""
      : ` (${round(measured.durableMs, 0)} ms vs ${round(measured.batchMs, 0)} ms; CPU ${round(measured.cpuPerItemMs)} ms per item)`),
  unit: "ms",
  fxchain: measured === undefined ? null : round(measured.perItemMs),
  langchain: null,
  plain: null,
  ratio: measured === undefined ? null : round(measured.durableMs / measured.batchMs, 1),
  ratioOf: "durable / Runnable.batch",
  target: "<= 20 ms per item",
  met: measured === undefined ? null : measured.perItemMs <= 20,
  ...(measured === undefined ? {} : { details: { ...measured } })
})

const embedded = await overhead(DurableBatch.layerEmbedded({ filename: path.join(scratch, "overhead.sqlite") }))
log(`embedded: ${round(embedded.perItemMs)} ms per item (CPU ${round(embedded.cpuPerItemMs)} ms)`)

const server = postgresServer()
let postgres: Overhead | undefined
let oneRunner: number | undefined
let twoRunners: number | undefined
if (server !== undefined) {
  try {
    const database = await freshDatabase()
    try {
      postgres = await overhead(DurableBatch.layerPostgres({ url: database.url, runner: { host: "127.0.0.1", port: await freePort() } }))
      log(`postgres: ${round(postgres.perItemMs)} ms per item (CPU ${round(postgres.cpuPerItemMs)} ms)`)
    } finally {
      await database.drop()
    }
    oneRunner = await throughput(1)
    log(`1 runner: ${round(oneRunner, 0)} items/s`)
    twoRunners = await throughput(2)
    log(`2 runners: ${round(twoRunners, 0)} items/s`)
  } finally {
    server.stop()
  }
}
fs.rmSync(scratch, { recursive: true, force: true })

const rows: Array<Row> = [
  overheadRow("embedded SQLite", embedded),
  overheadRow("PostgreSQL, 1 runner (this process)", postgres),
  {
    workload: `durable batch of ${throughputItems} items on PostgreSQL, runner processes: items/s with 1 runner, 2 runners`,
    unit: "items/s",
    fxchain: oneRunner === undefined ? null : round(oneRunner, 0),
    langchain: null,
    plain: twoRunners === undefined ? null : round(twoRunners, 0),
    ratio: oneRunner === undefined || twoRunners === undefined ? null : round(twoRunners / oneRunner),
    ratioOf: "2 runners / 1 runner",
    target: "2 runners >= 1 runner",
    met: oneRunner === undefined || twoRunners === undefined ? null : twoRunners >= oneRunner
  }
]

report({
  workload: "durable-batch",
  rows,
  notes: [
    "One run each (a durable batch stores what it ran: a second run of the same items reads the store).",
    "Throughput row: the 1-runner figure is in the fxchain column, the 2-runner figure in the async/await column.",
    ...(server === undefined ? ["PostgreSQL rows not measured: no server (FXCHAIN_TEST_DATABASE_URL unset and .ci/postgres start failed)."] : [])
  ],
  seconds: round((performance.now() - began) / 1000, 1)
})

/**
 * Runs every workload in its own child process (`node --expose-gc --import tsx bench/<name>.ts`),
 * collects the JSON each prints on its last stdout line, prints one markdown table and writes
 * bench/results.json with the machine's description.
 *
 *   pnpm bench                                   # builds the packages, then runs everything
 *   node --import tsx bench/index.ts --quick     # smaller workloads, for checking the suite itself
 *   node --import tsx bench/index.ts batch-timers invoke-overhead   # only these
 *
 * Workloads: invoke-overhead, batch-timers, batch-100k (core), sequence-parallel, streaming,
 * server-day (1,000 concurrent token streams), depth (10,000 deep or long) (combinators),
 * model-pipeline (adapters; starts a loopback chat-completions server in a child process),
 * promise-facade (adapters: `PromiseRunnable` invoke, and a batch aborted by its signal), durable-batch
 * (adapters/cluster: DurableBatch on SQLite and PostgreSQL; starts PostgreSQL when none is given).
 */
import { spawnSync } from "node:child_process"
import { readFileSync, writeFileSync } from "node:fs"
import * as os from "node:os"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import type { Row, WorkloadResult } from "./harness.js"

const here = dirname(fileURLToPath(import.meta.url))

interface Workload {
  readonly name: string
  /** Node flags: `--expose-gc` where heap is measured (and where runs start from a full GC). */
  readonly flags: ReadonlyArray<string>
}

const workloads: ReadonlyArray<Workload> = [
  { name: "invoke-overhead", flags: ["--expose-gc"] },
  { name: "batch-timers", flags: [] },
  { name: "batch-100k", flags: ["--expose-gc"] },
  { name: "sequence-parallel", flags: ["--expose-gc"] },
  { name: "streaming", flags: ["--expose-gc"] },
  { name: "server-day", flags: ["--expose-gc"] },
  { name: "depth", flags: ["--expose-gc"] },
  { name: "model-pipeline", flags: [] },
  { name: "promise-facade", flags: ["--expose-gc"] },
  { name: "durable-batch", flags: [] }
]

const args = process.argv.slice(2)
const quick = args.includes("--quick")
const only = args.filter((arg) => !arg.startsWith("--"))
const selected = only.length === 0 ? workloads : workloads.filter((workload) => only.includes(workload.name))

const cpus = os.cpus()
const machine = {
  node: process.version,
  platform: `${os.platform()} ${os.release()} ${os.arch()}`,
  cpu: cpus[0]?.model ?? "unknown",
  cores: cpus.length,
  availableParallelism: os.availableParallelism(),
  memoryGB: Math.round(os.totalmem() / 2 ** 30),
  loadAverageAtStart: os.loadavg().map((load) => Math.round(load * 100) / 100)
}

/** The commit measured, and whether the packages had uncommitted changes (they are measured too). */
const git = (...command: Array<string>) => {
  const result = spawnSync("git", command, { cwd: join(here, ".."), encoding: "utf8" })
  return result.status === 0 ? result.stdout.trim() : undefined
}
const changedFiles = (path: string) =>
  (git("status", "--porcelain", "--untracked-files=all", "--", path) ?? "").split("\n").filter((line) => line !== "").length
const source = {
  commit: git("rev-parse", "--short", "HEAD") ?? "unknown",
  coreChangedFiles: changedFiles("packages/core/src"),
  combinatorsChangedFiles: changedFiles("packages/combinators/src"),
  adaptersChangedFiles: changedFiles("packages/adapters/src")
}
const uncommitted = ([
  ["core", source.coreChangedFiles],
  ["combinators", source.combinatorsChangedFiles],
  ["adapters", source.adaptersChangedFiles]
] as const).filter(([, count]) => count > 0).map(([name, count]) => `${count} in packages/${name}/src`)

const began = performance.now()
const results: Array<WorkloadResult> = []
const failures: Array<string> = []

for (const workload of selected) {
  process.stderr.write(`bench: ${workload.name}\n`)
  const child = spawnSync(
    process.execPath,
    [...workload.flags, "--import", "tsx", join(here, `${workload.name}.ts`), ...(quick ? ["--quick"] : [])],
    {
      cwd: join(here, ".."),
      env: { ...process.env, LANGCHAIN_TRACING_V2: "false", LANGSMITH_TRACING: "false" },
      stdio: ["ignore", "pipe", "inherit"],
      encoding: "utf8",
      timeout: 150_000,
      maxBuffer: 16 * 1024 * 1024
    }
  )
  const lines = (child.stdout ?? "").trim().split("\n")
  const last = lines[lines.length - 1] ?? ""
  if (child.status !== 0 || last === "") {
    failures.push(`${workload.name}: exit ${child.status ?? child.signal}${child.error ? ` (${child.error.message})` : ""}`)
    continue
  }
  try {
    const result = JSON.parse(last) as WorkloadResult
    results.push(result)
    process.stderr.write(`bench: ${workload.name} done in ${result.seconds} s\n`)
  } catch {
    failures.push(`${workload.name}: last stdout line is not JSON: ${last.slice(0, 200)}`)
  }
}

const seconds = Math.round((performance.now() - began) / 100) / 10

const units: Record<string, string> = { "µs/op": " µs", ms: " ms", MB: " MB", "x ideal": "x", x: "x" }
const cell = (row: Row, value: number | null) => (value === null ? "–" : `${value}${units[row.unit] ?? ` ${row.unit}`}`)
const metCell = (met: boolean | null) => (met === null ? "–" : met ? "yes" : "**no**")
const ratioCell = (row: Row) => (row.ratio === null ? "–" : `${row.ratio}x (${row.ratioOf})`)

const table = [
  "| workload | fxchain | LangChain.js | async/await | ratio | target | met? |",
  "| --- | ---: | ---: | ---: | --- | --- | --- |",
  ...results.flatMap((result) =>
    result.rows.map((row) =>
      `| ${row.workload} | ${cell(row, row.fxchain)} | ${cell(row, row.langchain)} | ${cell(row, row.plain)} | ${ratioCell(row)} | ${row.target} | ${metCell(row.met)} |`
    )
  )
].join("\n")

const notes = results.flatMap((result) => result.notes.map((note) => `- ${result.workload}: ${note}`))

process.stdout.write(
  [
    "",
    `fxchain benchmarks${quick ? " (--quick: reduced sizes, not comparable)" : ""}: node ${machine.node}, ${machine.cpu}, ` +
    `${machine.cores} cores, load average at start ${machine.loadAverageAtStart.join(" ")}; commit ${source.commit}` +
    `${uncommitted.length > 0 ? ` + uncommitted files (${uncommitted.join(", ")})` : ""}; ${seconds} s`,
    "",
    table,
    "",
    ...notes,
    ...failures.map((failure) => `- FAILED ${failure}`),
    ""
  ].join("\n")
)

// results.json and the README describe full runs only: a run of some workloads, or a --quick
// one, prints its table and keeps the files as they are
const fullRun = !quick && selected.length === workloads.length
if (fullRun) writeFileSync(
  join(here, "results.json"),
  `${JSON.stringify({ date: new Date().toISOString(), quick, seconds, machine, source, workloads: results, failures }, null, 2)}\n`
)

/**
 * Keeps bench/README.md current: the part between its result markers is this run's machine line
 * and table. A --quick run, a run of some workloads only, or a run with failures leaves it alone.
 */
const readmePath = join(here, "README.md")
const [startMarker, endMarker] = ["<!-- bench:results:start -->", "<!-- bench:results:end -->"]
if (fullRun && failures.length === 0) {
  const readme = readFileSync(readmePath, "utf8")
  const start = readme.indexOf(startMarker)
  const end = readme.indexOf(endMarker)
  if (start >= 0 && end > start) {
    const measured = [
      `Measured ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC by \`pnpm bench\` on commit ${source.commit}` +
      `${uncommitted.length > 0 ? ` (plus ${uncommitted.length} uncommitted files)` : ""}: Node ${machine.node}, ${machine.platform}, ` +
      `\`${machine.cpu}\`, ${machine.cores} cores, ${machine.memoryGB} GB; load average at start ` +
      `${machine.loadAverageAtStart.join(" / ")}; ${seconds} s in all.`,
      "",
      table,
      "",
      ...notes
    ].join("\n")
    writeFileSync(readmePath, `${readme.slice(0, start + startMarker.length)}\n${measured}\n${readme.slice(end)}`)
  }
}

if (failures.length > 0) process.exitCode = 1

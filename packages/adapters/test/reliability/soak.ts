/**
 * `pnpm test:soak`: runs the reliability suites at full size (leaks 1,000 times each, the heap
 * soak, the faults, the properties 10,000 times with a random seed) and prints their figures.
 *
 * - `--report` also writes the figures, with the machine and commit they ran on, into
 *   docs/reliability.md, between its `figures` markers (only when every suite passed).
 * - `--quick` runs at the sizes of `pnpm test` instead (no heap soak), to see the CI figures.
 *
 * `FXCHAIN_FUZZ_SEED` fixes the properties' seed, to replay a failure.
 */
import { execSync, spawnSync } from "node:child_process"
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs"
import { createRequire } from "node:module"
import * as os from "node:os"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import type { Figure } from "./support/harness.js"

const root = fileURLToPath(new URL("../../../../", import.meta.url))
const report = process.argv.includes("--report")
const quick = process.argv.includes("--quick")

const figuresFile = join(mkdtempSync(join(os.tmpdir(), "fxchain-soak-")), "figures.jsonl")
writeFileSync(figuresFile, "")
const seed = process.env.FXCHAIN_FUZZ_SEED ?? (quick ? undefined : String(Math.floor(Math.random() * 2 ** 31)))
const vitest = join(dirname(createRequire(import.meta.url).resolve("vitest/package.json")), "vitest.mjs")
const args = quick
  ? ["run", "packages/adapters/test/reliability"]
  : ["run", "--config", "vitest.soak.config.ts"]
const started = Date.now()
const run = spawnSync(process.execPath, [vitest, ...args], {
  cwd: root,
  stdio: "inherit",
  env: {
    ...process.env,
    FXCHAIN_FIGURES: figuresFile,
    ...(quick ? {} : { FXCHAIN_SOAK: "1" }),
    ...(seed === undefined ? {} : { FXCHAIN_FUZZ_SEED: seed })
  }
})
const minutes = Math.round((Date.now() - started) / 6_000) / 10

const figures: Array<Figure> = readFileSync(figuresFile, "utf8").split("\n").filter((line) => line !== "").map((line) =>
  JSON.parse(line)
)
const bySuite = (suite: Figure["suite"]) => figures.filter((figure) => figure.suite === suite)
const seconds = (millis: unknown) => `${(Number(millis) / 1000).toFixed(Number(millis) < 10_000 ? 2 : 1)} s`
const count = (value: unknown) => Number(value).toLocaleString("en-US")
const numeric = /^[-+]?[\d,.]+(?: ?(?:s|MB|%))?(?: \/ [\d,]+)?$/
/** A markdown table; a column whose every cell is a figure is aligned right. */
const table = (header: ReadonlyArray<string>, rows: ReadonlyArray<ReadonlyArray<unknown>>) =>
  [
    `| ${header.join(" | ")} |`,
    `| ${header.map((_, column) => rows.every((row) => numeric.test(String(row[column]))) ? "---:" : "---").join(" | ")} |`,
    ...rows.map((row) => `| ${row.join(" | ")} |`)
  ].join("\n")

const commit = (() => {
  try {
    const hash = execSync("git rev-parse --short HEAD", { cwd: root }).toString().trim()
    const dirty = execSync("git status --porcelain", { cwd: root }).toString().trim() !== ""
    return dirty ? `${hash} (with uncommitted changes)` : hash
  } catch {
    return "unknown"
  }
})()
const cpus = os.cpus()
const machine = `${cpus.length} × ${cpus[0]?.model.trim() ?? "unknown CPU"}, ${Math.round(os.totalmem() / 2 ** 30)} GB, ` +
  `${os.type()} ${os.release()}, Node ${process.version}`

const text = [
  `Measured ${new Date().toISOString().slice(0, 10)} on ${machine}, at commit ${commit}, by \`pnpm test:soak${
    quick ? " --quick" : ""
  }\` (${minutes} min in all).`,
  "",
  "**Leaks** — work interrupted mid-flight, then what is left:",
  "",
  table(
    ["workload", "interruptions", "fibers left", "timers, sockets left", "abort listeners left", "runs ended / started", "runs started after", "time"],
    bySuite("leaks").map((figure) => [
      figure.name,
      count(figure.repetitions),
      figure.fibersLeft,
      figure.resourcesLeft,
      figure.abortListeners,
      `${count(figure.ended)} / ${count(figure.started)}`,
      figure.startedAfterInterruption,
      seconds(figure.millis)
    ])
  ),
  "",
  ...(quick ? [] : [
    "**Heap** — after a full garbage collection, once warmed up (a tenth of the runs) and at the end:",
    "",
    table(
      ["workload", "runs", "heap after warm-up", "heap at the end", "change", "time"],
      bySuite("soak").map((figure) => [
        figure.name,
        count(figure.operations),
        `${figure.heapAfterWarmUpMb} MB`,
        `${figure.heapAtEndMb} MB`,
        `${Number(figure.changePercent) > 0 ? "+" : ""}${figure.changePercent}%`,
        seconds(figure.millis)
      ])
    ),
    ""
  ]),
  "**Faults** — a loopback server speaking the chat-completions wire format:",
  "",
  table(
    ["fault", "outcome", "requests", "time"],
    bySuite("faults").map((figure) => [figure.name, `\`${figure.outcome}\``, figure.requests, seconds(figure.millis)])
  ),
  "",
  "**Properties** — `effect/FastCheck`:",
  "",
  table(
    ["property", "runs", "seed", "time"],
    bySuite("fuzz").map((figure) => [figure.name, count(figure.runs), figure.seed, seconds(figure.millis)])
  )
].join("\n")

console.log(`\n${text}\n`)

if (run.status !== 0) {
  console.error(`the suites failed (exit code ${run.status}); docs/reliability.md is left as it was`)
  process.exit(run.status ?? 1)
}
if (report) {
  const path = join(root, "docs/reliability.md")
  const document = readFileSync(path, "utf8")
  const start = "<!-- figures: start (written by pnpm test:soak --report) -->"
  const end = "<!-- figures: end -->"
  const from = document.indexOf(start)
  const to = document.indexOf(end)
  if (from < 0 || to < from) throw new Error(`docs/reliability.md has no ${start} ... ${end} markers`)
  writeFileSync(path, `${document.slice(0, from + start.length)}\n${text}\n${document.slice(to)}`)
  console.log("docs/reliability.md: figures written")
}

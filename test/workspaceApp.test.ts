/**
 * An app added to the workspace imports the packages, types and runtime, after `pnpm install`
 * alone. In a fresh copy of the repository (no node_modules, no dist), `pnpm install` builds the
 * packages (the root `prepare` script), and apps/starter, set up as an app outside the repository
 * would be, compiles with tsc and runs on plain node: no tsx, no `@fxchain/source` condition.
 */
import { execFile } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { promisify } from "node:util"
import { describe, expect, it } from "vitest"

const root = fileURLToPath(new URL("..", import.meta.url))

/** What a fresh clone does not have: installs, builds, and this repository's scratch space. */
const isFresh = (source: string): boolean => {
  const name = path.basename(source)
  return !["node_modules", "dist", ".git"].includes(name) && !name.endsWith(".tsbuildinfo") &&
    path.relative(root, source) !== "tmp"
}

/** Runs a command without blocking this worker (vitest talks to it meanwhile); its standard output. */
const run = (command: string, args: ReadonlyArray<string>, cwd: string): Promise<string> =>
  promisify(execFile)(command, args, { cwd, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 }).then(
    ({ stdout }) => stdout,
    (error: { readonly stdout?: string; readonly stderr?: string }) => {
      throw new Error(`${[command, ...args].join(" ")} failed in ${cwd}:\n${error.stdout ?? ""}${error.stderr ?? ""}`)
    }
  )

describe("a workspace app", () => {
  it("builds against the packages' exports and runs on plain node after pnpm install alone", async () => {
    const copy = fs.mkdtempSync(path.join(os.tmpdir(), "fxchain-fresh-"))
    try {
      fs.cpSync(root, copy, { recursive: true, filter: isFresh })
      expect(fs.existsSync(path.join(copy, "packages", "adapters", "dist"))).toBe(false)

      await run("pnpm", ["install", "--frozen-lockfile", "--prefer-offline"], copy)
      const app = path.join(copy, "apps", "starter")
      await run("pnpm", ["build"], app)
      expect(await run(process.execPath, ["dist/main.js"], app)).toBe("Hello! (Greet Ada in one line)\nHello! (Greet Grace in one line)\n")
    } finally {
      fs.rmSync(copy, { recursive: true, force: true })
    }
  }, 600_000)
})

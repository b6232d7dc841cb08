import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { spawn } from "node:child_process"
import { fileURLToPath } from "node:url"
import { runCli, tempFile } from "./support/harness.js"

const main = fileURLToPath(new URL("../src/main.ts", import.meta.url))

const doneLine = (out: string) => /Done: (\d+) answered, (\d+) failed, of (\d+) \((\d+) from the store, (\d+) run now\)/.exec(out)

/** `pnpm start -- ...args` as a process, SIGKILLed once its output satisfies `killWhen`. */
const startKilled = (args: ReadonlyArray<string>, killWhen: (stdout: string) => boolean) =>
  Effect.async<string>((resume) => {
    const child = spawn(process.execPath, ["--conditions=@fxchain/source", "--import", "tsx", main, ...args], {
      stdio: ["ignore", "pipe", "inherit"]
    })
    let stdout = ""
    child.stdout.on("data", (chunk) => {
      stdout += chunk
      if (killWhen(stdout)) child.kill("SIGKILL")
    })
    child.on("exit", () => resume(Effect.succeed(stdout)))
    return Effect.sync(() => child.kill("SIGKILL"))
  })

describe("pnpm start -- --durable", () => {
  it.live("stores every verdict; run again, it reads them from the store instead of asking the models", () =>
    Effect.gen(function*() {
      const store = yield* tempFile("tickets.sqlite")
      const args = ["--durable", "--store", store, "--items", "12", "--fail-rate", "0"]
      const first = yield* runCli(args)
      expect(first.code).toBe(0)
      expect(first.stdout).toContain(`durable: store ${store} · 0 of 12 tickets already stored`)
      expect(doneLine(first.stdout)?.slice(1)).toEqual(["12", "0", "12", "0", "12"])

      const again = yield* runCli(args)
      expect(again.code).toBe(0)
      expect(again.stdout).toContain("12 of 12 tickets already stored (resuming)")
      expect(doneLine(again.stdout)?.slice(1)).toEqual(["12", "0", "12", "12", "0"])
    }).pipe(Effect.scoped), 180_000)

  it.live("killed with SIGKILL mid-batch, the same command resumes where it was", () =>
    Effect.gen(function*() {
      const store = yield* tempFile("tickets.sqlite")
      const args = ["--durable", "--store", store, "--items", "32", "--fail-rate", "0"]
      // killed after the first progress line that shows stored tickets (lines come every 2 s)
      const killed = yield* startKilled(args, (out) => /\] [1-9]\d*\/32 stored/.test(out))
      const stored = Number(/\] (\d+)\/32 stored/.exec(killed)![1])
      expect(doneLine(killed)).toBeNull()

      const resumed = yield* runCli(args)
      expect(resumed.code).toBe(0)
      const [, answered, failed, total, fromStore, runNow] = doneLine(resumed.stdout)!.map(Number)
      expect([answered, failed, total]).toEqual([32, 0, 32])
      // at least what the killed run had printed as stored, and not all of it
      expect(fromStore).toBeGreaterThanOrEqual(stored)
      expect(fromStore).toBeLessThan(32)
      expect(fromStore + runNow).toBe(32)
    }).pipe(Effect.scoped), 180_000)
})

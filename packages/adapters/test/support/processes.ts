/**
 * Child processes of the durable-batch tests (`durableBatchProcess.ts`), run from the sources as
 * `pnpm start` runs the demo: started, waited on for a line they print, killed with SIGKILL.
 */
import { type ChildProcess, spawn } from "node:child_process"
import * as net from "node:net"
import { fileURLToPath } from "node:url"

const script = fileURLToPath(new URL("./durableBatchProcess.ts", import.meta.url))

export interface TestProcess {
  readonly child: ChildProcess
  readonly pid: number
  /** Everything it printed on stdout so far. */
  readonly stdout: () => string
  /** Resolves with the first stdout line that `matches`; rejects if the process ends first or after `timeoutMs`. */
  readonly line: (matches: (line: string) => boolean, timeoutMs?: number) => Promise<string>
  /** Resolves with the exit code (or the signal that ended it). */
  readonly exited: Promise<number | NodeJS.Signals>
  readonly kill: () => void
}

export const startProcess = (args: ReadonlyArray<string>, env: Readonly<Record<string, string>> = {}): TestProcess => {
  const child = spawn(process.execPath, ["--conditions=@fxchain/source", "--import", "tsx", script, ...args], {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, ...env }
  })
  let stdout = ""
  let stderr = ""
  const waiting = new Set<() => void>()
  child.stdout!.on("data", (chunk) => {
    stdout += chunk
    for (const check of waiting) check()
  })
  child.stderr!.on("data", (chunk) => {
    stderr += chunk
  })
  const exited = new Promise<number | NodeJS.Signals>((resolve) =>
    child.on("exit", (code, signal) => {
      for (const check of waiting) check()
      resolve(signal ?? code ?? -1)
    })
  )
  const line = (matches: (line: string) => boolean, timeoutMs = 180_000) =>
    new Promise<string>((resolve, reject) => {
      const check = () => {
        const found = stdout.split("\n").slice(0, -1).find(matches)
        if (found !== undefined) done(() => resolve(found))
        else if (child.exitCode !== null || child.signalCode !== null) {
          done(() => reject(new Error(`process ${args.join(" ")} ended (${child.exitCode ?? child.signalCode}):\n${stderr}`)))
        }
      }
      const timer = setTimeout(() => done(() => reject(new Error(`no such line after ${timeoutMs} ms:\n${stdout}\n${stderr}`))), timeoutMs)
      const done = (settle: () => void) => {
        clearTimeout(timer)
        waiting.delete(check)
        settle()
      }
      waiting.add(check)
      check()
    })
  return { child, pid: child.pid!, stdout: () => stdout, line, exited, kill: () => child.kill("SIGKILL") }
}

/** A port free on 127.0.0.1 right now. */
export const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = net.createServer()
    server.on("error", reject)
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo
      server.close(() => resolve(port))
    })
  })

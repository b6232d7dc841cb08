/**
 * Runs the demo's command line in-process, as `pnpm start` would, with its output captured: a
 * `Terminal` that records what is displayed (a TTY or not, of a given width), a `Console` that
 * records what `@effect/cli` and the error paths print, and a `ConfigProvider` standing for the
 * environment (so that a `FXCHAIN_*` variable of the machine running the tests changes nothing).
 */
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as NodePath from "@effect/platform-node/NodePath"
import * as Terminal from "@effect/platform/Terminal"
import { ConfigProvider, Console, Effect, Exit, Fiber, Layer, Option, TestClock } from "effect"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import * as Cli from "../../src/cli.js"

/** What a run printed and how it ended. */
export interface CliRun {
  readonly exit: Exit.Exit<void, unknown>
  /** The process exit code `pnpm start` would end with. */
  readonly code: number
  /** What was displayed on the terminal (stdout), escape sequences included. */
  readonly stdout: string
  /** What went to the console: `@effect/cli`'s messages, usage, errors. */
  readonly stderr: string
}

export interface Capture {
  readonly stdout: () => string
  readonly stderr: () => string
  readonly layer: Layer.Layer<Terminal.Terminal>
  readonly console: (console: Console.Console) => Console.Console
}

/** A terminal (stdout) and a console that record what is written to them. */
export const capture = (options: { readonly tty: boolean; readonly columns: number }): Capture => {
  let stdout = ""
  let stderr = ""
  const terminal = Terminal.Terminal.of({
    columns: Effect.succeed(options.tty ? options.columns : 0),
    rows: Effect.succeed(options.tty ? 40 : 0),
    isTTY: Effect.succeed(options.tty),
    readInput: Effect.dieMessage("the demo reads no input"),
    readLine: Effect.dieMessage("the demo reads no input"),
    display: (text) =>
      Effect.sync(() => {
        stdout += text
      })
  })
  const record = (...args: ReadonlyArray<unknown>) =>
    Effect.sync(() => {
      stderr += `${args.map(String).join(" ")}\n`
    })
  return {
    stdout: () => stdout,
    stderr: () => stderr,
    layer: Layer.succeed(Terminal.Terminal, terminal),
    console: (console) => ({ ...console, log: record, error: record, warn: record, info: record })
  }
}

export interface RunOptions {
  /** Whether stdout is a terminal (default: not). */
  readonly tty?: boolean | undefined
  readonly columns?: number | undefined
  /** The environment, as `Config` reads it (default: empty, so the fake models). */
  readonly env?: Readonly<Record<string, string>> | undefined
  /**
   * Drives a `TestClock` (under `it.effect`) in steps of this many milliseconds until the run
   * ends. Without it the clock is left alone: the live one under `it.live`, a test clock that
   * never moves under `it.effect` (enough for a run that waits for nothing, such as bad flags).
   */
  readonly step?: number | undefined
  /** Interrupts the run once this holds for what it displayed so far. */
  readonly interruptWhen?: ((stdout: string) => boolean) | undefined
}

/** Runs `pnpm start -- ...args` in-process. */
export const runCli = (args: ReadonlyArray<string>, options: RunOptions = {}) =>
  Effect.gen(function*() {
    const output = capture({ tty: options.tty ?? false, columns: options.columns ?? 100 })
    const program = Cli.run(["node", "apps/demo/src/main.ts", ...args]).pipe(
      Effect.provide(Layer.mergeAll(output.layer, NodeFileSystem.layer, NodePath.layer, NodeHttpClient.layerUndici)),
      Effect.withConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(options.env ?? {})))),
      (effect) => Effect.consoleWith((console) => Effect.withConsole(effect, output.console(console)))
    )
    const fiber = yield* Effect.fork(program)
    let interrupted = false
    for (;;) {
      const done = yield* Fiber.poll(fiber)
      if (Option.isSome(done)) break
      if (!interrupted && options.interruptWhen?.(output.stdout()) === true) {
        interrupted = true
        yield* Fiber.interruptFork(fiber)
      }
      if (options.step === undefined) yield* Effect.promise(() => new Promise((resolve) => setTimeout(resolve, 5)))
      else yield* TestClock.adjust(options.step)
    }
    const exit = yield* Fiber.await(fiber)
    return { exit, code: Cli.exitCode(exit), stdout: output.stdout(), stderr: output.stderr() } satisfies CliRun
  })

/** A fresh file name in a temporary directory, removed after the test's scope. */
export const tempFile = (name: string) =>
  Effect.acquireRelease(
    Effect.sync(() => fs.mkdtempSync(path.join(os.tmpdir(), "fxchain-demo-"))),
    (directory) => Effect.sync(() => fs.rmSync(directory, { recursive: true, force: true }))
  ).pipe(Effect.map((directory) => path.join(directory, name)))

/** The lines of a JSON Lines file, each parsed (a line that is not JSON fails the test). */
export const readJsonLines = (file: string): Array<Record<string, any>> => {
  const text = fs.readFileSync(file, "utf8")
  if (text !== "" && !text.endsWith("\n")) throw new Error(`${file} does not end with a line break`)
  return text.split("\n").filter((line) => line !== "").map((line, index) => {
    try {
      return JSON.parse(line)
    } catch (error) {
      throw new Error(`line ${index + 1} of ${file} is not JSON: ${String(error)}`)
    }
  })
}

/** The text without ANSI escape sequences. */
export const stripAnsi = (text: string): string => text.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, "")

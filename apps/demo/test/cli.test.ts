import { describe, expect, it } from "@effect/vitest"
import { Cause, Effect, Exit, FiberId } from "effect"
import * as ValidationError from "@effect/cli/ValidationError"
import * as HelpDoc from "@effect/cli/HelpDoc"
import * as Cli from "../src/cli.js"
import { runCli } from "./support/harness.js"

describe("flags", () => {
  it.effect.each([
    [["--items", "0"], "--items must be between 1 and 200"],
    [["--items", "201"], "--items must be between 1 and 200"],
    [["--items", "ten"], "'ten' is not a integer"],
    [["--concurrency", "0"], "--concurrency must be between 1 and 64"],
    [["--fail-rate", "1.5"], "--fail-rate must be between 0 and 1"],
    [["--timeout", "0"], "--timeout must be above 0"],
    [["--itmes", "5"], "Received unknown argument: '--itmes'"],
    [["triage"], "Received unknown argument: 'triage'"]
  ] as const)("%j: a clear message, the usage, exit code 2", ([args, message]) =>
    Effect.gen(function*() {
      const run = yield* runCli(args)
      expect(run.code).toBe(2)
      expect(run.stderr).toContain(message)
      expect(run.stderr).toContain("USAGE\n  pnpm start -- [(-n, --items integer)] [(-c, --concurrency integer)]")
      expect(run.stderr).toContain("Run `pnpm start -- --help` for what each flag does.")
      expect(run.stdout).toBe("") // nothing ran
    }))

  it.effect("--help describes every flag and exits 0", () =>
    Effect.gen(function*() {
      const run = yield* runCli(["--help"])
      expect(run.code).toBe(0)
      for (const flag of ["--items", "--concurrency", "--fail-rate", "--trace", "--stream", "--timeout", "--rate-limit"]) {
        expect(run.stderr).toContain(flag) // @effect/cli prints help with Console.log, captured here
      }
      expect(run.stderr).toContain("FXCHAIN_OPENAI_BASE_URL")
      expect(run.stdout).toBe("")
    }))

  it.effect("`pnpm start -- --items 3` reaches the demo without the `--`", () =>
    Effect.gen(function*() {
      const run = yield* runCli(["--", "--items", "3"], { step: 50 })
      expect(run.code).toBe(0)
      expect(run.stdout).toContain("Done: 3 tickets in ")
    }))

  it("exit codes: 0 done, 2 bad flags, 130 interrupted, 1 otherwise", () => {
    expect(Cli.exitCode(Exit.void)).toBe(0)
    expect(Cli.exitCode(Exit.fail(ValidationError.invalidValue(HelpDoc.p("bad"))))).toBe(2)
    expect(Cli.exitCode(Exit.failCause(Cause.interrupt(FiberId.none)))).toBe(130)
    expect(Cli.exitCode(Exit.fail(new Error("no such directory")))).toBe(1)
    expect(Cli.exitCode(Exit.die("boom"))).toBe(1)
  })

  it.effect("a bad FXCHAIN_* variable is a clear error, exit code 1", () =>
    Effect.gen(function*() {
      const run = yield* runCli(["--items", "2"], { env: { FXCHAIN_OPENAI_BASE_URL: "http://127.0.0.1:9/v1" } })
      expect(run.code).toBe(1)
      expect(run.stderr).toContain("fxchain demo failed:")
      expect(run.stderr).toContain("FXCHAIN_MODEL")
    }))

  it.effect("a trace file that cannot be written is a clear error, exit code 1", () =>
    Effect.gen(function*() {
      const run = yield* runCli(["--items", "2", "--trace", "/no/such/directory/trace.jsonl"], { step: 50 })
      expect(run.code).toBe(1)
      expect(run.stderr).toContain("fxchain demo failed:")
      expect(run.stderr).toContain("/no/such/directory/trace.jsonl")
    }))
})

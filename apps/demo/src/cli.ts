/**
 * The command line: flags, their checks, what runs, and the process exit code.
 *
 * ```text
 * pnpm start -- [--items N] [--concurrency C] [--fail-rate P] [--trace FILE] [--stream]
 *               [--timeout SECONDS] [--rate-limit N] [--durable [--store FILE]] [--help]
 * ```
 *
 * Exit codes: 0 when the run ended (failed tickets included: they are part of the demo), 2 for
 * bad flags (the message and the usage are printed), 130 when interrupted (Ctrl-C), 1 for
 * anything else (a bad `FXCHAIN_*` variable, a trace file that cannot be written).
 *
 * @since 0.1.0
 */
import * as CliConfig from "@effect/cli/CliConfig"
import * as Command from "@effect/cli/Command"
import * as HelpDoc from "@effect/cli/HelpDoc"
import * as Options from "@effect/cli/Options"
import * as Usage from "@effect/cli/Usage"
import * as ValidationError from "@effect/cli/ValidationError"
import type { PlatformError } from "@effect/platform/Error"
import type * as FileSystem from "@effect/platform/FileSystem"
import type * as Terminal from "@effect/platform/Terminal"
import type { DurableBatch } from "@fxchain/adapters/cluster"
import type { Errors } from "@fxchain/core"
import * as Cause from "effect/Cause"
import * as ConfigError from "effect/ConfigError"
import * as Console from "effect/Console"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Option from "effect/Option"
import * as Batch from "./batch.js"
import * as Durable from "./durable.js"
import * as Models from "./models.js"
import * as StreamOne from "./streamOne.js"
import { tickets } from "./tickets.js"

const between = (min: number, max: number) => (value: number) =>
  value >= min && value <= max ? Option.some(value) : Option.none()

const items = Options.integer("items").pipe(
  Options.withAlias("n"),
  Options.withDescription(`How many tickets to triage, from the first (1 to ${tickets.length}; default ${tickets.length}).`),
  Options.filterMap(between(1, tickets.length), `--items must be between 1 and ${tickets.length}`),
  Options.withDefault(tickets.length)
)

const concurrency = Options.integer("concurrency").pipe(
  Options.withAlias("c"),
  Options.withDescription("How many tickets are in flight at once (1 to 64; default 8)."),
  Options.filterMap(between(1, 64), "--concurrency must be between 1 and 64"),
  Options.withDefault(8)
)

const failRate = Options.float("fail-rate").pipe(
  Options.withDescription(
    "The share of tickets (0 to 1) on which the embedded fake models run into trouble: rate limits (retried), " +
      "outages and unreadable answers (the fallback model takes over), and both models down (the ticket fails). " +
      "Deterministic: the tickets are chosen by their id. Default 0.15. Not used with a real server."
  ),
  Options.filterMap(between(0, 1), "--fail-rate must be between 0 and 1"),
  Options.withDefault(0.15)
)

const trace = Options.file("trace", { exists: "either" }).pipe(
  Options.withDescription("Writes every event of the run (Runnable.streamEvents) to FILE, one JSON object per line."),
  Options.optional
)

const stream = Options.boolean("stream").pipe(
  Options.withDescription("Streams one ticket through the pipeline, printing the model's tokens as they arrive, instead of running the batch.")
)

const timeout = Options.float("timeout").pipe(
  Options.withDescription("Each ticket's deadline in seconds (default 20): past it, its work is interrupted and it fails."),
  Options.filterMap((seconds) => seconds > 0 ? Option.some(seconds) : Option.none(), "--timeout must be above 0"),
  Options.withDefault(20)
)

const rateLimit = Options.integer("rate-limit").pipe(
  Options.withDescription("Model calls allowed to start per second, both models together: one shared rate limiter (default 10)."),
  Options.filterMap(between(1, 10_000), "--rate-limit must be between 1 and 10000"),
  Options.withDefault(10)
)

const durable = Options.boolean("durable").pipe(
  Options.withDescription(
    "Runs the batch durably (DurableBatch on an embedded SQLite store): every verdict is stored as it is decided, " +
      "so the process can be killed (even with SIGKILL) and the same command resumes where it was."
  )
)

const store = Options.text("store").pipe(
  Options.withDescription(`The SQLite file of --durable's store (default ${Durable.defaultStore}).`),
  Options.withDefault(Durable.defaultStore)
)

/**
 * The flags, once parsed and checked.
 *
 * @since 0.1.0
 * @category models
 */
export interface Flags {
  readonly items: number
  readonly concurrency: number
  readonly failRate: number
  readonly trace: Option.Option<string>
  readonly stream: boolean
  /** Seconds. */
  readonly timeout: number
  readonly rateLimit: number
  readonly durable: boolean
  readonly store: string
}

/**
 * Runs what the flags ask for, with the models the environment chooses (see `Models.layer`).
 *
 * @since 0.1.0
 * @category run
 */
export const handler = (flags: Flags) => {
  const options: Batch.RunOptions = {
    items: flags.items,
    concurrency: flags.concurrency,
    trace: flags.trace,
    timeout: Duration.seconds(flags.timeout),
    requestsPerSecond: flags.rateLimit
  }
  const run: Effect.Effect<
    void,
    PlatformError | Errors.InvalidOptionError | DurableBatch.StoreError,
    Models.TriageModels | Terminal.Terminal | FileSystem.FileSystem
  > = flags.stream
    ? Effect.asVoid(StreamOne.run(options))
    : flags.durable
    ? Effect.asVoid(Durable.run({ ...options, store: flags.store }))
    : Effect.asVoid(Batch.run(options))
  return run.pipe(
    Effect.provide(Models.layer({ failRate: flags.failRate }))
  )
}

/**
 * The command.
 *
 * @since 0.1.0
 * @category commands
 */
export const command = Command.make(
  "fxchain-demo",
  { items, concurrency, failRate, trace, stream, timeout, rateLimit, durable, store },
  handler
)
  .pipe(
    Command.withDescription(
      "Run it with `pnpm start -- [flags]`. " +
        "Triages the bundled support tickets with an fxchain pipeline: enrichment in parallel, a prompt, a model with " +
        "retries, a fallback model and a shared rate limit, a schema parser, a deadline per ticket; " +
        "Runnable.batchAsCompleted runs them a few at a time. Uses embedded fake models unless " +
        "FXCHAIN_OPENAI_BASE_URL, FXCHAIN_OPENAI_API_KEY and FXCHAIN_MODEL name an OpenAI-compatible server " +
        "(FXCHAIN_FALLBACK_MODEL optionally names a second model there)."
    )
  )

/**
 * The usage: one line per way to call the command.
 *
 * @since 0.1.0
 * @category commands
 */
export const usage = (): string =>
  [
    "USAGE",
    ...Usage.enumerate(Command.getUsage(command), CliConfig.defaultConfig).map((line) =>
      `  pnpm start -- ${HelpDoc.toAnsiText(HelpDoc.p(line)).trim().replace(/^fxchain-demo ?/, "")}`
    )
  ].join("\n")

const cli = Command.run(command, { name: "fxchain demo", version: "0.1.0" })

/**
 * Runs the command line `argv` (as `process.argv`: the runtime and the script first). A `--`
 * right after them (as `pnpm start -- --items 5` passes it) is skipped. Bad flags print their
 * message (from `@effect/cli`) and the usage to stderr; other failures print what went wrong.
 *
 * @since 0.1.0
 * @category run
 */
export const run = (argv: ReadonlyArray<string>) => {
  const args = argv[2] === "--" ? [...argv.slice(0, 2), ...argv.slice(3)] : argv
  return cli(args).pipe(
    Effect.tapErrorCause((cause) => {
      if (Cause.isInterruptedOnly(cause)) return Effect.void
      const failure = Cause.failureOption(cause)
      if (Option.isSome(failure) && ValidationError.isValidationError(failure.value)) {
        return Console.error(`${usage()}\nRun \`pnpm start -- --help\` for what each flag does.`)
      }
      return Console.error(
        Option.match(failure, {
          onNone: () => `fxchain demo failed:\n${Cause.pretty(cause)}`,
          onSome: (error) =>
            ConfigError.isConfigError(error)
              ? `fxchain demo failed: ${String(error)}\n` +
                `(${Models.usesServerNote})`
              : `fxchain demo failed: ${error instanceof Error ? error.message : String(error)}`
        })
      )
    })
  )
}

/**
 * The process exit code for how a run ended: 0 done, 2 bad flags, 130 interrupted, 1 otherwise.
 *
 * @since 0.1.0
 * @category exit codes
 */
export const exitCode = (exit: Exit.Exit<unknown, unknown>): number => {
  if (Exit.isSuccess(exit)) return 0
  if (Cause.isInterruptedOnly(exit.cause)) return 130
  const failure = Cause.failureOption(exit.cause)
  return Option.isSome(failure) && ValidationError.isValidationError(failure.value) ? 2 : 1
}

/**
 * `NodeRuntime.runMain`'s teardown with these exit codes.
 *
 * @since 0.1.0
 * @category exit codes
 */
export const teardown = <E, A>(exit: Exit.Exit<E, A>, onExit: (code: number) => void): void => onExit(exitCode(exit))


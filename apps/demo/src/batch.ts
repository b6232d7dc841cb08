/**
 * The demo's main run: the first `items` tickets through the pipeline with
 * `Runnable.batchAsCompleted` at bounded concurrency, watched through `Runnable.streamEvents`.
 * Every event feeds the `Tally` (and the trace file, with `--trace`); the display shows the
 * progress while the batch runs and the summary at its end.
 *
 * Interrupting the run (Ctrl-C) stops the batch instead of abandoning it: the tickets in flight
 * are interrupted (their model calls cancelled, their `Failed` events recorded), the event
 * stream is read to its end, the summary of what finished is printed and the trace file is
 * flushed, and only then does the interruption go on.
 *
 * @since 0.1.0
 */
import type { PlatformError } from "@effect/platform/Error"
import type * as FileSystem from "@effect/platform/FileSystem"
import type * as Terminal from "@effect/platform/Terminal"
import { type Errors, Runnable } from "@fxchain/core"
import * as Clock from "effect/Clock"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import * as Display from "./display.js"
import { TriageModels } from "./models.js"
import { makePipeline } from "./pipeline.js"
import { failureLine, progressLine, progressLines, summaryTable } from "./report.js"
import { type Summary, Tally } from "./tally.js"
import { tickets, type Ticket } from "./tickets.js"
import * as Trace from "./trace.js"

/**
 * What the run does; the CLI's flags.
 *
 * @since 0.1.0
 * @category models
 */
export interface RunOptions {
  /** How many tickets, from the first. */
  readonly items: number
  /** Tickets in flight at once. */
  readonly concurrency: number
  /** Where to write the events as JSON lines. */
  readonly trace: Option.Option<string>
  /** Each ticket's deadline. */
  readonly timeout: Duration.DurationInput
  /** Model calls allowed to start per second, both models together. */
  readonly requestsPerSecond: number
}

/**
 * How often the progress is drawn on a terminal, and printed as a line otherwise.
 *
 * @since 0.1.0
 * @category constants
 */
export const refresh = { interactive: Duration.millis(100), plain: Duration.seconds(2) } as const

/**
 * The header printed before the run.
 *
 * @since 0.1.0
 * @category rendering
 */
export const header = (options: RunOptions, count: number, models: string): string =>
  [
    `fxchain demo · ${count} support tickets · ${options.concurrency} at a time · ${models}`,
    `pipeline: sentiment ‖ language ‖ customer tier → prompt → primaryModel ⇢ fallbackModel → Triage schema`,
    `policies: rate limits retried after their retry-after · ${options.requestsPerSecond} model calls/s shared · ` +
    `${Duration.format(Duration.decode(options.timeout))} per ticket`
  ].join("\n")

/**
 * Runs the batch and prints its progress and summary; returns the summary. When interrupted,
 * prints the summary of what finished, then is interrupted.
 *
 * @since 0.1.0
 * @category run
 */
export const run = (
  options: RunOptions
): Effect.Effect<
  Summary,
  PlatformError | Errors.InvalidOptionError,
  TriageModels | Terminal.Terminal | FileSystem.FileSystem
> =>
  Effect.scoped(Effect.gen(function*() {
    const models = yield* TriageModels
    const display = yield* Display.make
    const chosen = tickets.slice(0, options.items)
    yield* display.print(display.palette.bold(header(options, chosen.length, models.description)))
    const ticket = yield* makePipeline({ timeout: options.timeout, requestsPerSecond: options.requestsPerSecond })
    const trace = Option.isSome(options.trace) ? yield* Trace.open(options.trace.value) : undefined
    const tally = new Tally(chosen.length, options.concurrency, yield* Clock.currentTimeMillis)
    const stop = yield* Deferred.make<void>()

    const batch = Runnable.fromEffect(
      (all: ReadonlyArray<Ticket>) =>
        Runnable.batchAsCompleted(ticket, all, { concurrency: options.concurrency }).pipe(
          Stream.interruptWhen(Deferred.await(stop)),
          Stream.runFold(0, (finished, [index, result]) => {
            tally.onResult(all[index]!, result)
            return finished + 1
          }),
          Effect.map((finished) => ({ finished }))
        ),
      { name: "triageBatch", kind: "chain" }
    )
    const watch = Runnable.streamEvents(batch, chosen).pipe(
      Stream.runForEach((event) => {
        tally.onEvent(event)
        return trace === undefined ? Effect.void : trace.write(event)
      })
    )
    const watcher = yield* Effect.forkScoped(watch)

    const printFailures = Effect.suspend(() =>
      Effect.forEach(tally.newFailures(), (failure) => display.print(failureLine(failure, display.palette)), {
        discard: true
      })
    )
    const draw = Effect.gen(function*() {
      yield* printFailures
      const progress = tally.progress(yield* Clock.currentTimeMillis)
      yield* display.interactive
        ? display.live(progressLines(progress, display.width, display.palette))
        : display.print(progressLine(progress))
    })
    const renderer = yield* Effect.forkScoped(
      Effect.forever(Effect.zipRight(Effect.sleep(display.interactive ? refresh.interactive : refresh.plain), draw))
    )

    const finish = (interrupted: boolean) =>
      Effect.gen(function*() {
        yield* Fiber.interrupt(renderer)
        yield* printFailures
        yield* display.clear
        const summary = tally.summary(yield* Clock.currentTimeMillis, interrupted)
        yield* display.print(`\n${summaryTable(summary, display.palette)}`)
        if (trace !== undefined) {
          yield* trace.flush
          yield* display.print(`\nTrace: ${trace.lines()} events in ${trace.path} (one JSON object per line).`)
        }
        return summary
      })

    yield* Fiber.join(watcher).pipe(
      Effect.onInterrupt(() =>
        Deferred.succeed(stop, undefined).pipe(
          Effect.zipRight(Fiber.await(watcher)),
          Effect.zipRight(finish(true)),
          Effect.catchAll((error) => display.print(`Could not write the trace file: ${error.message}`))
        )
      )
    )
    return yield* finish(false)
  }))

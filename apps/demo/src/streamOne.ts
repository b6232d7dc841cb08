/**
 * `--stream`: one ticket through the same pipeline, with `Runnable.streamEvents`, its model's
 * tokens printed as they arrive (a retry or the fallback model starts a new line), then the
 * verdict, the enrichment and the timings.
 *
 * @since 0.1.0
 */
import type { PlatformError } from "@effect/platform/Error"
import type * as FileSystem from "@effect/platform/FileSystem"
import type * as Terminal from "@effect/platform/Terminal"
import { Runnable, type RunEvent } from "@fxchain/core"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import type { RunOptions } from "./batch.js"
import * as Display from "./display.js"
import { TriageModels } from "./models.js"
import { makePipeline, type TriagedTicket } from "./pipeline.js"
import { describeError, formatDuration } from "./report.js"
import { tickets } from "./tickets.js"
import * as Trace from "./trace.js"

const attemptOf = (event: RunEvent.RunEvent) =>
  Number(event.tags.find((tag) => tag.startsWith("retry:attempt:"))?.slice("retry:attempt:".length) ?? 1)

/**
 * Streams the first ticket and prints it as it goes. Returns the verdict, or `undefined` when
 * the ticket failed (the failure is printed).
 *
 * @since 0.1.0
 * @category run
 */
export const run = (
  options: Pick<RunOptions, "trace" | "timeout" | "requestsPerSecond">
): Effect.Effect<TriagedTicket | undefined, PlatformError, TriageModels | Terminal.Terminal | FileSystem.FileSystem> =>
  Effect.scoped(Effect.gen(function*() {
    const models = yield* TriageModels
    const display = yield* Display.make
    const { bold, dim, green, red } = display.palette
    const ticket = tickets[0]!
    const pipeline = yield* makePipeline({ timeout: options.timeout, requestsPerSecond: options.requestsPerSecond })
    const trace = Option.isSome(options.trace) ? yield* Trace.open(options.trace.value) : undefined
    yield* display.print(bold(`fxchain demo: streaming ticket ${ticket.id} through ${models.description}.`))
    yield* display.print(dim(`${ticket.customer} via ${ticket.channel}: "${ticket.subject}"`))
    const startedAt = yield* Clock.currentTimeMillis
    let firstToken: number | undefined
    let tokens = 0
    let result: TriagedTicket | undefined
    const onEvent = (event: RunEvent.RunEvent): Effect.Effect<void> => {
      if (event.kind === "model" && event._tag === "Started") {
        const attempt = attemptOf(event)
        return display.write(`\n${bold(event.name)}${attempt > 1 ? dim(` (attempt ${attempt})`) : ""} ▸ `)
      }
      if (event.kind === "model" && event._tag === "Streamed") {
        const text = (event.chunk as { readonly text?: unknown }).text
        if (typeof text !== "string" || text === "") return Effect.void
        tokens++
        firstToken ??= event.timestamp - startedAt
        return display.write(text)
      }
      if (event.kind === "model" && event._tag === "Failed" && !event.interrupted) {
        return display.write(red(` ✗ ${describeError(event.error)}`))
      }
      if (event.kind === "parser" && event._tag === "Failed" && !event.interrupted) {
        return display.write(red(` ✗ ${describeError(event.error)}`))
      }
      if (event.parentIds.length === 0 && event._tag === "Ended") result = event.output as TriagedTicket
      return Effect.void
    }
    const outcome = yield* Runnable.streamEvents(pipeline, ticket).pipe(
      Stream.runForEach((event) => Effect.zipRight(onEvent(event), trace === undefined ? Effect.void : trace.write(event))),
      Effect.either
    )
    const elapsed = (yield* Clock.currentTimeMillis) - startedAt
    yield* display.print("\n")
    if (outcome._tag === "Left") {
      yield* display.print(red(`✗ ${ticket.id} failed: ${describeError(outcome.left)}`))
    } else if (result !== undefined) {
      const { triage } = result
      yield* display.print(
        [
          `${green("✓")} ${bold(triage.category)} · urgency ${bold(triage.urgency)} · answered by the ${triage.answeredBy} model`,
          `  ${triage.summary}`,
          dim(`  enrichment: ${result.language}, ${result.sentiment} sentiment, ${result.tier} plan`)
        ].join("\n")
      )
    }
    yield* display.print(
      dim(`  ${tokens} tokens; first after ${firstToken === undefined ? "–" : formatDuration(firstToken)}; ${formatDuration(elapsed)} in all`)
    )
    if (trace !== undefined) {
      yield* trace.flush
      yield* display.print(`\nTrace: ${trace.lines()} events in ${trace.path} (one JSON object per line).`)
    }
    return outcome._tag === "Right" ? result : undefined
  }))

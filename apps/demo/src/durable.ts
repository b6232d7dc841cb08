/**
 * `--durable`: the same tickets through the same pipeline, as a `DurableBatch` on the embedded
 * store (a SQLite file, `--store`). Each ticket's verdict is stored as it is decided, so the
 * process can be killed at any moment (even with SIGKILL) and the same command resumes: the
 * tickets already stored are not sent to a model again, and the ones in flight at the kill run
 * again. Ctrl-C pauses the batch the same way.
 *
 * Progress comes from the store (`DurableBatch.progress`): a line every 2 seconds (every 100 ms,
 * redrawn, on a terminal) with done / failed / in flight / left.
 *
 * @since 0.2.0
 */
import type * as Terminal from "@effect/platform/Terminal"
import { DurableBatch } from "@fxchain/adapters/cluster"
import * as Fx from "@fxchain/combinators"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Schema from "effect/Schema"
import type { RunOptions } from "./batch.js"
import { header, refresh } from "./batch.js"
import * as Display from "./display.js"
import { TriageModels } from "./models.js"
import { makePipeline } from "./pipeline.js"
import { tickets, Ticket } from "./tickets.js"
import { categories, Category, Urgency } from "./triage.js"

/**
 * What is stored for a ticket the models decided.
 *
 * @since 0.2.0
 * @category schemas
 */
export const Verdict = Schema.Struct({
  category: Category,
  urgency: Urgency,
  answeredBy: Schema.Literal("primary", "fallback")
})

/**
 * What is stored for a ticket that failed: the error's tag (a timeout, the models' failure).
 *
 * @since 0.2.0
 * @category errors
 */
export class TicketFailed extends Schema.TaggedError<TicketFailed>()("TicketFailed", { reason: Schema.String }) {}

/**
 * The embedded store's file when `--store` is not given.
 *
 * @since 0.2.0
 * @category constants
 */
export const defaultStore = ".fxchain/demo-tickets.sqlite"

/**
 * @since 0.2.0
 * @category models
 */
export interface DurableOptions extends RunOptions {
  /** The SQLite file of the embedded store. */
  readonly store: string
}

/**
 * How the durable run ended.
 *
 * @since 0.2.0
 * @category models
 */
export interface DurableSummary {
  readonly total: number
  /** Tickets whose verdict was stored before this run started. */
  readonly resumed: number
  readonly answered: number
  readonly failed: number
}

const progressLine = (progress: DurableBatch.Progress, elapsedMillis: number) =>
  `[${(elapsedMillis / 1000).toFixed(1).padStart(6)} s] ${progress.done + progress.failed}/${progress.total} stored · ` +
  `✓ ${progress.done} · ✗ ${progress.failed} · ${progress.inFlight} in flight · ${progress.left} left`

/**
 * Runs the tickets as a durable batch on the embedded store and prints progress and a summary.
 *
 * @since 0.2.0
 * @category run
 */
export const run = (options: DurableOptions): Effect.Effect<DurableSummary, DurableBatch.StoreError, TriageModels | Terminal.Terminal> =>
  Effect.scoped(Effect.gen(function*() {
    const models = yield* TriageModels
    const display = yield* Display.make
    const chosen = tickets.slice(0, options.items)
    const ticket = yield* makePipeline({ timeout: options.timeout, requestsPerSecond: options.requestsPerSecond })
    const verdict = ticket.pipe(
      Fx.map((triaged) => ({ category: triaged.triage.category, urgency: triaged.triage.urgency, answeredBy: triaged.triage.answeredBy })),
      Fx.mapError((error) => new TicketFailed({ reason: error._tag }))
    )
    const batch = DurableBatch.make("demo-triage", verdict, {
      key: (ticket) => ticket.id,
      input: Ticket,
      success: Verdict,
      error: TicketFailed,
      concurrency: options.concurrency
    })
    yield* display.print(display.palette.bold(header(options, chosen.length, models.description)))

    return yield* Effect.gen(function*() {
      const before = yield* DurableBatch.progress(batch, chosen)
      const resumed = before.done + before.failed
      yield* display.print(
        `durable: store ${options.store} · ${resumed} of ${chosen.length} tickets already stored` +
          (resumed > 0 ? " (resuming)" : "")
      )
      const started = yield* Clock.currentTimeMillis
      const draw = Effect.gen(function*() {
        const line = progressLine(yield* DurableBatch.progress(batch, chosen), (yield* Clock.currentTimeMillis) - started)
        yield* display.interactive ? display.live([line]) : display.print(line)
      })
      yield* Effect.forkScoped(
        Effect.forever(Effect.zipRight(Effect.sleep(display.interactive ? refresh.interactive : refresh.plain), draw))
      )
      const results = yield* DurableBatch.run(batch, chosen, { mode: "either" }).pipe(
        Effect.onInterrupt(() =>
          Effect.flatMap(DurableBatch.progress(batch, chosen), (progress) =>
            display.print(
              `\nInterrupted: ${progress.done + progress.failed} of ${chosen.length} tickets stored. ` +
                "Run the same command again to resume."
            ))
        )
      )
      yield* display.clear
      const answered = results.filter(Either.isRight).map((result) => result.right)
      const summary: DurableSummary = {
        total: chosen.length,
        resumed,
        answered: answered.length,
        failed: results.length - answered.length
      }
      const perCategory = categories
        .map((category) => [category, answered.filter((verdict) => verdict.category === category).length] as const)
        .filter(([, count]) => count > 0)
        .map(([category, count]) => `${category} ${count}`)
        .join(" · ")
      yield* display.print(
        `\nDone: ${summary.answered} answered, ${summary.failed} failed, of ${summary.total} ` +
          `(${summary.resumed} from the store, ${summary.total - summary.resumed} run now) ` +
          `in ${Duration.format(Duration.millis((yield* Clock.currentTimeMillis) - started))}.\n${perCategory}`
      )
      return summary
    }).pipe(
      Effect.provide(
        DurableBatch.toLayer(batch).pipe(Layer.provideMerge(DurableBatch.layerEmbedded({ filename: options.store })))
      )
    )
  }))

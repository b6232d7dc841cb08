/**
 * The numbers of a run, kept as it goes: fed with every `RunEvent` (tickets started, retries,
 * fallbacks, tokens, rate-limit waits) and with each ticket's result as the batch yields it,
 * read as a `Progress` while the run goes and as a `Summary` at its end.
 *
 * @since 0.1.0
 */
import * as Fx from "@fxchain/combinators"
import type { RunEvent } from "@fxchain/core"
import * as Either from "effect/Either"
import { modelNames, type TicketError, ticketRunName, type TriagedTicket } from "./pipeline.js"
import type { Ticket } from "./tickets.js"
import { categories, type Category, type Urgency, urgencies } from "./triage.js"

/**
 * The ticket whose tokens are shown live: the model answering it and its text so far.
 *
 * @since 0.1.0
 * @category models
 */
export interface CurrentItem {
  readonly ticketId: string
  readonly model: string
  readonly text: string
  /** Why the model's last attempt failed, while the next one has not started. */
  readonly error?: unknown
}

/**
 * Where a run stands.
 *
 * @since 0.1.0
 * @category models
 */
export interface Progress {
  readonly total: number
  readonly succeeded: number
  readonly failed: number
  /** Tickets interrupted in flight (Ctrl-C). */
  readonly cancelled: number
  readonly inFlight: number
  /** Model calls made again after a rate limit. */
  readonly retries: number
  readonly retriedTickets: number
  /** Tickets handed to the fallback model. */
  readonly fallbackTickets: number
  /** Text chunks the models streamed (one per token with the fake models). */
  readonly tokens: number
  readonly elapsedMillis: number
  readonly current: CurrentItem | undefined
}

/**
 * A ticket that failed, and why.
 *
 * @since 0.1.0
 * @category models
 */
export interface Failure {
  readonly ticketId: string
  readonly error: TicketError
}

/**
 * The tickets of one category, by urgency.
 *
 * @since 0.1.0
 * @category models
 */
export interface CategoryCount {
  readonly category: Category
  readonly byUrgency: Readonly<Record<Urgency, number>>
  readonly total: number
}

/**
 * A run's numbers at its end.
 *
 * @since 0.1.0
 * @category models
 */
export interface Summary extends Omit<Progress, "current" | "inFlight"> {
  readonly concurrency: number
  /** Tickets that never started (the run was interrupted first). */
  readonly notStarted: number
  /** Tickets the fallback model answered. */
  readonly answeredByFallback: number
  readonly byCategory: ReadonlyArray<CategoryCount>
  /** Of the tickets that finished (answered or failed), from start to end. */
  readonly latency: { readonly p50: number; readonly p95: number; readonly max: number } | undefined
  /** What the finished tickets would have taken one after the other: their latencies added up. */
  readonly sequentialMillis: number
  /** Time the model calls waited for the shared rate limiter. */
  readonly rateLimitWait: { readonly totalMillis: number; readonly maxMillis: number }
  readonly failures: ReadonlyArray<Failure>
  readonly interrupted: boolean
}

/**
 * The value below which `p` (0 to 1) of the sorted values lie (nearest rank); `NaN` for none.
 *
 * @since 0.1.0
 * @category statistics
 */
export const percentile = (sorted: ReadonlyArray<number>, p: number): number =>
  sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!

const attemptOf = (tags: ReadonlyArray<string>): number | undefined => {
  for (const tag of tags) {
    if (tag.startsWith("retry:attempt:")) return Number(tag.slice("retry:attempt:".length))
  }
  return undefined
}

interface ItemRun {
  readonly ticketId: string
  readonly startedAt: number
  finished: boolean
}

/**
 * The running count: mutable, fed by the fiber that reads the events and by the batch, read by
 * the one that draws (one at a time: they share the JavaScript thread).
 *
 * @since 0.1.0
 * @category models
 */
export class Tally {
  private readonly items = new Map<string, ItemRun>()
  private succeeded = 0
  private failed = 0
  private cancelled = 0
  private inFlight = 0
  private retries = 0
  private readonly retried = new Set<string>()
  private readonly fellBack = new Set<string>()
  private answeredByFallback = 0
  private tokens = 0
  private readonly latencies: Array<number> = []
  private waitTotal = 0
  private waitMax = 0
  private readonly counts = new Map<Category, Record<Urgency, number>>()
  private readonly failures: Array<Failure> = []
  private reported = 0
  /** What each ticket in flight is streaming: its model and the text so far. */
  private readonly streaming = new Map<string, { model: string; text: string; since: number; error?: unknown }>()
  /** The ticket whose tokens are shown. */
  private followed: string | undefined

  constructor(
    readonly total: number,
    readonly concurrency: number,
    readonly startedAt: number
  ) {}

  /** Counts an event of the run. */
  onEvent(event: RunEvent.RunEvent): void {
    if (event.parentIds.length === 0) return
    if (event.parentIds.length === 1) return event.name === ticketRunName ? this.onTicket(event) : undefined
    const item = this.items.get(event.parentIds[1]!)
    if (item === undefined) return
    const itemRun = event.parentIds[1]!
    switch (event._tag) {
      case "Started": {
        if (event.kind !== "model") return
        const attempt = attemptOf(event.tags) ?? 1
        if (attempt > 1) {
          this.retries++
          this.retried.add(itemRun)
        }
        if (event.name === modelNames.fallback && attempt === 1) this.fellBack.add(itemRun)
        this.streaming.set(itemRun, { model: event.name, text: "", since: event.timestamp })
        return
      }
      case "Streamed": {
        if (event.kind !== "model") return
        const text = (event.chunk as { readonly text?: unknown }).text
        if (typeof text !== "string" || text === "") return
        this.tokens++
        const streaming = this.streaming.get(itemRun)
        if (streaming !== undefined) streaming.text += text
        return
      }
      case "Ended": {
        const waited = event.attributes[Fx.waitMillisAttribute]
        if (typeof waited === "number") {
          this.waitTotal += waited
          this.waitMax = Math.max(this.waitMax, waited)
        }
        return
      }
      case "Failed": {
        const streaming = this.streaming.get(itemRun)
        if (event.kind === "model" && !event.interrupted && streaming !== undefined) {
          streaming.text = ""
          streaming.error = event.error
        }
        return
      }
    }
  }

  private onTicket(event: RunEvent.RunEvent): void {
    switch (event._tag) {
      case "Started": {
        this.items.set(event.runId, { ticketId: (event.input as Ticket).id, startedAt: event.timestamp, finished: false })
        this.inFlight++
        return
      }
      case "Ended":
      case "Failed": {
        const item = this.items.get(event.runId)
        if (item === undefined || item.finished) return
        item.finished = true
        this.inFlight--
        this.streaming.delete(event.runId)
        if (this.followed === event.runId) this.followed = undefined
        if (event._tag === "Failed" && event.interrupted) this.cancelled++
        else this.latencies.push(event.timestamp - item.startedAt)
        return
      }
      case "Streamed":
        return
    }
  }

  /** Counts a ticket's result, as the batch yields it. */
  onResult(ticket: Ticket, result: Either.Either<TriagedTicket, TicketError>): void {
    if (Either.isLeft(result)) {
      this.failed++
      this.failures.push({ ticketId: ticket.id, error: result.left })
      return
    }
    this.succeeded++
    const { answeredBy, category, urgency } = result.right.triage
    if (answeredBy === "fallback") this.answeredByFallback++
    const counts = this.counts.get(category) ?? { critical: 0, high: 0, medium: 0, low: 0 }
    counts[urgency]++
    this.counts.set(category, counts)
  }

  /** The failures counted since the last call. */
  newFailures(): ReadonlyArray<Failure> {
    const fresh = this.failures.slice(this.reported)
    this.reported = this.failures.length
    return fresh
  }

  /**
   * Where the run stands at `now` (epoch milliseconds on the run's Clock). The ticket whose
   * tokens are shown stays the same until it finishes; then the one whose model started last.
   */
  progress(now: number): Progress {
    if (this.followed === undefined) {
      let latest = -Infinity
      for (const [item, streaming] of this.streaming) {
        if (streaming.since > latest) {
          latest = streaming.since
          this.followed = item
        }
      }
    }
    const followed = this.followed === undefined ? undefined : this.streaming.get(this.followed)
    const current = followed === undefined
      ? undefined
      : {
        ticketId: this.items.get(this.followed!)!.ticketId,
        model: followed.model,
        text: followed.text,
        ...(followed.error === undefined ? {} : { error: followed.error })
      }
    return {
      total: this.total,
      succeeded: this.succeeded,
      failed: this.failed,
      cancelled: this.cancelled,
      inFlight: this.inFlight,
      retries: this.retries,
      retriedTickets: this.retried.size,
      fallbackTickets: this.fellBack.size,
      tokens: this.tokens,
      elapsedMillis: now - this.startedAt,
      current
    }
  }

  /** The run's numbers at `now`. */
  summary(now: number, interrupted: boolean): Summary {
    const { current: _, inFlight: __, ...progress } = this.progress(now)
    const sorted = [...this.latencies].sort((a, b) => a - b)
    return {
      ...progress,
      concurrency: this.concurrency,
      notStarted: this.total - this.items.size,
      answeredByFallback: this.answeredByFallback,
      byCategory: categories.flatMap((category) => {
        const byUrgency = this.counts.get(category)
        if (byUrgency === undefined) return []
        return [{ category, byUrgency, total: urgencies.reduce((sum, urgency) => sum + byUrgency[urgency], 0) }]
      }),
      latency: sorted.length === 0
        ? undefined
        : { p50: percentile(sorted, 0.5), p95: percentile(sorted, 0.95), max: sorted[sorted.length - 1]! },
      sequentialMillis: sorted.reduce((sum, latency) => sum + latency, 0),
      rateLimitWait: { totalMillis: this.waitTotal, maxMillis: this.waitMax },
      failures: [...this.failures],
      interrupted
    }
  }
}

/**
 * What a person reads, as pure functions of the numbers: the live progress (a bar and the
 * current ticket's tokens on a terminal, a plain line otherwise), a line per failed ticket, and
 * the summary table at the end.
 *
 * @since 0.1.0
 */
import type { Failure, Progress, Summary } from "./tally.js"
import { urgencies } from "./triage.js"

// -----------------------------------------------------------------------------
// text
// -----------------------------------------------------------------------------

/**
 * ANSI styles, or none.
 *
 * @since 0.1.0
 * @category text
 */
export interface Palette {
  readonly bold: (text: string) => string
  readonly dim: (text: string) => string
  readonly green: (text: string) => string
  readonly red: (text: string) => string
  readonly yellow: (text: string) => string
  readonly cyan: (text: string) => string
}

const sgr = (open: number, close: number) => (text: string) => `\x1b[${open}m${text}\x1b[${close}m`

/**
 * @since 0.1.0
 * @category text
 */
export const colors: Palette = {
  bold: sgr(1, 22),
  dim: sgr(2, 22),
  green: sgr(32, 39),
  red: sgr(31, 39),
  yellow: sgr(33, 39),
  cyan: sgr(36, 39)
}

const same = (text: string) => text

/**
 * @since 0.1.0
 * @category text
 */
export const plain: Palette = { bold: same, dim: same, green: same, red: same, yellow: same, cyan: same }

/**
 * The width of a text on a terminal: its length without ANSI escape sequences.
 *
 * @since 0.1.0
 * @category text
 */
export const visibleLength = (text: string): number => text.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, "").length

/**
 * A duration for people: `850 ms`, `12.4 s`, `3 min 05 s`.
 *
 * @since 0.1.0
 * @category text
 */
export const formatDuration = (millis: number): string => {
  if (!Number.isFinite(millis)) return "–"
  if (millis < 1_000) return `${Math.round(millis)} ms`
  if (millis < 60_000) return `${(millis / 1_000).toFixed(1)} s`
  const seconds = Math.round(millis / 1_000)
  return `${Math.floor(seconds / 60)} min ${String(seconds % 60).padStart(2, "0")} s`
}

const thousands = (value: number) => value.toLocaleString("en-US")

/** `1 ticket`, `2 tickets`. */
const count = (value: number, noun: string) => `${thousands(value)} ${noun}${value === 1 ? "" : "s"}`

// -----------------------------------------------------------------------------
// progress
// -----------------------------------------------------------------------------

/**
 * Tickets finished per second so far, and the time the others should take at that pace
 * (`undefined` before any finished).
 *
 * @since 0.1.0
 * @category progress
 */
export const pace = (progress: Progress): { readonly perSecond: number; readonly etaMillis: number | undefined } => {
  const finished = progress.succeeded + progress.failed
  const perSecond = progress.elapsedMillis > 0 ? finished / (progress.elapsedMillis / 1_000) : 0
  const left = progress.total - finished - progress.cancelled
  return { perSecond, etaMillis: perSecond > 0 ? (left / perSecond) * 1_000 : undefined }
}

/**
 * The progress as one line of plain text, for logs and CI.
 *
 * @example
 * ```text
 * [  6.0 s]  48/200 done (47 ok, 1 failed) · 6 retried · 3 to fallback · 8 in flight · 8.0 tickets/s · ETA 19.0 s
 * ```
 *
 * @since 0.1.0
 * @category progress
 */
export const progressLine = (progress: Progress): string => {
  const { etaMillis, perSecond } = pace(progress)
  const finished = progress.succeeded + progress.failed
  return [
    `[${formatDuration(progress.elapsedMillis).padStart(8)}]  ${finished}/${progress.total} done (${progress.succeeded} ok, ${progress.failed} failed)`,
    `${progress.retriedTickets} retried`,
    `${progress.fallbackTickets} to fallback`,
    `${progress.inFlight} in flight`,
    `${perSecond.toFixed(1)} tickets/s`,
    `ETA ${etaMillis === undefined ? "–" : formatDuration(etaMillis)}`
  ].join(" · ")
}

const truncate = (text: string, width: number): string =>
  width <= 0 ? "" : text.length <= width ? text : `${text.slice(0, Math.max(0, width - 1))}…`

/** The end of a text, when it is too long for the width: the newest tokens stay in sight. */
const tail = (text: string, width: number): string =>
  width <= 0 ? "" : text.length <= width ? text : `…${text.slice(text.length - width + 1)}`

/**
 * The live lines on a terminal of `width` columns: a progress bar with the counts, the pace and
 * the ETA, then the tokens of the ticket being followed as they stream. Each line is a few
 * columns narrower than the terminal, so that redrawing never wraps.
 *
 * @since 0.1.0
 * @category progress
 */
export const progressLines = (progress: Progress, columns: number, palette: Palette): ReadonlyArray<string> => {
  // a margin: a line that fills the terminal wraps when the terminal echoes "^C" after it, and
  // the lines could no longer be erased
  const width = columns - 3
  const { etaMillis, perSecond } = pace(progress)
  const finished = progress.succeeded + progress.failed
  const counts: ReadonlyArray<readonly [string, (text: string) => string]> = [
    [`${finished}/${progress.total}`, palette.bold],
    [`✓ ${progress.succeeded}`, palette.green],
    [`✗ ${progress.failed}`, palette.red],
    [`↻ ${progress.retriedTickets} retried`, palette.yellow],
    [`⇢ ${progress.fallbackTickets} fallback`, palette.cyan],
    [`${progress.inFlight} in flight`, same],
    [`${perSecond.toFixed(1)}/s`, same],
    [`ETA ${etaMillis === undefined ? "–" : formatDuration(etaMillis)}`, same],
    [formatDuration(progress.elapsedMillis), palette.dim]
  ]
  // the bar's width depends on the terminal's only, so that it does not jump as the counts grow;
  // the counts that do not fit beside it are left out, from the end
  const barWidth = Math.max(10, Math.min(30, Math.floor(width / 4)))
  let shown = counts.length
  const textWidth = (count: number) => counts.slice(0, count).reduce((sum, [text]) => sum + text.length + 2, 0)
  while (shown > 1 && barWidth + textWidth(shown) > width) shown--
  const filled = progress.total === 0 ? barWidth : Math.round((finished / progress.total) * barWidth)
  const bar = palette.green("█".repeat(filled)) + palette.dim("░".repeat(barWidth - filled))
  const first = `${bar}  ${counts.slice(0, shown).map(([text, style]) => style(text)).join("  ")}`
  const current = progress.current
  if (current === undefined) return [first, palette.dim(truncate("  waiting for the first tokens…", width - 1))]
  const label = `  ${current.ticketId} ${current.model} ▸ `
  const text = current.text === "" && current.error !== undefined
    ? `✗ ${describeError(current.error)}, retrying…`
    : current.text.replace(/\s+/g, " ")
  return [first, palette.dim(truncate(label, width - 1)) + tail(text, width - 1 - label.length)]
}

// -----------------------------------------------------------------------------
// failures
// -----------------------------------------------------------------------------

/**
 * Why a ticket failed, in a few words.
 *
 * @since 0.1.0
 * @category failures
 */
export const describeError = (error: unknown): string => {
  if (typeof error !== "object" || error === null || !("_tag" in error)) return String(error)
  const failure = error as { readonly _tag: string; readonly message?: string } & Record<string, any>
  switch (failure._tag) {
    case "TimeoutError":
      return `timed out after ${formatDuration(failure.durationMillis)}`
    case "HttpResponseError": {
      const status: number = failure.response?.status
      if (status === 429) return "rate limited (HTTP 429)"
      if (status === 503) return "model unavailable (HTTP 503)"
      const description: string | undefined = failure.description
      return description === undefined ? `HTTP ${status}` : `HTTP ${status}: ${description}`
    }
    case "HttpRequestError": {
      const first = (failure.message ?? String(failure.reason)).split("\n")[0]!.replace(/^Transport: /, "")
      return `could not reach the model server (${first})`
    }
    case "ParseFailure":
      return "the answer was not the JSON asked for"
    case "SchemaError":
      return "the answer did not fit the Triage schema"
    default:
      return `${failure._tag}${failure.message === undefined || failure.message === "" ? "" : `: ${failure.message}`}`
  }
}

/**
 * The line printed when a ticket fails.
 *
 * @since 0.1.0
 * @category failures
 */
export const failureLine = (failure: Failure, palette: Palette): string => {
  // a rate limit that fails a ticket is one that the retries could not get past
  const spent = (failure.error as { readonly response?: { readonly status?: unknown } }).response?.status === 429
  return `${palette.red("✗")} ${failure.ticketId} failed: ${describeError(failure.error)}${spent ? ", retries spent" : ""}`
}

// -----------------------------------------------------------------------------
// summary
// -----------------------------------------------------------------------------

const row = (cells: ReadonlyArray<string | number>, widths: ReadonlyArray<number>) =>
  cells.map((cell, index) => index === 0 ? String(cell).padEnd(widths[0]!) : String(cell).padStart(widths[index]!))
    .join("  ")

/**
 * The summary at the end of a run: tickets per category and urgency, then the run's numbers
 * (answered, failed, retries, fallbacks, latency, total vs sequential time, tokens, rate-limit
 * waits) and the failed tickets.
 *
 * @since 0.1.0
 * @category summary
 */
export const summaryTable = (summary: Summary, palette: Palette): string => {
  const lines: Array<string> = []
  const finished = summary.succeeded + summary.failed
  lines.push(palette.bold(
    summary.interrupted
      ? `Interrupted after ${formatDuration(summary.elapsedMillis)}: ${finished} of ${count(summary.total, "ticket")} finished, ` +
        `${summary.cancelled} cancelled in flight, ${summary.notStarted} not started.`
      : `Done: ${count(summary.total, "ticket")} in ${formatDuration(summary.elapsedMillis)}.`
  ))
  lines.push("")
  const widths = [16, 8, 5, 6, 4, 5]
  lines.push("  " + palette.bold(row(["category", ...urgencies, "total"], widths)))
  for (const { byUrgency, category, total } of summary.byCategory) {
    lines.push("  " + row([category, ...urgencies.map((urgency) => byUrgency[urgency]), total], widths))
  }
  const totals = urgencies.map((urgency) =>
    summary.byCategory.reduce((sum, category) => sum + category.byUrgency[urgency], 0)
  )
  lines.push("  " + palette.dim("─".repeat(widths.reduce((sum, width) => sum + width + 2, -2))))
  lines.push("  " + row(["total", ...totals, summary.succeeded], widths))
  lines.push("")
  const stat = (name: string, value: string) => lines.push(`  ${name.padEnd(14)}${value}`)
  stat(
    "answered",
    `${summary.succeeded} of ${summary.total}` +
      (summary.answeredByFallback > 0 ? ` (${summary.answeredByFallback} by the fallback model)` : "")
  )
  stat("failed", `${summary.failed}`)
  if (summary.interrupted) stat("cancelled", `${summary.cancelled} in flight, ${summary.notStarted} not started`)
  stat(
    "retries",
    `${count(summary.retries, "model call")} retried after a rate limit, on ${count(summary.retriedTickets, "ticket")}`
  )
  stat("fallbacks", `${count(summary.fallbackTickets, "ticket")} handed to the fallback model`)
  stat(
    "latency",
    summary.latency === undefined
      ? "–"
      : `p50 ${formatDuration(summary.latency.p50)} · p95 ${formatDuration(summary.latency.p95)} · max ${
        formatDuration(summary.latency.max)
      }`
  )
  const speedup = summary.elapsedMillis > 0 ? summary.sequentialMillis / summary.elapsedMillis : 0
  stat(
    "time",
    `${formatDuration(summary.elapsedMillis)} in all, ${formatDuration(summary.sequentialMillis)} one at a time` +
      ` (${speedup.toFixed(1)}× faster, ${summary.concurrency} at a time)`
  )
  const tokensPerSecond = summary.elapsedMillis > 0 ? summary.tokens / (summary.elapsedMillis / 1_000) : 0
  stat("tokens", `${thousands(summary.tokens)} streamed (${Math.round(tokensPerSecond)}/s)`)
  stat(
    "rate limiter",
    `waited ${formatDuration(summary.rateLimitWait.totalMillis)} in all, at most ${formatDuration(summary.rateLimitWait.maxMillis)}`
  )
  if (summary.failures.length > 0) {
    lines.push("")
    lines.push(`  ${palette.bold("failed tickets")}`)
    for (const failure of summary.failures) lines.push(`    ${failureLine(failure, palette)}`)
  }
  return lines.join("\n")
}

import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { languageOf, sentimentOf } from "../src/enrichment.js"
import { triageOf, troubleOf } from "../src/fakeTriage.js"
import { customers, tickets } from "../src/tickets.js"
import { readJsonLines, runCli, stripAnsi, tempFile } from "./support/harness.js"

/** What the fake models should make of the first `items` tickets at `failRate`: worked out apart from the run. */
const expected = (items: number, failRate: number) => {
  const tiers = new Map(customers.map((customer) => [customer.name, customer.tier]))
  const chosen = tickets.slice(0, items)
  const troubles = chosen.map((ticket) => troubleOf(ticket.id, failRate))
  const count = (tag: string) => troubles.filter((trouble) => trouble._tag === tag).length
  const categories = new Map<string, number>()
  chosen.forEach((ticket, index) => {
    if (troubles[index]!._tag === "outage") return
    const { category } = triageOf({
      ...ticket,
      tier: tiers.get(ticket.customer) ?? "unknown",
      language: languageOf(ticket),
      sentiment: sentimentOf(ticket)
    })
    categories.set(category, (categories.get(category) ?? 0) + 1)
  })
  const rateLimited = troubles.flatMap((trouble) => trouble._tag === "rateLimited" ? [trouble.times] : [])
  return {
    failed: count("outage"),
    answered: items - count("outage"),
    answeredByFallback: count("unavailable") + count("malformed"),
    fallbacks: count("unavailable") + count("malformed") + count("outage"),
    // 3 retries (the default) of the fallback model for each outage
    retries: rateLimited.reduce((sum, times) => sum + times, 0) + 3 * count("outage"),
    retriedTickets: rateLimited.length + count("outage"),
    categories
  }
}

const numberAfter = (text: string, label: string): number => {
  const match = new RegExp(`${label}\\s+(\\d+)`).exec(text)
  if (match === null) throw new Error(`no "${label}" in:\n${text}`)
  return Number(match[1])
}

describe("pnpm start, in-process", () => {
  it.scoped("triages the tickets on the fake models and prints a summary whose numbers add up", () =>
    Effect.gen(function*() {
      const trace = yield* tempFile("trace.jsonl")
      const items = 40
      const run = yield* runCli(["--items", String(items), "--trace", trace], { step: 20 })
      const want = expected(items, 0.15)
      // the data set has trouble of each kind among the first 40 tickets
      expect(want.failed).toBeGreaterThan(0)
      expect(want.answeredByFallback).toBeGreaterThan(0)
      expect(want.retriedTickets).toBeGreaterThan(want.failed)

      expect(run.code).toBe(0)
      expect(run.stderr).toBe("")
      const out = run.stdout
      expect(out).toContain(`fxchain demo · ${items} support tickets · 8 at a time · embedded fake models`)
      // not a terminal: plain periodic lines, no escape sequences
      expect(out).not.toContain("\x1b[")
      expect(out).toMatch(/\[ +2\.0 s\] +\d+\/40 done \(\d+ ok, \d+ failed\) · \d+ retried · \d+ to fallback · \d+ in flight · [\d.]+ tickets\/s · ETA /)
      expect(out).toContain(`Done: ${items} tickets in `)
      expect(out).toContain(`answered      ${want.answered} of ${items} (${want.answeredByFallback} by the fallback model)`)
      expect(numberAfter(out, "  failed")).toBe(want.failed)
      expect(out).toContain(`retries       ${want.retries} model calls retried after a rate limit, on ${want.retriedTickets} tickets`)
      expect(out).toContain(`fallbacks     ${want.fallbacks} tickets handed to the fallback model`)
      for (const [category, total] of want.categories) {
        expect(out).toMatch(new RegExp(`\\n  ${category} +\\d+ +\\d+ +\\d+ +\\d+ +${total}\\n`))
      }
      expect(out).toMatch(/latency       p50 [\d.]+ (ms|s) · p95 [\d.]+ (ms|s) · max [\d.]+ (ms|s)/)
      // bounded concurrency pays: the whole batch takes a fraction of the latencies added up
      const time = /time +[\d.]+ s in all, .+ one at a time \(([\d.]+)× faster, 8 at a time\)/.exec(out)
      expect(time).not.toBeNull()
      expect(Number(time![1])).toBeGreaterThan(4)
      expect(out).toMatch(/✗ TCK-\d+ failed: rate limited \(HTTP 429\), retries spent/)
      expect(out).toContain(`events in ${trace} (one JSON object per line)`)

      // the trace: every event, one JSON object per line
      const events = readJsonLines(trace)
      expect(out).toContain(`Trace: ${events.length} events in`)
      const root = events.filter((event) => event.parentIds.length === 0)
      expect(root.map((event) => event._tag)).toEqual(["Started", "Streamed", "Ended"])
      expect(events.at(-1)).toMatchObject({ _tag: "Ended", name: "triageBatch", output: { finished: items } })
      const ticketEvents = events.filter((event) => event.parentIds.length === 1 && event.name === "ticket")
      const started = ticketEvents.filter((event) => event._tag === "Started")
      expect(started.map((event) => event.input.id).sort()).toEqual(tickets.slice(0, items).map((ticket) => ticket.id))
      expect(ticketEvents.filter((event) => event._tag === "Ended")).toHaveLength(want.answered)
      expect(ticketEvents.filter((event) => event._tag === "Failed")).toHaveLength(want.failed)
      // every run that started ended or failed
      const open = new Set(events.filter((event) => event._tag === "Started").map((event) => event.runId))
      for (const event of events) if (event._tag === "Ended" || event._tag === "Failed") open.delete(event.runId)
      expect(open.size).toBe(0)
      // tokens arrive as `Streamed` events of the model runs; failures are plain data with a message
      expect(events.some((event) => event._tag === "Streamed" && event.kind === "model" && event.chunk.text !== "")).toBe(true)
      const rateLimit = events.find((event) => event._tag === "Failed" && event.error?.response?.status === 429)
      expect(rateLimit).toMatchObject({ kind: "model", interrupted: false, error: { _tag: "HttpResponseError" } })
      expect(typeof rateLimit!.cause).toBe("string")
      // the retry after a rate limit waited as long as the retry-after header said (1 s)
      const retried = events.find((event) => event._tag === "Started" && event.tags.includes("retry:attempt:2"))!
      const firstAttempt = events.find((event) =>
        event._tag === "Failed" && event.tags.includes("retry:attempt:1") && event.parentIds.at(-1) === retried.parentIds.at(-1)
      )!
      expect(retried.timestamp - firstAttempt.timestamp).toBeGreaterThanOrEqual(1_000)
    }))

  it.scoped("draws a live progress bar and the current ticket's tokens on a terminal", () =>
    Effect.gen(function*() {
      const run = yield* runCli(["--items", "12", "--concurrency", "4"], { tty: true, columns: 72, step: 20 })
      expect(run.code).toBe(0)
      const out = run.stdout
      expect(out).toContain("\x1b[?25l") // the cursor hidden while drawing
      expect(out.endsWith("\x1b[?25h")).toBe(true) // and shown again
      expect(out).toContain("█")
      const text = stripAnsi(out)
      expect(text).toMatch(/█+░* +\d+\/12 +✓ \d+ +✗ \d+ +↻ \d+ retried/)
      expect(text).toMatch(/TCK-\d+ (primaryModel|fallbackModel) ▸ \{"category": "/)
      expect(text).toContain("primaryModel ▸ ✗ rate limited (HTTP 429), retrying…")
      // every frame fits the terminal, so that redrawing in place never wraps
      const frames = out.split(/\r\x1b\[\d*A?\x1b\[J|\r\x1b\[J/)
      expect(frames.length).toBeGreaterThan(10)
      for (const frame of frames.slice(1, -1)) {
        for (const line of stripAnsi(frame).split("\n")) expect(line.length).toBeLessThan(72)
      }
      expect(text).toContain("Done: 12 tickets in ")
    }))

  it.scoped("a ticket past its deadline fails with TimeoutError, its model call interrupted", () =>
    Effect.gen(function*() {
      const trace = yield* tempFile("timeout.jsonl")
      // the fake primary model needs about 0.8 s per ticket
      const run = yield* runCli(["--items", "8", "--timeout", "0.5", "--trace", trace], { step: 10 })
      expect(run.code).toBe(0)
      expect(run.stdout).toContain("answered      0 of 8")
      expect(run.stdout).toContain("✗ TCK-1001 failed: timed out after 500 ms")
      const events = readJsonLines(trace)
      const failed = events.filter((event) => event._tag === "Failed" && event.parentIds.length === 1)
      expect(failed).toHaveLength(8)
      for (const event of failed) {
        expect(event.error).toMatchObject({ _tag: "TimeoutError", runnable: "ticket", deadline: "total", durationMillis: 500 })
        // timed out at the deadline, not later
        const started = events.find((other) => other._tag === "Started" && other.runId === event.runId)!
        expect(event.timestamp - started.timestamp).toBeLessThanOrEqual(520)
      }
      // the work was interrupted, not abandoned: no model call finished, every run that started was closed
      const models = events.filter((event) => event.kind === "model" && event._tag !== "Streamed")
      expect(models.filter((event) => event._tag === "Ended")).toHaveLength(0)
      expect(models.filter((event) => event._tag === "Failed" && event.interrupted).length).toBeGreaterThan(0)
      const open = new Set(events.filter((event) => event._tag === "Started").map((event) => event.runId))
      for (const event of events) if (event._tag === "Ended" || event._tag === "Failed") open.delete(event.runId)
      expect(open.size).toBe(0)
    }))

  it.scoped("--stream streams one ticket's tokens, then its verdict", () =>
    Effect.gen(function*() {
      const trace = yield* tempFile("stream.jsonl")
      const run = yield* runCli(["--stream", "--fail-rate", "1", "--trace", trace], { step: 10 })
      expect(run.code).toBe(0)
      const out = run.stdout
      // at fail rate 1 every ticket is in trouble: the first one's primary model is out, the fallback answers
      expect(troubleOf(tickets[0]!.id, 1)._tag).toBe("unavailable")
      expect(out).toContain(`streaming ticket ${tickets[0]!.id}`)
      expect(out).toContain("primaryModel ▸  ✗ model unavailable (HTTP 503)")
      expect(out).toMatch(/fallbackModel ▸ \{"category": "billing", "urgency": "high", "summary": ".*"\}/)
      expect(out).toContain("✓ billing · urgency high · answered by the fallback model")
      const events = readJsonLines(trace)
      const tokens = events.filter((event) => event._tag === "Streamed" && event.kind === "model" && event.chunk.text !== "")
      expect(out).toContain(`${tokens.length} tokens; first after `)
      expect(events.at(-1)).toMatchObject({ _tag: "Ended", name: "ticket", parentIds: [] })
    }))
})

import { describe, expect, it } from "@effect/vitest"
import { FakeModel } from "@fxchain/adapters"
import { Runnable } from "@fxchain/core"
import { Effect } from "effect"
import { sentimentOf, languageOf } from "../src/enrichment.js"
import { readPrompt, troubleOf } from "../src/fakeTriage.js"
import { formatDuration, plain, progressLine, progressLines, summaryTable, visibleLength } from "../src/report.js"
import { percentile, type Progress, type Summary } from "../src/tally.js"
import { tickets } from "../src/tickets.js"
import { prompt } from "../src/triage.js"

const progress: Progress = {
  total: 200,
  succeeded: 47,
  failed: 1,
  cancelled: 0,
  inFlight: 8,
  retries: 7,
  retriedTickets: 6,
  fallbackTickets: 3,
  tokens: 1_000,
  elapsedMillis: 6_000,
  current: { ticketId: "TCK-1049", model: "primaryModel", text: "{\"category\": \"security\", \"urgency\": \"critical\"" }
}

describe("report", () => {
  it("formats durations for people", () => {
    expect(formatDuration(850)).toBe("850 ms")
    expect(formatDuration(12_449)).toBe("12.4 s")
    expect(formatDuration(185_000)).toBe("3 min 05 s")
    expect(formatDuration(NaN)).toBe("–")
  })

  it("percentiles by nearest rank", () => {
    const sorted = Array.from({ length: 20 }, (_, index) => (index + 1) * 100)
    expect(percentile(sorted, 0.5)).toBe(1_000)
    expect(percentile(sorted, 0.95)).toBe(1_900)
    expect(percentile([42], 0.95)).toBe(42)
    expect(percentile([], 0.5)).toBeNaN()
  })

  it("a plain progress line: counts, pace, ETA", () => {
    expect(progressLine(progress)).toBe(
      "[   6.0 s]  48/200 done (47 ok, 1 failed) · 6 retried · 3 to fallback · 8 in flight · 8.0 tickets/s · ETA 19.0 s"
    )
  })

  it("live lines fit the terminal, whatever its width, and end with the newest tokens", () => {
    for (const width of [40, 60, 80, 120, 200]) {
      const lines = progressLines(progress, width, plain)
      expect(lines).toHaveLength(2)
      for (const line of lines) expect(visibleLength(line)).toBeLessThan(width)
      expect(lines[0]).toMatch(/^█+░+ +48\/200/)
      expect(lines[1]).toMatch(/^ {2}TCK-1049 primaryModel ▸ .*critical"$/)
      if (width >= 80) expect(lines[1]).toContain("\"urgency\": \"critical\"")
    }
    const waiting = progressLines({ ...progress, current: { ticketId: "TCK-1002", model: "primaryModel", text: "", error: FakeModel.rateLimitError() } }, 100, plain)
    expect(waiting[1]).toBe("  TCK-1002 primaryModel ▸ ✗ rate limited (HTTP 429), retrying…")
  })

  it("a summary table with the categories and the run's numbers", () => {
    const summary: Summary = {
      ...progress,
      concurrency: 8,
      notStarted: 0,
      answeredByFallback: 2,
      byCategory: [
        { category: "billing", byUrgency: { critical: 1, high: 10, medium: 20, low: 0 }, total: 31 },
        { category: "question", byUrgency: { critical: 0, high: 0, medium: 1, low: 15 }, total: 16 }
      ],
      latency: { p50: 820, p95: 1_900, max: 3_200 },
      sequentialMillis: 45_000,
      rateLimitWait: { totalMillis: 1_300, maxMillis: 174 },
      failures: [{ ticketId: "TCK-1006", error: FakeModel.rateLimitError() }],
      interrupted: false
    }
    expect(summaryTable(summary, plain)).toBe(
      [
        "Done: 200 tickets in 6.0 s.",
        "",
        "  category          critical   high  medium   low  total",
        "  billing                  1     10      20     0     31",
        "  question                 0      0       1    15     16",
        "  ──────────────────────────────────────────────────────",
        "  total                    1     10      21    15     47",
        "",
        "  answered      47 of 200 (2 by the fallback model)",
        "  failed        1",
        "  retries       7 model calls retried after a rate limit, on 6 tickets",
        "  fallbacks     3 tickets handed to the fallback model",
        "  latency       p50 820 ms · p95 1.9 s · max 3.2 s",
        "  time          6.0 s in all, 45.0 s one at a time (7.5× faster, 8 at a time)",
        "  tokens        1,000 streamed (167/s)",
        "  rate limiter  waited 1.3 s in all, at most 174 ms",
        "",
        "  failed tickets",
        "    ✗ TCK-1006 failed: rate limited (HTTP 429), retries spent"
      ].join("\n")
    )
  })
})

describe("the fake models", () => {
  it.effect("read back every ticket from the prompt the template makes", () =>
    Effect.forEach(tickets, (ticket) =>
      Effect.gen(function*() {
        const enriched = { ...ticket, tier: "pro" as const, language: languageOf(ticket), sentiment: sentimentOf(ticket) }
        const made = yield* Runnable.invoke(prompt, enriched)
        expect(readPrompt(FakeModel.lastUserText(made))).toEqual({
          id: ticket.id,
          channel: ticket.channel,
          customer: ticket.customer,
          tier: "pro",
          language: enriched.language,
          sentiment: enriched.sentiment,
          subject: ticket.subject,
          body: ticket.body
        })
      }), { discard: true }))

  it("pick the same tickets for trouble on every run, more of them at a higher rate", () => {
    const troubled = (rate: number) => tickets.filter((ticket) => troubleOf(ticket.id, rate)._tag !== "none").map((ticket) => ticket.id)
    expect(troubled(0)).toEqual([])
    expect(troubled(1)).toHaveLength(tickets.length)
    const some = troubled(0.15)
    expect(some.length).toBeGreaterThan(20)
    expect(some.length).toBeLessThan(40)
    expect(troubled(0.3)).toEqual(expect.arrayContaining(some))
    expect(troubled(0.15)).toEqual(some)
  })
})

import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { readJsonLines, runCli, tempFile } from "./support/harness.js"

describe("Ctrl-C", () => {
  it.scoped("cancels the tickets in flight, prints the summary of what finished, completes the trace, exits 130", () =>
    Effect.gen(function*() {
      const trace = yield* tempFile("interrupted.jsonl")
      // interrupt the program's fiber (as SIGINT does through NodeRuntime.runMain) once the second
      // progress line is out, at 4 s
      const run = yield* runCli(["--trace", trace], { step: 20, interruptWhen: (out) => out.includes("[   4.0 s]") })
      expect(run.code).toBe(130)

      const events = readJsonLines(trace) // every line complete and valid
      const tickets = events.filter((event) => event.parentIds.length === 1 && event.name === "ticket")
      const started = tickets.filter((event) => event._tag === "Started")
      const answered = tickets.filter((event) => event._tag === "Ended")
      const failed = tickets.filter((event) => event._tag === "Failed" && !event.interrupted)
      const cancelled = tickets.filter((event) => event._tag === "Failed" && event.interrupted)
      expect(answered.length).toBeGreaterThan(10)
      expect(answered.length).toBeLessThan(200)
      // the tickets in flight were cancelled (8 at a time), and no other started
      expect(cancelled).toHaveLength(8)
      expect(started).toHaveLength(answered.length + failed.length + cancelled.length)
      // every run that started ended, failed or was interrupted: nothing left running
      const open = new Set(events.filter((event) => event._tag === "Started").map((event) => event.runId))
      for (const event of events) if (event._tag !== "Started" && event._tag !== "Streamed") open.delete(event.runId)
      expect(open.size).toBe(0)
      // the batch itself ended (stopped) and its event is the file's last line
      expect(events.at(-1)).toMatchObject({
        _tag: "Ended",
        name: "triageBatch",
        output: { finished: answered.length + failed.length }
      })

      const out = run.stdout
      const finished = answered.length + failed.length
      expect(out).toContain(
        `Interrupted after 4.0 s: ${finished} of 200 tickets finished, 8 cancelled in flight, ${200 - started.length} not started.`
      )
      expect(out).toContain(`answered      ${answered.length} of 200`)
      expect(out).toContain(`cancelled     8 in flight, ${200 - started.length} not started`)
      expect(out).toContain(`Trace: ${events.length} events in ${trace}`)
      expect(out).not.toContain("Done:")
    }))
})

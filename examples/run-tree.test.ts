import { describe, expect, it } from "@effect/vitest"
import { Effect, Fiber, TestClock } from "effect"
import { main } from "./run-tree.js"

describe("examples/run-tree", () => {
  it.effect("prints the live run tree of a bounded batch and its summary", () =>
    Effect.gen(function*() {
      const lines: Array<string> = []
      const fiber = yield* Effect.fork(main({ concurrency: 2, print: (line) => Effect.sync(() => lines.push(line)) }))
      yield* TestClock.adjust("10 seconds")
      const summary = yield* Fiber.join(fiber)
      expect(summary).toEqual({ tickets: 6, succeeded: 5, failed: 1, peakInFlight: 2 })
      expect(lines[0]).toBe("Triaging 6 tickets, at most 2 at once:")
      expect(lines[1]).toMatch(/^\s+0 ms {4}▶ triageAll$/)
      expect(lines).toContainEqual(expect.stringMatching(/^\s+\d+ ms #1 {5}▶ classify$/))
      expect(lines).toContainEqual(expect.stringMatching(/#4 {5}✗ classify \(\{"_tag":"EmptyTicket","id":4\}\)/))
      expect(lines).toContainEqual(expect.stringMatching(/#4 {3}✗ triage/))
      expect(lines).toContainEqual(expect.stringMatching(/✓ draft → Reply following the billing playbook/))
      expect(lines.at(-1)).toBe("Done: 5 answered, 1 failed, at most 2 in flight.")
    }))
})

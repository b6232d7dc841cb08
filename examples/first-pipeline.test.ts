import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { main } from "./first-pipeline.js"

describe("examples/first-pipeline (README)", () => {
  it.live("batches with bounded concurrency and reports nested runs", () =>
    Effect.gen(function*() {
      const { all, names } = yield* main
      expect(all).toEqual(["PENDING", "SHIPPED", "PENDING"])
      expect(names).toEqual([
        "Started orderStatus",
        "Started lookup",
        "Ended lookup",
        "Started shout",
        "Ended shout",
        "Streamed orderStatus",
        "Ended orderStatus"
      ])
    }))

})

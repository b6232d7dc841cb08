/**
 * The heap stays flat under sustained load: 1,000,000 invokes of a three-step sequence and 10,000
 * batches of 50 items leave the heap, after a full garbage collection, within 5% of what it was
 * after warming up. Soak only (`pnpm test:soak`, which runs Node with `--expose-gc`): it takes
 * a minute and needs `gc()`.
 */
import { describe, expect, it } from "@effect/vitest"
import * as Fx from "@fxchain/combinators"
import { Runnable } from "@fxchain/core"
import { Effect } from "effect"
import * as OutputParser from "../../src/OutputParser.js"
import { record, timed } from "./support/harness.js"

const gc = (globalThis as { readonly gc?: () => void }).gc

/** Heap used after two full collections (the second frees what the first's finalizers released), in bytes. */
const heapAfterGc = (): number => {
  gc!()
  gc!()
  return process.memoryUsage().heapUsed
}

const megabytes = (bytes: number) => Math.round(bytes / 1024 / 102.4) / 10

/**
 * Runs `rounds` rounds of `round`, the first tenth as warm-up, and measures the heap after the
 * warm-up and at the end.
 */
const heapOver = <E>(name: string, rounds: number, round: (index: number) => Effect.Effect<unknown, E>) =>
  Effect.gen(function*() {
    const warmUp = rounds / 10
    for (let index = 0; index < warmUp; index++) yield* round(index)
    const before = heapAfterGc()
    const [, millis] = yield* timed(Effect.gen(function*() {
      for (let index = warmUp; index < rounds; index++) yield* round(index)
    }))
    const after = heapAfterGc()
    const change = (after - before) / before
    record({
      suite: "soak",
      name,
      operations: rounds,
      heapAfterWarmUpMb: megabytes(before),
      heapAtEndMb: megabytes(after),
      changePercent: Math.round(change * 1000) / 10,
      millis
    })
    return change
  })

describe("soak: the heap stays flat", () => {
  it("runs with gc() exposed", () => {
    expect(gc).toBeTypeOf("function")
  })

  const chain = Fx.sequence(
    Runnable.sync((text: string) => text.trim(), { name: "trim" }),
    Runnable.fromEffect((text: string) => Effect.succeed({ text: `${text}!` }), { name: "exclaim" }),
    OutputParser.string
  )

  it.live("1,000,000 invokes of a three-step sequence", () =>
    Effect.gen(function*() {
      const change = yield* heapOver("invoke a 3-step sequence", 1_000_000, (index) => Runnable.invoke(chain, ` call ${index} `))
      expect(Math.abs(change)).toBeLessThan(0.05)
    }), 600_000)

  it.live("10,000 batches of 50 items, 8 at once", () =>
    Effect.gen(function*() {
      const inputs = Array.from({ length: 50 }, (_, index) => ` item ${index} `)
      const change = yield* heapOver("batch of 50 items (8 at once)", 10_000, () => Runnable.batch(chain, inputs, { concurrency: 8 }))
      expect(Math.abs(change)).toBeLessThan(0.05)
    }), 600_000)
})

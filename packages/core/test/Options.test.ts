import { describe, expect, it } from "@effect/vitest"
import { Duration, Effect, Layer } from "effect"
import { Errors, Options, RunConfig, Runnable } from "../src/index.js"

const thrown = (f: () => unknown): unknown => {
  try {
    f()
  } catch (error) {
    return error
  }
  return undefined
}

describe("Options", () => {
  it("integer: finite integers in range only", () => {
    expect(Options.integer("r", "n", 3, { min: 1 })).toBe(3)
    for (const value of [0, -1, 2.5, Number.NaN, Infinity, "4", undefined, null]) {
      const error = thrown(() => Options.integer("r", "n", value, { min: 1 }))
      expect(error).toBeInstanceOf(Errors.InvalidOptionError)
      expect(error).toMatchObject({ runnable: "r", option: "n", expected: "an integer >= 1" })
      expect(Object.is((error as Errors.InvalidOptionError).value, value)).toBe(true)
    }
    expect(thrown(() => Options.integer("r", "n", 11, { min: 1, max: 10 }))).toMatchObject({ expected: "an integer from 1 to 10" })
  })

  it("duration: any DurationInput of 0 or more, infinity included; negative, NaN and unreadable ones throw", () => {
    expect(Duration.toMillis(Options.duration("r", "d", "5 seconds"))).toBe(5000)
    expect(Duration.toMillis(Options.duration("r", "d", 0))).toBe(0)
    expect(Duration.toMillis(Options.duration("r", "d", Duration.millis(7)))).toBe(7)
    expect(Duration.isFinite(Options.duration("r", "d", Duration.infinity))).toBe(false)
    for (const value of ["-5 seconds", -1, Number.NaN, "soon", [-1, 0], [1, Number.NaN], {}, "  -1 millis"]) {
      expect(thrown(() => Options.duration("r", "d", value))).toBeInstanceOf(Errors.InvalidOptionError)
    }
  })

  it("withConfig, RunConfig.layer and RunConfig.withPatch throw on a bad patch where they are called", () => {
    const step = Runnable.sync((n: number) => n, { name: "step" })
    for (const maxDepth of [Number.NaN, Infinity, 2.5, 0, "4"]) {
      expect(thrown(() => Runnable.withConfig(step, { maxDepth: maxDepth as number }))).toMatchObject({
        _tag: "InvalidOptionError",
        runnable: "step",
        option: "maxDepth"
      })
    }
    expect(thrown(() => Runnable.withConfig(step, { concurrency: 0 }))).toMatchObject({ option: "concurrency" })
    expect(thrown(() => Runnable.withConfig(step, { tags: [1 as unknown as string] }))).toMatchObject({ option: "tags" })
    expect(thrown(() => Runnable.withConfig(step, { runName: "" }))).toMatchObject({ option: "runName" })
    expect(thrown(() => RunConfig.layer({ concurrency: 1.5 }))).toMatchObject({ runnable: "RunConfig.layer", option: "concurrency" })
    expect(thrown(() => RunConfig.withPatch({ maxDepth: -1 }))).toMatchObject({ runnable: "RunConfig.withPatch", option: "maxDepth" })
    expect(Layer.isLayer(RunConfig.layer({ concurrency: 4 }))).toBe(true)
  })

  it.effect("a maxDepth of NaN can no longer switch the recursion guard off", () =>
    Effect.gen(function*() {
      const forever: Runnable.Runnable<number, number> = Runnable.fromEffect((n: number) => Runnable.invoke(forever, n + 1))
      expect(thrown(() => Runnable.withConfig(forever, { maxDepth: Number.NaN }))).toBeInstanceOf(Errors.InvalidOptionError)
    }))
})

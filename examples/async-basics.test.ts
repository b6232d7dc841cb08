import { describe, expect, it, vi } from "@effect/vitest"
import { Runnable } from "@fxchain/core"
import { Cause, Effect, Either, Runtime } from "effect"
import * as basics from "./async-basics.js"

describe("examples/async-basics (docs/async-basics.md)", () => {
  it.effect("a runnable's invoke is an Effect, yielded inside Effect code", () =>
    Effect.gen(function*() {
      expect(yield* basics.inParis).toBe(18)
      expect(yield* basics.warmest).toBe("Lima")
      expect(yield* Effect.flip(Runnable.invoke(basics.temperature, "Oslo"))).toEqual(new basics.UnknownCity({ city: "Oslo" }))
    }))

  it("Effect.runPromise runs it at the edge; a failure rejects with a FiberFailure, Effect.either keeps it a value", async () => {
    expect(await Effect.runPromise(basics.warmest)).toBe("Lima")
    const log = vi.spyOn(console, "log").mockImplementation(() => {})
    await basics.printWarmest()
    expect(log).toHaveBeenCalledWith("warmest: Lima")
    log.mockRestore()
    expect(await basics.lookUp("Paris")).toEqual(Either.right(18))
    expect(await basics.lookUp("Oslo")).toEqual(Either.left(new basics.UnknownCity({ city: "Oslo" })))

    const rejection = await Effect.runPromise(Runnable.invoke(basics.temperature, "Oslo")).catch((error: unknown) => error)
    expect(rejection).not.toBeInstanceOf(basics.UnknownCity)
    expect(Runtime.isFiberFailure(rejection)).toBe(true)
    if (Runtime.isFiberFailure(rejection)) {
      expect(Cause.squash(rejection[Runtime.FiberFailureCauseId])).toEqual(new basics.UnknownCity({ city: "Oslo" }))
    }
  })

  it("a ManagedRuntime provides the services a runnable needs", async () => {
    expect(await basics.limaInFahrenheit()).toBe("77 °F")
  })

  it("the Promise facade: batch with returnExceptions, invoke rejecting with the error value itself", async () => {
    expect(await basics.report(["Paris", "Oslo"], AbortSignal.timeout(1_000))).toEqual(["18 °C", "Oslo: no data"])
    expect(await basics.forecastApi.invoke("Lima")).toBe("25 °C")
    expect(await basics.describeWeather("Paris")).toBe("18 °C")
    expect(await basics.describeWeather("Oslo")).toBe("no data for Oslo")
    const rejection = await basics.forecastApi.invoke("Oslo").catch((error: unknown) => error)
    expect(rejection).toBeInstanceOf(basics.UnknownCity)
    expect(rejection).toMatchObject({ _tag: "UnknownCity", city: "Oslo" })
    await basics.forecastApi.dispose()
  })

  it("aborting the signal interrupts the run; the Promise rejects with signal.reason after the finalizers ran", async () => {
    const started = Date.now()
    const rejection = await basics.slowApi.invoke("Paris", { signal: AbortSignal.timeout(50) }).catch((error: unknown) => error)
    const elapsed = Date.now() - started
    expect(rejection).toBeInstanceOf(DOMException)
    expect((rejection as DOMException).name).toBe("TimeoutError")
    expect(basics.interrupted).toEqual(["Paris"])
    expect(elapsed).toBeGreaterThanOrEqual(45)
    expect(elapsed).toBeLessThan(2_000)
    await basics.slowApi.dispose()
  })
})

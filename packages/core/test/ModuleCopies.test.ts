/**
 * Two copies of @fxchain/core in one process (two bundles, a test runner resetting its modules)
 * share the fibers' current-run FiberRef, a global value. Each copy must leave the shared initial
 * holder alone: a root run interrupted in one copy must not leave its depth to the runs of either.
 * (Found by the soak suite, which ran every file in one process.)
 */
import { expect, it, vi } from "@effect/vitest"
import { Effect, Exit, Fiber } from "effect"

it("root runs interrupted in a second copy of the module leave no depth to later runs", async () => {
  const first = await import("../src/index.js")
  await Effect.runPromise(first.Runnable.invoke(first.Runnable.sync((n: number) => n), 1))
  vi.resetModules()
  const second = await import("../src/index.js")
  expect(second.Runnable).not.toBe(first.Runnable)
  const slow = second.Runnable.fromEffect((_: number) => Effect.never, { name: "slow" })
  for (let index = 0; index < 101; index++) {
    const fiber = Effect.runFork(second.Runnable.invoke(slow, index))
    await Effect.runPromise(Effect.yieldNow())
    await Effect.runPromise(Fiber.interrupt(fiber))
  }
  const fresh = (copy: typeof first) => copy.Runnable.fromEffect((n: number) => Effect.succeed(n + 1), { name: "fresh" })
  expect(await Effect.runPromiseExit(first.Runnable.invoke(fresh(first), 1))).toEqual(Exit.succeed(2))
  expect(await Effect.runPromiseExit(second.Runnable.invoke(fresh(second), 1))).toEqual(Exit.succeed(2))
})

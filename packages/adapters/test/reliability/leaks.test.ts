/**
 * Interrupting or aborting work in flight leaves nothing behind: each workload is interrupted
 * mid-flight `repetitions` times (50 in CI, 1,000 in the soak run), then the check finds 0 live
 * fibers (a Supervisor), no timer or socket above the count before it started
 * (`process.getActiveResourcesInfo()`), 0 abort listeners on the signals it gave, every run it
 * started ended (their finalizers ran), and no run started after an interruption was asked for.
 */
import { NodeHttpClient } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import * as Fx from "@fxchain/combinators"
import { Runnable, Testing } from "@fxchain/core"
import { Deferred, Effect, Fiber, Layer, Redacted, Stream, Supervisor } from "effect"
import * as ChatCompletions from "../../src/ChatCompletions.js"
import { toLangChain } from "../../src/langchain.js"
import * as Model from "../../src/Model.js"
import * as OutputParser from "../../src/OutputParser.js"
import * as PromiseRunnable from "../../src/PromiseRunnable.js"
import * as PromptTemplate from "../../src/PromptTemplate.js"
import { chatServer, chunk, event, startSse, writeSse } from "../support/chatServer.js"
import { leakCheck, recordLeaks, repetitions } from "./support/harness.js"
import type { LeakContext, LeakReport } from "./support/harness.js"

/** A latch opened by the `count`-th arrival. */
const makeGate = (count: number) => {
  const opened = Deferred.unsafeMake<void>(undefined as never)
  let arrivals = 0
  return {
    arrive: Effect.suspend(() => ++arrivals === count ? Deferred.succeed(opened, undefined) : Effect.void),
    opened: Deferred.await(opened)
  }
}

/** Runs `work` on a supervised fiber and interrupts it once `gate` has opened (the work is mid-flight). */
const interruptedMidFlight = <E, R>(
  work: Effect.Effect<unknown, E, R>,
  gate: { readonly opened: Effect.Effect<void> },
  { interrupting, supervisor }: LeakContext
) =>
  Effect.gen(function*() {
    const fiber = yield* Effect.fork(Effect.supervised(work, supervisor))
    yield* gate.opened
    yield* interrupting
    yield* Fiber.interrupt(fiber)
  })

/** A step that starts (counted by the probe), arrives at the gate, then waits an hour on the real clock. */
const slow = (probe: Testing.Probe, arrive: () => Effect.Effect<void>) =>
  Runnable.fromEffect((input: string) => probe.track(Effect.zipRight(arrive(), Effect.as(Effect.sleep("1 hour"), input))), {
    name: "slow"
  })

/** A stream that yields "first" (counted by the probe), then waits an hour on the real clock. */
const slowTokens = (probe: Testing.Probe) =>
  Runnable.fromStream(
    (_: string) => probe.trackStream(Stream.concat(Stream.make("first"), Stream.fromEffect(Effect.as(Effect.sleep("1 hour"), "never")))),
    { name: "tokens" }
  )

const expectClean = (report: LeakReport) => {
  expect(report.fibersLeft).toBe(0)
  expect(report.resourcesAbove).toEqual([])
  expect(report.abortListeners).toBe(0)
  expect(report.started).toBeGreaterThanOrEqual(report.repetitions)
  expect(report.ended).toBe(report.started)
  expect(report.startedAfterInterruption).toBe(0)
}

const timeout = 120_000

describe("leaks: work interrupted mid-flight leaves nothing behind", () => {
  it.live("a batch", () =>
    Effect.gen(function*() {
      const report = yield* leakCheck(repetitions, (context) => {
        const gate = makeGate(4)
        const step = slow(context.probe, () => gate.arrive)
        const batch = Runnable.batch(step, Array.from({ length: 20 }, (_, index) => `item ${index}`), { concurrency: 4 })
        return interruptedMidFlight(batch, gate, context)
      })
      recordLeaks("batch (20 items, 4 at once)", report)
      expectClean(report)
      expect(report.started).toBe(4 * repetitions)
    }), timeout)

  it.live("a stream through a sequence", () =>
    Effect.gen(function*() {
      const report = yield* leakCheck(repetitions, (context) => {
        const gate = makeGate(1)
        const chain = Fx.sequence(slowTokens(context.probe), OutputParser.string)
        return interruptedMidFlight(Stream.runForEach(Runnable.stream(chain, "go"), () => gate.arrive), gate, context)
      })
      recordLeaks("stream (sequence of a stream and a parser)", report)
      expectClean(report)
    }), timeout)

  it.live("streamEvents of a parallel map", () =>
    Effect.gen(function*() {
      const report = yield* leakCheck(repetitions, (context) => {
        const gate = makeGate(1)
        const chain = Fx.parallel({
          tokens: Fx.sequence(slowTokens(context.probe), OutputParser.string),
          answer: slow(context.probe, () => Effect.void)
        })
        const events = Stream.runForEach(
          Runnable.streamEvents(chain, "go"),
          (event) => event._tag === "Streamed" && event.name === "tokens" ? gate.arrive : Effect.void
        )
        return interruptedMidFlight(events, gate, context)
      })
      recordLeaks("streamEvents (parallel of a stream and a wait)", report)
      expectClean(report)
    }), timeout)

  it.live("the Promise facade: invoke, batch and stream, aborted by their signal", () =>
    Effect.gen(function*() {
      let facade: PromiseRunnable.PromiseRunnable<string, string> | undefined
      let gate = makeGate(1)
      const rejections: Array<unknown> = []
      const report = yield* leakCheck(repetitions, ({ interrupting, probe, supervisor, watchSignal }, index) =>
        Effect.gen(function*() {
          facade ??= PromiseRunnable.make(slow(probe, () => gate.arrive), { layer: Supervisor.addSupervisor(supervisor) })
          const controller = new AbortController()
          watchSignal(controller.signal)
          const kind = index % 3
          gate = makeGate(kind === 1 ? 4 : 1)
          const run = kind === 0
            ? facade.invoke("x", { signal: controller.signal })
            : kind === 1
            ? facade.batch(["a", "b", "c", "d", "e", "f"], { signal: controller.signal, maxConcurrency: 4 })
            : (async () => {
              for await (const _ of facade.stream("x", { signal: controller.signal })) {
                // the step answers once: its chunk never comes
              }
            })()
          const settled = run.then(() => "resolved", (error: unknown) => rejections.push(error))
          yield* gate.opened
          yield* interrupting
          controller.abort()
          yield* Effect.promise(() => settled)
        }))
      yield* Effect.promise(() => facade!.dispose())
      recordLeaks("Promise facade (invoke, batch, stream; signal aborted)", report)
      expectClean(report)
      expect(rejections).toHaveLength(repetitions)
      for (const rejection of rejections) expect(rejection).toMatchObject({ name: "AbortError" })
    }), timeout)

  it.live("toLangChain: invoke, batch and stream, aborted by their signal", () =>
    Effect.gen(function*() {
      let runnable: ReturnType<typeof toLangChain<string, string, never>> | undefined
      let gate = makeGate(1)
      const rejections: Array<unknown> = []
      const report = yield* leakCheck(repetitions, ({ interrupting, probe, supervisor, watchSignal }, index) =>
        Effect.gen(function*() {
          runnable ??= toLangChain(slow(probe, () => gate.arrive), { layer: Supervisor.addSupervisor(supervisor) })
          const controller = new AbortController()
          watchSignal(controller.signal)
          const kind = index % 3
          gate = makeGate(kind === 1 ? 3 : 1)
          const lc = runnable
          const run = kind === 0
            ? lc.invoke("x", { signal: controller.signal })
            : kind === 1
            ? lc.batch(["a", "b", "c"], { signal: controller.signal })
            : (async () => {
              for await (const _ of await lc.stream("x", { signal: controller.signal })) {
                // the step answers once: its chunk never comes
              }
            })()
          const settled = run.then(() => "resolved", (error: unknown) => rejections.push(error))
          yield* gate.opened
          yield* interrupting
          controller.abort()
          yield* Effect.promise(() => settled)
        }))
      yield* Effect.promise(() => runnable!.dispose())
      recordLeaks("toLangChain (invoke, batch, stream; signal aborted)", report)
      expectClean(report)
      expect(rejections).toHaveLength(repetitions)
    }), timeout)

  it.live("a chat-completions stream over a real socket", () =>
    Effect.scoped(Effect.gen(function*() {
      const server = yield* chatServer(async (request, response) => {
        startSse(response)
        await writeSse(response, [event(chunk({ role: "assistant", content: "" }))], { pauseMillis: 0 })
        for (let token = 0; token < 100_000 && !request.isClosed(); token++) {
          response.write(event(chunk({ content: `${token} ` })))
          await new Promise((resolve) => setTimeout(resolve, 2))
        }
        response.end()
      })
      const modelLayer = ChatCompletions.layer({ apiUrl: server.apiUrl, apiKey: Redacted.make("sk-test"), model: "test-model" })
        .pipe(Layer.provide(NodeHttpClient.layerUndici))
      const report = yield* leakCheck(repetitions, (context) => {
        const gate = makeGate(1)
        const chain = Fx.sequence(
          PromptTemplate.make("Count from {start}"),
          Model.fromLanguageModel().pipe(Testing.probed(context.probe)),
          OutputParser.string
        )
        return interruptedMidFlight(Stream.runForEach(Runnable.stream(chain, { start: "1" }), () => gate.arrive), gate, context)
      }).pipe(Effect.provide(modelLayer))
      recordLeaks("chat-completions stream (prompt, model, parser over HTTP)", report)
      expectClean(report)
      expect(server.requests).toHaveLength(repetitions)
      expect(server.requests.every((request) => request.isClosed())).toBe(true)
      expect(server.openConnections()).toBe(0)
      // a cancelled request costs its own connection and no other
      expect(server.connections()).toBeLessThanOrEqual(repetitions + 1)
    })), timeout)
})

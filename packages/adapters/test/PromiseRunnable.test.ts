import { describe, expect, expectTypeOf, it } from "@effect/vitest"
import * as Fx from "@fxchain/combinators"
import { Errors, RunConfig, Runnable } from "@fxchain/core"
import { RunnableLambda } from "@langchain/core/runnables"
import type { StreamEvent as LangChainStreamEvent } from "@langchain/core/tracers/log_stream"
import { Context, Effect, Layer, Runtime, Schema, Stream } from "effect"
import { setMaxListeners } from "node:events"
import * as FakeModel from "../src/FakeModel.js"
import * as Model from "../src/Model.js"
import * as OutputParser from "../src/OutputParser.js"
import * as PromiseRunnable from "../src/PromiseRunnable.js"
import * as PromptTemplate from "../src/PromptTemplate.js"

class Boom extends Schema.TaggedError<Boom>()("Boom", { reason: Schema.String }) {}

class Counter extends Context.Tag("test/Counter")<Counter, { readonly next: () => number }>() {}

const sleep = (millis: number) => new Promise<void>((resolve) => setTimeout(resolve, millis))

/**
 * Watches the timers started from now on (Effect's `sleep`s among them) until `stop`: `pending(delay)`
 * counts those of that delay that have neither fired nor been cleared. Counting only these keeps
 * out the timers of whatever else runs in the process meanwhile.
 */
const watchTimers = () => {
  const { clearTimeout: clear, setTimeout: start } = globalThis
  const pending = new Map<unknown, number | undefined>()
  globalThis.setTimeout = ((callback: (...args: Array<unknown>) => void, delay?: number, ...args: Array<unknown>) => {
    const handle = start((...callbackArgs: Array<unknown>) => {
      pending.delete(handle)
      callback(...callbackArgs)
    }, delay, ...args)
    pending.set(handle, delay)
    return handle
  }) as typeof setTimeout
  globalThis.clearTimeout = ((handle: Parameters<typeof clearTimeout>[0]) => {
    pending.delete(handle)
    clear(handle)
  }) as typeof clearTimeout
  return {
    pending: (delay: number) => Array.from(pending.values()).filter((millis) => millis === delay).length,
    stop: () => {
      globalThis.setTimeout = start
      globalThis.clearTimeout = clear
    }
  }
}

/** Settles a Promise into a value to compare: its value, or `{ rejected: reason }`. */
const settled = <A>(promise: Promise<A>): Promise<A | { readonly rejected: unknown }> =>
  promise.then((value) => value, (reason: unknown) => ({ rejected: reason }))

const rejectionOf = async (promise: Promise<unknown>): Promise<unknown> => {
  const result = await settled(promise)
  if (typeof result === "object" && result !== null && "rejected" in result) return result.rejected
  throw new Error(`expected a rejection, got ${JSON.stringify(result)}`)
}

const collect = async <A>(iterable: AsyncIterable<A>): Promise<Array<A>> => {
  const items: Array<A> = []
  for await (const item of iterable) items.push(item)
  return items
}

/** Polls `condition` every few milliseconds, for at most `millis`. */
const eventually = async (condition: () => boolean, millis = 500) => {
  const deadline = Date.now() + millis
  while (!condition() && Date.now() < deadline) await sleep(2)
  return condition()
}

/** The prompt → model → parser chain of a LangChain tutorial, on a fake model. */
const tutorialChain = () =>
  Runnable.withConfig(
    Fx.sequence(PromptTemplate.make("Say {word}"), Model.fromLanguageModel(), OutputParser.string),
    { tags: ["outer"], metadata: { user: "ada" } }
  )

const fakeModel = FakeModel.layer({ responses: "Hello brave world" })

const eventsOf = (events: ReadonlyArray<PromiseRunnable.StreamEvent>, name: string) =>
  events.filter((event) => event.name === name)

describe("PromiseRunnable.invoke", () => {
  it("resolves with the output, on the services of the layer, built once", async () => {
    let acquired = 0
    let count = 0
    const layer = Layer.effect(Counter, Effect.sync(() => (acquired++, { next: () => ++count })))
    const counted = Runnable.fromEffect((text: string) => Effect.map(Counter, (counter) => `${text}${counter.next()}`), {
      name: "counted"
    })
    const runnable = PromiseRunnable.make(counted, { layer })
    expect(await runnable.invoke("a")).toBe("a1")
    expect(await runnable.invoke("b")).toBe("b2")
    expect(acquired).toBe(1)
    expect(PromiseRunnable.isPromiseRunnable(runnable)).toBe(true)
    expect(runnable.name).toBe("counted")
    await runnable.dispose()
  })

  it("applies tags, metadata and configurable to the run and what it runs", async () => {
    const config = Runnable.fromEffect(
      (_: string) =>
        Effect.map(RunConfig.RunConfig, ({ configurable, metadata, tags }) => ({ tags, metadata, configurable })),
      { name: "config" }
    )
    const runnable = PromiseRunnable.make(Fx.sequence(Runnable.identity<string>(), config))
    expect(
      await runnable.invoke("x", { tags: ["request"], metadata: { user: "ada" }, configurable: { model: "small" } })
    ).toEqual({ tags: ["request"], metadata: { user: "ada", model: "small" }, configurable: { model: "small" } })
    expect(await runnable.invoke("x")).toEqual({ tags: [], metadata: {}, configurable: {} })
    await runnable.dispose()
  })

  it("rejects with the typed error itself, never a FiberFailure", async () => {
    const boom = new Boom({ reason: "no" })
    const failing = Runnable.fromEffect((_: string) => Effect.fail(boom), { name: "failing" })
    const runnable = PromiseRunnable.make(failing)
    expectTypeOf(runnable).toEqualTypeOf<PromiseRunnable.PromiseRunnable<string, never, Boom>>()

    const rejection = await rejectionOf(runnable.invoke("x"))
    expect(rejection).toBe(boom)
    expect(rejection).toBeInstanceOf(Boom)
    expect((rejection as Boom)._tag).toBe("Boom")
    expect(Runtime.isFiberFailure(rejection)).toBe(false)
    // what Effect.runPromise would have given
    expect(Runtime.isFiberFailure(await rejectionOf(Effect.runPromise(Runnable.invoke(failing, "x"))))).toBe(true)
    await runnable.dispose()
  })

  it("rejects with a defect's thrown value itself", async () => {
    const thrown = new RangeError("out of range")
    const runnable = PromiseRunnable.make(Runnable.sync((_: string): string => {
      throw thrown
    }, { name: "throws" }))
    const rejection = await rejectionOf(runnable.invoke("x"))
    expect(rejection).toBe(thrown)
    expect(Runtime.isFiberFailure(rejection)).toBe(false)

    const notAnError = { code: 42 }
    const dies = PromiseRunnable.make(Runnable.fromEffect((_: string) => Effect.die(notAnError)))
    expect(await rejectionOf(dies.invoke("x"))).toBe(notAnError)
    await Promise.all([runnable.dispose(), dies.dispose()])
  })

  it("aborting interrupts the run: finalizers run and no timer is left before it rejects with an AbortError", async () => {
    let released = false
    const slow = Runnable.fromEffect(
      (_: string) =>
        Effect.acquireRelease(Effect.void, () => Effect.andThen(Effect.sleep("5 millis"), () => (released = true))).pipe(
          Effect.andThen(Effect.sleep("10 seconds")),
          Effect.as("done"),
          Effect.scoped
        ),
      { name: "slow" }
    )
    const runnable = PromiseRunnable.make(slow)
    const timers = watchTimers()
    const controller = new AbortController()
    const started = Date.now()
    const outcome = runnable.invoke("x", { signal: controller.signal }).then(
      () => ({ released, reason: undefined as unknown }),
      (reason: unknown) => ({ released, reason })
    )
    await sleep(20)
    const sleepsWhileRunning = timers.pending(10_000)
    controller.abort()
    const { reason, released: releasedWhenRejected } = await outcome
    const sleepsLeft = timers.pending(10_000)
    timers.stop()

    expect(reason).toBeInstanceOf(DOMException)
    expect((reason as DOMException).name).toBe("AbortError")
    expect(reason).toBe(controller.signal.reason)
    expect(releasedWhenRejected).toBe(true)
    expect(Date.now() - started).toBeLessThan(1_000)
    // the 10 second sleep's timer is gone
    expect(sleepsWhileRunning).toBe(1)
    expect(sleepsLeft).toBe(0)
    await runnable.dispose()
  })

  it("rejects with the signal's own reason (a timeout's TimeoutError, the caller's value)", async () => {
    const never = PromiseRunnable.make(Runnable.fromEffect((_: string) => Effect.never))
    const timeout = await rejectionOf(never.invoke("x", { signal: AbortSignal.timeout(10) }))
    expect((timeout as DOMException).name).toBe("TimeoutError")

    const controller = new AbortController()
    const reason = new Boom({ reason: "user cancelled" })
    const pending = rejectionOf(never.invoke("x", { signal: controller.signal }))
    controller.abort(reason)
    expect(await pending).toBe(reason)
    await never.dispose()
  })

  it("timeout interrupts the run (finalizers run) and rejects saying it timed out; a bad timeout is an InvalidOptionError", async () => {
    let released = false
    const slow = Runnable.fromEffect(
      (_: string) => Effect.never.pipe(Effect.ensuring(Effect.sync(() => (released = true)))),
      { name: "slow" }
    )
    const runnable = PromiseRunnable.make(slow)
    const rejection = await rejectionOf(runnable.invoke("x", { timeout: 20 }))
    expect((rejection as DOMException).name).toBe("TimeoutError")
    expect((rejection as DOMException).message).toMatch(/timeout/)
    expect(released).toBe(true)
    expect((await rejectionOf(collect(runnable.stream("x", { timeout: 20 })))) as DOMException).toMatchObject({ name: "TimeoutError" })
    expect(await rejectionOf(runnable.invoke("x", { timeout: -1 }))).toBeInstanceOf(Errors.InvalidOptionError)
    expect(() => runnable.stream("x", { timeout: Number.NaN })).toThrow(Errors.InvalidOptionError)
    await runnable.dispose()
  })

  it("an already aborted signal rejects at once and runs nothing", async () => {
    let calls = 0
    const counted = Runnable.fromEffect((n: number) => Effect.sync(() => (calls++, n)), { name: "counted" })
    const runnable = PromiseRunnable.make(counted)
    const signal = AbortSignal.abort()

    const invoked = runnable.invoke(1, { signal })
    const batched = runnable.batch([1, 2, 3], { signal })
    const states: Array<string> = []
    void invoked.catch(() => states.push("invoke"))
    void batched.catch(() => states.push("batch"))
    await Promise.resolve()
    await Promise.resolve()
    expect(states).toEqual(["invoke", "batch"]) // rejected before any timer or I/O turn
    expect(await rejectionOf(invoked)).toBe(signal.reason)
    expect(await rejectionOf(collect(runnable.stream(1, { signal })))).toBe(signal.reason)
    expect(await rejectionOf(collect(runnable.streamEvents(1, { version: "v2", signal })))).toBe(signal.reason)
    expect(calls).toBe(0)
    await runnable.dispose()
  })
})

describe("PromiseRunnable.batch", () => {
  it("resolves with the outputs in input order, at most maxConcurrency at once", async () => {
    let inFlight = 0
    let maxInFlight = 0
    const item = Runnable.fromPromise(async (n: number) => {
      maxInFlight = Math.max(maxInFlight, ++inFlight)
      await sleep(10 - n) // later items finish first
      inFlight--
      return n * 10
    }, { name: "item" })
    const runnable = PromiseRunnable.make(item)
    expect(await runnable.batch([1, 2, 3, 4, 5, 6], { maxConcurrency: 3 })).toEqual([10, 20, 30, 40, 50, 60])
    expect(maxInFlight).toBe(3)
    expect(await runnable.batch([])).toEqual([])
    await runnable.dispose()
  })

  it("defaults to the layer's RunConfig concurrency", async () => {
    let inFlight = 0
    let maxInFlight = 0
    const item = Runnable.fromPromise(async (n: number) => {
      maxInFlight = Math.max(maxInFlight, ++inFlight)
      await sleep(2)
      inFlight--
      return n
    })
    const runnable = PromiseRunnable.make(item, { layer: RunConfig.layer({ concurrency: 2 }) })
    expect(await runnable.batch([1, 2, 3, 4, 5])).toEqual([1, 2, 3, 4, 5])
    expect(maxInFlight).toBe(2)
    await runnable.dispose()
  })

  it("with returnExceptions, a failed item holds its error value in its place", async () => {
    const boom = new Boom({ reason: "two" })
    const item = Runnable.fromEffect((n: number) => n === 2 ? Effect.fail(boom) : Effect.succeed(n * 10), { name: "item" })
    const runnable = PromiseRunnable.make(item)
    const results = await runnable.batch([1, 2, 3], { returnExceptions: true })
    expectTypeOf(results).toEqualTypeOf<Array<number | Boom>>()
    expect(results).toEqual([10, boom, 30])
    expect(results[1]).toBe(boom)
    // LangChain.js's shape: batch(inputs, config, { returnExceptions })
    const langchainShaped = await runnable.batch([2, 3], { maxConcurrency: 1 }, { returnExceptions: true })
    expectTypeOf(langchainShaped).toEqualTypeOf<Array<number | Boom>>()
    expect(langchainShaped).toEqual([boom, 30])
    await runnable.dispose()
  })

  it("without returnExceptions, the first failure rejects the batch and no further item starts", async () => {
    const boom = new Boom({ reason: "two" })
    const started: Array<number> = []
    const item = Runnable.fromEffect(
      (n: number) => Effect.suspend(() => (started.push(n), n === 2 ? Effect.fail(boom) : Effect.succeed(n))),
      { name: "item" }
    )
    const runnable = PromiseRunnable.make(item)
    expect(await rejectionOf(runnable.batch([1, 2, 3, 4], { maxConcurrency: 1 }))).toBe(boom)
    expect(started).toEqual([1, 2])
    await runnable.dispose()
  })

  it("a defect rejects the whole batch, even with returnExceptions; a bad maxConcurrency is a typed error", async () => {
    const thrown = new Error("bug")
    const item = Runnable.sync((n: number) => {
      if (n === 2) throw thrown
      return n
    })
    const runnable = PromiseRunnable.make(item)
    expect(await rejectionOf(runnable.batch([1, 2, 3], { returnExceptions: true }))).toBe(thrown)
    const invalid = await rejectionOf(runnable.batch([1], { maxConcurrency: 0 }))
    expect(invalid).toBeInstanceOf(Errors.InvalidOptionError)
    expect((invalid as Errors.InvalidOptionError)._tag).toBe("InvalidOptionError")
    await runnable.dispose()
  })

  it("aborting a 1,000-item batch starts no item afterwards; LangChain.js's batch keeps starting them", async () => {
    let aborted = false
    let releaseLangChain = false
    const fxchain = { started: 0, startedAfterAbort: 0 }
    const langchain = { started: 0, startedAfterAbort: 0 }
    const item = Runnable.fromEffect(
      (n: number) =>
        Effect.suspend(() => {
          fxchain.started++
          if (aborted) fxchain.startedAfterAbort++
          return Effect.as(Effect.sleep("10 millis"), n)
        }),
      { name: "item" }
    )
    const langchainItem = RunnableLambda.from(async (n: number) => {
      langchain.started++
      if (aborted) langchain.startedAfterAbort++
      if (!releaseLangChain) await sleep(10)
      return n
    })
    const runnable = PromiseRunnable.make(item)
    const inputs = Array.from({ length: 1_000 }, (_, index) => index)
    const controller = new AbortController()
    const signal = controller.signal
    setMaxListeners(20, signal) // LangChain.js adds a listener per item in flight

    const fxchainBatch = rejectionOf(runnable.batch(inputs, { maxConcurrency: 10, signal }))
    const langchainBatch = rejectionOf(langchainItem.batch(inputs, { maxConcurrency: 10, signal }))
    await sleep(35)
    aborted = true
    controller.abort()
    const [fxchainRejection, langchainRejection] = await Promise.all([fxchainBatch, langchainBatch])
    expect(fxchainRejection).toBe(signal.reason)
    expect((fxchainRejection as DOMException).name).toBe("AbortError")
    expect(langchainRejection).toBe(signal.reason)
    const startedWhenRejected = fxchain.started

    await sleep(60) // six item latencies
    expect(fxchain.started).toBeGreaterThan(0)
    expect(fxchain.started).toBe(startedWhenRejected)
    expect(fxchain.startedAfterAbort).toBe(0)
    // LangChain.js rejected too, but its queue keeps starting items (1.4.0: ~10 per item latency)
    expect(langchain.startedAfterAbort).toBeGreaterThan(0)

    releaseLangChain = true // let the rest of LangChain's queue drain without waiting
    expect(await eventually(() => langchain.started === inputs.length)).toBe(true)
    await runnable.dispose()
  })
  it("an abort fired by an item itself starts no further item, not even on that item's worker", async () => {
    const controller = new AbortController()
    let started = 0
    let startedAfterAbort = 0
    const item = Runnable.fromEffect(
      (n: number) =>
        Effect.suspend(() => {
          started++
          if (controller.signal.aborted) startedAfterAbort++
          return Effect.sleep("1 millis").pipe(Effect.andThen(() => {
            if (n === 25) controller.abort()
            return n
          }))
        }),
      { name: "item" }
    )
    const runnable = PromiseRunnable.make(item)
    const timers = watchTimers()
    const rejection = await rejectionOf(runnable.batch(Array.from({ length: 200 }, (_, index) => index), {
      maxConcurrency: 10,
      signal: controller.signal
    }))
    const sleepsLeft = timers.pending(1)
    timers.stop()
    expect(rejection).toBe(controller.signal.reason)
    expect(sleepsLeft).toBe(0) // the sleeps of the items in flight are cleared
    await sleep(10)
    expect(started).toBeGreaterThan(25)
    expect(startedAfterAbort).toBe(0)
    await runnable.dispose()
  })
})

describe("PromiseRunnable.stream", () => {
  it("yields the output chunks; awaiting it first (as LangChain code does) works too", async () => {
    const runnable = PromiseRunnable.make(tutorialChain(), { layer: fakeModel })
    expect(await collect(runnable.stream({ word: "hi" }))).toEqual(["Hello ", "brave ", "world"])
    const chunks: Array<string> = []
    for await (const chunk of await runnable.stream({ word: "hi" })) chunks.push(chunk)
    expect(chunks).toEqual(["Hello ", "brave ", "world"])
    await runnable.dispose()
  })

  const counting = () => {
    const state = { produced: 0, closed: false }
    const runnable = Runnable.fromStream(
      (_: string) =>
        Stream.iterate(1, (n) => n + 1).pipe(
          Stream.tap(() => Effect.sync(() => state.produced++)),
          Stream.ensuring(Effect.andThen(Effect.sleep("10 millis"), () => (state.closed = true)))
        ),
      { name: "counting" }
    )
    return { state, runnable: PromiseRunnable.make(runnable) }
  }

  it("breaking out of for await interrupts the run, and its finalizers ran before the loop exits", async () => {
    const { runnable, state } = counting()
    const seen: Array<number> = []
    for await (const n of runnable.stream("x")) {
      seen.push(n)
      if (n === 3) break
    }
    expect(state.closed).toBe(true)
    expect(seen).toEqual([1, 2, 3])
    expect(state.produced).toBe(3) // pulled one chunk at a time: nothing produced ahead
    await runnable.dispose()
  })

  it("throwing or returning out of for await does the same", async () => {
    const thrown = counting()
    const failure = new Error("consumer failed")
    const caught = await rejectionOf((async () => {
      for await (const n of thrown.runnable.stream("x")) if (n === 2) throw failure
    })())
    expect(caught).toBe(failure)
    expect(thrown.state.closed).toBe(true)

    const returned = counting()
    const first = await (async () => {
      for await (const n of returned.runnable.stream("x")) return n
    })()
    expect(first).toBe(1)
    expect(returned.state.closed).toBe(true)
    await Promise.all([thrown.runnable.dispose(), returned.runnable.dispose()])
  })

  it("aborting rejects the pending next() after the finalizers ran", async () => {
    const { runnable, state } = counting()
    const controller = new AbortController()
    const iterator = runnable.stream("x", { signal: controller.signal })
    expect(await iterator.next()).toEqual({ done: false, value: 1 })
    controller.abort()
    expect(await rejectionOf(iterator.next())).toBe(controller.signal.reason)
    expect(state.closed).toBe(true)
    expect(await iterator.next()).toEqual({ done: true, value: undefined })
    await runnable.dispose()
  })

  it("a failing stream rejects with the original error", async () => {
    const boom = new Boom({ reason: "mid-stream" })
    const runnable = PromiseRunnable.make(
      Runnable.fromStream((_: string) => Stream.concat(Stream.make("a", "b"), Stream.fail(boom)))
    )
    const seen: Array<string> = []
    const rejection = await rejectionOf((async () => {
      for await (const chunk of runnable.stream("x")) seen.push(chunk)
    })())
    expect(rejection).toBe(boom)
    expect(seen).toEqual(["a", "b"])
    await runnable.dispose()
  })
})

describe("PromiseRunnable.streamEvents", () => {
  it("emits LangChain v2 events for a prompt → model → parser sequence", async () => {
    const runnable = PromiseRunnable.make(tutorialChain(), { layer: fakeModel })
    const events = await collect(runnable.streamEvents({ word: "hi" }, { version: "v2" }))
    expectTypeOf(events).toMatchTypeOf<Array<LangChainStreamEvent>>()

    for (const event of events) {
      expect(Object.keys(event).sort()).toEqual(["data", "event", "metadata", "name", "parent_ids", "run_id", "tags"])
      expect(event.metadata).toEqual({ user: "ada" })
    }
    const [root, ...rest] = events
    expect(root).toMatchObject({ event: "on_chain_start", name: "sequence", tags: ["outer"], parent_ids: [] })
    expect(root!.data).toEqual({ input: { word: "hi" } })
    const rootId = root!.run_id

    // each run: start, its chunks, then end, with the same run_id, name, tags and parent_ids
    const steps = [
      ["PromptTemplate", "prompt", "seq:step:1"],
      ["model", "chat_model", "seq:step:2"],
      ["StringOutputParser", "parser", "seq:step:3"]
    ] as const
    for (const [name, type, tag] of steps) {
      const own = eventsOf(events, name)
      expect(own[0]!.event).toBe(`on_${type}_start`)
      expect(own.at(-1)!.event).toBe(`on_${type}_end`)
      expect(own.slice(1, -1).every((event) => event.event === `on_${type}_stream`)).toBe(true)
      for (const event of own) {
        expect(event).toMatchObject({ run_id: own[0]!.run_id, tags: [tag, "outer"], parent_ids: [rootId] })
      }
    }
    // a model's chunks carry LangChain's content and the run's id; the last chunk (finish reason and
    // usage, no text) is no on_chat_model_stream: the usage is on the end event's output
    const model = eventsOf(events, "model")
    const modelChunks = model.slice(1, -1).map((event) => event.data.chunk as { text: string; content: string; id: string })
    expect(modelChunks.map((chunk) => chunk.content)).toEqual(["Hello ", "brave ", "world"])
    expect(modelChunks.every((chunk) => chunk.id === `run-${model[0]!.run_id}`)).toBe(true)
    expect(model.at(-1)!.data.output).toMatchObject({
      text: "Hello brave world",
      content: "Hello brave world",
      id: `run-${model[0]!.run_id}`,
      usage: { outputTokens: 3 }
    })
    // LangChain's placement: a chat model's input is its messages, on start and on end
    const prompt = eventsOf(events, "PromptTemplate")
    expect(prompt.map((event) => event.event)).toEqual(["on_prompt_start", "on_prompt_end"])
    expect(prompt[1]!.data.input).toEqual({ word: "hi" })
    const messages = (model[0]!.data.input as { messages: [ReadonlyArray<{ role: string }>] }).messages
    expect(messages[0].map((message) => message.role)).toEqual(["user"])
    expect(model.at(-1)!.data.input).toEqual(model[0]!.data.input)

    // the parser consumes the model's stream: its input comes on its end, combined
    const parser = eventsOf(events, "StringOutputParser")
    expect(parser[0]!.data).toEqual({})
    expect((parser.at(-1)!.data.input as { text: string }).text).toBe("Hello brave world")
    expect(parser.at(-1)!.data.output).toBe("Hello brave world")
    expect(parser.slice(1, -1).map((event) => event.data.chunk)).toEqual(["Hello ", "brave ", "world"])

    // the root re-emits the last step's chunks, and ends last
    const rootEvents = eventsOf(events, "sequence")
    expect(rootEvents.slice(1, -1).map((event) => [event.event, event.data.chunk])).toEqual([
      ["on_chain_stream", "Hello "],
      ["on_chain_stream", "brave "],
      ["on_chain_stream", "world"]
    ])
    expect(events.at(-1)).toMatchObject({ event: "on_chain_end", run_id: rootId, data: { output: "Hello brave world" } })
    expect(rest.some((event) => event.run_id === rootId && event.event === "on_chain_start")).toBe(false)
    await runnable.dispose()
  })

  it("takes runName, tags and metadata from the options; parent_ids list every ancestor, root first", async () => {
    const inner = Runnable.withConfig(
      Fx.sequence(
        Runnable.sync((n: number) => n + 1, { name: "increment" }),
        Runnable.sync((n: number) => n * 2, { name: "double" })
      ),
      { runName: "inner" }
    )
    const runnable = PromiseRunnable.make(Fx.sequence(Runnable.sync((n: number) => n, { name: "first" }), inner))
    const events = await collect(
      runnable.streamEvents(1, { version: "v2", runName: "outer", tags: ["request"], metadata: { id: 7 } })
    )
    const runIdOf = (name: string) => eventsOf(events, name)[0]!.run_id
    expect(eventsOf(events, "outer")[0]).toMatchObject({ tags: ["request"], metadata: { id: 7 }, parent_ids: [] })
    expect(eventsOf(events, "inner")[0]).toMatchObject({ tags: ["seq:step:2", "request"], parent_ids: [runIdOf("outer")] })
    expect(eventsOf(events, "double")[0]).toMatchObject({
      event: "on_chain_start",
      tags: ["seq:step:2", "request"],
      metadata: { id: 7 },
      parent_ids: [runIdOf("outer"), runIdOf("inner")]
    })
    expect(eventsOf(events, "outer").at(-1)).toMatchObject({ event: "on_chain_end", data: { output: 4 } })

    // the runId option names the root in every event's parent_ids, also when a filter drops the root's events
    const filtered = await collect(runnable.streamEvents(1, { version: "v2", runId: "ROOT", includeNames: ["double"] }))
    expect(filtered.map((event) => event.name)).toEqual(["double", "double", "double"])
    expect(filtered.every((event) => event.parent_ids[0] === "ROOT")).toBe(true)
    await runnable.dispose()
  })

  it("a failure: no _end for the failed run, its ancestors or the siblings it interrupted; rejects with the error", async () => {
    const boom = new Boom({ reason: "branch failed" })
    let siblingInterrupted = false
    const sibling = Runnable.fromEffect(
      (text: string) =>
        Effect.as(Effect.sleep("1 second"), text).pipe(
          Effect.onInterrupt(() => Effect.sync(() => (siblingInterrupted = true)))
        ),
      { name: "sibling" }
    )
    const fails = Runnable.fromEffect((_: string) => Effect.andThen(Effect.sleep("5 millis"), Effect.fail(boom)), {
      name: "fails"
    })
    const inner = Runnable.withConfig(Fx.parallel({ sibling, fails }), { runName: "inner" })
    const runnable = PromiseRunnable.make(Fx.sequence(Runnable.sync((text: string) => `${text}!`, { name: "first" }), inner))

    const events: Array<PromiseRunnable.StreamEvent> = []
    const started = Date.now()
    const rejection = await rejectionOf((async () => {
      for await (const event of runnable.streamEvents("go", { version: "v2" })) events.push(event)
    })())
    expect(rejection).toBe(boom)
    expect(Date.now() - started).toBeLessThan(500)
    expect(siblingInterrupted).toBe(true)

    const kinds = (name: string) => eventsOf(events, name).map((event) => event.event)
    expect(kinds("first")).toEqual(["on_chain_start", "on_chain_stream", "on_chain_end"])
    expect(kinds("sibling")).toEqual(["on_chain_start"])
    expect(kinds("fails")).toEqual(["on_chain_start", "on_chain_error"])
    expect(kinds("inner")).toEqual(["on_chain_start", "on_chain_error"])
    expect(kinds("sequence")).toEqual(["on_chain_start", "on_chain_error"])
    expect(eventsOf(events, "fails").at(-1)!.data.error).toContain("Boom")
    const runIdOf = (name: string) => eventsOf(events, name)[0]!.run_id
    expect(eventsOf(events, "fails")[0]!.parent_ids).toEqual([runIdOf("sequence"), runIdOf("inner")])
    await runnable.dispose()
  })

  it("filters by name, LangChain type and tag, as LangChain does", async () => {
    const runnable = PromiseRunnable.make(tutorialChain(), { layer: fakeModel })
    const namesOf = async (filter: PromiseRunnable.EventFilter) => {
      const events = await collect(runnable.streamEvents({ word: "hi" }, { version: "v2", ...filter }))
      return [...new Set(events.map((event) => event.name))]
    }
    expect(await namesOf({ includeNames: ["model"] })).toEqual(["model"])
    expect(await namesOf({ includeTypes: ["chat_model", "parser"] })).toEqual(["model", "StringOutputParser"])
    expect(await namesOf({ includeTypes: ["chain"] })).toEqual(["sequence"])
    expect(await namesOf({ includeTags: ["seq:step:1"] })).toEqual(["PromptTemplate"])
    expect(await namesOf({ includeNames: ["sequence"], includeTypes: ["prompt"] })).toEqual(["sequence", "PromptTemplate"])
    expect(await namesOf({ excludeTypes: ["chain", "prompt"] })).toEqual(["model", "StringOutputParser"])
    expect(await namesOf({ includeTags: ["outer"], excludeNames: ["model"], excludeTags: ["seq:step:3"] })).toEqual([
      "sequence",
      "PromptTemplate"
    ])
    // LangChain.js's shape: streamEvents(input, { version }, { includeNames })
    const langchainShaped = await collect(runnable.streamEvents({ word: "hi" }, { version: "v2" }, { includeNames: ["model"] }))
    expect([...new Set(langchainShaped.map((event) => event.name))]).toEqual(["model"])
    await runnable.dispose()
  })

  it("breaking out of the loop interrupts the run before the loop exits", async () => {
    let released = false
    const slow = Runnable.fromEffect(
      (_: string) =>
        Effect.acquireRelease(Effect.void, () => Effect.andThen(Effect.sleep("5 millis"), () => (released = true))).pipe(
          Effect.andThen(Effect.never),
          Effect.scoped
        ),
      { name: "slow" }
    )
    const runnable = PromiseRunnable.make(Fx.sequence(Runnable.identity<string>(), slow))
    const seen: Array<string> = []
    for await (const event of runnable.streamEvents("x", { version: "v2" })) {
      seen.push(`${event.event} ${event.name}`)
      if (event.name === "slow") break
    }
    expect(seen.at(-1)).toBe("on_chain_start slow")
    expect(released).toBe(true)
    await runnable.dispose()
  })
})

describe("PromiseRunnable.dispose", () => {
  it("interrupts the runs in flight, then releases the layer's resources; later runs reject", async () => {
    const log: Array<string> = []
    const layer = Layer.scoped(
      Counter,
      Effect.acquireRelease(
        Effect.sync(() => (log.push("acquired"), { next: () => 1 })),
        () => Effect.sync(() => log.push("released"))
      )
    )
    const uses = Runnable.fromEffect(
      (mode: "now" | "forever") =>
        Effect.flatMap(Counter, (counter) =>
          mode === "now"
            ? Effect.succeed(counter.next())
            : Effect.never.pipe(Effect.onInterrupt(() => Effect.sync(() => log.push("run interrupted"))))),
      { name: "uses" }
    )
    const runnable = PromiseRunnable.make(uses, { layer })
    expectTypeOf(runnable).toEqualTypeOf<PromiseRunnable.PromiseRunnable<"now" | "forever", number, never>>()
    expect(await runnable.invoke("now")).toBe(1)
    const inFlight = rejectionOf(runnable.invoke("forever"))
    await sleep(5)

    await runnable[Symbol.asyncDispose]()
    expect(log).toEqual(["acquired", "run interrupted", "released"])
    const interrupted = await inFlight
    expect(interrupted).toBeInstanceOf(PromiseRunnable.DisposedError)
    expect((interrupted as PromiseRunnable.DisposedError)._tag).toBe("DisposedError")
    expect(await rejectionOf(runnable.invoke("now"))).toBeInstanceOf(PromiseRunnable.DisposedError)
    await runnable.dispose() // idempotent
    expect(log).toEqual(["acquired", "run interrupted", "released"])
  })

  it("a layer that fails to build rejects the run with its error", async () => {
    const boom = new Boom({ reason: "no connection" })
    const runnable = PromiseRunnable.make(Runnable.fromEffect((_: string) => Counter), { layer: Layer.fail(boom) })
    expectTypeOf(runnable).toEqualTypeOf<PromiseRunnable.PromiseRunnable<string, { readonly next: () => number }, Boom>>()
    expect(await rejectionOf(runnable.invoke("x"))).toBe(boom)
    await runnable.dispose()
  })

  it("requires a layer for what the runnable needs (types)", () => {
    const needsCounter = Runnable.fromEffect((_: string) => Counter)
    const make = () => {
      // @ts-expect-error the runnable needs Counter, and no layer provides it
      PromiseRunnable.make(needsCounter)
      // @ts-expect-error the layer does not provide Counter
      PromiseRunnable.make(needsCounter, { layer: RunConfig.layer({}) })
    }
    expect(make).toBeTypeOf("function")
  })
})

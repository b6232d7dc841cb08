import { describe, expect, it } from "@effect/vitest"
import {
  fromLangChain,
  LangChainError,
  messageToLangChain,
  promptFromLangChain,
  promptToLangChain,
  toLangChain
} from "@fxchain/adapters/langchain"
import * as Fx from "@fxchain/combinators"
import { RunEvent, Runnable, Testing } from "@fxchain/core"
import { BaseCallbackHandler } from "@langchain/core/callbacks/base"
import { BaseChatModel } from "@langchain/core/language_models/chat_models"
import type { ChatResult } from "@langchain/core/outputs"
import type { StreamEvent } from "@langchain/core/tracers/log_stream"
import {
  AIMessage,
  AIMessageChunk,
  type BaseMessage,
  HumanMessage,
  SystemMessage,
  ToolMessage
} from "@langchain/core/messages"
import { StringOutputParser } from "@langchain/core/output_parsers"
import { ChatPromptTemplate, PromptTemplate } from "@langchain/core/prompts"
import {
  Runnable as LangChainRunnable,
  type RunnableConfig,
  RunnableLambda,
  RunnablePassthrough,
  RunnableSequence
} from "@langchain/core/runnables"
import { FakeChatModel, FakeListChatModel, FakeStreamingLLM } from "@langchain/core/utils/testing"
import { Cause, Chunk, Context, Deferred, Effect, Exit, Fiber, Layer, Option, Schema, Stream, Tracer } from "effect"
import * as FakeModel from "../src/FakeModel.js"
import * as Model from "../src/Model.js"
import * as OutputParser from "../src/OutputParser.js"
import * as PromiseRunnable from "../src/PromiseRunnable.js"
import * as FxPromptTemplate from "../src/PromptTemplate.js"

// -----------------------------------------------------------------------------
// helpers
// -----------------------------------------------------------------------------

interface Controlled<A> {
  readonly promise: Promise<A>
  readonly resolve: (value: A) => void
  readonly reject: (reason: unknown) => void
}

/** A promise the test settles. */
const controlled = <A = void>(): Controlled<A> => {
  let resolve!: (value: A) => void
  let reject!: (reason: unknown) => void
  const promise = new Promise<A>((res, rej) => {
    resolve = res
    reject = rej
  })
  return { promise, resolve, reject }
}

/** Fails the test instead of hanging when a promise never settles. */
const within = <A>(promise: Promise<A>, ms = 2_000): Promise<A> =>
  Promise.race([
    promise,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`not settled within ${ms} ms`)), ms).unref())
  ])

const rejectionOf = async (promise: Promise<unknown>): Promise<unknown> => {
  try {
    await within(promise)
  } catch (error) {
    return error
  }
  throw new Error("expected a rejection")
}

const collect = async <A>(iterable: AsyncIterable<A>): Promise<Array<A>> => {
  const items: Array<A> = []
  for await (const item of iterable) items.push(item)
  return items
}

interface Recorded {
  readonly type: "start" | "end" | "error"
  readonly runId: string
  readonly name?: string | undefined
  readonly parentRunId?: string | undefined
  readonly tags?: ReadonlyArray<string> | undefined
  readonly runType?: string | undefined
  readonly inputs?: unknown
  readonly outputs?: unknown
  readonly error?: unknown
}

/** A LangChain callback handler that records the chain runs it sees, in order. */
class Recorder extends BaseCallbackHandler {
  name = "recorder"
  readonly runs: Array<Recorded> = []
  constructor() {
    super({ _awaitHandler: true })
  }
  // LangChain calls it as (chain, inputs, runId, parentRunId, tags, metadata, runType, runName)
  override handleChainStart(
    _chain: unknown,
    inputs: Record<string, unknown>,
    runId: string,
    parentRunId?: string,
    tags?: Array<string>,
    _metadata?: Record<string, unknown>,
    runType?: string,
    name?: string
  ) {
    const id = (_chain as { readonly id?: ReadonlyArray<string> } | undefined)?.id
    this.runs.push({ type: "start", runId, name: name ?? id?.[id.length - 1], parentRunId, tags, runType, inputs })
  }
  override handleChainEnd(outputs: Record<string, unknown>, runId: string) {
    this.runs.push({ type: "end", runId, outputs })
  }
  override handleChainError(error: unknown, runId: string) {
    this.runs.push({ type: "error", runId, error })
  }
  started(name: string): Recorded {
    const run = this.runs.find((recorded) => recorded.type === "start" && recorded.name === name)
    if (run === undefined) throw new Error(`no run named ${name}: ${JSON.stringify(this.runs.map((r) => r.name))}`)
    return run
  }
  endOf(runId: string): Recorded | undefined {
    return this.runs.find((recorded) => recorded.type !== "start" && recorded.runId === runId)
  }
}

class Greeting extends Context.Tag("test/Greeting")<Greeting, string>() {}

class Refused extends Schema.TaggedError<Refused>()("Refused", { input: Schema.String }) {}

const trim = RunnableLambda.from((text: string) => text.trim())
const exclaim = RunnableLambda.from((text: string) => `${text}!`)

const upper = Runnable.fromEffect((text: string) => Effect.succeed(text.toUpperCase()), { name: "upper" })

/** An fxchain step that consumes its input chunk by chunk, recording what it saw. */
const upperChunks = (seen: Array<string>) =>
  Runnable.make({
    name: "upperChunks",
    run: (text: string) => Effect.succeed(text.toUpperCase()),
    transform: (input) =>
      input.pipe(
        Stream.tap((chunk) => Effect.sync(() => seen.push(chunk))),
        Stream.map((chunk) => chunk.toUpperCase())
      )
  })

/** An fxchain step that starts, then waits until interrupted; its finalizer records that it ran. */
const hanging = (started: Controlled<void>, log: Array<string>) =>
  Runnable.make({
    name: "hanging",
    run: (_: string) =>
      Effect.scoped(
        Effect.gen(function*() {
          yield* Effect.addFinalizer(() => Effect.sync(() => log.push("finalized")))
          started.resolve()
          return yield* Effect.never
        })
      ) as Effect.Effect<string>,
    transform: (input) =>
      Stream.unwrapScoped(
        Effect.gen(function*() {
          yield* Effect.addFinalizer(() => Effect.sync(() => log.push("finalized")))
          return input.pipe(
            Stream.tap(() => Effect.sync(() => started.resolve())),
            Stream.concat(Stream.never)
          )
        })
      )
  })

/** A LangChain runnable of its own (as users write them): counts without end, logs when closed. */
class Counting extends LangChainRunnable<string, number> {
  lc_namespace = ["test"]
  constructor(readonly log: Array<string>) {
    super()
  }
  override async invoke(): Promise<number> {
    return 1
  }
  override async *_streamIterator(_: string, options?: Partial<RunnableConfig>): AsyncGenerator<number> {
    try {
      for (let n = 1;; n++) yield n
    } finally {
      this.log.push(`closed, aborted: ${options?.signal?.aborted}`)
    }
  }
}

/** A LangChain step that streams "a", then "b" once `gate` opens. */
const gatedSource = (gate: Promise<void>) =>
  RunnableLambda.from(async function*(_: string) {
    yield "a"
    await gate
    yield "b"
  }) as unknown as RunnableLambda<string, string>

// -----------------------------------------------------------------------------
// toLangChain
// -----------------------------------------------------------------------------

describe("toLangChain", () => {
  it("is a real LangChain runnable: invoke through RunnableSequence.from and .pipe", async () => {
    const step = toLangChain(upper)
    expect(step.getName()).toBe("upper")
    const sequence = RunnableSequence.from([trim, step, exclaim])
    expect(await sequence.invoke("  hi ")).toBe("HI!")
    expect(await trim.pipe(step).pipe(exclaim).invoke(" ho ")).toBe("HO!")
    expect(await step.invoke("direct")).toBe("DIRECT")
  })

  it("runs on a runtime built from its layer, disposed by dispose()", async () => {
    const log: Array<string> = []
    const layer = Layer.scoped(
      Greeting,
      Effect.acquireRelease(Effect.succeed("Hello"), () => Effect.sync(() => log.push("released")))
    )
    const greet = Runnable.fromEffect((name: string) => Effect.map(Greeting, (greeting) => `${greeting}, ${name}`), {
      name: "greet"
    })
    const step = toLangChain(greet, { layer })
    expect(await RunnableSequence.from([trim, step]).invoke(" Ada ")).toBe("Hello, Ada")
    expect(await step.batch(["Alan", "Grace"])).toEqual(["Hello, Alan", "Hello, Grace"])
    expect(log).toEqual([])
    await step.dispose()
    expect(log).toEqual(["released"])
  })

  it("dispose() interrupts the runs in flight before closing the runtime", async () => {
    const log: Array<string> = []
    const layer = Layer.scoped(
      Greeting,
      Effect.acquireRelease(Effect.succeed("Hello"), () => Effect.sync(() => log.push("released")))
    )
    const started = controlled()
    const waiting = Runnable.make({
      name: "waiting",
      run: (_: string) =>
        Effect.zipRight(
          Greeting,
          Runnable.invoke(hanging(started, log), "x")
        )
    })
    const step = toLangChain(waiting, { layer })
    const pending = step.invoke("x")
    await within(started.promise)
    await step.dispose()
    expect(log).toEqual(["finalized", "released"])
    expect(await rejectionOf(pending)).toMatchObject({ name: "AbortError", message: `The LangChain runnable "waiting" was disposed` })
    expect(await rejectionOf(step.invoke("again"))).toMatchObject({ name: "AbortError" })
  })

  it("rejects with the fxchain error value itself, and a defect with the thrown value", async () => {
    const refuse = Runnable.fromEffect((input: string) => Effect.fail(new Refused({ input })), { name: "refuse" })
    const error = await rejectionOf(RunnableSequence.from([trim, toLangChain(refuse), exclaim]).invoke(" no "))
    expect(error).toBeInstanceOf(Refused)
    expect(error).toMatchObject({ _tag: "Refused", input: "no" })
    expect(String(error)).not.toContain("FiberFailure")

    const thrown = { not: "an Error" }
    const crash = Runnable.sync((_: string): string => {
      throw thrown
    }, { name: "crash" })
    expect(await rejectionOf(toLangChain(crash).invoke("x"))).toBe(thrown)
    // a batch keeps non-Error values too (LangChain's own batch would wrap them in an Error)
    const failing = Runnable.fromEffect((_: string) => Effect.fail("plain string"), { name: "failing" })
    expect(await rejectionOf(toLangChain(failing).batch(["a", "b"]))).toBe("plain string")
  })

  it("batch: outputs in order, at most maxConcurrency at once through a sequence", async () => {
    const probe = Testing.makeProbe()
    const slow = Runnable.fromEffect(
      (text: string) => probe.track(Effect.as(Effect.sleep("5 millis"), text.toUpperCase())),
      { name: "slow" }
    )
    const sequence = RunnableSequence.from([trim, toLangChain(slow), exclaim])
    const inputs = ["a", "b", "c", "d", "e", "f", "g"]
    expect(await sequence.batch(inputs, { maxConcurrency: 2 })).toEqual(["A!", "B!", "C!", "D!", "E!", "F!", "G!"])
    expect(probe.unsafeStats()).toMatchObject({ started: 7, finished: 7, maxInFlight: 2, inFlight: 0 })

    const unbounded = Testing.makeProbe()
    const fast = Runnable.fromEffect(
      (text: string) => unbounded.track(Effect.as(Effect.sleep("5 millis"), text)),
      { name: "fast" }
    )
    await toLangChain(fast).batch(inputs)
    expect(unbounded.unsafeStats().maxInFlight).toBe(7)
  })

  it("batch: returnExceptions keeps each error in place; fail-fast interrupts the other items", async () => {
    const log: Array<string> = []
    const picky = Runnable.fromEffect(
      (text: string) =>
        text === "bad"
          ? Effect.fail(new Refused({ input: text }))
          : text === "slow"
          ? Effect.never.pipe(Effect.onInterrupt(() => Effect.sync(() => log.push("interrupted slow"))))
          : Effect.succeed(text.toUpperCase()),
      { name: "picky" }
    )
    const step = toLangChain(picky)
    const results = await step.batch(["a", "bad", "b"], {}, { returnExceptions: true })
    expect(results[0]).toBe("A")
    expect(results[1]).toBeInstanceOf(Refused)
    expect(results[2]).toBe("B")

    const error = await rejectionOf(step.batch(["slow", "bad", "never started"], { maxConcurrency: 2 }))
    expect(error).toBeInstanceOf(Refused)
    // the batch settled after the item in flight was interrupted, and the third never ran
    expect(log).toEqual(["interrupted slow"])
  })

  it("stream: chunks flow through the fxchain step one by one in a LangChain sequence", async () => {
    const gate = controlled()
    const seen: Array<string> = []
    const sequence = RunnableSequence.from([gatedSource(gate.promise), toLangChain(upperChunks(seen)), new RunnablePassthrough()])
    const chunks = (await sequence.stream("go"))[Symbol.asyncIterator]()
    // "a" made it through the fxchain step while the source still waits to produce "b"
    expect(await within(chunks.next())).toEqual({ done: false, value: "A" })
    expect(seen).toEqual(["a"])
    gate.resolve()
    expect(await within(chunks.next())).toEqual({ done: false, value: "B" })
    expect(await within(chunks.next())).toEqual({ done: true, value: undefined })
    expect(seen).toEqual(["a", "b"])
  })

  it("stream: a step without transform gathers its input; its own stream yields its chunks", async () => {
    const gate = controlled()
    gate.resolve()
    const sequence = RunnableSequence.from([gatedSource(gate.promise), toLangChain(upper), exclaim])
    expect(await collect(await sequence.stream("go"))).toEqual(["AB!"])

    const words = Runnable.fromStream((text: string) => Stream.fromIterable(text.split(" ")), { name: "words" })
    expect(await collect(await toLangChain(words).stream("one two three"))).toEqual(["one", "two", "three"])
  })

  it("abort: the signal interrupts the fxchain run; invoke settles after its finalizers ran", async () => {
    const started = controlled()
    const log: Array<string> = []
    const step = toLangChain(hanging(started, log))
    const controller = new AbortController()
    const pending = step.invoke("x", { signal: controller.signal })
    await within(started.promise)
    controller.abort()
    const error = await rejectionOf(pending)
    expect(error).toMatchObject({ name: "AbortError" })
    expect(log).toEqual(["finalized"])

    // an already aborted signal runs nothing
    const again = controlled()
    const rejected = await rejectionOf(toLangChain(hanging(again, log)).invoke("x", { signal: controller.signal }))
    expect(rejected).toMatchObject({ name: "AbortError" })
    expect(log).toEqual(["finalized"])
  })

  it("abort: aborting a mixed sequence mid-run rejects it and interrupts the fxchain step", async () => {
    const started = controlled()
    const log: Array<string> = []
    const sequence = RunnableSequence.from([trim, toLangChain(hanging(started, log)), exclaim])
    const controller = new AbortController()
    const pending = sequence.invoke(" x ", { signal: controller.signal })
    await within(started.promise)
    controller.abort()
    expect(await rejectionOf(pending)).toMatchObject({ name: "AbortError" })
    // LangChain's sequence rejects at the abort; the fxchain step finishes its interruption right after
    await within(new Promise<void>((resolve) => {
      const check = () => log.length > 0 ? resolve() : setTimeout(check, 1)
      check()
    }))
    expect(log).toEqual(["finalized"])
  })

  it("abort: config.timeout interrupts the run", async () => {
    const log: Array<string> = []
    const error = await rejectionOf(toLangChain(hanging(controlled(), log)).invoke("x", { timeout: 20 }))
    expect(error).toMatchObject({ name: "TimeoutError" })
    expect(log).toEqual(["finalized"])
  })

  it("abort: a streamed sequence aborted mid-stream rejects and interrupts; leaving a loop early does too", async () => {
    const started = controlled()
    const log: Array<string> = []
    const controller = new AbortController()
    const sequence = RunnableSequence.from([trim, toLangChain(hanging(started, log))])
    // LangChain's stream() resolves with the first chunk, so consume it in the background
    const consumed = (async () => collect(await sequence.stream(" x ", { signal: controller.signal })))().catch((
      error
    ) => error)
    await within(started.promise)
    controller.abort()
    expect(await within(consumed)).toMatchObject({ name: "AbortError" })
    await within(new Promise<void>((resolve) => {
      const check = () => log.length > 0 ? resolve() : setTimeout(check, 1)
      check()
    }))
    expect(log).toEqual(["finalized"])

    // break: the fxchain run is interrupted, and its finalizers ran before the loop exits
    const breakLog: Array<string> = []
    const endless = Runnable.fromStream(
      (_: string) =>
        Stream.unwrapScoped(
          Effect.as(
            Effect.addFinalizer(() => Effect.sync(() => breakLog.push("finalized"))),
            Stream.iterate(1, (n) => n + 1)
          )
        ),
      { name: "endless" }
    )
    const seen: Array<number> = []
    for await (const n of await toLangChain(endless).stream("go")) {
      seen.push(n)
      if (n === 3) break
    }
    expect(seen).toEqual([1, 2, 3])
    expect(breakLog).toEqual(["finalized"])
  })

  it("events: LangChain streamEvents v2 reports the fxchain step's start, chunks and end", async () => {
    const gate = controlled()
    gate.resolve()
    const sequence = RunnableSequence.from([gatedSource(gate.promise), toLangChain(upperChunks([])), exclaim])
    const events: Array<StreamEvent> = await collect(sequence.streamEvents("go", { version: "v2" }))
    const step = events.filter((event) => event.name === "upperChunks")
    expect(step.map((event) => event.event)).toEqual([
      "on_chain_start",
      "on_chain_stream",
      "on_chain_stream",
      "on_chain_end"
    ])
    expect(step[0]!.tags).toContain("seq:step:2")
    expect(step.slice(1, 3).map((event) => event.data.chunk)).toEqual(["A", "B"])
    expect(step[3]!.data).toMatchObject({ input: "ab", output: "AB" })
    const sequenceStart = events.findIndex((event) => event.event === "on_chain_start" && event.name === "RunnableSequence")
    const sequenceEnd = events.findIndex((event) => event.event === "on_chain_end" && event.name === "RunnableSequence")
    expect(sequenceStart).toBeLessThan(events.indexOf(step[0]!))
    expect(sequenceEnd).toBeGreaterThan(events.indexOf(step[3]!))
    expect(events[sequenceEnd]!.data.output).toBe("AB!")
  })

  it("events: streamEvents of the fxchain runnable itself", async () => {
    const words = Runnable.fromStream((text: string) => Stream.fromIterable(text.split(" ")), { name: "words" })
    const events: Array<StreamEvent> = await collect(toLangChain(words).streamEvents("a b", { version: "v2" }))
    expect(events.map((event) => [event.event, event.name, event.data])).toEqual([
      ["on_chain_start", "words", { input: "a b" }],
      ["on_chain_stream", "words", { chunk: "a" }],
      ["on_chain_stream", "words", { chunk: "b" }],
      ["on_chain_end", "words", { output: "ab" }]
    ])
  })

  it("callbacks: a handler sees the fxchain step's start and end, or its error", async () => {
    const recorder = new Recorder()
    const sequence = RunnableSequence.from([trim, toLangChain(upper), exclaim])
    expect(await sequence.invoke(" hi ", { callbacks: [recorder] })).toBe("HI!")
    const parent = recorder.started("RunnableSequence")
    const step = recorder.started("upper")
    expect(step).toMatchObject({ parentRunId: parent.runId, inputs: { input: "hi" } })
    expect(step.tags).toContain("seq:step:2")
    expect(recorder.endOf(step.runId)).toMatchObject({ type: "end", outputs: { output: "HI" } })

    // streamed: the same start and end
    const streamed = new Recorder()
    expect(await collect(await sequence.stream(" ho ", { callbacks: [streamed] }))).toEqual(["HO!"])
    // (LangChain's `_transformStreamWithConfig` reports a streamed output as it is)
    expect(streamed.endOf(streamed.started("upper").runId)).toMatchObject({ type: "end", outputs: "HO" })

    // failed: its error is the fxchain error value
    const failed = new Recorder()
    const refuse = Runnable.fromEffect((input: string) => Effect.fail(new Refused({ input })), { name: "refuse" })
    await rejectionOf(RunnableSequence.from([trim, toLangChain(refuse)]).invoke(" no ", { callbacks: [failed] }))
    const errored = failed.endOf(failed.started("refuse").runId)
    expect(errored?.type).toBe("error")
    expect(errored?.error).toBeInstanceOf(Refused)
  })

  it("hands LangChain's tags, metadata, configurable values and run name to the fxchain run", async () => {
    const seen = Runnable.fromEffect(
      (_: string) =>
        Effect.map(Effect.all([Runnable.currentRun, Effect.serviceOption(Greeting)]), () => "ok"),
      { name: "seen" }
    )
    const names: Array<string> = []
    const events = Runnable.fromEffect((input: string) =>
      Runnable.streamEvents(seen, input).pipe(
        Stream.runForEach((event) => Effect.sync(() => names.push(`${event._tag}:${event.name}:${event.tags.join(",")}`))),
        Effect.as("done")
      ), { name: "events" })
    expect(await toLangChain(events).invoke("x", { tags: ["from-langchain"], runName: "renamed" })).toBe("done")
    expect(names).toEqual([
      "Started:seen:from-langchain",
      "Streamed:seen:from-langchain",
      "Ended:seen:from-langchain"
    ])
  })

  it("LangChain → fxchain → LangChain: the inner LangChain run is a child of the fxchain step's run", async () => {
    const inner = fromLangChain(RunnableLambda.from((text: string) => `${text}?`), { name: "inner" })
    const fxStep = Runnable.withConfig(Fx.sequence(upper, inner), { runName: "fxStep" })
    const sequence = RunnableSequence.from([trim, toLangChain(fxStep), exclaim])

    const recorder = new Recorder()
    expect(await sequence.invoke(" hi ", { callbacks: [recorder] })).toBe("HI?!")
    expect(recorder.started("inner").parentRunId).toBe(recorder.started("fxStep").runId)

    const events: Array<StreamEvent> = await collect(sequence.streamEvents(" hi ", { version: "v2" }))
    const names = events.map((event) => `${event.event}:${event.name}`)
    expect(names).toContain("on_chain_start:inner")
    expect(names.indexOf("on_chain_start:fxStep")).toBeLessThan(names.indexOf("on_chain_start:inner"))
    expect(names.indexOf("on_chain_end:inner")).toBeLessThan(names.indexOf("on_chain_end:fxStep"))
  })
})

// -----------------------------------------------------------------------------
// fromLangChain
// -----------------------------------------------------------------------------

describe("fromLangChain", () => {
  it.effect("invoke calls the LangChain runnable; name and kind come from it", () =>
    Effect.gen(function*() {
      const lambda = fromLangChain(RunnableLambda.from((text: string) => text.toUpperCase()))
      expect(lambda.name).toBe("RunnableLambda")
      expect(lambda.kind).toBe("lambda")
      expect(yield* Runnable.invoke(lambda, "hi")).toBe("HI")

      const named = fromLangChain(RunnableLambda.from((text: string) => text), { name: "named", kind: "tool" })
      expect([named.name, named.kind]).toEqual(["named", "tool"])

      const model = fromLangChain(new FakeListChatModel({ responses: ["Hello"] }))
      expect(model.kind).toBe("model")
      const answer = yield* Runnable.invoke(model, "Hi")
      expect(answer).toBeInstanceOf(AIMessage)
      expect(answer.content).toBe("Hello")

      expect(fromLangChain(new StringOutputParser()).kind).toBe("parser")
      expect(fromLangChain(PromptTemplate.fromTemplate("Say {word}")).kind).toBe("prompt")
      expect(fromLangChain(RunnableSequence.from([trim, exclaim])).kind).toBe("chain")
      expect(fromLangChain(new FakeListChatModel({ responses: ["x"] }).withConfig({ tags: ["t"] })).kind).toBe("model")
    }))

  it.effect("stream uses the LangChain runnable's stream", () =>
    Effect.gen(function*() {
      const letters = fromLangChain(
        RunnableLambda.from(async function*(text: string) {
          for (const letter of text) yield letter
        }) as unknown as RunnableLambda<string, string>,
        { name: "letters" }
      )
      const chunks = yield* Runnable.stream(letters, "abc").pipe(Stream.runCollect)
      expect(Chunk.toArray(chunks)).toEqual(["a", "b", "c"])

      const model = fromLangChain(new FakeListChatModel({ responses: ["Hey"] }))
      const tokens = yield* Runnable.stream(model, "Hi").pipe(Stream.runCollect)
      expect(Chunk.toArray(tokens).map((chunk) => chunk.content)).toEqual(["H", "e", "y"])
    }))

  it.live("interruption aborts the signal the LangChain call received", () =>
    Effect.gen(function*() {
      const started = controlled<AbortSignal>()
      const aborted = controlled<boolean>()
      const waits = fromLangChain(
        RunnableLambda.from((_: string, config?: RunnableConfig) =>
          new Promise<string>((_resolve, reject) => {
            const signal = config!.signal!
            signal.addEventListener("abort", () => {
              aborted.resolve(signal.aborted)
              reject(signal.reason)
            })
            started.resolve(signal)
          })
        ),
        { name: "waits" }
      )
      const fiber = yield* Effect.fork(Runnable.invoke(waits, "x"))
      const signal = yield* Effect.promise(() => within(started.promise))
      expect(signal.aborted).toBe(false)
      const exit = yield* Fiber.interrupt(fiber)
      expect(Exit.isInterrupted(exit)).toBe(true)
      expect(yield* Effect.promise(() => within(aborted.promise))).toBe(true)

      // a stream stopped early aborts the signal and closes the LangChain generator before it ends
      const log: Array<string> = []
      const counting = fromLangChain(new Counting(log))
      const firstTwo = yield* Runnable.stream(counting, "x").pipe(Stream.take(2), Stream.runCollect)
      expect(Chunk.toArray(firstTwo)).toEqual([1, 2])
      expect(log).toEqual(["closed, aborted: true"])

      // interrupted while LangChain works on a chunk: the signal aborts
      const waiting = controlled<AbortSignal>()
      const slowChunks = fromLangChain(
        RunnableLambda.from(async function*(_: string, config?: RunnableConfig) {
          yield "first"
          waiting.resolve(config!.signal!)
          await new Promise((resolve) => config!.signal!.addEventListener("abort", resolve))
        }) as unknown as RunnableLambda<string, string>,
        { name: "slowChunks" }
      )
      const streaming = yield* Effect.fork(Runnable.stream(slowChunks, "x").pipe(Stream.runCollect))
      const streamSignal = yield* Effect.promise(() => within(waiting.promise))
      yield* Fiber.interrupt(streaming)
      expect(streamSignal.aborted).toBe(true)

      // Effect.timeout interrupts it the same way
      const timedOut = yield* Runnable.invoke(waits, "x").pipe(Effect.timeout("10 millis"), Effect.exit)
      expect(Exit.isFailure(timedOut) && Cause.failureOption(timedOut.cause).pipe(Option.map((e) => e._tag))).toEqual(
        Option.some("TimeoutException")
      )
    }))

  it.effect("the LangChain run is a span nested in its parent's", () =>
    Effect.gen(function*() {
      const native = yield* Effect.tracer
      const spans: Array<readonly [name: string, parent: string | undefined]> = []
      const recording = Tracer.make({
        span: (name, parent, ...rest) => {
          const parentName = Option.match(parent, {
            onNone: () => undefined,
            onSome: (span) => span._tag === "Span" ? span.name : undefined
          })
          spans.push([name, parentName])
          return native.span(name, parent, ...rest)
        },
        context: (f, fiber) => native.context(f, fiber)
      })
      const lc = fromLangChain(RunnableLambda.from((text: string) => `${text}!`), { name: "lc" })
      const pipeline = Runnable.withConfig(Fx.sequence(Runnable.sync((text: string) => text.trim(), { name: "trim" }), lc), {
        runName: "pipeline"
      })
      expect(yield* Runnable.invoke(pipeline, " hi ").pipe(Effect.withTracer(recording))).toBe("hi!")
      expect(spans).toContainEqual(["lc", "pipeline"])
    }))

  it.effect("a rejection is a typed LangChainError holding the original error", () =>
    Effect.gen(function*() {
      const boom = new Error("boom")
      const broken = fromLangChain(RunnableLambda.from((_: string): string => {
        throw boom
      }), { name: "broken" })
      const error = yield* Effect.flip(Runnable.invoke(broken, "x"))
      expect(error).toBeInstanceOf(LangChainError)
      expect(error._tag).toBe("LangChainError")
      expect(error.runnable).toBe("broken")
      expect(error.cause).toBe(boom)
      expect(error.message).toBe(`LangChain runnable "broken" failed: boom`)

      const streamed = yield* Effect.flip(Runnable.stream(broken, "x").pipe(Stream.runDrain))
      expect(streamed).toBeInstanceOf(LangChainError)
      expect(streamed.cause).toBe(boom)

      const recovered = yield* Runnable.invoke(broken, "x").pipe(
        Effect.catchTag("LangChainError", (error) => Effect.succeed(`recovered from ${error.runnable}`))
      )
      expect(recovered).toBe("recovered from broken")
    }))

  it.effect("the LangChain run is a nested run in Runnable.streamEvents", () =>
    Effect.gen(function*() {
      const lc = fromLangChain(RunnableLambda.from((text: string) => `${text}!`), { name: "lc" })
      const pipeline = Fx.sequence(Runnable.sync((text: string) => text.trim(), { name: "trim" }), lc)
      const events = Chunk.toArray(yield* Runnable.streamEvents(pipeline, " hi ").pipe(Stream.runCollect))
      const root = events.find((event) => event._tag === "Started" && event.parentIds.length === 0)!
      const started = events.find((event) => event._tag === "Started" && event.name === "lc")
      const ended = events.find((event) => event._tag === "Ended" && event.name === "lc")
      expect(started).toMatchObject({ kind: "lambda", parentIds: [root.runId] })
      expect(started?.tags).toContain("seq:step:2")
      expect(ended).toMatchObject({ runId: started!.runId, input: "hi", output: "hi!" })
      const invoked = yield* Effect.exit(Runnable.invoke(pipeline, " hi "))
      expect(invoked).toEqual(Exit.succeed("hi!"))

      const failing = fromLangChain(RunnableLambda.from((_: string): string => {
        throw new Error("no")
      }), { name: "failing" })
      const failedEvents = yield* Runnable.streamEvents(failing, "x").pipe(
        Stream.runCollect,
        Effect.map(Chunk.toArray),
        Effect.catchAll(() => Effect.succeed([] as Array<RunEvent.RunEvent>))
      )
      expect(failedEvents).toEqual([])
      const seen: Array<RunEvent.RunEvent> = []
      yield* Runnable.streamEvents(failing, "x").pipe(
        Stream.runForEach((event) => Effect.sync(() => seen.push(event))),
        Effect.ignore
      )
      expect(seen.map((event) => event._tag)).toEqual(["Started", "Failed"])
      expect((seen[1] as RunEvent.RunEvent & { _tag: "Failed" }).error).toBeInstanceOf(LangChainError)
    }))

  it.live("inside Fx.sequence: invokes, streams chunk by chunk through a LangChain parser, passes input failures on", () =>
    Effect.gen(function*() {
      const parser = fromLangChain(new StringOutputParser())
      const shout = fromLangChain(RunnableLambda.from((text: string) => text.toUpperCase()), { name: "shout" })
      const pipeline = Fx.sequence(Runnable.sync((text: string) => text.trim(), { name: "trim" }), shout, parser)
      expect(yield* Runnable.invoke(pipeline, " hi ")).toBe("HI")

      // the parser receives "a" and yields it before the source produces "b"
      const gate = yield* Deferred.make<void>()
      const source = Runnable.fromStream(
        (_: string) => Stream.concat(Stream.make("a"), Stream.fromEffect(Effect.as(Deferred.await(gate), "b"))),
        { name: "source" }
      )
      const chunks = yield* Runnable.stream(Fx.sequence(source, parser), "x").pipe(
        Stream.tap(() => Deferred.succeed(gate, undefined)),
        Stream.runCollect,
        Effect.timeoutFail({ duration: "2 seconds", onTimeout: () => new Error("the parser gathered its input") })
      )
      expect(Chunk.toArray(chunks)).toEqual(["a", "b"])

      // a failure of the stream the LangChain step reads comes out unchanged, not as a LangChainError
      const refused = new Refused({ input: "x" })
      const failingSource = Runnable.fromStream(
        (_: string) => Stream.concat(Stream.make("a"), Stream.fail(refused)),
        { name: "failingSource" }
      )
      const error = yield* Effect.flip(Runnable.stream(Fx.sequence(failingSource, parser), "x").pipe(Stream.runDrain))
      expect(error).toBe(refused)
    }))

  it("round trip: an fxchain runnable through LangChain and back keeps its behaviour", async () => {
    const back = fromLangChain(toLangChain(upper))
    expect(back.name).toBe("upper")
    expect(await Effect.runPromise(Runnable.invoke(back, "hi"))).toBe("HI")
  })
})

// -----------------------------------------------------------------------------
// the whole tree across the bridge
// -----------------------------------------------------------------------------

describe("both directions see the whole tree", () => {
  it("toLangChain: LangChain's streamEvents sees fxchain's prompt, model and parser as child runs, with the tokens", async () => {
    const chain = Fx.sequence(FxPromptTemplate.make("Say {word}"), Model.fromLanguageModel(), OutputParser.string)
    const lc = toLangChain(chain, { layer: FakeModel.layer({ responses: "Hello brave world" }) })
    const events: Array<StreamEvent> = await collect(lc.streamEvents({ word: "hi" }, { version: "v2" }))
    const root = events[0]!
    expect(root).toMatchObject({ event: "on_chain_start", name: "sequence" })
    const of = (name: string) => events.filter((event) => event.name === name)
    expect(of("PromptTemplate").map((event) => event.event)).toEqual(["on_prompt_start", "on_prompt_end"])
    const model = of("model")
    expect(model.map((event) => event.event)).toEqual([
      "on_chat_model_start",
      "on_chat_model_stream",
      "on_chat_model_stream",
      "on_chat_model_stream",
      "on_chat_model_end"
    ])
    const [human] = (model[0]!.data.input as { messages: Array<Array<BaseMessage>> }).messages[0]!
    expect(human).toBeInstanceOf(HumanMessage)
    expect(human!.content).toBe("Say hi")
    const chunks = model.slice(1, -1).map((event) => event.data.chunk as AIMessageChunk)
    expect(chunks.every((chunk) => chunk instanceof AIMessageChunk && chunk.id === `run-${model[0]!.run_id}`)).toBe(true)
    expect(chunks.map((chunk) => chunk.content)).toEqual(["Hello ", "brave ", "world"])
    expect(model.at(-1)!.data.output).toBeInstanceOf(AIMessage)
    expect((model.at(-1)!.data.output as AIMessage).usage_metadata).toMatchObject({ output_tokens: 3 })
    expect(of("StringOutputParser").filter((event) => event.event === "on_parser_stream").map((event) => event.data.chunk))
      .toEqual(["Hello ", "brave ", "world"])
    expect(events.at(-1)).toMatchObject({ event: "on_chain_end", name: "sequence", data: { output: "Hello brave world" } })
    await lc.dispose()
  })

  it("toLangChain: LangChain's callbacks see the nested runs of an invoke as children, and the model's tokens", async () => {
    const chain = Fx.sequence(FxPromptTemplate.make("Say {word}"), Model.fromLanguageModel(), OutputParser.string)
    const lc = toLangChain(Runnable.withConfig(chain, { runName: "tutorial" }), {
      layer: FakeModel.layer({ responses: "Hello brave world" })
    })
    const recorder = new Recorder()
    const tokens: Array<string> = []
    const models: Array<{ readonly runId: string; readonly parentRunId: string | undefined }> = []
    const handler = BaseCallbackHandler.fromMethods({
      handleChatModelStart: (_llm, _messages, runId, parentRunId) => void models.push({ runId, parentRunId }),
      handleLLMNewToken: (token) => void tokens.push(token)
    })
    expect(await lc.invoke({ word: "hi" }, { callbacks: [recorder, handler] })).toBe("Hello brave world")
    const root = recorder.started("tutorial")
    expect(recorder.started("PromptTemplate")).toMatchObject({ parentRunId: root.runId, runType: "prompt", tags: ["seq:step:1"] })
    expect(recorder.started("StringOutputParser")).toMatchObject({ parentRunId: root.runId, runType: "parser" })
    expect(models).toEqual([{ runId: expect.any(String), parentRunId: root.runId }])
    expect(tokens).toEqual(["Hello ", "brave ", "world"])
    expect(recorder.endOf(recorder.started("PromptTemplate").runId)).toMatchObject({ type: "end" })
    await lc.dispose()
  })

  it("toLangChain: a custom event of a nested fxchain run reaches LangChain's callbacks as that run's", async () => {
    const step = Runnable.fromEffect(
      (text: string) => Effect.as(Runnable.dispatchCustomEvent("progress", { text }), text.toUpperCase()),
      { name: "shout" }
    )
    const lc = toLangChain(Runnable.withConfig(Fx.sequence(step, Runnable.sync((text: string) => `${text}!`)), { runName: "pipeline" }))
    const recorder = new Recorder()
    const custom: Array<{ readonly name: string; readonly data: unknown; readonly runId: string }> = []
    const handler = BaseCallbackHandler.fromMethods({
      handleCustomEvent: (name, data, runId) => void custom.push({ name, data, runId })
    })
    expect(await lc.invoke("hi", { callbacks: [recorder, handler] })).toBe("HI!")
    expect(custom).toEqual([{ name: "progress", data: { text: "hi" }, runId: recorder.started("shout").runId }])
    expect(recorder.started("shout").parentRunId).toBe(recorder.started("pipeline").runId)
    await lc.dispose()
  })

  it.effect("fromLangChain: LangChain's inner runs are fxchain runs nested in the step's run, with the model's tokens", () =>
    Effect.gen(function*() {
      const lcChain = PromptTemplate.fromTemplate("Tell me about {topic}")
        .pipe(new FakeListChatModel({ responses: ["abc"] }))
        .pipe(new StringOutputParser())
      const explain = fromLangChain(lcChain, { name: "explain" })
      const events = Chunk.toReadonlyArray(yield* Stream.runCollect(Runnable.streamEvents(explain, { topic: "fibers" })))
      const root = events[0]!
      expect([root.name, root.parentIds]).toEqual(["explain", []])
      const of = (name: string) => events.filter((event) => event.name === name)
      for (const name of ["PromptTemplate", "FakeListChatModel", "StrOutputParser"]) {
        expect(of(name).every((event) => event.parentIds.join() === root.runId)).toBe(true)
      }
      expect(of("PromptTemplate").map((event) => [event._tag, event.kind])).toEqual([["Started", "prompt"], ["Ended", "prompt"]])
      const model = of("FakeListChatModel")
      expect(model[0]).toMatchObject({ _tag: "Started", kind: "model" })
      expect(model.filter(RunEvent.$is("Streamed")).map((event) => (event.chunk as AIMessageChunk).content)).toEqual(["a", "b", "c"])
      expect(model.at(-1)).toMatchObject({ _tag: "Ended" })
      expect((model.at(-1) as RunEvent.RunEvent & { output: AIMessage }).output.content).toBe("abc")
      expect(of("StrOutputParser").at(-1)).toMatchObject({ _tag: "Ended", kind: "parser", output: "abc" })
      // nobody observing: nothing is reported, and the chain answers as before
      expect(yield* Runnable.invoke(explain, { topic: "fibers" })).toBe("abc")
    }))

  it.effect("fromLangChain: a LangChain chat model invoked while observed streams its tokens; an LLM is an llm run", () =>
    Effect.gen(function*() {
      const model = fromLangChain(new FakeListChatModel({ responses: ["Hey"] }))
      const asks = Runnable.fromEffect((question: string) => Runnable.invoke(model, question), { name: "asks" })
      const events = Chunk.toReadonlyArray(yield* Stream.runCollect(Runnable.streamEvents(asks, "Hi")))
      const tokens = events.filter((event) => event.name === "FakeListChatModel" && event._tag === "Streamed")
      expect(tokens.map((event) => (event as RunEvent.RunEvent & { chunk: AIMessageChunk }).chunk.content)).toEqual(["H", "e", "y"])
      const answer = events.find((event) => event._tag === "Ended" && event.name === "asks") as RunEvent.RunEvent & { output: AIMessageChunk }
      expect(answer.output.content).toBe("Hey")
      expect(events.find((event) => event.name === "FakeListChatModel")!.metadata).toMatchObject({
        ls_model_type: "chat",
        ls_provider: "FakeListChatModel"
      })

      const llm = fromLangChain(new FakeStreamingLLM({ responses: ["ok"], sleep: 0 }))
      expect(llm.kind).toBe("llm")
      expect(yield* Runnable.invoke(llm, "Hi")).toBe("ok")
    }))

  it("a LangChain chat model that cannot stream: its answer with tool calls is an AIMessageChunk in the v2 stream event, an AIMessage at its end", async () => {
    class ToolCaller extends BaseChatModel {
      _llmType() {
        return "tool-caller"
      }
      async _generate(): Promise<ChatResult> {
        const message = new AIMessage({
          id: "answer-1",
          content: "looking it up",
          tool_calls: [{ id: "call-1", name: "search", args: { query: "fibers" } }]
        })
        return { generations: [{ text: "looking it up", message }] }
      }
    }
    const model = fromLangChain(new ToolCaller({}))
    const asks = Runnable.fromEffect((question: string) => Runnable.invoke(model, question), { name: "asks" })
    await using facade = PromiseRunnable.make(asks)
    const events = await collect(facade.streamEvents("Hi", { version: "v2" }))
    const streamed = events.filter((event) => event.event === "on_chat_model_stream").map((event) => event.data.chunk)
    expect(streamed).toHaveLength(1)
    expect(AIMessageChunk.isInstance(streamed[0])).toBe(true)
    const chunk = streamed[0] as AIMessageChunk
    expect(chunk.id).toBe("answer-1")
    expect(chunk.tool_call_chunks).toEqual([
      { type: "tool_call_chunk", id: "call-1", name: "search", args: JSON.stringify({ query: "fibers" }) }
    ])
    // a UI that concatenates the chunks gets the answer back, tool calls included
    expect(chunk.concat(new AIMessageChunk({ content: "" })).tool_calls).toEqual([
      { type: "tool_call", id: "call-1", name: "search", args: { query: "fibers" } }
    ])
    const ended = events.find((event) => event.event === "on_chat_model_end")!.data.output
    expect(AIMessage.isInstance(ended) && !AIMessageChunk.isInstance(ended)).toBe(true)
  })
})

describe("messages convert both ways", () => {
  it.effect("a LangChain prompt feeds an fxchain model", () =>
    Effect.gen(function*() {
      const template = fromLangChain(ChatPromptTemplate.fromMessages([["system", "Be brief"], ["human", "{question}"]]))
      const chain = Fx.sequence(template, Runnable.sync(promptFromLangChain), Model.fromLanguageModel())
      const fake = yield* FakeModel.make({ responses: "Yes" })
      const answer = yield* Runnable.invoke(chain, { question: "Is it?" }).pipe(Effect.provide(fake.layer))
      expect(answer.text).toBe("Yes")
      const [prompt] = yield* fake.prompts
      expect(prompt!.content.map((message) => message.role)).toEqual(["system", "user"])
      expect(prompt!.content[0]).toMatchObject({ role: "system", content: "Be brief" })
      expect(prompt!.content[1]).toMatchObject({ role: "user", content: [{ type: "text", text: "Is it?" }] })
    }))

  it.effect("an fxchain prompt feeds a LangChain chat model", () =>
    Effect.gen(function*() {
      const prompt = FxPromptTemplate.chat([["system", "Be brief"], ["user", "{question}"]])
      // LangChain's FakeChatModel answers with the messages it was given, one per line
      const chain = Fx.sequence(prompt, Runnable.sync(promptToLangChain), fromLangChain(new FakeChatModel({})))
      const answer = yield* Runnable.invoke(chain, { question: "Is it?" })
      expect(answer.content).toBe("Be brief\nIs it?")
    }))

  it("messages keep their roles, text, tool calls and tool results both ways", () => {
    const messages = [
      new SystemMessage("Be brief"),
      new HumanMessage("Weather in Paris?"),
      new AIMessage({ content: "", tool_calls: [{ id: "call_1", name: "weather", args: { city: "Paris" }, type: "tool_call" }] }),
      new ToolMessage({ content: "18", tool_call_id: "call_1", name: "weather" })
    ]
    const prompt = promptFromLangChain(messages)
    expect(prompt.content.map((message) => message.role)).toEqual(["system", "user", "assistant", "tool"])
    expect(prompt.content[2]).toMatchObject({ content: [{ type: "tool-call", id: "call_1", name: "weather", params: { city: "Paris" } }] })
    expect(prompt.content[3]).toMatchObject({ content: [{ type: "tool-result", id: "call_1", name: "weather", result: "18" }] })
    const back = promptToLangChain(prompt)
    expect(back.map((message) => [message.type, message.content])).toEqual([
      ["system", "Be brief"],
      ["human", "Weather in Paris?"],
      ["ai", ""],
      ["tool", "18"]
    ])
    expect((back[2] as AIMessage).tool_calls).toEqual([{ id: "call_1", name: "weather", args: { city: "Paris" }, type: "tool_call" }])
    expect((back[3] as ToolMessage).tool_call_id).toBe("call_1")

    const message = messageToLangChain(
      { text: "Hi", toolCalls: [], finishReason: "stop", usage: { inputTokens: 2, outputTokens: 1 } },
      { id: "run-1" }
    )
    expect(message).toBeInstanceOf(AIMessage)
    expect([message.content, message.id, message.usage_metadata, message.response_metadata]).toEqual([
      "Hi",
      "run-1",
      { input_tokens: 2, output_tokens: 1, total_tokens: 3 },
      { finish_reason: "stop" }
    ])
  })
})

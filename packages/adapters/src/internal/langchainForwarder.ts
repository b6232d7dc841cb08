/**
 * The runs nested in a `toLangChain` run, forwarded to LangChain's callbacks as child runs of
 * its LangChain run: whoever listens on the LangChain side (its `streamEvents`, LangSmith, a
 * tracer) sees the fxchain prompt, model and parser runs, and a model's tokens.
 *
 * The fxchain run is observed (`Runnable.streamEvents`) and each of its events becomes the
 * LangChain callback of its run's type: a chain, prompt or parser is a chain run (its chunks
 * reach the handlers that tap streams, as LangChain's own `transform` hands them), a model is a
 * chat model run (its chunks are `handleLLMNewToken` calls with `AIMessageChunk`s), an LLM an LLM
 * run, a tool a tool run, a retriever a retriever run. A `fromLangChain` run inside is no run of
 * its own: the LangChain runnable it calls makes that run, under the same parent (`configFor`).
 *
 * @internal
 */
import type { Runnable, RunEvent } from "@fxchain/core"
import type {
  CallbackManager,
  CallbackManagerForChainRun,
  CallbackManagerForLLMRun,
  CallbackManagerForRetrieverRun,
  CallbackManagerForToolRun
} from "@langchain/core/callbacks/manager"
import type { DocumentInterface } from "@langchain/core/documents"
import type { Serialized } from "@langchain/core/load/serializable"
import { AIMessageChunk, type BaseMessage, HumanMessage, isBaseMessage } from "@langchain/core/messages"
import { ChatGenerationChunk, GenerationChunk } from "@langchain/core/outputs"
import type { RunnableConfig } from "@langchain/core/runnables"
import type { LangChainParent } from "./langchainBridge.js"
import { isModelMessage } from "./langchainEvents.js"
import { isPromptValue, messageChunkToLangChain, messageToLangChain, promptToLangChain } from "./langchainMessages.js"

/** LangChain's `_coerceToDict`: what callbacks receive as a run's inputs and outputs. @internal */
export const coerceToDict = (value: unknown, key: string): Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value) && !(value instanceof Date)
    ? value as Record<string, unknown>
    : { [key]: value }

type RunManager =
  | CallbackManagerForChainRun
  | CallbackManagerForLLMRun
  | CallbackManagerForToolRun
  | CallbackManagerForRetrieverRun

type ParentManager = CallbackManagerForChainRun | CallbackManagerForToolRun | CallbackManagerForRetrieverRun

/** A handler that taps a run's output stream (LangChain's `streamEvents` and `streamLog` handlers). */
interface Tapping {
  readonly tapOutputIterable: (runId: string, output: AsyncGenerator<unknown>) => AsyncGenerator<unknown>
}

const isTapping = <A extends object>(handler: A): handler is A & Tapping =>
  typeof (handler as Partial<Tapping>).tapOutputIterable === "function"

/**
 * A run's output chunks handed to the handlers that tap output streams, one at a time: `push`
 * settles once the handlers have passed the chunk on (sent their event), `close` once they saw
 * the end.
 */
class OutputTap {
  private readonly queue: Array<IteratorResult<unknown>> = []
  private wake: (() => void) | undefined
  private readonly tapped: AsyncGenerator<unknown>

  constructor(handlers: ReadonlyArray<Tapping>, runId: string) {
    const queue = this.queue
    const next = (): Promise<void> => new Promise((resolve) => (this.wake = resolve))
    async function* chunks(): AsyncGenerator<unknown> {
      while (true) {
        while (queue.length === 0) await next()
        const item = queue.shift()!
        if (item.done === true) return
        yield item.value
      }
    }
    let tapped = chunks()
    for (const handler of handlers) tapped = handler.tapOutputIterable(runId, tapped)
    this.tapped = tapped
  }

  private offer(item: IteratorResult<unknown>): Promise<void> {
    this.queue.push(item)
    const wake = this.wake
    this.wake = undefined
    wake?.()
    return this.tapped.next().then(() => undefined)
  }

  push(chunk: unknown): Promise<void> {
    return this.offer({ done: false, value: chunk })
  }

  close(): Promise<void> {
    return this.offer({ done: true, value: undefined })
  }
}

/**
 * A forwarded run: its LangChain run manager, its handlers that tap output streams (fixed when it
 * starts), and the tap of its chunks once it streamed.
 */
interface Forwarded {
  readonly kind: RunEvent.RunKind
  readonly manager: RunManager
  readonly tapping: ReadonlyArray<Tapping>
  tap: OutputTap | undefined
}

/** The LangChain run type of a kind: prompts and parsers have their own events, the rest are chains. @internal */
export const runTypeOf = (kind: string): string | undefined => kind === "prompt" || kind === "parser" ? kind : undefined

/** A run's place on the LangChain side: forwarded, or a `fromLangChain` run LangChain runs itself. */
type Place = Forwarded | "langchain"

const serializedOf = (name: string): Serialized => ({ lc: 1, type: "not_implemented", id: ["fxchain", name] })

/** The messages a model run was given, as LangChain's. */
const messagesOf = (input: unknown): Array<BaseMessage> => {
  if (isPromptValue(input)) return input.toChatMessages()
  if (Array.isArray(input) && input.every(isBaseMessage)) return input
  try {
    return promptToLangChain(input as Parameters<typeof promptToLangChain>[0])
  } catch {
    return [new HumanMessage(typeof input === "string" ? input : JSON.stringify(input))]
  }
}

const textOf = (value: unknown): string =>
  typeof value === "string" ? value : isModelMessage(value) ? value.text : isBaseMessage(value) ? value.text : String(value)

/** A model's chunk as LangChain's message chunk (an fxchain `Model.Message` converted, a LangChain one kept). */
const messageChunkOf = (chunk: unknown, id: string): AIMessageChunk | BaseMessage =>
  isBaseMessage(chunk)
    ? chunk
    : isModelMessage(chunk)
    ? messageChunkToLangChain(chunk, { id })
    : new AIMessageChunk({ content: textOf(chunk), id })

const messageOf = (output: unknown, id: string): BaseMessage =>
  isBaseMessage(output) ? output : isModelMessage(output) ? messageToLangChain(output, { id }) : messageToLangChain({ text: textOf(output), toolCalls: [] }, { id })

/**
 * A model chunk with no text and no tool call: nothing a LangChain token carries (the last one,
 * finish reason and usage; reasoning alone, which LangChain's chunk has no place for).
 */
const isEmptyMessage = (chunk: unknown): boolean =>
  isModelMessage(chunk) && chunk.text === "" && chunk.toolCalls.length === 0

interface Waiting {
  readonly promise: Promise<Place>
  readonly resolve: (place: Place) => void
}

/**
 * Forwards the events of an observed `toLangChain` call: the root run only observes the call's
 * own run (its one child), whose LangChain run (`root`) LangChain already made; the runs below are
 * forwarded.
 *
 * @internal
 */
export class RunForwarder implements LangChainParent {
  private readonly places = new Map<string, Place>()
  private readonly waiting = new Map<string, Waiting>()
  private readonly claimed = new Set<string>()

  constructor(private readonly root: CallbackManagerForChainRun, private readonly inherited: RunnableConfig) {}

  private waitFor(runId: string): Waiting {
    let waiting = this.waiting.get(runId)
    if (waiting === undefined) {
      let resolve!: (place: Place) => void
      const promise = new Promise<Place>((done) => (resolve = done))
      waiting = { promise, resolve }
      this.waiting.set(runId, waiting)
    }
    return waiting
  }

  private place(runId: string, place: Place): void {
    this.places.set(runId, place)
    this.waitFor(runId).resolve(place)
    this.waiting.delete(runId)
  }

  /**
   * The nearest forwarded run among `ancestors` (root first) that LangChain lets have children (a
   * model run does not), or the call's own run.
   */
  private async nearest(ancestors: ReadonlyArray<string>): Promise<ParentManager> {
    // (the observing run and the call's own run are the first two)
    for (let index = ancestors.length - 1; index >= 2; index--) {
      const runId = ancestors[index]!
      const place = this.places.get(runId) ?? await this.waitFor(runId).promise
      if (place !== "langchain" && "getChild" in place.manager) return place.manager
    }
    return this.root
  }

  configFor(run: Runnable.CurrentRun): Promise<RunnableConfig> {
    const runId = run.runId
    const ancestors = runId === undefined ? [] : [...run.parentIds, runId]
    // not forwarded yet: LangChain's own run of the call stands for it
    if (runId !== undefined && !this.places.has(runId)) {
      this.claimed.add(runId)
      ancestors.pop()
    }
    return this.nearest(ancestors).then((manager) => ({ ...this.inherited, callbacks: manager.getChild() }))
  }

  /** Forwards one event; the next one is forwarded once this one has been handled. */
  async forward(event: RunEvent.RunEvent): Promise<void> {
    if (event._tag === "Custom") return this.custom(event)
    if (event.parentIds.length < 2) return
    if (event._tag === "Started") return this.start(event)
    const place = this.places.get(event.runId)
    if (place === undefined || place === "langchain") return
    switch (event._tag) {
      case "Streamed":
        return this.chunk(place, event)
      case "Ended":
        return this.end(place, event)
      case "Failed":
        return this.fail(place, event)
    }
  }

  /** A custom event, as LangChain's `dispatchCustomEvent` reports it: to its run's callbacks (the call's own run is `root`). */
  private async custom(event: RunEvent.RunEvent & { readonly _tag: "Custom" }): Promise<void> {
    if (event.parentIds.length === 0) return
    if (event.parentIds.length === 1) return this.root.handleCustomEvent(event.event, event.data)
    const place = this.places.get(event.runId)
    if (place === undefined || place === "langchain") return
    return place.manager.handleCustomEvent(event.event, event.data)
  }

  private async start(event: RunEvent.RunEvent & { readonly _tag: "Started" }): Promise<void> {
    if (this.claimed.delete(event.runId)) return this.place(event.runId, "langchain")
    const parent = await this.nearest(event.parentIds)
    const manager: CallbackManager = parent.getChild()
    manager.removeTags(manager.tags)
    manager.addTags([...event.tags], false)
    manager.addMetadata(event.metadata, false)
    const serialized = serializedOf(event.name)
    const { input, kind, name, runId } = event
    let started: RunManager | undefined
    switch (kind) {
      case "model":
        started = (await manager.handleChatModelStart(serialized, [messagesOf(input)], runId, undefined, undefined, undefined, undefined, name))[0]
        break
      case "llm":
        started = (await manager.handleLLMStart(serialized, [isPromptValue(input) ? input.toString() : textOf(input)], runId, undefined, undefined, undefined, undefined, name))[0]
        break
      case "tool":
        started = await manager.handleToolStart(serialized, typeof input === "string" ? input : JSON.stringify(input ?? {}), runId, undefined, undefined, undefined, name)
        break
      case "retriever":
        started = await manager.handleRetrieverStart(serialized, textOf(input), runId, undefined, undefined, undefined, name)
        break
      default: {
        // a run that consumes a stream starts without its input, as LangChain's `{ input: "" }`
        started = await manager.handleChainStart(serialized, coerceToDict(input ?? "", "input"), runId, runTypeOf(kind), undefined, undefined, name)
      }
    }
    if (started !== undefined) this.place(runId, { kind, manager: started, tapping: started.handlers.filter(isTapping), tap: undefined })
  }

  private async chunk(run: Forwarded, event: RunEvent.RunEvent & { readonly _tag: "Streamed" }): Promise<void> {
    const { chunk, runId } = event
    switch (run.kind) {
      case "model": {
        if (isEmptyMessage(chunk)) return
        const message = messageChunkOf(chunk, `run-${runId}`)
        const text = textOf(message)
        const generation = new ChatGenerationChunk({ text, message: message as AIMessageChunk })
        return (run.manager as CallbackManagerForLLMRun).handleLLMNewToken(text, { prompt: 0, completion: 0 }, undefined, undefined, undefined, { chunk: generation })
      }
      case "llm": {
        const text = textOf(chunk)
        return (run.manager as CallbackManagerForLLMRun).handleLLMNewToken(text, { prompt: 0, completion: 0 }, undefined, undefined, undefined, { chunk: new GenerationChunk({ text }) })
      }
      // LangChain streams no prompt, tool or retriever: their output is one value
      case "prompt":
      case "tool":
      case "retriever":
        return
      default: {
        if (run.tapping.length === 0) return
        run.tap ??= new OutputTap(run.tapping, runId)
        return run.tap.push(chunk)
      }
    }
  }

  private async end(run: Forwarded, event: RunEvent.RunEvent & { readonly _tag: "Ended" }): Promise<void> {
    await run.tap?.close()
    this.places.delete(event.runId)
    const { input, output, runId } = event
    switch (run.kind) {
      case "model": {
        const message = messageOf(output, `run-${runId}`)
        return (run.manager as CallbackManagerForLLMRun).handleLLMEnd({ generations: [[{ text: textOf(message), message } as never]] })
      }
      case "llm":
        return (run.manager as CallbackManagerForLLMRun).handleLLMEnd({ generations: [[{ text: textOf(output) }]] })
      case "tool":
        return (run.manager as CallbackManagerForToolRun).handleToolEnd(output)
      case "retriever":
        return (run.manager as CallbackManagerForRetrieverRun).handleRetrieverEnd(output as Array<DocumentInterface>)
      default:
        return (run.manager as CallbackManagerForChainRun).handleChainEnd(
          coerceToDict(output, "output"),
          undefined,
          undefined,
          undefined,
          { inputs: coerceToDict(input, "input") }
        )
    }
  }

  private async fail(run: Forwarded, event: RunEvent.RunEvent & { readonly _tag: "Failed" }): Promise<void> {
    await run.tap?.close()
    this.places.delete(event.runId)
    const error = event.interrupted ? new DOMException(`The run of "${event.name}" was interrupted`, "AbortError") : event.error
    switch (run.kind) {
      case "model":
      case "llm":
        return (run.manager as CallbackManagerForLLMRun).handleLLMError(error)
      case "tool":
        return (run.manager as CallbackManagerForToolRun).handleToolError(error)
      case "retriever":
        return (run.manager as CallbackManagerForRetrieverRun).handleRetrieverError(error)
      default:
        return (run.manager as CallbackManagerForChainRun).handleChainError(error)
    }
  }
}

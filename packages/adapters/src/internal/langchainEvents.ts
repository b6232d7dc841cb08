/**
 * fxchain's `RunEvent`s as LangChain.js v2 stream events (DESIGN.md, "Events as LangChain v2";
 * the rules are the table in docs/events.md). Used by the Promise facade's `streamEvents`:
 *
 * - `streamEvents(runnable, input, options)`: the whole path, from a runnable to a `Stream` of
 *   `StreamEvent`s (filtered by LangChain's include/exclude lists), failing with the run's error;
 * - `makeEventMapper(rootRunId?)`: the per-stream mapping function;
 * - `eventType(kind)`, `eventFilter(filter)`, `inputFor(type, input)`: the pieces;
 * - `eventStreamBytes(events)`: LangChain's `text/event-stream` encoding.
 *
 * @internal
 */
import * as Prompt from "@effect/ai/Prompt"
import { Runnable, RunEvent } from "@fxchain/core"
import { globalValue } from "effect/GlobalValue"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import type * as Model from "../Model.js"
import type * as PromiseRunnable from "../PromiseRunnable.js"

/**
 * A run kind's LangChain run type: `lambda`/`chain` → `chain`, `model` → `chat_model`; the types
 * LangChain itself knows keep their name; any other kind is `chain` ("most runnables are").
 *
 * @internal
 */
export const eventType = (kind: RunEvent.RunKind): PromiseRunnable.EventType => {
  switch (kind) {
    case "model":
      return "chat_model"
    case "chat_model":
    case "llm":
    case "prompt":
    case "parser":
    case "tool":
    case "retriever":
    case "embedding":
      return kind as PromiseRunnable.EventType
    default:
      return "chain"
  }
}

/** The run types LangChain emits no `_stream` events for: their output is one value. */
const unstreamed: ReadonlySet<PromiseRunnable.EventType> = new Set(["prompt", "tool", "retriever"])

/**
 * LangChain's include/exclude lists as a core `RunEvent.Filter` (types compared as LangChain run
 * types), applied where events are emitted; `undefined` when no list is given.
 *
 * @internal
 */
export const eventFilter = (filter: PromiseRunnable.EventFilter): RunEvent.Filter | undefined => {
  const { excludeNames, excludeTags, excludeTypes, includeNames, includeTags, includeTypes } = filter
  if (
    includeNames === undefined && includeTypes === undefined && includeTags === undefined &&
    excludeNames === undefined && excludeTypes === undefined && excludeTags === undefined
  ) return undefined
  // core's rules, with each run's kind read as its LangChain type
  const byType: RunEvent.Filter = {
    includeNames,
    includeKinds: includeTypes,
    includeTags,
    excludeNames,
    excludeKinds: excludeTypes,
    excludeTags
  }
  return (event) => RunEvent.matches(byType, { ...event, kind: eventType(event.kind) })
}

/** An error as LangChain puts it in `data.error`: text naming its tag (or class name) and message. */
const describeError = (error: unknown): string => {
  if (typeof error === "object" && error !== null) {
    const { _tag, message, name } = error as { _tag?: unknown; message?: unknown; name?: unknown }
    const label = typeof _tag === "string" ? _tag : typeof name === "string" ? name : undefined
    const text = typeof message === "string" && message !== "" ? message : undefined
    if (label !== undefined && text !== undefined) return `${label}: ${text}`
    if (label !== undefined || text !== undefined) return (label ?? text)!
  }
  return String(error)
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null

/** A LangChain prompt value (`ChatPromptValue`, `StringPromptValue`): it knows its messages. */
const isPromptValue = (value: unknown): value is { toChatMessages(): Array<unknown>; toString(): string } =>
  isObject(value) && typeof value.toChatMessages === "function"

/** An fxchain `Model.Message` (not a LangChain message, which has `content`). @internal */
export const isModelMessage = (value: unknown): value is Model.Message<any> =>
  isObject(value) && typeof value.text === "string" && Array.isArray(value.toolCalls) && !("content" in value)

/** A model's chunk that carries nothing of the answer: the last one, with the finish reason and usage. */
const isEmptyMessage = (value: unknown): boolean =>
  isModelMessage(value) && value.text === "" && value.toolCalls.length === 0 && value.reasoning === undefined &&
  value.toolResults === undefined

/** The messages a chat model was given: a LangChain prompt value's, a list as it is, else `@effect/ai`'s. */
const messagesOf = (input: unknown): ReadonlyArray<unknown> => {
  if (isPromptValue(input)) return input.toChatMessages()
  if (Array.isArray(input)) return input
  try {
    return Prompt.make(input as Prompt.RawInput).content
  } catch {
    return [input]
  }
}

/**
 * A run's input where LangChain puts it in `data.input`, by run type: a chat model's is
 * `{ messages: [messages] }`, an LLM's `{ prompts: [text] }`, a retriever's `{ query }`; the
 * others' are the input itself.
 *
 * @internal
 */
export const inputFor = (type: PromiseRunnable.EventType, input: unknown): unknown => {
  switch (type) {
    case "chat_model":
      return { messages: [messagesOf(input)] }
    case "llm":
      return { prompts: [isPromptValue(input) ? input.toString() : input] }
    case "retriever":
      return typeof input === "string" ? { query: input } : input
    default:
      return input
  }
}

/**
 * How a whole LangChain message becomes LangChain's chunk of it (`AIMessage` → `AIMessageChunk`),
 * or `undefined` for a value that is not one. `/langchain` sets it when it wraps a LangChain chat
 * model (this module, in the facade, does not import `@langchain/core`): a LangChain chat model
 * that cannot stream yields its whole answer, an `AIMessage`, where LangChain's events carry an
 * `AIMessageChunk`, the type a UI concatenates.
 */
const langChainChunks = globalValue(Symbol.for("@fxchain/adapters/langChainChunks"), () => ({
  of: undefined as ((message: unknown) => unknown) | undefined
}))

/** Sets how a whole LangChain message becomes its chunk in `on_chat_model_stream` (see `langChainChunks`). @internal */
export const setLangChainChunks = (of: (message: unknown) => unknown): void => {
  langChainChunks.of = of
}

/**
 * A chat model's message (`Model.Message`) with `content` (its `text`) and the `id` LangChain
 * gives the chunks of a run (`run-<run id>`), so that a UI reading LangChain's `chunk.content` and
 * `chunk.id` works unchanged; an LLM's text as LangChain's generation chunk, `{ text }`. Other
 * values, and LangChain's own messages, pass as they are.
 */
const chunkFor = (type: PromiseRunnable.EventType, chunk: unknown, runId: string): unknown => {
  if (type === "chat_model" && isModelMessage(chunk)) return { ...chunk, content: chunk.text, id: `run-${runId}` }
  if (type === "llm" && typeof chunk === "string") return { text: chunk }
  return chunk
}

/** A chunk as LangChain's `_stream` event carries it: also a whole LangChain `AIMessage` as its chunk. */
const streamedChunkFor = (type: PromiseRunnable.EventType, chunk: unknown, runId: string): unknown =>
  (type === "chat_model" ? langChainChunks.of?.(chunk) : undefined) ?? chunkFor(type, chunk, runId)

/** A run's output as LangChain's `_end` carries it: an LLM's text as an LLM result. */
const outputFor = (type: PromiseRunnable.EventType, output: unknown, runId: string): unknown =>
  type === "llm" && typeof output === "string"
    ? { generations: [[{ text: output, generationInfo: {} }]], llmOutput: {} }
    : chunkFor(type, output, runId)

/**
 * A fresh mapping from `RunEvent`s to LangChain v2 events, for one stream of events (it remembers
 * the inputs of the runs in flight, for their `_error` events). Returns `undefined` for an event
 * LangChain has no counterpart for: the `Failed` event of an interrupted run, a chunk of a run
 * type LangChain does not stream (prompt, tool, retriever), a model's chunk that carries nothing
 * of the answer.
 *
 * As in LangChain, the run of the first event passed on (the root, unless filtered out) starts
 * with the caller's `input` and ends without it; every other run ends with its input.
 * `rootRunId` replaces the root run's id (LangChain's `runId` option).
 *
 * @internal
 */
export const makeEventMapper = (
  input: unknown,
  rootRunId?: string | undefined
): (event: RunEvent.RunEvent) => PromiseRunnable.StreamEvent | undefined => {
  const inputs = new Map<string, unknown>()
  let first: string | undefined
  return (event) => {
    // the root's id is every event's first ancestor, or its own for the root's events (which a filter may drop)
    const root = event.parentIds[0] ?? event.runId
    const rename = (runId: string) => rootRunId !== undefined && runId === root ? rootRunId : runId
    first ??= event.runId
    const type = eventType(event.kind)
    const isFirst = event.runId === first
    const runId = rename(event.runId)
    const base = {
      name: event.name,
      run_id: runId,
      tags: [...event.tags],
      metadata: { ...event.metadata },
      parent_ids: event.parentIds.map(rename)
    }
    switch (event._tag) {
      case "Started": {
        // a run that consumes a stream starts without its input (LangChain's `{}`)
        if (event.input === undefined && !isFirst) return { event: `on_${type}_start`, ...base, data: {} }
        const started = isFirst ? input : inputFor(type, event.input)
        inputs.set(event.runId, started)
        return { event: `on_${type}_start`, ...base, data: { input: started } }
      }
      case "Streamed":
        if (unstreamed.has(type) || isEmptyMessage(event.chunk)) return undefined
        return { event: `on_${type}_stream`, ...base, data: { chunk: streamedChunkFor(type, event.chunk, runId) } }
      case "Ended": {
        inputs.delete(event.runId)
        const output = outputFor(type, event.output, runId)
        return {
          event: `on_${type}_end`,
          ...base,
          data: isFirst ? { output } : { output, input: inputFor(type, event.input) }
        }
      }
      case "Custom":
        // LangChain's type of `data`, whatever the run reported (as `dispatchCustomEvent` gives it)
        return { event: "on_custom_event", ...base, name: event.event, data: event.data as PromiseRunnable.StreamEventData }
      case "Failed": {
        const started = inputs.get(event.runId)
        inputs.delete(event.runId)
        if (event.interrupted) return undefined
        const error = describeError(event.error)
        return { event: `on_${type}_error`, ...base, data: started === undefined ? { error } : { input: started, error } }
      }
    }
  }
}

/**
 * The LangChain v2 events of a run of `runnable` on `input`, filtered as LangChain filters them;
 * fails with the run's error after the failed runs' `_error` events. `rootRunId` names the root
 * run's id.
 *
 * @internal
 */
export const streamEvents = <In, Out, E, R>(
  runnable: Runnable.Runnable<In, Out, E, R>,
  input: In,
  filter: PromiseRunnable.EventFilter = {},
  rootRunId?: string | undefined
): Stream.Stream<PromiseRunnable.StreamEvent, E, R> =>
  Stream.suspend(() => {
    const map = makeEventMapper(input, rootRunId)
    return Stream.filterMap(
      Runnable.streamEvents(runnable, input, eventFilter(filter)),
      (event) => Option.fromNullable(map(event))
    )
  })

/**
 * LangChain's `text/event-stream` encoding of stream events (`encoding: "text/event-stream"`):
 * `event: data` with the event as JSON per event, then `event: end`, as bytes for an HTTP body.
 *
 * @internal
 */
export const eventStreamBytes = <E, R>(
  events: Stream.Stream<PromiseRunnable.StreamEvent, E, R>
): Stream.Stream<Uint8Array, E, R> =>
  Stream.suspend(() => {
    const encoder = new TextEncoder()
    return events.pipe(
      Stream.map((event) => encoder.encode(`event: data\ndata: ${JSON.stringify(event)}\n\n`)),
      Stream.concat(Stream.sync(() => encoder.encode("event: end\n\n")))
    )
  })

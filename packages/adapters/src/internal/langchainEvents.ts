/**
 * fxchain's `RunEvent`s as LangChain.js v2 stream events (DESIGN.md, "Events as LangChain v2").
 * Used by the Promise facade's `streamEvents`; the LangChain interop (`toLangChain`) may reuse it:
 *
 * - `streamEvents(runnable, input, options)`: the whole path, from a runnable to a `Stream` of
 *   `StreamEvent`s (filtered by LangChain's include/exclude lists), failing with the run's error;
 * - `toLangChainEvents(events)`: maps a `Stream` of `RunEvent`s;
 * - `makeEventMapper()`: the per-stream mapping function, for callers that hold events one by one;
 * - `eventType(kind)` and `eventFilter(filter)`: the pieces.
 *
 * @internal
 */
import { Runnable, RunEvent } from "@fxchain/core"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
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

/**
 * A model's message (`Model.Message`, `{ text, toolCalls, ... }`) with `content` too, the field
 * LangChain's message chunks carry the text in, so a UI reading `data.chunk.content` of
 * `on_chat_model_stream` works unchanged. Other values pass as they are.
 */
const withContent = (value: unknown): unknown =>
  typeof value === "object" && value !== null && typeof (value as { text?: unknown }).text === "string" &&
    !("content" in value)
    ? { ...value, content: (value as { text: string }).text }
    : value

/**
 * A fresh mapping from `RunEvent`s to LangChain v2 events, to use for one stream of events (it
 * remembers which runs started without their input, to put it on their `_end`). Returns
 * `undefined` for an event that has no LangChain counterpart: the `Failed` event of an
 * interrupted run.
 *
 * @internal
 */
export const makeEventMapper = (): (event: RunEvent.RunEvent) => PromiseRunnable.StreamEvent | undefined => {
  const inputOnEnd = new Set<string>()
  return (event) => {
    const type = eventType(event.kind)
    const message = (value: unknown) => type === "chat_model" ? withContent(value) : value
    const base = {
      name: event.name,
      run_id: event.runId,
      tags: [...event.tags],
      metadata: { ...event.metadata },
      parent_ids: [...event.parentIds]
    }
    switch (event._tag) {
      case "Started": {
        if (event.input === undefined) inputOnEnd.add(event.runId)
        return { event: `on_${type}_start`, ...base, data: event.input === undefined ? {} : { input: event.input } }
      }
      case "Streamed":
        return { event: `on_${type}_stream`, ...base, data: { chunk: message(event.chunk) } }
      case "Ended": {
        const withInput = inputOnEnd.delete(event.runId)
        return {
          event: `on_${type}_end`,
          ...base,
          data: withInput ? { input: event.input, output: message(event.output) } : { output: message(event.output) }
        }
      }
      case "Failed": {
        inputOnEnd.delete(event.runId)
        if (event.interrupted) return undefined
        return { event: `on_${type}_error`, ...base, data: { error: describeError(event.error) } }
      }
    }
  }
}

/**
 * Maps a stream of `RunEvent`s (from `Runnable.streamEvents`) to LangChain v2 events.
 *
 * @internal
 */
export const toLangChainEvents = <E, R>(
  events: Stream.Stream<RunEvent.RunEvent, E, R>
): Stream.Stream<PromiseRunnable.StreamEvent, E, R> =>
  Stream.suspend(() => {
    const map = makeEventMapper()
    return Stream.filterMap(events, (event) => Option.fromNullable(map(event)))
  })

/**
 * The LangChain v2 events of a run of `runnable` on `input`, filtered as LangChain filters them;
 * fails with the run's error after the failed runs' `_error` events.
 *
 * @internal
 */
export const streamEvents = <In, Out, E, R>(
  runnable: Runnable.Runnable<In, Out, E, R>,
  input: In,
  filter: PromiseRunnable.EventFilter = {}
): Stream.Stream<PromiseRunnable.StreamEvent, E, R> =>
  toLangChainEvents(Runnable.streamEvents(runnable, input, eventFilter(filter)))

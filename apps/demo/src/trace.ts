/**
 * The `--trace FILE` output: every `RunEvent` of the run as one line of JSON (JSON Lines), in
 * the order the events arrived. Events are plain data already, except a `Failed` event's
 * `cause`, which is written as `Cause.pretty` text (and left out for an interruption), and its
 * `error`, written with its `message`.
 *
 * Lines are buffered and written in batches; the file is flushed and closed when the scope
 * closes, also when the run is interrupted, so it always ends with a complete line.
 *
 * @since 0.1.0
 */
import * as FileSystem from "@effect/platform/FileSystem"
import type { PlatformError } from "@effect/platform/Error"
import type { RunEvent } from "@fxchain/core"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"

const errorJson = (error: unknown): unknown => {
  if (typeof error !== "object" || error === null) return error
  const message = error instanceof Error ? error.message : undefined
  const json = "toJSON" in error && typeof error.toJSON === "function" ? error.toJSON() : { ...error }
  return message === undefined ? json : { ...json, message }
}

/**
 * An event as plain JSON data: a `Failed` event's error with its message, its cause as text
 * (none for an interruption).
 *
 * @since 0.1.0
 * @category encoding
 */
export const toJson = (event: RunEvent.RunEvent): Record<string, unknown> => {
  if (event._tag !== "Failed") return { ...event }
  const { cause, error, ...rest } = event
  return event.interrupted
    ? { ...rest, error: errorJson(error) }
    : { ...rest, error: errorJson(error), cause: Cause.pretty(cause) }
}

/** JSON.stringify that never throws: cycles, bigints and functions are written as text or left out. */
const stringify = (value: unknown): string => {
  const seen = new WeakSet<object>()
  return JSON.stringify(value, (_, inner: unknown) => {
    if (typeof inner === "bigint") return inner.toString()
    if (typeof inner === "function" || typeof inner === "symbol") return undefined
    if (typeof inner === "object" && inner !== null) {
      if (seen.has(inner)) return "[Circular]"
      seen.add(inner)
    }
    return inner
  })
}

/**
 * An event as one line of JSON (without the line break).
 *
 * @since 0.1.0
 * @category encoding
 */
export const encode = (event: RunEvent.RunEvent): string => stringify(toJson(event))

/**
 * Writes events to a trace file.
 *
 * @since 0.1.0
 * @category models
 */
export interface TraceWriter {
  readonly path: string
  /** Adds an event; lines reach the file in batches. */
  readonly write: (event: RunEvent.RunEvent) => Effect.Effect<void, PlatformError>
  /** Writes the lines buffered so far. */
  readonly flush: Effect.Effect<void, PlatformError>
  /** The number of events written or buffered. */
  readonly lines: () => number
}

const batchSize = 512

/**
 * Opens (creates or truncates) a trace file for the life of the scope. When the scope closes, the
 * buffered lines are written and the file is closed.
 *
 * @since 0.1.0
 * @category constructors
 */
export const open = (path: string): Effect.Effect<TraceWriter, PlatformError, FileSystem.FileSystem | Scope.Scope> =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const file = yield* fs.open(path, { flag: "w" })
    const encoder = new TextEncoder()
    let buffer: Array<string> = []
    let count = 0
    const flush = Effect.suspend(() => {
      if (buffer.length === 0) return Effect.void
      const text = buffer.join("")
      buffer = []
      return file.writeAll(encoder.encode(text))
    })
    yield* Effect.addFinalizer(() => Effect.orDie(flush))
    return {
      path,
      write: (event) =>
        Effect.suspend(() => {
          buffer.push(`${encode(event)}\n`)
          count++
          return buffer.length >= batchSize ? flush : Effect.void
        }),
      flush,
      lines: () => count
    }
  })

/**
 * What a run reports while it runs, read through `Runnable.streamEvents`: every run started
 * through an executor, nested ones included, emits `Started`, one `Streamed` per chunk it yields,
 * and then `Ended` or `Failed`.
 *
 * @since 0.1.0
 */
import type * as Cause from "effect/Cause"
import * as Data from "effect/Data"

/**
 * What a run is, in LangChain's words: `lambda` for plain functions, `chain` for combinators,
 * `prompt`, `model`, `parser`, `tool`, `retriever`; any other string is allowed.
 *
 * @since 0.1.0
 * @category models
 */
export type RunKind = "lambda" | "chain" | "prompt" | "model" | "parser" | "tool" | "retriever" | (string & {})

/**
 * Fields every event of a run carries, the same on each of them.
 *
 * @since 0.1.0
 * @category models
 */
export interface RunInfo {
  /** A fresh UUID for each run. */
  readonly runId: string
  /** Run ids of the ancestors, root first; empty for the root. */
  readonly parentIds: ReadonlyArray<string>
  readonly name: string
  readonly kind: RunKind
  /**
   * The run's own tags (those its caller gave this run only, such as `seq:step:N`, then its
   * `withConfig`'s), then the inherited ones, nearest first: LangChain's order.
   */
  readonly tags: ReadonlyArray<string>
  readonly metadata: Readonly<Record<string, unknown>>
  /** Epoch milliseconds from Effect's `Clock` (so `TestClock` drives it). */
  readonly timestamp: number
}

/**
 * A run's events.
 *
 * - `Started`: `input` is the run's input, or `undefined` for a run that consumes a stream
 *   (its input is on `Ended`, combined by the concat rule).
 * - `Streamed`: one chunk the run yielded.
 * - `Ended`: the output (a streamed run's chunks combined by the concat rule) and what the run
 *   added with `Runnable.annotateRun` (a model's token usage, say).
 * - `Failed`: the error (a typed failure, a defect, or the interruption) with its full `Cause`.
 * - `Custom`: what the run's own code reported with `Runnable.dispatchCustomEvent` (progress, say),
 *   named by `event`, between its `Started` and its end (LangChain's `on_custom_event`).
 *
 * @since 0.1.0
 * @category models
 */
export type RunEvent = Data.TaggedEnum<{
  Started: RunInfo & { readonly input: unknown }
  Streamed: RunInfo & { readonly chunk: unknown }
  Ended: RunInfo & {
    readonly input: unknown
    readonly output: unknown
    readonly attributes: Readonly<Record<string, unknown>>
  }
  Failed: RunInfo & {
    readonly error: unknown
    readonly cause: Cause.Cause<unknown>
    readonly interrupted: boolean
  }
  Custom: RunInfo & {
    /** The custom event's name. */
    readonly event: string
    readonly data: unknown
  }
}>

const constructors = Data.taggedEnum<RunEvent>()

/**
 * @since 0.1.0
 * @category constructors
 */
export const Started = constructors.Started
/**
 * @since 0.1.0
 * @category constructors
 */
export const Streamed = constructors.Streamed
/**
 * @since 0.1.0
 * @category constructors
 */
export const Ended = constructors.Ended
/**
 * @since 0.1.0
 * @category constructors
 */
export const Failed = constructors.Failed
/**
 * @since 0.2.0
 * @category constructors
 */
export const Custom = constructors.Custom
/**
 * Refines an event by its tag: `RunEvent.$is("Ended")(event)`.
 *
 * @since 0.1.0
 * @category guards
 */
export const $is = constructors.$is
/**
 * Matches on an event's tag.
 *
 * @since 0.1.0
 * @category pattern matching
 */
export const $match = constructors.$match

/**
 * Which events `Runnable.streamEvents` passes on, as LangChain's `streamEvents` filters them: when
 * any `include*` list is given, an event is kept if its run's name, kind or one of its tags is in
 * one of them; then an event whose name, kind or a tag is in an `exclude*` list is dropped. Or a
 * predicate of your own.
 *
 * @since 0.1.0
 * @category models
 */
export type Filter =
  | {
    readonly includeNames?: ReadonlyArray<string> | undefined
    readonly includeKinds?: ReadonlyArray<RunKind> | undefined
    readonly includeTags?: ReadonlyArray<string> | undefined
    readonly excludeNames?: ReadonlyArray<string> | undefined
    readonly excludeKinds?: ReadonlyArray<RunKind> | undefined
    readonly excludeTags?: ReadonlyArray<string> | undefined
  }
  | ((event: RunEvent) => boolean)

/**
 * Tells whether an event passes a filter.
 *
 * @since 0.1.0
 * @category filtering
 */
export const matches = (filter: Filter | undefined, event: RunEvent): boolean => {
  if (filter === undefined) return true
  if (typeof filter === "function") return filter(event)
  const hasTag = (tags: ReadonlyArray<string>) => event.tags.some((tag) => tags.includes(tag))
  const restricted = filter.includeNames !== undefined || filter.includeKinds !== undefined ||
    filter.includeTags !== undefined
  const included = filter.includeNames?.includes(event.name) === true ||
    filter.includeKinds?.includes(event.kind) === true ||
    (filter.includeTags !== undefined && hasTag(filter.includeTags))
  if (restricted && !included) return false
  if (filter.excludeNames?.includes(event.name)) return false
  if (filter.excludeKinds?.includes(event.kind)) return false
  if (filter.excludeTags !== undefined && hasTag(filter.excludeTags)) return false
  return true
}

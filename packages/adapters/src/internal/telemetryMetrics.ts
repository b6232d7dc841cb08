/**
 * The run metrics: Effect `Metric`s updated when a run's span ends, read from the span itself
 * (its `fxchain.*` and `gen_ai.*` attributes, its times and its exit).
 *
 * @internal
 */
import * as Fx from "@fxchain/combinators"
import * as Cause from "effect/Cause"
import * as Exit from "effect/Exit"
import * as Metric from "effect/Metric"
import * as MetricBoundaries from "effect/MetricBoundaries"
import * as MetricLabel from "effect/MetricLabel"
import * as Option from "effect/Option"
import * as Predicate from "effect/Predicate"
import type * as Tracer from "effect/Tracer"

/** @internal */
export const runs: Metric.Metric.Counter<number> = Metric.counter("fxchain.runs", {
  description: "Runs that ended (succeeded, failed or were interrupted), per runnable",
  incremental: true
})

/** @internal */
export const failures: Metric.Metric.Counter<number> = Metric.counter("fxchain.run.failures", {
  description: "Runs that failed (a typed failure or a defect, not an interruption), per runnable and error type",
  incremental: true
})

/** @internal */
export const retries: Metric.Metric.Counter<number> = Metric.counter("fxchain.run.retries", {
  description: "Attempts after the first one made by a retry, per retried runnable",
  incremental: true
})

/** The GenAI semantic conventions' buckets for operation durations, in seconds (0.01 to 81.92). */
const durationBoundaries = MetricBoundaries.exponential({ start: 0.01, factor: 2, count: 15 })

/** @internal */
export const duration: Metric.Metric.Histogram<number> = Metric.histogram(
  "fxchain.run.duration",
  durationBoundaries,
  "How long runs took, in seconds, per runnable"
).pipe(Metric.tagged("unit", "s"))

/** The GenAI semantic conventions' buckets for token counts (1 to 4^13). */
const tokenBoundaries = MetricBoundaries.exponential({ start: 1, factor: 4, count: 15 })

/** @internal */
export const tokenUsage: Metric.Metric.Histogram<number> = Metric.histogram(
  "gen_ai.client.token.usage",
  tokenBoundaries,
  "Tokens used per model run, by token type (input or output)"
).pipe(Metric.tagged("unit", "{token}"))

/**
 * The OpenTelemetry `error.type` of a failed exit: the error's `_tag`, else its `name` when it is
 * an `Error`, else `_OTHER` (the conventions' fallback); `undefined` when it was only interrupted.
 *
 * @internal
 */
export const errorType = (cause: Cause.Cause<unknown>): string | undefined => {
  if (Cause.isInterruptedOnly(cause)) return undefined
  const failure = Cause.failureOption(cause)
  const error = Option.isSome(failure) ? failure.value : Cause.squash(cause)
  if (Predicate.hasProperty(error, "_tag") && typeof error._tag === "string") return error._tag
  if (error instanceof Error) return error.name
  return "_OTHER"
}

const attemptPrefix = Fx.retryAttemptTagPrefix

/** The attempt number in a run's `retry:attempt:N` tag (see `Fx.retry`), or 0. */
const attemptOf = (tags: unknown): number => {
  if (!Array.isArray(tags)) return 0
  for (const tag of tags) {
    if (typeof tag === "string" && tag.startsWith(attemptPrefix)) return Number(tag.slice(attemptPrefix.length)) || 0
  }
  return 0
}

/**
 * Retries whose attempts were seen: a retry is a run named after the runnable it retries, so it is
 * left out of the metrics of that name, which count the attempts (each a run of the runnable).
 */
const retriesSeen = new WeakSet<Tracer.AnySpan>()

const nanosPerSecond = 1e9

const tokenCount = (value: unknown): number | undefined =>
  typeof value === "number" && Number.isFinite(value) && value >= 0 ? value : undefined

const recordTokens = (span: Tracer.Span, runnable: MetricLabel.MetricLabel): void => {
  const input = tokenCount(span.attributes.get("gen_ai.usage.input_tokens"))
  const output = tokenCount(span.attributes.get("gen_ai.usage.output_tokens"))
  if (input === undefined && output === undefined) return
  const labels = [runnable]
  for (const key of ["gen_ai.operation.name", "gen_ai.request.model", "gen_ai.response.model"]) {
    const value = span.attributes.get(key)
    if (typeof value === "string") labels.push(MetricLabel.make(key, value))
  }
  if (input !== undefined) tokenUsage.unsafeUpdate(input, [...labels, MetricLabel.make("gen_ai.token.type", "input")])
  if (output !== undefined) tokenUsage.unsafeUpdate(output, [...labels, MetricLabel.make("gen_ai.token.type", "output")])
}

/**
 * Updates the metrics with a run's span as it ends (a span without `fxchain.run.name` is not a
 * run and changes nothing).
 *
 * @internal
 */
export const recordRun = (span: Tracer.Span, endTime: bigint, exit: Exit.Exit<unknown, unknown>): void => {
  const name = span.attributes.get("fxchain.run.name")
  if (typeof name !== "string") return
  const labels = [
    MetricLabel.make("runnable", name),
    MetricLabel.make("kind", String(span.attributes.get("fxchain.run.kind")))
  ]
  const attempt = attemptOf(span.attributes.get("fxchain.run.tags"))
  if (attempt > 0 && span.parent._tag === "Some" && span.parent.value._tag === "Span" &&
    span.parent.value.attributes.get("fxchain.run.name") === name) {
    retriesSeen.add(span.parent.value)
  }
  if (attempt > 1) retries.unsafeUpdate(1, labels)
  if (retriesSeen.has(span)) return
  runs.unsafeUpdate(1, labels)
  if (Exit.isFailure(exit)) {
    const type = errorType(exit.cause)
    if (type !== undefined) failures.unsafeUpdate(1, [...labels, MetricLabel.make("error.type", type)])
  }
  const startTime = span.status.startTime
  if (endTime >= startTime) duration.unsafeUpdate(Number(endTime - startTime) / nanosPerSecond, labels)
  if (span.attributes.get("fxchain.run.kind") === "model") recordTokens(span, labels[0]!)
}

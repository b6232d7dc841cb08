/**
 * Runs in an OpenTelemetry SDK: their spans reach its span processors and their metrics its
 * metric readers, through `@effect/opentelemetry`.
 *
 * Every run is a span when a tracer is installed (see `@fxchain/core`'s `Runnable`): named after
 * the runnable, nested as the runs nest, with the attributes
 *
 * - `fxchain.run.name`, `fxchain.run.kind`, `fxchain.run.tags` (an array of strings: inherited
 *   tags, `seq:step:N`, `map:key:KEY`, `retry:attempt:N`, ...) and `fxchain.metadata.KEY` per
 *   metadata entry;
 * - for a model run, the GenAI semantic conventions' `gen_ai.operation.name`,
 *   `gen_ai.request.model`, `gen_ai.response.model`, `gen_ai.response.finish_reasons`,
 *   `gen_ai.usage.input_tokens` and `gen_ai.usage.output_tokens` (see `Model`);
 * - for a failed run: status `ERROR` with the error's message, an `exception` event, and
 *   `error.type`: the error's `_tag` (a defect's too), else its `name` when it is an `Error`, else
 *   `_OTHER`. An interrupted run is not an error (status `OK`, `status.interrupted`).
 *
 * The metrics are Effect `Metric`s, exported to the metric readers by `@effect/opentelemetry`
 * (and readable with `Metric.value` without any SDK):
 *
 * | metric | type | labels |
 * | --- | --- | --- |
 * | `fxchain.runs` | counter | `runnable`, `kind` |
 * | `fxchain.run.failures` | counter | `runnable`, `kind`, `error.type` |
 * | `fxchain.run.retries` | counter | `runnable`, `kind` |
 * | `fxchain.run.duration` | histogram, seconds | `runnable`, `kind`, `unit` |
 * | `gen_ai.client.token.usage` | histogram, tokens | `runnable`, `gen_ai.token.type`, `gen_ai.operation.name`, `gen_ai.request.model`, `gen_ai.response.model`, `unit` |
 *
 * A run is counted when it ends (succeeded, failed or interrupted). A retry (`Fx.retry`) is a run
 * named after the runnable it retries: the metrics of that name count the attempts, not the retry
 * around them, so a runnable that succeeds on its third attempt counts 3 runs, 2 failures and 2
 * retries. The metrics are computed from the runs' spans as they end, so they are recorded
 * whenever `layer` or `layerInstrumentation` is in place, with or without a span processor.
 *
 * @example
 * ```ts
 * import { Telemetry } from "@fxchain/adapters/otel"
 * import { Runnable } from "@fxchain/core"
 * import { OTLPMetricExporter } from "@opentelemetry/exporter-metrics-otlp-http"
 * import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http"
 * import { PeriodicExportingMetricReader } from "@opentelemetry/sdk-metrics"
 * import { BatchSpanProcessor } from "@opentelemetry/sdk-trace-base"
 * import { Effect } from "effect"
 *
 * const TelemetryLive = Telemetry.layer(() => ({
 *   serviceName: "support-bot",
 *   spanProcessor: new BatchSpanProcessor(new OTLPTraceExporter()),
 *   metricReader: new PeriodicExportingMetricReader({ exporter: new OTLPMetricExporter() })
 * }))
 *
 * const shout = Runnable.sync((text: string) => text.toUpperCase(), { name: "shout" })
 * const program = Runnable.invoke(shout, "hello").pipe(Effect.provide(TelemetryLive))
 * ```
 *
 * @since 0.1.0
 */
import type * as OtelResource from "@effect/opentelemetry/Resource"
import type * as OtelApi from "@opentelemetry/api"
import type { MetricReader } from "@opentelemetry/sdk-metrics"
import type { SpanProcessor, TracerConfig } from "@opentelemetry/sdk-trace-base"
import type * as Duration from "effect/Duration"
import type { LazyArg } from "effect/Function"
import type * as Layer from "effect/Layer"
import type * as Metric from "effect/Metric"
import type * as Tracer from "effect/Tracer"
import * as internal from "./internal/telemetry.js"
import * as metrics from "./internal/telemetryMetrics.js"

/**
 * What `layer` sets up. Without `spanProcessor` no span is exported (runs still produce
 * metrics); without `metricReader` no metric is exported.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** The resource's `service.name`. */
  readonly serviceName: string
  /** The resource's `service.version`. */
  readonly serviceVersion?: string | undefined
  /**
   * More resource attributes. `OTEL_SERVICE_NAME` and `OTEL_RESOURCE_ATTRIBUTES` are read too;
   * the options win over them.
   */
  readonly attributes?: OtelApi.Attributes | undefined
  /** Where spans go: a `BatchSpanProcessor` over an exporter, say. */
  readonly spanProcessor?: SpanProcessor | ReadonlyArray<SpanProcessor> | undefined
  /** Where metrics go: a `PeriodicExportingMetricReader` over an exporter, say. */
  readonly metricReader?: MetricReader | ReadonlyArray<MetricReader> | undefined
  /** The tracer provider's configuration: sampler, span limits, id generator. */
  readonly tracerConfig?: Omit<TracerConfig, "resource" | "spanProcessors"> | undefined
  /** How long releasing the layer waits for spans and metrics to be flushed: 3 seconds by default. */
  readonly shutdownTimeout?: Duration.DurationInput | undefined
}

/**
 * Sends runs to an OpenTelemetry SDK: a tracer provider over `spanProcessor`, installed as
 * Effect's tracer, and `metricReader` registered to read Effect's metrics, both under a resource
 * named `serviceName`; runs become spans with fxchain's attributes and errors' `error.type`, and
 * update the run metrics (see the module's description). Releasing the layer flushes and shuts
 * down the processors and readers.
 *
 * Give the options as a function to create the processors and readers each time the layer is
 * built: an SDK part that was shut down cannot be used again, and a metric reader can be
 * registered only once (building the layer twice with the same reader is a defect).
 *
 * @example
 * ```ts
 * import { Telemetry } from "@fxchain/adapters/otel"
 * import { Runnable } from "@fxchain/core"
 * import { InMemorySpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base"
 * import { Effect } from "effect"
 *
 * const exporter = new InMemorySpanExporter()
 * const shout = Runnable.sync((text: string) => text.toUpperCase(), { name: "shout" })
 *
 * const program = Effect.gen(function*() {
 *   yield* Runnable.invoke(shout, "hello")
 *   const [span] = exporter.getFinishedSpans()
 *   // span.name === "shout", span.attributes["fxchain.run.kind"] === "lambda"
 * }).pipe(Effect.provide(Telemetry.layer(() => ({ serviceName: "demo", spanProcessor: new SimpleSpanProcessor(exporter) }))))
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layer: (options: Options | LazyArg<Options>) => Layer.Layer<OtelResource.Resource> = internal.layer

/**
 * Instruments the tracer already installed (by `@effect/opentelemetry`'s `NodeSdk.layer`, say),
 * as `layer` does its own: errors' `error.type`, arrays kept as arrays, and the run metrics. Provide
 * the tracer's layer to it; with Effect's built-in tracer it only records the metrics (runs are
 * then spans, which costs a few microseconds per run).
 *
 * @example
 * ```ts
 * import * as NodeSdk from "@effect/opentelemetry/NodeSdk"
 * import { Telemetry } from "@fxchain/adapters/otel"
 * import { ConsoleSpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base"
 * import { Layer } from "effect"
 *
 * const TelemetryLive = Telemetry.layerInstrumentation.pipe(
 *   Layer.provideMerge(NodeSdk.layer(() => ({
 *     resource: { serviceName: "support-bot" },
 *     spanProcessor: new SimpleSpanProcessor(new ConsoleSpanExporter())
 *   })))
 * )
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layerInstrumentation: Layer.Layer<never> = internal.layerInstrumentation

/**
 * The tracer `layerInstrumentation` installs: the given one, whose spans also record errors'
 * `error.type` and the run metrics. Instrumenting an instrumented tracer returns it unchanged.
 *
 * @since 0.1.0
 * @category constructors
 */
export const instrument: (tracer: Tracer.Tracer) => Tracer.Tracer = internal.instrument

/**
 * `fxchain.runs`: runs that ended, labelled `runnable` and `kind`.
 *
 * @example
 * ```ts
 * import { Telemetry } from "@fxchain/adapters/otel"
 * import { Effect, Metric } from "effect"
 *
 * const shoutRuns = Metric.value(Telemetry.runs.pipe(Metric.tagged("runnable", "shout"), Metric.tagged("kind", "lambda")))
 * const printed = Effect.flatMap(shoutRuns, (state) => Effect.log(`shout ran ${state.count} times`))
 * ```
 *
 * @since 0.1.0
 * @category metrics
 */
export const runs: Metric.Metric.Counter<number> = metrics.runs

/**
 * `fxchain.run.failures`: runs that failed (not those interrupted), labelled `runnable`, `kind`
 * and `error.type`.
 *
 * @since 0.1.0
 * @category metrics
 */
export const runFailures: Metric.Metric.Counter<number> = metrics.failures

/**
 * `fxchain.run.retries`: attempts after the first of a retried runnable (`Fx.retry`), labelled
 * `runnable` and `kind`.
 *
 * @since 0.1.0
 * @category metrics
 */
export const runRetries: Metric.Metric.Counter<number> = metrics.retries

/**
 * `fxchain.run.duration`: how long runs took, in seconds (on Effect's `Clock`), labelled
 * `runnable`, `kind` and `unit` (`"s"`), with the GenAI conventions' buckets (0.01 s to 81.92 s).
 *
 * @since 0.1.0
 * @category metrics
 */
export const runDuration: Metric.Metric.Histogram<number> = metrics.duration

/**
 * `gen_ai.client.token.usage` (GenAI semantic conventions): input and output tokens per model
 * run, labelled `runnable`, `gen_ai.token.type` (`input` or `output`), `gen_ai.operation.name`,
 * `gen_ai.request.model` and `gen_ai.response.model` (when known) and `unit` (`"{token}"`).
 *
 * @since 0.1.0
 * @category metrics
 */
export const tokenUsage: Metric.Metric.Histogram<number> = metrics.tokenUsage

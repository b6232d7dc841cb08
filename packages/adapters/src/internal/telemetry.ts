/** @internal */
import * as OtelMetrics from "@effect/opentelemetry/Metrics"
import * as OtelResource from "@effect/opentelemetry/Resource"
import * as OtelTracer from "@effect/opentelemetry/Tracer"
import type * as OtelApi from "@opentelemetry/api"
import type { MetricReader } from "@opentelemetry/sdk-metrics"
import { BasicTracerProvider, type SpanProcessor } from "@opentelemetry/sdk-trace-base"
import type { NonEmptyReadonlyArray } from "effect/Array"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import type { LazyArg } from "effect/Function"
import * as Layer from "effect/Layer"
import * as Tracer from "effect/Tracer"
import type * as Telemetry from "../Telemetry.js"
import { errorType, recordRun } from "./telemetryMetrics.js"

const InstrumentedTypeId: unique symbol = Symbol.for("@fxchain/adapters/Telemetry/Instrumented")

/** How @effect/opentelemetry marks its spans, which hold the OpenTelemetry span as `span`. */
const OtelSpanTypeId = Symbol.for("@effect/opentelemetry/Tracer/OtelSpan")

const otelSpanOf = (span: Tracer.Span): OtelApi.Span | undefined =>
  OtelSpanTypeId in span ? (span as unknown as { readonly span: OtelApi.Span }).span : undefined

const isPrimitiveArray = (value: unknown): value is Array<string> | Array<number> | Array<boolean> => {
  if (!Array.isArray(value) || value.length === 0) return false
  const type = typeof value[0]
  return (type === "string" || type === "number" || type === "boolean") && value.every((item) => typeof item === type)
}

const instrumentSpan = (span: Tracer.Span): Tracer.Span => {
  const otel = otelSpanOf(span)
  if (otel !== undefined) {
    // @effect/opentelemetry turns arrays into strings; OpenTelemetry keeps arrays of primitives
    const attribute = span.attribute
    span.attribute = (key, value) => {
      attribute.call(span, key, value)
      if (isPrimitiveArray(value)) otel.setAttribute(key, value)
    }
  }
  const end = span.end
  span.end = (endTime, exit) => {
    if (Exit.isFailure(exit)) {
      const type = errorType(exit.cause)
      if (type !== undefined) span.attribute("error.type", type)
    }
    recordRun(span, endTime, exit)
    end.call(span, endTime, exit)
  }
  return span
}

/** @internal */
export const instrument = (tracer: Tracer.Tracer): Tracer.Tracer => {
  if (InstrumentedTypeId in tracer) return tracer
  const span: Tracer.Tracer["span"] = (name, parent, context, links, startTime, kind, options) =>
    instrumentSpan(tracer.span(name, parent, context, links, startTime, kind, options))
  const instrumented = Tracer.make({
    span,
    context: (execution, fiber) => tracer.context(execution, fiber)
  })
  return Object.assign(instrumented, { [InstrumentedTypeId]: InstrumentedTypeId })
}

/** A new layer each time: layers are memoized by identity when built. */
const makeLayerInstrumentation = (): Layer.Layer<never> =>
  Layer.unwrapEffect(Effect.map(Effect.tracer, (tracer) => Layer.setTracer(instrument(tracer))))

/** @internal */
export const layerInstrumentation: Layer.Layer<never> = makeLayerInstrumentation()

const defaultShutdownTimeout: Duration.DurationInput = "3 seconds"

const nonEmpty = <A>(value: A | ReadonlyArray<A> | undefined): NonEmptyReadonlyArray<A> | undefined => {
  if (value === undefined) return undefined
  if (!Array.isArray(value)) return [value as A]
  return value.length === 0 ? undefined : value as unknown as NonEmptyReadonlyArray<A>
}

/** Flushes, then shuts down, an SDK part when the layer is released, for at most `timeout`. */
const release = (close: () => Promise<unknown>, timeout: Duration.DurationInput): Effect.Effect<void> =>
  Effect.promise(close).pipe(Effect.ignoreLogged, Effect.interruptible, Effect.timeoutOption(timeout), Effect.asVoid)

const layerTracerProvider = (
  spanProcessors: NonEmptyReadonlyArray<SpanProcessor>,
  options: Telemetry.Options
): Layer.Layer<OtelTracer.OtelTracerProvider, never, OtelResource.Resource> =>
  Layer.scoped(
    OtelTracer.OtelTracerProvider,
    Effect.flatMap(OtelResource.Resource, (resource) =>
      Effect.acquireRelease(
        Effect.sync(() => new BasicTracerProvider({ ...options.tracerConfig, resource, spanProcessors: [...spanProcessors] })),
        (provider) =>
          release(
            () => provider.forceFlush().then(() => provider.shutdown()),
            options.shutdownTimeout ?? defaultShutdownTimeout
          )
      ))
  )

const resourceAttributes = (options: Telemetry.Options): OtelApi.Attributes =>
  OtelResource.configToAttributes({
    serviceName: options.serviceName,
    ...(options.serviceVersion === undefined ? {} : { serviceVersion: options.serviceVersion }),
    ...(options.attributes === undefined ? {} : { attributes: options.attributes })
  })

const build = (options: Telemetry.Options): Layer.Layer<OtelResource.Resource> => {
  const spanProcessors = nonEmpty(options.spanProcessor)
  const metricReaders = nonEmpty<MetricReader>(options.metricReader)
  const tracing = spanProcessors === undefined
    ? makeLayerInstrumentation()
    : Layer.provide(makeLayerInstrumentation(), Layer.provide(OtelTracer.layer, layerTracerProvider(spanProcessors, options)))
  const metrics = metricReaders === undefined
    ? Layer.empty
    : OtelMetrics.layer(() => metricReaders, { shutdownTimeout: options.shutdownTimeout ?? defaultShutdownTimeout })
  return Layer.merge(tracing, metrics).pipe(
    Layer.provideMerge(OtelResource.layerFromEnv(resourceAttributes(options)))
  )
}

/** @internal */
export const layer = (options: Telemetry.Options | LazyArg<Telemetry.Options>): Layer.Layer<OtelResource.Resource> =>
  Layer.unwrapEffect(Effect.sync(() => build(typeof options === "function" ? options() : options)))

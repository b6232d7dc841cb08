import * as NodeSdk from "@effect/opentelemetry/NodeSdk"
import { describe, expect, it } from "@effect/vitest"
import { Telemetry } from "@fxchain/adapters/otel"
import * as Fx from "@fxchain/combinators"
import { Runnable } from "@fxchain/core"
import { SpanStatusCode } from "@opentelemetry/api"
import { type CollectionResult, type DataPoint, type Histogram, MetricReader } from "@opentelemetry/sdk-metrics"
import { InMemorySpanExporter, type ReadableSpan, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base"
import { Data, Effect, Fiber, Layer, Metric, Schedule, Stream, TestClock } from "effect"
import * as FakeModel from "../src/FakeModel.js"
import * as Model from "../src/Model.js"

/** A metric reader collecting on demand. */
class TestMetricReader extends MetricReader {
  protected override onShutdown(): Promise<void> {
    return Promise.resolve()
  }
  protected override onForceFlush(): Promise<void> {
    return Promise.resolve()
  }
}

/** An SDK with an in-memory span exporter and metric reader, read inside the layer's scope. */
const makeSdk = (options?: { readonly spans?: boolean }) => {
  const exporter = new InMemorySpanExporter()
  const reader = new TestMetricReader()
  const layer = Telemetry.layer(() => ({
    serviceName: "otel-test",
    serviceVersion: "1.2.3",
    ...(options?.spans === false ? {} : { spanProcessor: new SimpleSpanProcessor(exporter) }),
    metricReader: reader
  }))
  const spans = Effect.sync(() => [...exporter.getFinishedSpans()])
  const metrics = Effect.promise(() => reader.collect())
  return { layer, spans, metrics }
}

const spanNamed = (spans: ReadonlyArray<ReadableSpan>, name: string): ReadableSpan => {
  const found = spans.filter((span) => span.name === name)
  expect(found, `one span named ${name}`).toHaveLength(1)
  return found[0]!
}

const parentOf = (span: ReadableSpan): string | undefined => span.parentSpanContext?.spanId

const idOf = (span: ReadableSpan): string => span.spanContext().spanId

const point = <A = number>(
  { resourceMetrics }: CollectionResult,
  metric: string,
  attributes: Record<string, string>
): DataPoint<A> | undefined =>
  resourceMetrics.scopeMetrics
    .flatMap((scope) => scope.metrics)
    .filter((data) => data.descriptor.name === metric)
    .flatMap((data) => data.dataPoints as Array<DataPoint<A>>)
    .find((dataPoint) => Object.entries(attributes).every(([key, value]) => dataPoint.attributes[key] === value))

class Boom extends Data.TaggedError("Boom")<{ readonly message: string }> {}

class Flaky extends Data.TaggedError("Flaky")<{}> {}

describe("Telemetry.layer: spans", () => {
  it.effect("nested runs are nested spans with fxchain's attributes, tags as arrays and metadata", () => {
    const sdk = makeSdk()
    return Effect.gen(function*() {
      const first = Runnable.sync((n: number) => n + 1, { name: "first" })
      const second = Runnable.fromEffect((n: number) => Effect.succeed(n * 2), { name: "second" })
      const outer = Runnable.fromEffect(
        (n: number) => Effect.flatMap(Runnable.invoke(first, n), (m) => Runnable.invoke(second, m)),
        { name: "outer" }
      ).pipe(Runnable.withConfig({ tags: ["team:search"], metadata: { tenant: "acme", priority: 2 } }))

      expect(yield* Runnable.invoke(outer, 1)).toBe(4)

      const spans = yield* sdk.spans
      expect(spans.map((span) => span.name)).toEqual(["first", "second", "outer"])
      const [firstSpan, secondSpan, outerSpan] = [spanNamed(spans, "first"), spanNamed(spans, "second"), spanNamed(spans, "outer")]
      expect(parentOf(outerSpan)).toBeUndefined()
      expect(parentOf(firstSpan)).toBe(idOf(outerSpan))
      expect(parentOf(secondSpan)).toBe(idOf(outerSpan))
      expect(new Set(spans.map((span) => span.spanContext().traceId)).size).toBe(1)
      expect(outerSpan.attributes).toMatchObject({
        "fxchain.run.name": "outer",
        "fxchain.run.kind": "lambda",
        "fxchain.run.tags": ["team:search"],
        "fxchain.metadata.tenant": "acme",
        "fxchain.metadata.priority": 2
      })
      // tags and metadata are inherited
      expect(firstSpan.attributes).toMatchObject({
        "fxchain.run.name": "first",
        "fxchain.run.tags": ["team:search"],
        "fxchain.metadata.tenant": "acme"
      })
      for (const span of spans) {
        expect(span.status.code).toBe(SpanStatusCode.OK)
        expect(span.attributes["error.type"]).toBeUndefined()
      }
      expect(outerSpan.resource.attributes).toMatchObject({ "service.name": "otel-test", "service.version": "1.2.3" })
    }).pipe(Effect.provide(sdk.layer))
  })

  it.effect("a sequence's steps are child spans tagged seq:step:N, invoked and streamed", () => {
    const sdk = makeSdk()
    return Effect.gen(function*() {
      const trim = Runnable.sync((text: string) => text.trim(), { name: "trim" })
      const words = Runnable.sync((text: string) => text.split(/\s+/), { name: "words" })
      const count = Runnable.sync((list: Array<string>) => list.length, { name: "count" })
      const wordCount = Fx.sequence(trim, words, count)

      expect(yield* Runnable.invoke(wordCount, "  a b c ")).toBe(3)
      const invoked = yield* sdk.spans
      const root = spanNamed(invoked, "sequence")
      expect(root.attributes["fxchain.run.kind"]).toBe("chain")
      for (const [step, name] of ["trim", "words", "count"].entries()) {
        const span = spanNamed(invoked, name)
        expect(parentOf(span)).toBe(idOf(root))
        expect(span.attributes["fxchain.run.tags"]).toEqual([`seq:step:${step + 1}`])
      }

      expect(yield* Stream.runCollect(Runnable.stream(wordCount, "d e"))).toHaveLength(1)
      const streamed = (yield* sdk.spans).slice(invoked.length)
      expect(streamed.map((span) => span.name).sort()).toEqual(["count", "sequence", "trim", "words"])
      const streamedRoot = spanNamed(streamed, "sequence")
      expect(parentOf(streamedRoot)).toBeUndefined()
      for (const name of ["trim", "words", "count"]) expect(parentOf(spanNamed(streamed, name))).toBe(idOf(streamedRoot))
    }).pipe(Effect.provide(sdk.layer))
  })

  it.effect("a failed run's span has status ERROR, an exception event and error.type = the _tag, up the chain", () => {
    const sdk = makeSdk()
    return Effect.gen(function*() {
      const ok = Runnable.sync((text: string) => text, { name: "ok" })
      const boom = Runnable.fromEffect((_: string) => Effect.fail(new Boom({ message: "no fuel" })), { name: "boom" })
      const error = yield* Effect.flip(Runnable.invoke(Fx.sequence(ok, boom), "go"))
      expect(error).toBeInstanceOf(Boom)

      const spans = yield* sdk.spans
      expect(spanNamed(spans, "ok").status.code).toBe(SpanStatusCode.OK)
      for (const name of ["boom", "sequence"]) {
        const span = spanNamed(spans, name)
        expect(span.status.code).toBe(SpanStatusCode.ERROR)
        expect(span.status.message).toContain("no fuel")
        expect(span.attributes["error.type"]).toBe("Boom")
        expect(span.events.map((event) => event.name)).toContain("exception")
      }
      expect(parentOf(spanNamed(spans, "boom"))).toBe(idOf(spanNamed(spans, "sequence")))
    }).pipe(Effect.provide(sdk.layer))
  })

  it.effect("a defect's error.type is its name; a timeout's is TimeoutError; an interrupted run is no error", () => {
    const sdk = makeSdk()
    return Effect.gen(function*() {
      const broken = Runnable.sync((_: string): string => {
        throw new TypeError("not a function")
      }, { name: "broken" })
      yield* Effect.exit(Runnable.invoke(broken, "x"))

      const slow = Runnable.fromEffect((text: string) => Effect.as(Effect.sleep("1 minute"), text), { name: "slow" })
      const late = Runnable.fromEffect((_: string) => Effect.zipRight(Effect.sleep("1 second"), new Boom({ message: "late" })), {
        name: "late"
      })
      const fiber = yield* Effect.fork(Effect.all([
        Effect.exit(Runnable.invoke(Fx.timeout(slow, "1 second"), "x")),
        Effect.exit(Runnable.invoke(Fx.parallel({ slow, late }), "x"))
      ], { concurrency: "unbounded" }))
      yield* TestClock.adjust("1 second")
      yield* Fiber.join(fiber)

      const spans = yield* sdk.spans
      const brokenSpan = spanNamed(spans, "broken")
      expect(brokenSpan.status).toEqual({ code: SpanStatusCode.ERROR, message: "not a function" })
      expect(brokenSpan.attributes["error.type"]).toBe("TypeError")

      const slowSpans = spans.filter((span) => span.name === "slow")
      const timedOut = slowSpans.find((span) => span.attributes["fxchain.run.tags"] === undefined)
      const interrupted = slowSpans.find((span) => span.attributes["fxchain.run.tags"] !== undefined)
      expect(timedOut!.status.code).toBe(SpanStatusCode.ERROR)
      expect(timedOut!.attributes["error.type"]).toBe("TimeoutError")

      const parallel = spans.find((span) => span.attributes["fxchain.run.kind"] === "chain")!
      expect(parallel.attributes["error.type"]).toBe("Boom")
      expect(parentOf(interrupted!)).toBe(idOf(parallel))
      expect(interrupted!.attributes).toMatchObject({ "fxchain.run.tags": ["map:key:slow"], "status.interrupted": true })
      expect(interrupted!.status.code).toBe(SpanStatusCode.OK)
      expect(interrupted!.attributes["error.type"]).toBeUndefined()
    }).pipe(Effect.provide(sdk.layer))
  })

  it.effect("a model run carries the GenAI attributes, invoked and streamed", () => {
    const sdk = makeSdk()
    return Effect.gen(function*() {
      const model = Model.fromLanguageModel({ model: "fake-1" })
      yield* Runnable.invoke(model, "Say hello")
      yield* Stream.runDrain(Runnable.stream(model, "Say hello"))

      const modelSpans = (yield* sdk.spans).filter((span) => span.attributes["fxchain.run.kind"] === "model")
      expect(modelSpans).toHaveLength(2)
      for (const span of modelSpans) {
        expect(span.name).toBe("model")
        expect(span.attributes).toMatchObject({
          "fxchain.run.name": "model",
          "gen_ai.operation.name": "chat",
          "gen_ai.request.model": "fake-1",
          "gen_ai.usage.input_tokens": 2,
          "gen_ai.usage.output_tokens": 3,
          "gen_ai.response.finish_reasons": ["stop"]
        })
      }
    }).pipe(
      Effect.provide(FakeModel.layer({ responses: ["Hello brave world", "Hello brave world"] })),
      Effect.provide(sdk.layer)
    )
  })
})

describe("Telemetry.layer: metrics", () => {
  it.effect("runs, failures and a duration histogram per runnable name", () => {
    const sdk = makeSdk()
    return Effect.gen(function*() {
      const pause = Runnable.fromEffect((ms: number) => Effect.as(Effect.sleep(ms), ms), { name: "metrics-pause" })
      const refuse = Runnable.fromEffect((_: number) => Effect.fail(new Boom({ message: "no" })), { name: "metrics-refuse" })
      const fiber = yield* Effect.fork(Runnable.batch(pause, [250, 2_000], { concurrency: 2 }))
      yield* TestClock.adjust("2 seconds")
      yield* Fiber.join(fiber)
      yield* Effect.exit(Runnable.invoke(refuse, 1))

      const metrics = yield* sdk.metrics
      const pauseLabels = { runnable: "metrics-pause", kind: "lambda" }
      expect(point(metrics, "fxchain.runs", pauseLabels)?.value).toBe(2)
      expect(point(metrics, "fxchain.run.failures", pauseLabels)).toBeUndefined()
      const histogram = point<Histogram>(metrics, "fxchain.run.duration", pauseLabels)?.value
      expect(histogram).toMatchObject({ count: 2, sum: 2.25, min: 0.25, max: 2 })
      const refuseLabels = { runnable: "metrics-refuse", kind: "lambda" }
      expect(point(metrics, "fxchain.runs", refuseLabels)?.value).toBe(1)
      expect(point(metrics, "fxchain.run.failures", { ...refuseLabels, "error.type": "Boom" })?.value).toBe(1)

      const descriptor = metrics.resourceMetrics.scopeMetrics.flatMap((scope) => scope.metrics)
        .find((data) => data.descriptor.name === "fxchain.run.duration")?.descriptor
      expect(descriptor?.unit).toBe("s")
      // the same metrics, read with Effect
      const runs = yield* Metric.value(Telemetry.runs.pipe(Metric.tagged("runnable", "metrics-pause"), Metric.tagged("kind", "lambda")))
      expect(runs.count).toBe(2)
    }).pipe(Effect.provide(sdk.layer))
  })

  it.effect("a retried runnable counts its attempts as runs, their failures, and the retries", () => {
    const sdk = makeSdk()
    return Effect.gen(function*() {
      let calls = 0
      const flaky = Runnable.fromEffect(
        (n: number) => Effect.suspend(() => ++calls < 3 ? Effect.fail(new Flaky()) : Effect.succeed(n)),
        { name: "metrics-flaky" }
      )
      expect(yield* Runnable.invoke(Fx.retry(flaky, { schedule: Schedule.recurs(5) }), 7)).toBe(7)

      const metrics = yield* sdk.metrics
      const labels = { runnable: "metrics-flaky", kind: "lambda" }
      expect(point(metrics, "fxchain.runs", labels)?.value).toBe(3)
      expect(point(metrics, "fxchain.run.failures", { ...labels, "error.type": "Flaky" })?.value).toBe(2)
      expect(point(metrics, "fxchain.run.retries", labels)?.value).toBe(2)
      expect(point(metrics, "fxchain.runs", { runnable: "metrics-flaky", kind: "chain" })).toBeUndefined()
      expect(point<Histogram>(metrics, "fxchain.run.duration", labels)?.value.count).toBe(3)

      // the retry is still a span, around its attempts
      const spans = yield* sdk.spans
      const retry = spans.find((span) => span.attributes["fxchain.run.kind"] === "chain")!
      const attempts = spans.filter((span) => span.attributes["fxchain.run.kind"] === "lambda")
      expect(attempts.map((span) => span.attributes["fxchain.run.tags"])).toEqual([
        ["retry:attempt:1"],
        ["retry:attempt:2"],
        ["retry:attempt:3"]
      ])
      for (const attempt of attempts) expect(parentOf(attempt)).toBe(idOf(retry))
    }).pipe(Effect.provide(sdk.layer))
  })

  it.effect("a model run records its token usage", () => {
    const sdk = makeSdk()
    return Effect.gen(function*() {
      yield* Runnable.invoke(Model.fromLanguageModel({ model: "fake-1", name: "metrics-model" }), "Say hello")
      const metrics = yield* sdk.metrics
      const labels = { runnable: "metrics-model", "gen_ai.request.model": "fake-1", "gen_ai.operation.name": "chat" }
      expect(point<Histogram>(metrics, "gen_ai.client.token.usage", { ...labels, "gen_ai.token.type": "input" })?.value.sum)
        .toBe(2)
      expect(point<Histogram>(metrics, "gen_ai.client.token.usage", { ...labels, "gen_ai.token.type": "output" })?.value.sum)
        .toBe(3)
    }).pipe(
      Effect.provide(FakeModel.layer({ responses: "Hello brave world" })),
      Effect.provide(sdk.layer)
    )
  })

  it.effect("without a span processor, runs still produce metrics", () => {
    const sdk = makeSdk({ spans: false })
    return Effect.gen(function*() {
      const echo = Runnable.sync((text: string) => text, { name: "metrics-unexported" })
      yield* Runnable.invoke(Fx.sequence(echo, echo), "hi")
      expect(yield* sdk.spans).toEqual([])
      const metrics = yield* sdk.metrics
      expect(point(metrics, "fxchain.runs", { runnable: "metrics-unexported", kind: "lambda" })?.value).toBe(2)
    }).pipe(Effect.provide(sdk.layer))
  })
})

describe("Telemetry.layerInstrumentation", () => {
  it.effect("instruments the tracer of another SDK layer (NodeSdk)", () => {
    const exporter = new InMemorySpanExporter()
    const layer = Telemetry.layerInstrumentation.pipe(
      Layer.provideMerge(NodeSdk.layer(() => ({
        resource: { serviceName: "node-sdk" },
        spanProcessor: new SimpleSpanProcessor(exporter)
      })))
    )
    return Effect.gen(function*() {
      const boom = Runnable.fromEffect((_: string) => Effect.fail(new Boom({ message: "x" })), { name: "instrumented-boom" })
      yield* Effect.exit(Runnable.invoke(Runnable.withConfig(boom, { tags: ["a", "b"] }), "x"))
      const span = spanNamed(exporter.getFinishedSpans(), "instrumented-boom")
      expect(span.attributes).toMatchObject({ "error.type": "Boom", "fxchain.run.tags": ["a", "b"] })
      const runs = yield* Metric.value(
        Telemetry.runs.pipe(Metric.tagged("runnable", "instrumented-boom"), Metric.tagged("kind", "lambda"))
      )
      expect(runs.count).toBe(1)
      // instrumenting twice changes nothing
      const tracer = yield* Effect.tracer
      expect(Telemetry.instrument(tracer)).toBe(tracer)
    }).pipe(Effect.provide(layer))
  })
})

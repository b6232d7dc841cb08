/**
 * Whether a run is observed, its depth check, and the bookkeeping of one observed run (someone
 * listens to events, or a tracer is installed): its id, its lineage, its events and its span.
 *
 * @internal
 */
import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as DefaultServices from "effect/DefaultServices"
import * as Effect from "effect/Effect"
import type * as Fiber from "effect/Fiber"
import * as FiberRef from "effect/FiberRef"
import { globalValue } from "effect/GlobalValue"
import * as Option from "effect/Option"
import type * as Tracer from "effect/Tracer"
import * as Concat from "../Concat.js"
import { RecursionLimitError } from "../Errors.js"
import * as RunConfig from "../RunConfig.js"
import * as RunEvent from "../RunEvent.js"
import type * as Runnable from "../Runnable.js"
import { contextOf, tracerOf } from "./fiberInternals.js"
import { idsOf, isShort, type Lineage, type RunContext } from "./runContext.js"
import { behaviourOf } from "./runnable.js"

type AnyFiber = Fiber.RuntimeFiber<unknown, unknown>
type AnyRunnable = Runnable.Runnable<any, any, any, any>

const nativeTracer = globalValue(Symbol.for("@fxchain/core/nativeTracer"), () => Effect.runSync(Effect.tracer))

/** True when spans would reach a tracer someone installed (not Effect's built-in one). @internal */
export const isTracing = (fiber: AnyFiber): boolean =>
  tracerOf(fiber) !== nativeTracer && fiber.getFiberRef(FiberRef.currentTracerEnabled)

/**
 * The one decision between the two ways a run goes: observed when someone listens to events
 * (`streamEvents`) or a tracer is installed; plain otherwise.
 *
 * @internal
 */
export const isObserved = (fiber: AnyFiber, parent: RunContext): boolean => parent.sink !== undefined || isTracing(fiber)

/** The RunConfig in the fiber's context. @internal */
export const configOf = (fiber: AnyFiber): RunConfig.RunConfigValue => Context.get(contextOf(fiber), RunConfig.RunConfig)

/** The RunConfig a run of `self` sees: the fiber's, with `self`'s `withConfig` layered over it. @internal */
export const runConfigOf = (fiber: AnyFiber, self: AnyRunnable): RunConfig.RunConfigValue => {
  const patch = behaviourOf(self).config
  const inherited = configOf(fiber)
  return patch === undefined ? inherited : RunConfig.merge(inherited, patch)
}

/**
 * The one depth check: an Effect dying with `RecursionLimitError` when a run of `name` at `depth`
 * would be nested deeper than `maxDepth`, else undefined.
 *
 * @internal
 */
export const tooDeep = (name: string, depth: number, maxDepth: number): Effect.Effect<never> | undefined =>
  depth > maxDepth ? Effect.die(new RecursionLimitError({ runnable: name, depth, limit: maxDepth })) : undefined

const noIds: ReadonlyArray<string> = []

/**
 * The event, whose `parentIds` come from a long lineage, with `parentIds` made when first read:
 * a run nested thousands deep does not copy its ancestors' ids into every event it emits.
 */
const withLazyParentIds = <Event extends RunEvent.RunEvent>(event: Event, lineage: Lineage): Event =>
  Object.defineProperty(event, "parentIds", {
    get(this: Event) {
      const ids = idsOf(lineage)
      Object.defineProperty(this, "parentIds", { value: ids, enumerable: true })
      return ids
    },
    enumerable: true,
    configurable: true
  })

/** @internal */
export class ObservedRun {
  readonly context: RunContext
  readonly config: RunConfig.RunConfigValue
  readonly tracing: boolean
  private readonly runId: string | undefined
  private readonly tags: ReadonlyArray<string>
  private clock: Clock.Clock | undefined
  private started = false
  private finished = false
  private readonly input_ = new Concat.Accumulator<unknown>()
  private readonly output = new Concat.Accumulator<unknown>()

  /** `inherited`: the RunConfig the run is nested in, when it is not yet the fiber's (a run inlined into another's stream). */
  constructor(
    private readonly fiber: AnyFiber,
    private readonly parent: RunContext,
    private readonly self: AnyRunnable,
    options: Runnable.RunOptions | undefined,
    inherited?: RunConfig.RunConfigValue
  ) {
    const patch = behaviourOf(self).config
    const base = inherited ?? configOf(fiber)
    this.config = patch === undefined ? base : RunConfig.merge(base, patch)
    // LangChain's order: the run's own tags, then its inherited ones, nearest first
    this.tags = options?.runTags === undefined ? this.config.tags : [...options.runTags, ...this.config.tags]
    this.tracing = isTracing(fiber)
    this.runId = parent.sink === undefined ? undefined : crypto.randomUUID()
    this.context = {
      depth: parent.depth + 1,
      lineage: this.runId === undefined
        ? parent.lineage
        : { runId: this.runId, parent: parent.lineage, length: (parent.lineage?.length ?? 0) + 1 },
      sink: parent.sink,
      attributes: {},
      observed: this
    }
  }

  /** The depth check of this run (see `tooDeep`). */
  get tooDeep(): Effect.Effect<never> | undefined {
    return tooDeep(this.self.name, this.context.depth, this.config.maxDepth)
  }

  get isStarted(): boolean {
    return this.started
  }

  get name(): string {
    return this.self.name
  }

  /** The consumer of the events has fallen behind: wait for it before going on. */
  get backpressure(): Effect.Effect<void> | undefined {
    const sink = this.parent.sink
    return sink !== undefined && sink.full ? sink.awaitCapacity : undefined
  }

  private now(): number {
    this.clock ??= Context.get(this.fiber.getFiberRef(DefaultServices.currentServices), Clock.Clock)
    return this.clock.unsafeCurrentTimeMillis()
  }

  /** The parents' ids, or none when they are read lazily (see `emit`). */
  private parentIds(): ReadonlyArray<string> {
    return isShort(this.parent.lineage) ? idsOf(this.parent.lineage) : noIds
  }

  private emit(event: RunEvent.RunEvent): void {
    const lineage = this.parent.lineage
    this.parent.sink!.emit(isShort(lineage) ? event : withLazyParentIds(event, lineage!))
  }

  private info(): RunEvent.RunInfo {
    return {
      runId: this.runId!,
      parentIds: this.parentIds(),
      name: this.self.name,
      kind: this.self.kind,
      tags: this.tags,
      metadata: this.config.metadata,
      timestamp: this.now()
    }
  }

  start(input: unknown): void {
    if (this.started) return
    this.started = true
    if (this.parent.sink !== undefined) this.emit(RunEvent.Started({ ...this.info(), input }))
  }

  /** The chunks the run has yielded, combined by the concat rule (kept only while someone observes it). */
  get combinedOutput(): Option.Option<unknown> {
    return this.output.isEmpty ? Option.none() : Option.some(this.output.result)
  }

  /** Reports a custom event of this run (`Runnable.dispatchCustomEvent`). */
  custom(event: string, data: unknown): void {
    if (this.parent.sink !== undefined) this.emit(RunEvent.Custom({ ...this.info(), event, data }))
  }

  /** Records one chunk of a streamed input (for `Ended.input`). */
  input(chunk: unknown): void {
    if (this.parent.sink !== undefined) this.input_.add(chunk)
  }

  chunk(chunk: unknown): void {
    this.start(undefined)
    const sink = this.parent.sink
    if (sink === undefined) return
    this.output.add(chunk)
    // the hot path of a streamed run: one literal, not `info()` spread into another
    this.emit(RunEvent.Streamed({
      runId: this.runId!,
      parentIds: this.parentIds(),
      name: this.self.name,
      kind: this.self.kind,
      tags: this.tags,
      metadata: this.config.metadata,
      timestamp: this.now(),
      chunk
    }))
  }

  end(input: unknown, output: unknown): void {
    if (this.finished) return
    this.finished = true
    if (this.parent.sink !== undefined) {
      this.emit(RunEvent.Ended({ ...this.info(), input, output, attributes: this.context.attributes! }))
    }
  }

  /**
   * Ends a streamed run: input and output are its chunks combined by the concat rule. A run that
   * consumes a stream and never received a chunk nor produced one was never reached: no events.
   */
  endStream(input: unknown): void {
    if (!this.started) {
      this.finished = true
      return
    }
    this.end(this.input_.isEmpty ? input : this.input_.result, this.output.result)
  }

  /** Reports a failure; with `onlyIfStarted`, a run that never started stays silent. */
  fail(cause: Cause.Cause<unknown>, onlyIfStarted = false): void {
    if (this.finished || (onlyIfStarted && !this.started)) return
    this.finished = true
    this.start(undefined)
    const interrupted = Cause.isInterruptedOnly(cause)
    const failure = Cause.failureOption(cause)
    const error = failure._tag === "Some" ? failure.value : Cause.squash(cause)
    if (this.parent.sink !== undefined) this.emit(RunEvent.Failed({ ...this.info(), error, cause, interrupted }))
  }

  spanOptions(): Tracer.SpanOptions {
    const attributes: Record<string, unknown> = {
      "fxchain.run.name": this.self.name,
      "fxchain.run.kind": this.self.kind
    }
    if (this.tags.length > 0) attributes["fxchain.run.tags"] = this.tags
    for (const [key, value] of Object.entries(this.config.metadata)) attributes[`fxchain.metadata.${key}`] = value
    return { attributes, captureStackTrace: false }
  }
}

/**
 * The bookkeeping of one observed run (someone listens to events, or a tracer is installed):
 * its id, its lineage, its events and its span options.
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
import * as Tracer from "effect/Tracer"
import * as Concat from "../Concat.js"
import { RecursionLimitError } from "../Errors.js"
import * as RunConfig from "../RunConfig.js"
import * as RunEvent from "../RunEvent.js"
import type * as Runnable from "../Runnable.js"
import type { RunContext } from "./runContext.js"

const nativeTracer = globalValue(Symbol.for("@fxchain/core/nativeTracer"), () => Effect.runSync(Effect.tracer))

/**
 * The fields a fiber runtime keeps up to date from its FiberRefs (see `refreshRefCache` in
 * Effect's fiberRuntime.ts); reading them skips two map lookups on every run's hot path. They are
 * not on the public `RuntimeFiber` type, so each is read with a fallback to the public lookup.
 */
interface FiberCaches {
  readonly currentTracer?: Tracer.Tracer
  readonly currentContext?: Context.Context<never>
}

/** True when spans would reach a tracer someone installed (not Effect's built-in one). @internal */
export const isTracing = (fiber: Fiber.RuntimeFiber<unknown, unknown>): boolean =>
  ((fiber as FiberCaches).currentTracer ??
      Context.get(fiber.getFiberRef(DefaultServices.currentServices), Tracer.Tracer)) !== nativeTracer &&
  fiber.getFiberRef(FiberRef.currentTracerEnabled)

/** @internal */
export const configOf = (fiber: Fiber.RuntimeFiber<unknown, unknown>): RunConfig.RunConfigValue =>
  Context.get((fiber as FiberCaches).currentContext ?? fiber.getFiberRef(FiberRef.currentContext), RunConfig.RunConfig)

const recursionLimit = (
  name: string,
  depth: number,
  limit: number
): Effect.Effect<never> => Effect.die(new RecursionLimitError({ runnable: name, depth, limit }))

/**
 * For a run nobody observes, nested in `parent`: the `RecursionLimitError` defect when it would
 * go deeper than `RunConfig`'s `maxDepth`, else undefined.
 *
 * @internal
 */
export const pastDepthLimit = (
  fiber: Fiber.RuntimeFiber<unknown, unknown>,
  parent: RunContext,
  name: string
): Effect.Effect<never> | undefined => {
  const depth = parent.depth + 1
  const limit = configOf(fiber).maxDepth
  return depth > limit ? recursionLimit(name, depth, limit) : undefined
}

type AnyRunnable = Runnable.Runnable<any, any, any, any>

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
  private readonly inputChunks: Array<unknown> = []
  private readonly outputChunks: Array<unknown> = []

  constructor(
    private readonly fiber: Fiber.RuntimeFiber<unknown, unknown>,
    private readonly parent: RunContext,
    private readonly self: AnyRunnable,
    options: Runnable.RunOptions | undefined
  ) {
    const inherited = configOf(fiber)
    this.config = self.config === undefined ? inherited : RunConfig.merge(inherited, self.config)
    this.tags = options?.runTags === undefined ? this.config.tags : [...this.config.tags, ...options.runTags]
    this.tracing = isTracing(fiber)
    this.runId = parent.listener === undefined ? undefined : crypto.randomUUID()
    this.context = {
      depth: parent.depth + 1,
      lineage: this.runId === undefined ? parent.lineage : [...parent.lineage, this.runId],
      listener: parent.listener,
      attributes: {}
    }
  }

  /** The run would be nested too deep: an Effect that dies with `RecursionLimitError`, else undefined. */
  get tooDeep(): Effect.Effect<never> | undefined {
    return this.context.depth > this.config.maxDepth
      ? recursionLimit(this.self.name, this.context.depth, this.config.maxDepth)
      : undefined
  }

  get isStarted(): boolean {
    return this.started
  }

  get name(): string {
    return this.self.name
  }

  /** The fields every event of this run carries, and the Clock that stamps them. */
  private now(): number {
    this.clock ??= Context.get(this.fiber.getFiberRef(DefaultServices.currentServices), Clock.Clock)
    return this.clock.unsafeCurrentTimeMillis()
  }

  private info(): RunEvent.RunInfo {
    return {
      runId: this.runId!,
      parentIds: this.parent.lineage,
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
    this.parent.listener?.(RunEvent.Started({ ...this.info(), input }))
  }

  /** Records one chunk of a streamed input (for `Ended.input`). */
  input(chunk: unknown): void {
    if (this.parent.listener !== undefined) this.inputChunks.push(chunk)
  }

  chunk(chunk: unknown): void {
    this.start(undefined)
    if (this.parent.listener === undefined) return
    this.outputChunks.push(chunk)
    // the hot path of a streamed run: one literal, not `info()` spread into another
    this.parent.listener(RunEvent.Streamed({
      runId: this.runId!,
      parentIds: this.parent.lineage,
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
    this.parent.listener?.(RunEvent.Ended({ ...this.info(), input, output, attributes: this.context.attributes! }))
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
    this.end(
      this.inputChunks.length > 0 ? Concat.combineAll(this.inputChunks) : input,
      Concat.combineAll(this.outputChunks)
    )
  }

  /** Reports a failure; with `onlyIfStarted`, a run that never started stays silent. */
  fail(cause: Cause.Cause<unknown>, onlyIfStarted = false): void {
    if (this.finished || (onlyIfStarted && !this.started)) return
    this.finished = true
    this.start(undefined)
    const interrupted = Cause.isInterruptedOnly(cause)
    const failure = Cause.failureOption(cause)
    const error = failure._tag === "Some" ? failure.value : Cause.squash(cause)
    this.parent.listener?.(RunEvent.Failed({ ...this.info(), error, cause, interrupted }))
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

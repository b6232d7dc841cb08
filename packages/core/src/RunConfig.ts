/**
 * The configuration every run reads: default batch concurrency, tags and metadata (inherited by
 * nested runs, merged), `configurable` values (read by `Fx.alternatives` and user code) and the
 * maximum nesting depth. It lives in the Effect context as a `Context.Reference`, so it has a
 * default and can be set for a whole program with a `Layer`, for one Effect with
 * `Effect.provideService`, or for one runnable with `Runnable.withConfig`.
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Options from "./Options.js"

/**
 * What `RunConfig` holds.
 *
 * @since 0.1.0
 * @category models
 */
export interface RunConfigValue {
  /** Items run at once by `batch`, `batchAsCompleted`, `streamBatch` when no `concurrency` is given. */
  readonly concurrency: number
  /** Tags of the current run, inherited by every nested run. */
  readonly tags: ReadonlyArray<string>
  /** Metadata of the current run, inherited (merged key by key) by every nested run. */
  readonly metadata: Readonly<Record<string, unknown>>
  /** Values chosen at run time (`Fx.alternatives` reads its choice here). */
  readonly configurable: Readonly<Record<string, unknown>>
  /** Runs nested deeper than this die with a `RecursionLimitError` (a defect: see `Errors`). */
  readonly maxDepth: number
}

/**
 * A partial `RunConfigValue` layered over the current one: its tags come before the current ones
 * (without duplicates: the nearest first, as LangChain orders them), metadata and configurable
 * values are merged key by key, numbers replace.
 *
 * @since 0.1.0
 * @category models
 */
export interface RunConfigPatch {
  readonly concurrency?: number | undefined
  readonly tags?: ReadonlyArray<string> | undefined
  readonly metadata?: Readonly<Record<string, unknown>> | undefined
  readonly configurable?: Readonly<Record<string, unknown>> | undefined
  readonly maxDepth?: number | undefined
}

/**
 * The defaults: concurrency 16 (bounded, unlike LangChain.js's unbounded default), no tags, no
 * metadata, nothing configurable, a nesting depth of at most 100.
 *
 * @since 0.1.0
 * @category constructors
 */
export const defaults: RunConfigValue = {
  concurrency: 16,
  tags: [],
  metadata: {},
  configurable: {},
  maxDepth: 100
}

/**
 * The `Context.Reference` holding the current run configuration; `yield* RunConfig.RunConfig`
 * reads it.
 *
 * @since 0.1.0
 * @category tags
 */
export class RunConfig extends Context.Reference<RunConfig>()("@fxchain/core/RunConfig", {
  defaultValue: (): RunConfigValue => defaults
}) {}

/**
 * Layers a patch over a configuration (see `RunConfigPatch` for how each field combines).
 *
 * @since 0.1.0
 * @category combinators
 */
export const merge = (base: RunConfigValue, patch: RunConfigPatch): RunConfigValue => ({
  concurrency: patch.concurrency ?? base.concurrency,
  maxDepth: patch.maxDepth ?? base.maxDepth,
  tags: patch.tags === undefined || patch.tags.length === 0
    ? base.tags
    : [...patch.tags, ...base.tags.filter((tag) => !patch.tags!.includes(tag))],
  metadata: patch.metadata === undefined ? base.metadata : { ...base.metadata, ...patch.metadata },
  configurable: patch.configurable === undefined ? base.configurable : { ...base.configurable, ...patch.configurable }
})

/**
 * Runs an Effect with a patch layered over the current configuration. A bad patch throws
 * `InvalidOptionError` (see `Options`) when `withPatch` is called.
 *
 * @example
 * ```ts
 * import { Runnable, RunConfig } from "@fxchain/core"
 *
 * const program = Runnable.batch(Runnable.sync((n: number) => n + 1), [1, 2, 3]).pipe(
 *   RunConfig.withPatch({ concurrency: 2, tags: ["nightly"] })
 * )
 * ```
 *
 * @since 0.1.0
 * @category combinators
 */
export const withPatch = (patch: RunConfigPatch): <A, E, R>(self: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R> => {
  Options.configPatch("RunConfig.withPatch", patch)
  return (self) => Effect.flatMap(RunConfig, (current) => Effect.provideService(self, RunConfig, merge(current, patch)))
}

/**
 * A layer setting the configuration of a whole program (the patch is layered over the defaults).
 * A bad patch throws `InvalidOptionError` (see `Options`) when the layer is made.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (patch: RunConfigPatch): Layer.Layer<never> =>
  Layer.succeed(RunConfig, merge(defaults, Options.configPatch("RunConfig.layer", patch)))

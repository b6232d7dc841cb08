/**
 * Durable batches: a batch of any runnable that outlives the process running it, on Effect's own
 * distributed engine — `@effect/workflow` for durability, `@effect/cluster` to spread items over
 * runners, `@effect/sql` for storage.
 *
 * - The batch is a workflow; each item is a child workflow (placed on a runner by its key) whose
 *   one activity invokes the runnable. An item is idempotent by its key: once its result is
 *   stored it is never run again, in this batch or in any batch of the same name.
 * - Results are stored as they complete, so `run` gives them in input order, `stream` as they
 *   complete, and `progress` counts them (done / failed / in flight / left) from any process.
 * - A typed failure (after the runnable's own retries, `Fx.retry`) is the item's stored result. A
 *   defect is retried as a new attempt up to `defectAttempts` times, then stored as an
 *   `ItemDefect`: an input that always dies ends as a stored failure and does not block the batch.
 * - Ending `run` early (interrupting it, or its first failure in the default mode) pauses the
 *   batch: nothing new is dispatched, the items in flight finish and are stored. Running it again
 *   with the same name and inputs resumes it, as does starting again after the process was killed.
 *   A batch goes on while any `run` of it (in any process) still waits for it.
 *
 * Guarantees: exactly-once results (one stored result per key, whatever dies and restarts);
 * at-least-once execution of an item that was in flight when its runner died (it runs again on
 * a runner that takes its place); never a second execution of an item whose result is stored.
 *
 * Two ways to run, one API: `layerEmbedded` (one process, a SQLite file, nothing to start) and
 * `layerPostgres` (runners on several processes or machines sharing PostgreSQL; a runner that dies
 * has its items resumed by the others). Each runner provides `toLayer(batch)`, which registers the
 * batch's workflows with the runnable that runs its items.
 *
 * Items, results and failures are stored, so `make` takes their schemas: `input`, `success`, and
 * `error` (required when the runnable can fail).
 *
 * @example
 * ```ts
 * import { DurableBatch } from "@fxchain/adapters/cluster"
 * import { Runnable } from "@fxchain/core"
 * import { Effect, Layer, Schema } from "effect"
 *
 * const shout = Runnable.sync((text: string) => text.toUpperCase(), { name: "shout" })
 * const batch = DurableBatch.make("shout", shout, {
 *   key: (text) => text,
 *   input: Schema.String,
 *   success: Schema.String,
 *   concurrency: 8
 * })
 *
 * const program = DurableBatch.run(batch, ["a", "b", "c"]).pipe( // Effect<string[], ItemDefect, ...>
 *   Effect.provide(DurableBatch.toLayer(batch).pipe(Layer.provideMerge(DurableBatch.layerEmbedded())))
 * )
 * ```
 *
 * @since 0.2.0
 */
import type { SocketServerError } from "@effect/platform/SocketServer"
import type * as ShardingConfig from "@effect/cluster/ShardingConfig"
import type { SqlClient } from "@effect/sql/SqlClient"
import type { SqlError } from "@effect/sql/SqlError"
import type { WorkflowEngine } from "@effect/workflow/WorkflowEngine"
import type { Runnable } from "@fxchain/core"
import type { ConfigError } from "effect/ConfigError"
import type * as Effect from "effect/Effect"
import type * as Either from "effect/Either"
import type * as Layer from "effect/Layer"
import type { Pipeable } from "effect/Pipeable"
import type * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import type * as Stream from "effect/Stream"
import * as internal from "./internal/durableBatch.js"
import * as layers from "./internal/durableBatchLayers.js"

/**
 * @since 0.2.0
 * @category symbols
 */
export const TypeId: unique symbol = internal.TypeId as TypeId

/**
 * @since 0.2.0
 * @category symbols
 */
export type TypeId = typeof TypeId

/**
 * A durable batch of a runnable: what `run` executes and `toLayer` registers on a runner.
 *
 * @since 0.2.0
 * @category models
 */
export interface DurableBatch<in In, out Out, out E = never, out R = never> extends Pipeable {
  readonly [TypeId]: {
    readonly _In: (_: In) => void
    readonly _Out: (_: never) => Out
    readonly _E: (_: never) => E
    readonly _R: (_: never) => R
  }
  /** Names the batch's workflows: every runner and caller of one batch uses the same name. */
  readonly name: string
  /** Items in flight at once, over all runners. */
  readonly concurrency: number
}

/**
 * What `make` takes. The schemas turn inputs, results and typed failures into JSON for the store
 * (their encoded side must be JSON: plain values, arrays and records).
 *
 * @since 0.2.0
 * @category models
 */
export type Options<In, Out, E, InputEncoded, OutEncoded, ErrorEncoded> = {
  /**
   * An item's identity: items with the same key are one item (run once, one stored result). Keep it
   * stable across runs, e.g. a document id or a hash of the input.
   */
  readonly key: (input: In) => string
  readonly input: Schema.Schema<In, InputEncoded>
  readonly success: Schema.Schema<Out, OutEncoded>
  /** Items in flight at once, over all runners: an integer >= 1, 16 by default. */
  readonly concurrency?: number | undefined
  /** Attempts of an item that dies before its defect is stored: an integer >= 1, 3 by default. */
  readonly defectAttempts?: number | undefined
} & ([E] extends [never] ? { readonly error?: Schema.Schema<E, ErrorEncoded> | undefined }
  : { readonly error: Schema.Schema<E, ErrorEncoded> })

/**
 * @since 0.2.0
 * @category models
 */
export interface RunOptions {
  /**
   * `"fail-fast"` (the default): the first failed item (in completion order) fails `run`, which
   * pauses the batch. `"either"`: every item's stored result in its place, an `Either`. Another
   * value dies with `InvalidOptionError`.
   */
  readonly mode?: "fail-fast" | "either" | undefined
}

/**
 * Where a batch is, counted from the store: `done` (succeeded), `failed` (a typed failure or an
 * `ItemDefect` stored), `inFlight` (dispatched, no result yet) and `left` (not dispatched).
 *
 * @since 0.2.0
 * @category models
 */
export interface Progress {
  /** The batch's id in the store: a digest of its name and its items' keys. */
  readonly id: string
  readonly total: number
  readonly done: number
  readonly failed: number
  readonly inFlight: number
  readonly left: number
}

/**
 * What the layers provide and `run` needs: the workflow engine and the SQL store it writes to.
 *
 * @since 0.2.0
 * @category models
 */
export type Engine = WorkflowEngine | SqlClient

/**
 * Why a store's layer could not start.
 *
 * @since 0.2.0
 * @category models
 */
export type StoreError = ConfigError | SqlError | SocketServerError

/**
 * An item that died on each of its `defectAttempts` attempts: its stored failure. `defect` is
 * what it died with, as the store keeps it (an `Error`'s name and message).
 *
 * @since 0.2.0
 * @category errors
 */
export class ItemDefect extends Schema.TaggedError<ItemDefect>()("ItemDefect", {
  batch: Schema.String,
  key: Schema.String,
  defect: Schema.Defect
}) {
  override get message(): string {
    const defect = this.defect instanceof Error ? this.defect.message : String(this.defect)
    return `Item "${this.key}" of durable batch "${this.batch}" died: ${defect}`
  }
}

/**
 * A durable batch of `runnable` named `name`. Bad options (an empty name, a `concurrency` or
 * `defectAttempts` that is not an integer >= 1) throw `InvalidOptionError`.
 *
 * @example
 * ```ts
 * import { DurableBatch } from "@fxchain/adapters/cluster"
 * import { Runnable } from "@fxchain/core"
 * import { Effect, Schema } from "effect"
 *
 * class Rejected extends Schema.TaggedError<Rejected>()("Rejected", { reason: Schema.String }) {}
 *
 * const summarize = Runnable.fromEffect(
 *   (document: { readonly id: string; readonly text: string }) =>
 *     document.text.length === 0 ? Effect.fail(new Rejected({ reason: "empty" })) : Effect.succeed(document.text.slice(0, 10)),
 *   { name: "summarize" }
 * )
 * const batch = DurableBatch.make("summaries", summarize, {
 *   key: (document) => document.id,
 *   input: Schema.Struct({ id: Schema.String, text: Schema.String }),
 *   success: Schema.String,
 *   error: Rejected, // required: the runnable can fail with Rejected
 *   concurrency: 32
 * })
 * ```
 *
 * @since 0.2.0
 * @category constructors
 */
export const make: <In, Out, E, R, InputEncoded, OutEncoded, ErrorEncoded>(
  name: string,
  runnable: Runnable.Runnable<In, Out, E, R>,
  options: Options<In, Out, E, InputEncoded, OutEncoded, ErrorEncoded>
) => DurableBatch<In, Out, E, R> = internal.make

/**
 * Registers the batch's workflows on this runner (the embedded process, or each distributed
 * runner): the runner then runs its share of the items with the runnable, whose requirements
 * the layer needs. Every runner of a batch registers it; a process that only calls `run` on a
 * distributed store (a client without a runner) does not.
 *
 * @since 0.2.0
 * @category layers
 */
export const toLayer: <In, Out, E, R>(self: DurableBatch<In, Out, E, R>) => Layer.Layer<never, never, Engine | R> =
  internal.toLayer

/**
 * Runs the batch on `inputs` and gives every item's result in input order: items already stored
 * (by an earlier run, or another process) are not run again. An empty batch gives `[]`. Ending
 * early (interrupted, or failed in the default mode) pauses the batch; a `run` of the same name and
 * inputs resumes it. When the batch's workflow itself fails (the store unreachable for about a
 * minute), `run` dies with that cause and the batch waits, suspended, for the next `run`.
 *
 * @example
 * ```ts
 * import { DurableBatch } from "@fxchain/adapters/cluster"
 * import { Runnable } from "@fxchain/core"
 * import { Schema } from "effect"
 *
 * const length = Runnable.sync((text: string) => text.length, { name: "length" })
 * const batch = DurableBatch.make("lengths", length, { key: (text) => text, input: Schema.String, success: Schema.Number })
 *
 * const all = DurableBatch.run(batch, ["a", "bb"]) // Effect<number[], ItemDefect, Engine>
 * const each = DurableBatch.run(batch, ["a", "bb"], { mode: "either" }) // Effect<Either<number, ItemDefect>[], never, Engine>
 * ```
 *
 * @since 0.2.0
 * @category executors
 */
export const run: {
  <In, Out, E, R>(
    self: DurableBatch<In, Out, E, R>,
    inputs: Iterable<In>,
    options: RunOptions & { readonly mode: "either" }
  ): Effect.Effect<Array<Either.Either<Out, E | ItemDefect>>, never, Engine>
  <In, Out, E, R>(
    self: DurableBatch<In, Out, E, R>,
    inputs: Iterable<In>,
    options?: RunOptions
  ): Effect.Effect<Array<Out>, E | ItemDefect, Engine>
} = internal.run as any

/**
 * Runs the batch on `inputs` like `run` and emits `[index, result]` as each item's result is
 * stored (0-based input positions); results stored before come first. Ending the stream before its
 * last item pauses the batch.
 *
 * @since 0.2.0
 * @category executors
 */
export const stream: <In, Out, E, R>(
  self: DurableBatch<In, Out, E, R>,
  inputs: Iterable<In>
) => Stream.Stream<readonly [index: number, result: Either.Either<Out, E | ItemDefect>], never, Engine> = internal.stream

/**
 * How far the batch of these inputs is, read from the store: works from any process that reaches
 * the store, while the batch runs elsewhere.
 *
 * @since 0.2.0
 * @category getters
 */
export const progress: <In, Out, E, R>(
  self: DurableBatch<In, Out, E, R>,
  inputs: Iterable<In>
) => Effect.Effect<Progress, never, SqlClient> = internal.progress

/**
 * @since 0.2.0
 * @category models
 */
export interface EmbeddedOptions {
  /** The SQLite file; `.fxchain/durable-batches.sqlite` (under the working directory) by default. */
  readonly filename?: string | undefined
  /** `@effect/cluster`'s settings, for tuning. */
  readonly shardingConfig?: Partial<ShardingConfig.ShardingConfig["Type"]> | undefined
}

/**
 * The embedded store: one process, a SQLite file (through `@effect/sql-sqlite-node`), nothing to
 * start. The file is the process's alone while open: a second process on it fails to start. After
 * the process ends, however it ends, the next one on the same file resumes what was unfinished.
 * The file is written in WAL mode with `synchronous = NORMAL`: a process that dies loses nothing
 * stored; a machine that loses power may lose the last results stored, whose items then run again.
 *
 * @since 0.2.0
 * @category layers
 */
export const layerEmbedded: (options?: EmbeddedOptions) => Layer.Layer<Engine, StoreError> = layers.layerEmbedded

/**
 * @since 0.2.0
 * @category models
 */
export interface PostgresOptions {
  /** The PostgreSQL connection URL every runner and client shares. */
  readonly url: string | Redacted.Redacted
  /**
   * Where this runner listens for the other runners (they reach it at `host:port`; it binds
   * `listenHost`, `host` by default). Without it the process is a client: it runs batches and reads
   * their progress, the runners run the items.
   */
  readonly runner?: { readonly host: string; readonly port: number; readonly listenHost?: string | undefined } | undefined
  /**
   * `@effect/cluster`'s settings (read from the environment too, as `@effect/cluster` does); e.g.
   * `shardLockExpiration`: how long a runner that died silently keeps its items (35 seconds).
   */
  readonly shardingConfig?: Partial<ShardingConfig.ShardingConfig["Type"]> | undefined
}

/**
 * The distributed store: runners on several processes or machines sharing PostgreSQL (through
 * `@effect/sql-pg`), talking over TCP (`@effect/platform-node`'s cluster sockets). Items spread
 * over the runners by key; a runner that dies has its items resumed by the others.
 *
 * @since 0.2.0
 * @category layers
 */
export const layerPostgres: (options: PostgresOptions) => Layer.Layer<Engine, StoreError> = layers.layerPostgres

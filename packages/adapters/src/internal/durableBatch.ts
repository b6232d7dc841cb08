/** @internal */
import type * as SqlClient from "@effect/sql/SqlClient"
import * as Activity from "@effect/workflow/Activity"
import * as Workflow from "@effect/workflow/Workflow"
import { type WorkflowEngine, WorkflowInstance } from "@effect/workflow/WorkflowEngine"
import { Options, Runnable } from "@fxchain/core"
import * as Cause from "effect/Cause"
import * as Chunk from "effect/Chunk"
import * as Context from "effect/Context"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import { identity } from "effect/Function"
import { pipeArguments } from "effect/Pipeable"
import * as Queue from "effect/Queue"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import type * as DurableBatch from "../DurableBatch.js"
import { ItemDefect } from "../DurableBatch.js"
import * as store from "./durableBatchStore.js"

/** @internal */
export const TypeId: DurableBatch.TypeId = Symbol.for("@fxchain/adapters/DurableBatch") as DurableBatch.TypeId

/** What the executors and the runner layer use; the public type shows only the name and concurrency. */
interface Batch<In, Out, E, R> extends DurableBatch.DurableBatch<In, Out, E, R> {
  readonly runnable: Runnable.Runnable<In, Out, E, R>
  readonly key: (input: In) => string
  readonly defectAttempts: number
  readonly inputJson: Schema.Schema<In, string>
  readonly resultJson: Schema.Schema<Either.Either<Out, E | ItemDefect>, string>
  readonly item: Workflow.Workflow<string, Schema.Struct<{ key: typeof Schema.String; input: Schema.Schema<In, any> }>, Schema.Schema<Out, any>, Schema.Schema<E, any>>
  readonly workflow: Workflow.Workflow<string, Schema.Struct<{ id: typeof Schema.String }>, typeof Schema.Void, typeof Schema.Never>
}

const variance = { _In: identity, _Out: identity, _E: identity, _R: identity }

const implementation = <In, Out, E, R>(self: DurableBatch.DurableBatch<In, Out, E, R>): Batch<In, Out, E, R> =>
  self as Batch<In, Out, E, R>

/** @internal */
export const make = <In, Out, E, R, InputEncoded, OutEncoded, ErrorEncoded>(
  name: string,
  runnable: Runnable.Runnable<In, Out, E, R>,
  options: DurableBatch.Options<In, Out, E, InputEncoded, OutEncoded, ErrorEncoded>
): DurableBatch.DurableBatch<In, Out, E, R> => {
  if (typeof name !== "string" || name.length === 0) {
    Options.invalid(runnable.name, "name", name, "a non-empty string")
  }
  const concurrency = Options.integer(name, "concurrency", options.concurrency ?? 16, { min: 1 })
  const defectAttempts = Options.integer(name, "defectAttempts", options.defectAttempts ?? 3, { min: 1 })
  const error = (options.error ?? Schema.Never) as Schema.Schema<E, ErrorEncoded>
  const item = Workflow.make({
    name: `fxchain/DurableBatch/${name}/item`,
    payload: { key: Schema.String, input: options.input },
    success: options.success,
    error,
    idempotencyKey: ({ key }) => key
  })
  const workflow = Workflow.make({
    name: `fxchain/DurableBatch/${name}`,
    payload: { id: Schema.String },
    idempotencyKey: ({ id }) => id
  }).annotate(Workflow.SuspendOnFailure, true)
  const batch: Batch<In, Out, E, R> = {
    [TypeId]: variance,
    name,
    concurrency,
    runnable,
    key: options.key,
    defectAttempts,
    inputJson: Schema.parseJson(options.input),
    resultJson: Schema.parseJson(Schema.Either({ right: options.success, left: Schema.Union(error, ItemDefect) })),
    item: item as unknown as Batch<In, Out, E, R>["item"],
    workflow,
    pipe() {
      return pipeArguments(this, arguments)
    }
  }
  return batch
}

// -----------------------------------------------------------------------------
// runner side: the item workflow (one activity per attempt) and the batch workflow (the dispatcher)
// -----------------------------------------------------------------------------

/**
 * An item: its activity, run again as a new attempt while it dies, up to `defectAttempts`; each
 * attempt's outcome is stored by the engine, so a runner that dies resumes at the same attempt.
 */
const runItem = <In, Out, E, R>(batch: Batch<In, Out, E, R>, input: In) => {
  const activity = Activity.make({
    name: "invoke",
    success: batch.item.successSchema,
    error: batch.item.errorSchema,
    execute: Runnable.invoke(batch.runnable, input)
  })
  const attempt = (n: number): Effect.Effect<Out, E, R | WorkflowEngine | WorkflowInstance> =>
    activity.pipe(
      Effect.provideService(Activity.CurrentAttempt, n),
      Effect.catchAllDefect((defect) => n < batch.defectAttempts ? attempt(n + 1) : Effect.die(defect))
    )
  return attempt(1)
}

/** An item's stored outcome from its workflow's exit; interruption is not an outcome (it propagates). */
const outcome = <Out, E>(key: string, batchName: string) =>
  Effect.matchCauseEffect({
    onSuccess: (value: Out) => Effect.succeed(Either.right(value)),
    onFailure: (cause: Cause.Cause<E>): Effect.Effect<Either.Either<Out, E | ItemDefect>, never> => {
      if (Cause.isInterruptedOnly(cause)) return Effect.failCause(cause as Cause.Cause<never>)
      return Either.match(Cause.failureOrCause(cause), {
        onLeft: (error) => Effect.succeed(Either.left(error)),
        onRight: (rest) =>
          Cause.isDie(rest)
            ? Effect.succeed(Either.left(new ItemDefect({ batch: batchName, key, defect: Cause.squash(rest) })))
            : Effect.failCause(rest as Cause.Cause<never>)
      })
    }
  })

interface Group {
  readonly key: string
  readonly input: string
  readonly positions: Array<number>
}

const groupByKey = (items: ReadonlyArray<store.StoredItem>): Array<Group> => {
  const groups = new Map<string, Group>()
  for (const item of items) {
    const group = groups.get(item.key)
    if (group === undefined) groups.set(item.key, { key: item.key, input: item.input, positions: [item.position] })
    else group.positions.push(item.position)
  }
  return Array.from(groups.values())
}

/**
 * Stores results as they come, every result that came in meanwhile in one transaction; each
 * caller waits until its own is stored.
 */
const makeWriter = (id: string) =>
  Effect.gen(function*() {
    const queue = yield* Queue.unbounded<readonly [store.Completion, Deferred.Deferred<void>]>()
    yield* Effect.forkScoped(Effect.forever(Effect.gen(function*() {
      const pending = Chunk.toReadonlyArray(yield* Queue.takeBetween(queue, 1, 1000))
      yield* store.withStorageRetry(store.complete(id, pending.map(([completion]) => completion)))
      for (const [, stored] of pending) yield* Deferred.succeed(stored, undefined)
    })))
    return (completion: store.Completion) =>
      Effect.flatMap(Deferred.make<void>(), (stored) => Effect.zipRight(Queue.offer(queue, [completion, stored]), Deferred.await(stored)))
  })

const dispatch = <In, Out, E, R>(
  batch: Batch<In, Out, E, R>,
  id: string,
  group: Group,
  write: (completion: store.Completion) => Effect.Effect<void>
) =>
  Effect.gen(function*() {
    yield* store.withStorageRetry(store.markRunning(id, group.positions))
    const input = yield* Effect.orDie(Schema.decode(batch.inputJson)(group.input))
    const result = yield* batch.item.execute({ key: group.key, input }).pipe(
      // a top-level execution: the batch waits for its reply, so the item need not wake the batch when it ends
      Effect.mapInputContext((context: Context.Context<WorkflowEngine>) => Context.omit(WorkflowInstance)(context)),
      outcome<Out, E>(group.key, batch.name)
    )
    const encoded = yield* Effect.orDie(Schema.encode(batch.resultJson)(result))
    yield* write({ positions: group.positions, status: Either.isRight(result) ? "done" : "failed", result: encoded })
  })

/**
 * The batch: dispatches every item without a stored result, `concurrency` at a time. A pause (the
 * caller's `run` ended early) stops the dispatching; the items in flight end and are stored, then
 * the workflow suspends until a `run` resumes it.
 */
const runBatch = <In, Out, E, R>(batch: Batch<In, Out, E, R>) => ({ id }: { readonly id: string }) =>
  Effect.gen(function*() {
    const instance = yield* WorkflowInstance
    const write = yield* makeWriter(id)
    const paused = store.withStorageRetry(store.isPaused(id))
    while (true) {
      if (yield* paused) return yield* Workflow.suspend(instance)
      const groups = groupByKey(yield* store.withStorageRetry(store.unfinished(id)))
      let stopped = false
      yield* Effect.forEach(groups, (group) =>
        Effect.flatMap(
          stopped ? Effect.succeed(true) : paused,
          (paused) => {
            stopped ||= paused
            return paused ? Effect.void : dispatch(batch, id, group, write)
          }
        ), { concurrency: batch.concurrency, discard: true })
      if (!stopped) return
    }
  }).pipe(Effect.scoped)

/** @internal */
export const toLayer = <In, Out, E, R>(
  self: DurableBatch.DurableBatch<In, Out, E, R>
): Layer.Layer<never, never, WorkflowEngine | SqlClient.SqlClient | R> => {
  const batch = implementation(self)
  return Layer.mergeAll(
    batch.item.toLayer(({ input }) => runItem(batch, input)),
    batch.workflow.toLayer(runBatch(batch))
  ).pipe(Layer.provideMerge(Layer.effectDiscard(Effect.orDie(store.ensureTables))))
}

// -----------------------------------------------------------------------------
// caller side
// -----------------------------------------------------------------------------

const digest = (text: string): Effect.Effect<string> =>
  Effect.promise(() => globalThis.crypto.subtle.digest("SHA-256", new TextEncoder().encode(text))).pipe(
    Effect.map((hash) => Array.from(new Uint8Array(hash), (byte) => byte.toString(16).padStart(2, "0")).join(""))
  )

interface Prepared<In> {
  readonly id: string
  readonly items: ReadonlyArray<In>
  readonly keys: ReadonlyArray<string>
}

const prepare = <In, Out, E, R>(batch: Batch<In, Out, E, R>, inputs: Iterable<In>) =>
  Effect.gen(function*() {
    const items = Array.from(inputs)
    const keys = items.map((input) => batch.key(input))
    const id = yield* digest(JSON.stringify([batch.name, keys]))
    return { id, items, keys } satisfies Prepared<In>
  })

const pageSize = 500
const idlePoll = "100 millis"
/** Idle polls between two looks at the batch workflow (to resume it when it suspended on its own). */
const pollsPerWorkflowCheck = 10

/** @internal */
export const stream = <In, Out, E, R>(
  self: DurableBatch.DurableBatch<In, Out, E, R>,
  inputs: Iterable<In>
): Stream.Stream<readonly [index: number, result: Either.Either<Out, E | ItemDefect>], never, WorkflowEngine | SqlClient.SqlClient> =>
  Stream.unwrapScoped(Effect.gen(function*() {
    const batch = implementation(self)
    const { id, items, keys } = yield* prepare(batch, inputs)
    if (items.length === 0) return Stream.empty
    const encoded = yield* Effect.orDie(Effect.forEach(items, (input) => Schema.encode(batch.inputJson)(input)))
    yield* store.withStorageRetry(store.ensureTables)
    yield* store.withStorageRetry(store.create({
      id,
      name: batch.name,
      items: encoded.map((input, position) => ({ position, key: keys[position], input }))
    }))
    yield* store.withStorageRetry(store.setPaused(id, false))
    const executionId = yield* batch.workflow.executionId({ id })
    yield* batch.workflow.resume(executionId)
    yield* batch.workflow.execute({ id }, { discard: true })

    let delivered = 0
    yield* Effect.addFinalizer(() =>
      delivered < items.length ? store.withStorageRetry(store.setPaused(id, true)) : Effect.void
    )
    /**
     * A batch workflow suspends when paused, or when it failed (`SuspendOnFailure`: its storage
     * retries were spent, or a defect). A pause while this run still waits came from another run
     * of the same batch that ended (or raced this one's start): the batch goes on while any run
     * waits for it. A failure ends this run with its cause, the batch left for a later `run`.
     */
    const resumeIfSuspended = Effect.gen(function*() {
      const result = yield* batch.workflow.poll(executionId)
      if (result?._tag !== "Suspended") return
      if (result.cause !== undefined) return yield* Effect.failCause(result.cause)
      yield* store.withStorageRetry(store.setPaused(id, false))
      yield* batch.workflow.resume(executionId)
    })
    let cursor: store.Cursor = { completedOrder: 0, position: -1 }
    let idle = 0
    const nextPage: Effect.Effect<
      Chunk.Chunk<readonly [number, Either.Either<Out, E | ItemDefect>]>,
      Option.Option<never>,
      WorkflowEngine | SqlClient.SqlClient
    > =
      Effect.gen(function*() {
        while (delivered < items.length) {
          const rows = yield* store.withStorageRetry(store.completedSince(id, cursor, pageSize))
          if (rows.length > 0) {
            idle = 0
            const last = rows[rows.length - 1]
            cursor = { completedOrder: last.completedOrder, position: last.position }
            delivered += rows.length
            const results = yield* Effect.orDie(
              Effect.forEach(rows, (row) =>
                Effect.map(Schema.decode(batch.resultJson)(row.result), (result) => [row.position, result] as const))
            )
            return Chunk.unsafeFromArray(results)
          }
          idle += 1
          if (idle % pollsPerWorkflowCheck === 0) yield* resumeIfSuspended
          yield* Effect.sleep(idlePoll)
        }
        return yield* Effect.fail(Option.none())
      })
    return Stream.repeatEffectChunkOption(nextPage)
  }))

/** @internal */
export const run = <In, Out, E, R>(
  self: DurableBatch.DurableBatch<In, Out, E, R>,
  inputs: Iterable<In>,
  options?: DurableBatch.RunOptions
): Effect.Effect<Array<any>, any, WorkflowEngine | SqlClient.SqlClient> => {
  const mode = options?.mode ?? "fail-fast"
  if (mode !== "fail-fast" && mode !== "either") {
    return Effect.sync(() => Options.invalid(self.name, "mode", mode, `"fail-fast" or "either"`))
  }
  const results = stream(self, inputs)
  if (mode === "either") {
    return Effect.map(Stream.runCollect(results), (chunk) => inOrder(Chunk.toReadonlyArray(chunk)))
  }
  return results.pipe(
    Stream.mapEffect(([position, result]) => Effect.map(result, (value) => [position, value] as const)),
    Stream.runCollect,
    Effect.map((chunk) => inOrder(Chunk.toReadonlyArray(chunk)))
  )
}

const inOrder = <A>(results: ReadonlyArray<readonly [number, A]>): Array<A> => {
  const ordered = new Array<A>(results.length)
  for (const [position, value] of results) ordered[position] = value
  return ordered
}

/** @internal */
export const progress = <In, Out, E, R>(
  self: DurableBatch.DurableBatch<In, Out, E, R>,
  inputs: Iterable<In>
): Effect.Effect<DurableBatch.Progress, never, SqlClient.SqlClient> =>
  Effect.gen(function*() {
    const { id, items } = yield* prepare(implementation(self), inputs)
    yield* store.withStorageRetry(store.ensureTables)
    const counts = yield* store.withStorageRetry(store.statusCounts(id))
    const count = (status: store.ItemStatus) => counts.find((row) => row.status === status)?.count ?? 0
    const stored = counts.reduce((sum, row) => sum + row.count, 0)
    return {
      id,
      total: items.length,
      done: count("done"),
      failed: count("failed"),
      inFlight: count("running"),
      left: stored === 0 ? items.length : count("left")
    }
  })

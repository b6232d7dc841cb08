/** @internal */
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Stream from "effect/Stream"
import type * as RunEvent from "../RunEvent.js"
import type * as Runnable from "../Runnable.js"
import { EventSink } from "./eventSink.js"
import { run, streamWithin } from "./executor.js"
import { isTracing, ObservedRun } from "./observedRun.js"
import { constructionParent, currentContext, idsOf, type RunContext } from "./runContext.js"
import { behaviourOf, unsafeMake } from "./runnable.js"

/**
 * Runs `self` on its own fiber with an event sink as the root of its runs, and streams the events.
 * The sink is bounded: the run waits for a consumer that falls behind.
 *
 * @internal
 */
export const streamEvents = <In, Out, E, R>(
  self: Runnable.Runnable<In, Out, E, R>,
  input: In,
  filter?: RunEvent.Filter
): Stream.Stream<RunEvent.RunEvent, E, R> => {
  const captured = constructionParent()
  return Stream.unwrapScoped(
    Effect.gen(function*() {
      const sink = new EventSink(filter)
      const parent = captured ?? (yield* Effect.withFiberRuntime<RunContext>((fiber) => Effect.succeed(currentContext(fiber))))
      const root: RunContext = { depth: parent.depth, lineage: undefined, sink, attributes: undefined }
      // a runnable without a stream of its own runs as one Effect, its output the one chunk
      const drive = behaviourOf(self).stream === undefined
        ? Effect.asVoid(run(self, input, undefined, true, root))
        : Stream.runDrain(streamWithin(self, input, undefined, root))
      yield* drive.pipe(
        Effect.exit,
        Effect.flatMap((exit) => Effect.sync(() => sink.close(Exit.asVoid(exit)))),
        Effect.forkScoped
      )
      return sink.stream<E>()
    })
  )
}

/** @internal */
export const annotateRun = (attributes: Readonly<Record<string, unknown>>): Effect.Effect<void> =>
  Effect.withFiberRuntime((fiber) => {
    const context = currentContext(fiber)
    if (context.attributes !== undefined) Object.assign(context.attributes, attributes)
    return isTracing(fiber) ? Effect.annotateCurrentSpan(attributes) : Effect.void
  })

/** @internal */
export const dispatchCustomEvent = (event: string, data: unknown): Effect.Effect<void> =>
  Effect.withFiberRuntime((fiber) => {
    currentContext(fiber).observed?.custom(event, data)
    return Effect.void
  })

/** @internal */
export const currentRun: Effect.Effect<Runnable.CurrentRun> = Effect.withFiberRuntime((fiber) => {
  const context = currentContext(fiber)
  const lineage = context.sink === undefined ? undefined : context.lineage
  return Effect.succeed({
    runId: lineage?.runId,
    parentIds: idsOf(lineage?.parent),
    depth: context.depth
  })
})

const reportedBehaviour: Runnable.Runnable.Behaviour<unknown, unknown, never, never> = {
  run: () => Effect.void,
  stream: undefined,
  transform: undefined,
  sync: undefined,
  streamsWhenObserved: false,
  config: undefined
}

/** @internal */
export const runReporter: Effect.Effect<Runnable.RunReporter | undefined> = Effect.withFiberRuntime((fiber) => {
  const current = currentContext(fiber)
  if (current.sink === undefined) return Effect.succeed(undefined)
  const contexts = new WeakMap<Runnable.ReportedRun, RunContext>()
  const reporter: Runnable.RunReporter = {
    start: ({ input, kind, metadata, name, parent, tags }) => {
      const self = unsafeMake(name, kind, metadata === undefined ? reportedBehaviour : { ...reportedBehaviour, config: { metadata } })
      const observed = new ObservedRun(fiber, (parent && contexts.get(parent)) ?? current, self, { runTags: tags })
      observed.start(input)
      const reported: Runnable.ReportedRun = {
        runId: observed.context.lineage!.runId,
        chunk: (chunk) => observed.chunk(chunk),
        end: (output, endInput) => observed.end(endInput === undefined ? input : endInput, output),
        fail: (error) => observed.fail(Cause.fail(error)),
        custom: (event, data) => observed.custom(event, data)
      }
      contexts.set(reported, observed.context)
      return reported
    },
    custom: (event, data) => current.observed?.custom(event, data)
  }
  return Effect.succeed(reporter)
})

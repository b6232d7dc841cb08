/** @internal */
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Mailbox from "effect/Mailbox"
import * as Stream from "effect/Stream"
import * as RunEvent from "../RunEvent.js"
import type * as Runnable from "../Runnable.js"
import { run, stream } from "./executor.js"
import { isTracing } from "./observedRun.js"
import { isSingleChunk } from "./runnable.js"
import { currentContext, type RunContext, withContext } from "./runContext.js"

/** @internal */
export const streamEvents = <In, Out, E, R>(
  self: Runnable.Runnable<In, Out, E, R>,
  input: In,
  filter?: RunEvent.Filter
): Stream.Stream<RunEvent.RunEvent, E, R> =>
  Stream.unwrapScoped(
    Effect.gen(function*() {
      const mailbox = yield* Mailbox.make<RunEvent.RunEvent, E>()
      const parent = yield* Effect.withFiberRuntime<RunContext>((fiber) => Effect.succeed(currentContext(fiber)))
      const root: RunContext = {
        depth: parent.depth,
        lineage: [],
        listener: (event) => {
          if (RunEvent.matches(filter, event)) mailbox.unsafeOffer(event)
        },
        attributes: undefined
      }
      // a runnable streaming its result as one chunk runs as one Effect, without a stream to drain
      const drive = isSingleChunk(self.stream) ? Effect.asVoid(run(self, input, undefined, true)) : Stream.runDrain(stream(self, input))
      yield* drive.pipe(
        (run) => withContext(run, root),
        Effect.exit,
        Effect.flatMap((exit) => mailbox.done(Exit.asVoid(exit))),
        Effect.forkScoped
      )
      return Mailbox.toStream(mailbox)
    })
  )

/** @internal */
export const annotateRun = (attributes: Readonly<Record<string, unknown>>): Effect.Effect<void> =>
  Effect.withFiberRuntime((fiber) => {
    const context = currentContext(fiber)
    if (context.attributes !== undefined) Object.assign(context.attributes, attributes)
    return isTracing(fiber) ? Effect.annotateCurrentSpan(attributes) : Effect.void
  })

/** @internal */
export const currentRun: Effect.Effect<Runnable.CurrentRun> = Effect.withFiberRuntime((fiber) => {
  const context = currentContext(fiber)
  const observed = context.listener !== undefined && context.lineage.length > 0
  return Effect.succeed({
    runId: observed ? context.lineage[context.lineage.length - 1] : undefined,
    parentIds: observed ? context.lineage.slice(0, -1) : [],
    depth: context.depth
  })
})

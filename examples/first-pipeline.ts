/**
 * A first pipeline: a Promise-based lookup and a synchronous step, composed in an
 * Effect, batched with bounded concurrency, and observed with streamEvents.
 */
import { Runnable } from "@fxchain/core"
import { Effect, Stream } from "effect"

/** A Promise-based service call; interruption aborts `signal`, which cancels the timer. */
export const lookup = Runnable.fromPromise(
  (orderId: number, signal: AbortSignal) =>
    new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => resolve(orderId % 2 === 0 ? "shipped" : "pending"), 20)
      signal.addEventListener("abort", () => {
        clearTimeout(timer)
        reject(signal.reason)
      })
    }),
  { name: "lookup" }
)

export const shout = Runnable.sync((status: string) => status.toUpperCase(), { name: "shout" })

export const orderStatus = Runnable.fromEffect(
  (orderId: number) => Effect.flatMap(Runnable.invoke(lookup, orderId), (status) => Runnable.invoke(shout, status)),
  { name: "orderStatus" }
)

export const statuses = Runnable.batch(orderStatus, [1, 2, 3], { concurrency: 2 }) // Effect<string[], unknown>
export const events = Runnable.streamEvents(orderStatus, 2) // Stream<RunEvent>: orderStatus, lookup, shout

export const main = Effect.gen(function*() {
  const all = yield* statuses
  const names = yield* Stream.runCollect(Stream.map(events, (event) => `${event._tag} ${event.name}`))
  return { all, names: Array.from(names) }
})

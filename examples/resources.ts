/** Samples for docs/resources.md: scopes, cancellation, in-flight work, scoped policies, dispose. */
import { PromiseRunnable } from "@fxchain/adapters"
import * as Fx from "@fxchain/combinators"
import { Runnable, Testing } from "@fxchain/core"
import { Context, Effect, Exit, Layer, Stream } from "effect"

// --- a resource a run holds: acquired when the run starts, released when it ends, however it ends
export const connections: Array<string> = []

const connect = (table: string) =>
  Effect.acquireRelease(
    Effect.sync(() => {
      connections.push(`open ${table}`)
      return { read: Effect.as(Effect.sleep("1 second"), `rows of ${table}`) }
    }),
    (_, exit) => Effect.sync(() => connections.push(`close ${table}${Exit.isInterrupted(exit) ? " (interrupted)" : ""}`))
  )

export const readTable = Runnable.fromEffect(
  (table: string) => Effect.scoped(Effect.flatMap(connect(table), (connection) => connection.read)),
  { name: "readTable" }
)

// --- a streaming runnable that needs the resource: Runnable.unwrap acquires it per run, streams
export const tailTable = Runnable.unwrap(
  Effect.map(connect("events"), (connection) =>
    Runnable.fromStream((count: number) => Stream.repeatEffect(connection.read).pipe(Stream.take(count)), { name: "tail" })),
  { name: "tailTable" }
) // Runnable<number, string>: streams `count` reads; the connection closes when the run ends

// --- interrupting a batch: the items in flight are interrupted, and no queued item starts
export const backup = Runnable.batch(readTable, ["users", "orders", "tickets", "invoices"], { concurrency: 2 })
// interrupted at 1.5 s: users and orders were read and closed, tickets and invoices are closed
// (interrupted), and nothing else was opened

// --- fromPromise: interruption aborts the signal the Promise was given
export const aborted: Array<string> = []

export const fetchPage = Runnable.fromPromise(
  (url: string, signal: AbortSignal) =>
    new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => resolve(`<html>${url}</html>`), 10_000)
      signal.addEventListener("abort", () => {
        clearTimeout(timer)
        aborted.push(url)
        reject(signal.reason)
      })
    }),
  { name: "fetchPage" }
) // in real code: (url, signal) => fetch(url, { signal }).then((response) => response.text())

// --- a deadline on a parallel interrupts every branch: each one's cleanup runs
export const overview = Fx.parallel({ rows: readTable, page: fetchPage }).pipe(Fx.timeout("500 millis"))
// invoke(overview, "tickets") fails at 500 ms with TimeoutError; by then the connection is closed
// (interrupted) and the page's signal aborted

// --- a stream whose consumer stops early: the run is interrupted, and the generator closed
export const generator: Array<string> = []

const countUp = Runnable.fromAsyncIterable(async function*(from: number) {
  try {
    for (let n = from;; n++) yield n
  } finally {
    generator.push("closed")
  }
}, { name: "countUp" })

export const firstThree = Runnable.stream(countUp, 1).pipe(Stream.take(3))
// 1, 2, 3; then `generator` is ["closed"]

// --- rate limiters and caches live in a Scope: make them once, where they are shared
export const searchProbe = Testing.makeProbe()
const searchApi = Testing.scripted({
  name: "search",
  latency: "1 second",
  respond: (query: string) => `results for ${query}`,
  probe: searchProbe
})

export class Search extends Context.Tag("Search")<Search, Runnable.Runnable<string, string>>() {}

export const SearchLive = Layer.scoped(
  Search,
  Effect.gen(function*() {
    const limited = yield* Fx.rateLimit(searchApi, { limit: 5, interval: "1 second" })
    return yield* Fx.cached(limited, { capacity: 1_000, timeToLive: "10 minutes" })
  })
)

export const searches = Effect.gen(function*() {
  const search = yield* Search
  return yield* Runnable.batch(search, ["a", "b", "c", "d", "e", "f", "a"], { concurrency: 10 })
}).pipe(Effect.provide(SearchLive))
// "a" to "e" start at once, "f" waits for the next second, the second "a" shares the first's run:
// done at 2 s, with 6 calls to the search API

// --- the Promise facade owns a runtime: dispose() interrupts the runs in flight, then releases the layer
export const lifecycle: Array<string> = []

class Pool extends Context.Tag("Pool")<Pool, { readonly query: (sql: string) => Effect.Effect<string> }>() {}

const PoolLive = Layer.scoped(
  Pool,
  Effect.acquireRelease(
    Effect.sync(() => {
      lifecycle.push("pool opened")
      return { query: (sql: string) => Effect.as(Effect.sleep("1 second"), `rows for ${sql}`) }
    }),
    () => Effect.sync(() => lifecycle.push("pool closed"))
  )
)

const report = Runnable.fromEffect((sql: string) => Effect.flatMap(Pool, (pool) => pool.query(sql)), { name: "report" })

export const reportApi = PromiseRunnable.make(report, { layer: PoolLive })
// on shutdown: await reportApi.dispose(). A run still in flight rejects with DisposedError,
// then "pool closed"; a run asked for afterwards rejects with DisposedError at once

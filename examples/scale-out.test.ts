import { describe, expect, it } from "@effect/vitest"
import { Chunk, Effect, Either, Fiber } from "effect"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { freshDatabase } from "../packages/adapters/test/support/postgres.js"
import { freePort } from "../packages/adapters/test/support/processes.js"
import * as scaleOut from "./scale-out.js"

const expected = [
  Either.right("Invoices are due in 30 days"),
  Either.left({ _tag: "EmptyDocument", id: "b" }),
  Either.right("Refunds take five days")
]

const plain = (results: ReadonlyArray<Either.Either<string, unknown>>) =>
  results.map((result) => Either.mapLeft(result, (error) => ({ ...(error as object) })))

describe("examples/scale-out (docs/scale-out.md)", () => {
  it.live("embedded: every document's summary or failure, in input order; stream and progress read the store", () =>
    Effect.gen(function*() {
      const directory = fs.mkdtempSync(path.join(os.tmpdir(), "fxchain-scale-out-"))
      yield* Effect.addFinalizer(() => Effect.sync(() => fs.rmSync(directory, { recursive: true, force: true })))
      const store = scaleOut.embedded(path.join(directory, "summaries.sqlite"))
      const { asCompleted, progress } = yield* scaleOut.observed.pipe(Effect.provide(store))
      expect(Chunk.toReadonlyArray(asCompleted).map(([index]) => index).sort()).toEqual([0, 1, 2])
      expect(progress).toMatchObject({ total: 3, done: 2, failed: 1, inFlight: 0, left: 0 })
    }).pipe(Effect.scoped))

  it.live("embedded, as documented: the store file under .fxchain/", () =>
    Effect.gen(function*() {
      yield* Effect.addFinalizer(() =>
        Effect.sync(() => {
          for (const suffix of ["", "-wal", "-shm", ".lock"]) fs.rmSync(`.fxchain/summaries.sqlite${suffix}`, { force: true })
        })
      )
      expect(plain(yield* scaleOut.everySummary)).toEqual(expected)
    }).pipe(Effect.scoped))

  it.live("PostgreSQL: a runner and a client share the store", () =>
    Effect.gen(function*() {
      const database = yield* Effect.acquireRelease(Effect.promise(freshDatabase), (database) => Effect.promise(database.drop))
      const runner = yield* Effect.fork(scaleOut.runner(database.url, yield* Effect.promise(freePort)))
      expect(plain(yield* scaleOut.submit(database.url))).toEqual(expected)
      yield* Fiber.interrupt(runner)
    }).pipe(Effect.scoped), 180_000)
})

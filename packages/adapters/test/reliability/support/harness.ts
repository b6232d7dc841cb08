/**
 * What the reliability suites share: their sizes (CI or soak), the figures they record for
 * docs/reliability.md, and the leak checks (live fibers, active timers and sockets, abort
 * listeners, runs started and ended).
 *
 * `pnpm test` runs the suites at CI sizes; `pnpm test:soak` (run.ts) sets `FXCHAIN_SOAK=1` for
 * the full sizes and `FXCHAIN_FIGURES` to the file where figures are appended, one JSON object a
 * line.
 */
import { Testing } from "@fxchain/core"
import { Effect, Supervisor } from "effect"
import type { Fiber } from "effect"
import { appendFileSync } from "node:fs"

/** Whether the suites run at full size (`pnpm test:soak`). */
export const soak = process.env.FXCHAIN_SOAK === "1"

/** How many times each leak check interrupts its workload. */
export const repetitions = soak ? 1_000 : 50

/**
 * The seed of every property: fixed, so that a CI run is reproducible, unless `FXCHAIN_FUZZ_SEED`
 * gives another (a soak run picks one at random and reports it).
 */
export const fuzzSeed = Number(process.env.FXCHAIN_FUZZ_SEED ?? 20_251_127)

/** How many runs each property makes. */
export const fuzzRuns = soak ? 10_000 : 1_000

/** A figure for the table in docs/reliability.md: a suite, a row and its columns. */
export interface Figure {
  readonly suite: "leaks" | "soak" | "faults" | "fuzz"
  readonly name: string
  readonly [column: string]: string | number | boolean
}

/** Appends a figure to `FXCHAIN_FIGURES`, when set. */
export const record = (figure: Figure): void => {
  const file = process.env.FXCHAIN_FIGURES
  if (file !== undefined && file !== "") appendFileSync(file, `${JSON.stringify(figure)}\n`)
}

/** The milliseconds an Effect took, with its result. */
export const timed = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<readonly [A, number], E, R> =>
  Effect.suspend(() => {
    const started = performance.now()
    return Effect.map(effect, (result) => [result, Math.round(performance.now() - started)] as const)
  })

// -----------------------------------------------------------------------------
// active resources
// -----------------------------------------------------------------------------

/** The process's active resources (timers, sockets, servers, ...) counted by type. */
export const activeResources = (): ReadonlyMap<string, number> => {
  const counts = new Map<string, number>()
  for (const type of process.getActiveResourcesInfo()) counts.set(type, (counts.get(type) ?? 0) + 1)
  return counts
}

/** Each type with more active resources now than in `baseline`, as "Type: baseline -> now". */
export const resourcesAbove = (baseline: ReadonlyMap<string, number>): ReadonlyArray<string> =>
  [...activeResources()].flatMap(([type, count]) =>
    count > (baseline.get(type) ?? 0) ? [`${type}: ${baseline.get(type) ?? 0} -> ${count}`] : []
  )

/**
 * Waits (in real time: sockets close on the event loop) until no type of active resource is
 * above its count in `baseline`, for at most `millis`; then gives what is still above, if any.
 */
export const settleResources = (
  baseline: ReadonlyMap<string, number>,
  millis = 5_000
): Effect.Effect<ReadonlyArray<string>> =>
  Effect.promise(() =>
    new Promise<ReadonlyArray<string>>((resolve) => {
      const deadline = Date.now() + millis
      const check = () => {
        const above = resourcesAbove(baseline)
        if (above.length === 0 || Date.now() >= deadline) return resolve(above)
        setTimeout(check, 5)
      }
      check()
    })
  )

// -----------------------------------------------------------------------------
// leak checks
// -----------------------------------------------------------------------------

/** What a leak check found after its last repetition. */
export interface LeakReport {
  readonly repetitions: number
  /** Fibers of the workload still alive (the supervisor's count). */
  readonly fibersLeft: number
  /** Active timers, sockets, ... above the count before the first repetition. */
  readonly resourcesAbove: ReadonlyArray<string>
  /** Abort listeners left on the signals the check gave the workload. */
  readonly abortListeners: number
  /** Runs of the probed runnable: started, and ended by interruption or otherwise. */
  readonly started: number
  readonly ended: number
  readonly interrupted: number
  /** Runs started after an interruption was asked for. */
  readonly startedAfterInterruption: number
  readonly millis: number
}

/** What a repetition gets: the probe counting its runs, and the supervisor to run it under. */
export interface LeakContext {
  readonly probe: Testing.Probe
  readonly supervisor: Supervisor.Supervisor<Array<Fiber.RuntimeFiber<any, any>>>
  /**
   * Marks the moment an interruption is asked for: runs that start after it (until the
   * repetition ends) are counted as started after the interruption.
   */
  readonly interrupting: Effect.Effect<void>
  /** Registers a signal whose abort listeners must all be gone at the end. */
  readonly watchSignal: (signal: AbortSignal) => void
}

/**
 * Runs `repetition` `count` times, then checks what is left: fibers (under the supervisor),
 * active timers and sockets (against the count before the first repetition), abort listeners on
 * the signals it registered, runs still in flight, runs started after an interruption.
 */
export const leakCheck = <E, R>(
  count: number,
  repetition: (context: LeakContext, index: number) => Effect.Effect<void, E, R>
): Effect.Effect<LeakReport, E, R> =>
  Effect.gen(function*() {
    const { getEventListeners } = yield* Effect.promise(() => import("node:events"))
    const supervisor = yield* Supervisor.track
    const probe = Testing.makeProbe()
    const signals: Array<AbortSignal> = []
    let startedAtInterruption: number | undefined
    let startedAfterInterruption = 0
    const context: LeakContext = {
      probe,
      supervisor,
      interrupting: Effect.sync(() => {
        startedAtInterruption = probe.unsafeStats().started
      }),
      watchSignal: (signal) => signals.push(signal)
    }
    const baseline = activeResources()
    const [, millis] = yield* timed(Effect.gen(function*() {
      for (let index = 0; index < count; index++) {
        startedAtInterruption = undefined
        yield* repetition(context, index)
        // let anything that would still start do so before counting
        yield* Effect.yieldNow()
        if (startedAtInterruption !== undefined) {
          startedAfterInterruption += probe.unsafeStats().started - startedAtInterruption
        }
      }
    }))
    const above = yield* settleResources(baseline)
    const stats = probe.unsafeStats()
    return {
      repetitions: count,
      fibersLeft: (yield* supervisor.value).length,
      resourcesAbove: above,
      abortListeners: signals.reduce((sum, signal) => sum + getEventListeners(signal, "abort").length, 0),
      started: stats.started,
      ended: stats.finished + stats.failed + stats.interrupted,
      interrupted: stats.interrupted,
      startedAfterInterruption,
      millis
    }
  })

/** The figure of a leak check, for docs/reliability.md. */
export const recordLeaks = (name: string, report: LeakReport): void =>
  record({
    suite: "leaks",
    name,
    repetitions: report.repetitions,
    fibersLeft: report.fibersLeft,
    resourcesLeft: report.resourcesAbove.length === 0 ? 0 : report.resourcesAbove.join("; "),
    abortListeners: report.abortListeners,
    ended: report.ended,
    started: report.started,
    startedAfterInterruption: report.startedAfterInterruption,
    millis: report.millis
  })

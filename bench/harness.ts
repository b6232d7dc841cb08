/**
 * Shared helpers of the benchmark workloads: timing, medians, heap sampling, worker pools, and
 * the one JSON line each workload prints last on stdout for `bench/index.ts` to collect.
 */
import * as Effect from "effect/Effect"

/** One line of the results table. Numbers are in `unit`; `null` means "not measured". */
export interface Row {
  readonly workload: string
  readonly unit: string
  readonly fxchain: number | null
  readonly langchain: number | null
  readonly plain: number | null
  /** The number the target is about (e.g. LangChain / fxchain, or fxchain / ideal). */
  readonly ratio: number | null
  /** What `ratio` divides, e.g. "LangChain / fxchain". */
  readonly ratioOf: string
  readonly target: string
  readonly met: boolean | null
  /** Every sample behind the medians, and anything else worth keeping in results.json. */
  readonly details?: Readonly<Record<string, unknown>>
}

/** What a workload prints, as JSON, on its last stdout line. */
export interface WorkloadResult {
  readonly workload: string
  readonly rows: ReadonlyArray<Row>
  readonly notes: ReadonlyArray<string>
  readonly seconds: number
}

export const median = (values: ReadonlyArray<number>): number => {
  if (values.length === 0) return Number.NaN
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2
}

/** Milliseconds taken by `f`. */
export const timeMs = async (f: () => Promise<unknown>): Promise<number> => {
  const start = performance.now()
  await f()
  return performance.now() - start
}

export interface Measured {
  readonly median: number
  readonly samples: ReadonlyArray<number>
}

export interface PerOpCase {
  /** One operation, awaited as a user would. */
  readonly op: (i: number) => Promise<unknown>
  readonly iterations: number
  readonly warmup: number
}

/**
 * Microseconds per operation of each case: every case's warm-up first, then `repeats` rounds in
 * which the cases take turns (so a noisy neighbour or a drifting clock hits them alike), each
 * timing `iterations` awaited operations after a full GC. Reports the median round.
 */
export const microsPerOp = async <K extends string>(
  cases: Readonly<Record<K, PerOpCase>>,
  repeats: number,
  onSample: (name: K, micros: number) => void = () => {}
): Promise<Record<K, Measured>> => {
  const entries = Object.entries(cases) as Array<[K, PerOpCase]>
  for (const [, { op, warmup }] of entries) {
    for (let i = 0; i < warmup; i++) await op(i)
  }
  const samples = Object.fromEntries(entries.map(([name]) => [name, [] as Array<number>])) as Record<K, Array<number>>
  for (let repeat = 0; repeat < repeats; repeat++) {
    for (const [name, { iterations, op }] of entries) {
      collectGarbage()
      const start = performance.now()
      for (let i = 0; i < iterations; i++) await op(i)
      const micros = ((performance.now() - start) * 1000) / iterations
      samples[name].push(micros)
      onSample(name, micros)
    }
  }
  return Object.fromEntries(
    entries.map(([name]) => [name, { median: median(samples[name]), samples: samples[name] }])
  ) as unknown as Record<K, Measured>
}

/** Runs a full GC when node was started with `--expose-gc`; otherwise does nothing. */
export const collectGarbage = (): void => {
  if (typeof gc === "function") gc()
}

export const hasGc = (): boolean => typeof gc === "function"

/**
 * Peak heap of one run, in bytes above the heap in use before it (after a full GC). Samples
 * `heapUsed` on a timer and whenever `sample()` is called (a workload calls it every so many
 * items, since a run made only of microtasks never lets a timer fire), and once at the end.
 */
export class HeapSampler {
  private baseline = 0
  private peak = 0
  private timer: ReturnType<typeof setInterval> | undefined
  private calls = 0

  constructor(private readonly every: number) {}

  start(): void {
    collectGarbage()
    collectGarbage()
    this.baseline = process.memoryUsage().heapUsed
    this.peak = this.baseline
    this.calls = 0
    this.timer = setInterval(() => this.read(), 2)
  }

  /** Called by the measured item; reads the heap every `every` calls. */
  readonly sample = (): void => {
    if (++this.calls % this.every === 0) this.read()
  }

  private read(): void {
    const used = process.memoryUsage().heapUsed
    if (used > this.peak) this.peak = used
  }

  /** Stops sampling; call it while the run's result is still referenced. Returns bytes. */
  stop(): number {
    this.read()
    if (this.timer !== undefined) clearInterval(this.timer)
    this.timer = undefined
    return this.peak - this.baseline
  }
}

/** A pool of `concurrency` promise workers taking the next input in turn (plain async/await). */
export const promisePool = async <A, B>(
  inputs: ReadonlyArray<A>,
  concurrency: number,
  f: (input: A) => Promise<B>
): Promise<Array<B>> => {
  const results = new Array<B>(inputs.length)
  let next = 0
  const worker = async (): Promise<void> => {
    while (next < inputs.length) {
      const index = next++
      results[index] = await f(inputs[index]!)
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, inputs.length) }, worker))
  return results
}

/**
 * The same pool written by hand with Effect (no fxchain): `concurrency` worker fibers taking the
 * next input in turn. It tells fxchain's own cost apart from Effect's.
 */
export const effectPool = <A, B, E, R>(
  inputs: ReadonlyArray<A>,
  concurrency: number,
  f: (input: A) => Effect.Effect<B, E, R>
): Effect.Effect<Array<B>, E, R> => {
  const results = new Array<B>(inputs.length)
  let next = 0
  const worker: Effect.Effect<void, E, R> = Effect.suspend(function loop(): Effect.Effect<void, E, R> {
    if (next >= inputs.length) return Effect.void
    const index = next++
    return Effect.flatMap(f(inputs[index]!), (output) => {
      results[index] = output
      return loop()
    })
  })
  const workers = Array.from({ length: Math.min(concurrency, inputs.length) }, () => worker)
  return Effect.as(Effect.all(workers, { concurrency: "unbounded", discard: true }), results)
}

/** LangChain reads these when it is imported: set them before the (dynamic) import. */
export const disableLangChainTracing = (): void => {
  process.env["LANGCHAIN_TRACING_V2"] = "false"
  process.env["LANGSMITH_TRACING"] = "false"
  process.env["LANGCHAIN_TRACING"] = "false"
  process.env["LANGSMITH_TRACING_V2"] = "false"
}

export const round = (value: number, digits = 2): number => {
  const factor = 10 ** digits
  return Math.round(value * factor) / factor
}

/** Writes progress to stderr (stdout's last line is the result). */
export const log = (message: string): void => {
  process.stderr.write(`  ${message}\n`)
}

/** Prints the workload's result as the last stdout line. */
export const report = (result: WorkloadResult): void => {
  process.stdout.write(`${JSON.stringify(result)}\n`)
}

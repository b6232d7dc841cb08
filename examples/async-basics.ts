/** Samples for docs/async-basics.md: runnables as Effects, running them, the Promise facade. */
import { PromiseRunnable } from "@fxchain/adapters"
import { Runnable } from "@fxchain/core"
import { Context, Data, Effect, Either, Layer, ManagedRuntime } from "effect"

// --- a runnable, and an Effect that runs it
export class UnknownCity extends Data.TaggedError("UnknownCity")<{ readonly city: string }> {}

const celsius: Readonly<Record<string, number>> = { Paris: 18, Lima: 25 }

export const temperature = Runnable.fromEffect(
  (city: string) => city in celsius ? Effect.succeed(celsius[city]!) : Effect.fail(new UnknownCity({ city })),
  { name: "temperature" }
) // Runnable<string, number, UnknownCity>

export const inParis = Runnable.invoke(temperature, "Paris") // Effect<number, UnknownCity>: nothing has run yet

// --- inside Effect code, yield* it like any other Effect
export const warmest = Effect.gen(function*() {
  const [paris, lima] = yield* Runnable.batch(temperature, ["Paris", "Lima"])
  return paris > lima ? "Paris" : "Lima"
}) // Effect<string, UnknownCity>

// --- at the edge of a program, run the Effect
export const printWarmest = () => Effect.runPromise(warmest).then((city) => console.log(`warmest: ${city}`))

// Effect.runPromise rejects with a FiberFailure around the error: keep the error a value instead
export const lookUp = (city: string): Promise<Either.Either<number, UnknownCity>> =>
  Effect.runPromise(Effect.either(Runnable.invoke(temperature, city)))
// lookUp("Oslo") resolves to Either.left(new UnknownCity({ city: "Oslo" }))

// --- a runnable that needs a service, run on a ManagedRuntime built from a layer
export class Units extends Context.Tag("Units")<Units, "celsius" | "fahrenheit">() {}

export const forecast = Runnable.fromEffect(
  (city: string) =>
    Effect.gen(function*() {
      const degrees = yield* Runnable.invoke(temperature, city)
      const units = yield* Units
      return units === "celsius" ? `${degrees} °C` : `${Math.round(degrees * 9 / 5 + 32)} °F`
    }),
  { name: "forecast" }
) // Runnable<string, string, UnknownCity, Units>

export async function limaInFahrenheit(): Promise<string> {
  const runtime = ManagedRuntime.make(Layer.succeed(Units, "fahrenheit"))
  try {
    return await runtime.runPromise(Runnable.invoke(forecast, "Lima")) // "77 °F"
  } finally {
    await runtime.dispose() // releases what the layer acquired
  }
}

// --- the Promise facade: the same runnable for async/await code
export const forecastApi = PromiseRunnable.make(forecast, { layer: Layer.succeed(Units, "celsius") })

export async function report(cities: ReadonlyArray<string>, signal: AbortSignal): Promise<Array<string>> {
  const answers = await forecastApi.batch(cities, { maxConcurrency: 4, returnExceptions: true, signal })
  return answers.map((answer) => answer instanceof UnknownCity ? `${answer.city}: no data` : answer)
}
// report(["Paris", "Oslo"], AbortSignal.timeout(1_000)) resolves to ["18 °C", "Oslo: no data"]

export async function describeWeather(city: string): Promise<string> {
  try {
    return await forecastApi.invoke(city)
  } catch (error) {
    // the runnable's own error value, not a wrapper: instanceof and _tag work
    if (error instanceof UnknownCity) return `no data for ${error.city}`
    throw error
  }
}

// --- aborting: the signal interrupts the run, and the Promise settles once its finalizers ran
export const interrupted: Array<string> = []
const slowReport = Runnable.fromEffect(
  (city: string) =>
    Effect.sleep("10 seconds").pipe(
      Effect.as(`${city}: sunny`),
      Effect.onInterrupt(() => Effect.sync(() => interrupted.push(city)))
    ),
  { name: "slowReport" }
)
export const slowApi = PromiseRunnable.make(slowReport)
// slowApi.invoke("Paris", { signal: AbortSignal.timeout(50) }) rejects after 50 ms with
// signal.reason (a DOMException named "TimeoutError"), and by then `interrupted` is ["Paris"]

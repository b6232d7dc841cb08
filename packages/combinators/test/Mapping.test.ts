import { describe, expect, it } from "@effect/vitest"
import { Runnable } from "@fxchain/core"
import { Chunk, Effect, Stream } from "effect"
import { map, mapError, mapInput, tap } from "../src/Mapping.js"

const collect = <A, E, R>(stream: Stream.Stream<A, E, R>) => Effect.map(Stream.runCollect(stream), Chunk.toReadonlyArray)
const letters = Runnable.fromStream((text: string) => Stream.fromIterable(text.split("")), { name: "letters" })

describe("map, mapInput, mapError, tap", () => {
  it.effect("map changes the output; streaming yields f of the combined chunks, agreeing with invoke", () =>
    Effect.gen(function*() {
      const length = letters.pipe(map((text) => text.length))
      expect(yield* Runnable.invoke(length, "abc")).toBe(3)
      expect(yield* collect(Runnable.stream(length, "abc"))).toEqual([3])
      expect(length.name).toBe("letters")
      const syncMapped = map(Runnable.sync((n: number) => n + 1), (n) => n * 2)
      expect(syncMapped[Runnable.TypeId].sync?.(1)).toBe(4)
    }))

  it.effect("mapInput changes the input before the runnable runs", () =>
    Effect.gen(function*() {
      const fromRecord = mapInput(letters, (input: { text: string }) => input.text)
      expect(yield* collect(Runnable.stream(fromRecord, { text: "hi" }))).toEqual(["h", "i"])
      expect(yield* Runnable.invoke(fromRecord, { text: "hi" })).toBe("hi")
    }))

  it.effect("mapError changes the runnable's own failures only, not those of a stream it consumes", () =>
    Effect.gen(function*() {
      const failing = Runnable.make({
        name: "strict",
        run: (text: string) => text === "" ? Effect.fail("empty") : Effect.succeed(text),
        transform: (input) => Stream.mapEffect(input, (text) => text === "" ? Effect.fail("empty" as const) : Effect.succeed(text))
      })
      const mapped = mapError(failing, (error) => ({ _tag: "Invalid" as const, error }))
      expect(yield* Effect.flip(Runnable.invoke(mapped, ""))).toEqual({ _tag: "Invalid", error: "empty" })
      const own = yield* Effect.flip(Stream.runDrain(Runnable.transform(mapped, Stream.make("a", ""))))
      expect(own).toEqual({ _tag: "Invalid", error: "empty" })
      const upstream = yield* Effect.flip(Stream.runDrain(Runnable.transform(mapped, Stream.fail("upstream broke"))))
      expect(upstream).toBe("upstream broke")
      const died = yield* Effect.exit(Runnable.invoke(mapError(Runnable.fromEffect((_: number) => Effect.die("bug")), () => "mapped"), 1))
      expect(died._tag === "Failure" && died.cause._tag).toBe("Die")
    }))

  it.effect("tap runs an effect on the output and keeps it; on a stream, once at the end", () =>
    Effect.gen(function*() {
      const seen: Array<string> = []
      const logged = letters.pipe(tap((text) => Effect.sync(() => seen.push(text))))
      expect(yield* Runnable.invoke(logged, "ab")).toBe("ab")
      expect(yield* collect(Runnable.stream(logged, "cd"))).toEqual(["c", "d"])
      expect(seen).toEqual(["ab", "cd"])
      const failing = tap(letters, () => Effect.fail("audit failed"))
      expect(yield* Effect.flip(Runnable.invoke(failing, "x"))).toBe("audit failed")
    }))

  it.effect("keep what withConfig gave the runnable they wrap", () =>
    Effect.gen(function*() {
      const tagged = Runnable.withConfig(letters, { tags: ["wrapped"], metadata: { team: "a" } })
      for (const wrapped of [map(tagged, (text) => text), mapInput(tagged, (text: string) => text), mapError(tagged, (e) => e), tap(tagged, () => Effect.void)]) {
        const events = yield* collect(Runnable.streamEvents(wrapped, "ab"))
        expect(events[0]).toMatchObject({ name: "letters", tags: ["wrapped"], metadata: { team: "a" } })
      }
    }))
})

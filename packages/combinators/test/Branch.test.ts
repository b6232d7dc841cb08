import { describe, expect, it } from "@effect/vitest"
import { Runnable, Testing } from "@fxchain/core"
import { Chunk, Effect, Stream } from "effect"
import { branch, route } from "../src/Branch.js"
import { RouteNotFound } from "../src/Errors.js"

const collect = <A, E, R>(stream: Stream.Stream<A, E, R>) => Effect.map(Stream.runCollect(stream), Chunk.toReadonlyArray)

describe("branch", () => {
  it.effect("runs the first case whose condition holds, checking conditions only until one does", () =>
    Effect.gen(function*() {
      const checked: Array<string> = []
      const condition = (name: string, f: (n: number) => boolean) => (n: number) => (checked.push(name), f(n))
      const sign = branch(
        [
          [condition("negative", (n) => n < 0), Runnable.sync((_: number) => "negative")],
          [condition("zero", (n) => n === 0), Runnable.sync((_: number) => "zero")],
          [condition("small", (n) => n < 10), Runnable.sync((_: number) => "small")]
        ],
        Runnable.sync((_: number) => "large")
      )
      expect(yield* Runnable.invoke(sign, 0)).toBe("zero")
      expect(checked).toEqual(["negative", "zero"])
      expect(yield* Runnable.invoke(sign, 5)).toBe("small")
      expect(yield* Runnable.invoke(sign, 50)).toBe("large")
    }))

  it.effect("a condition may be an Effect, and its failure fails the branch", () =>
    Effect.gen(function*() {
      const isVip = (name: string) => name === "boom" ? Effect.fail("lookup failed" as const) : Effect.succeed(name === "ada")
      const greet = branch([[isVip, Runnable.sync((name: string) => `Welcome back, ${name}`)]], Runnable.sync((name: string) => `Hi ${name}`))
      expect(yield* Runnable.invoke(greet, "ada")).toBe("Welcome back, ada")
      expect(yield* Runnable.invoke(greet, "bob")).toBe("Hi bob")
      expect(yield* Effect.flip(Runnable.invoke(greet, "boom"))).toBe("lookup failed")
    }))

  it.effect("the default runs only when no case matches, even when the chosen output is falsy", () =>
    Effect.gen(function*() {
      const probe = Testing.makeProbe()
      const fallback = Testing.probed(Runnable.sync((_: number) => 99), probe)
      const falsy = branch([[(n: number) => n === 0, Runnable.sync((_: number) => 0)]], fallback)
      expect(yield* Runnable.invoke(falsy, 0)).toBe(0)
      expect(yield* Runnable.invoke(falsy, 1)).toBe(99)
      expect(probe.unsafeStats().started).toBe(1)
    }))

  it.effect("the chosen runnable streams and is a nested run tagged branch:N or branch:default", () =>
    Effect.gen(function*() {
      const letters = Runnable.fromStream((text: string) => Stream.fromIterable(text.split("")), { name: "letters" })
      const chooser = branch([[(text: string) => text.length > 2, letters]], Runnable.sync((text: string) => text, { name: "short" }))
      expect(yield* collect(Runnable.stream(chooser, "abc"))).toEqual(["a", "b", "c"])
      const tagsOf = (input: string) =>
        Effect.map(collect(Runnable.streamEvents(chooser, input)), (events) =>
          events.filter((event) => event.name !== "branch" && event._tag === "Started").map((event) => [event.name, event.tags]))
      expect(yield* tagsOf("abc")).toEqual([["letters", ["branch:1"]]])
      expect(yield* tagsOf("ab")).toEqual([["short", ["branch:default"]]])
    }))
})

describe("route", () => {
  const support = route((ticket: { kind: string }) => ticket.kind, {
    billing: Runnable.sync((_: { kind: string }) => "finance team", { name: "billing" }),
    bug: Runnable.fromEffect((_: { kind: string }) => Effect.succeed("engineering"), { name: "bug" })
  })

  it.effect("runs the route the selector names, as a nested run tagged route:KEY", () =>
    Effect.gen(function*() {
      expect(yield* Runnable.invoke(support, { kind: "billing" })).toBe("finance team")
      expect(yield* Runnable.invoke(support, { kind: "bug" })).toBe("engineering")
      const events = yield* collect(Runnable.streamEvents(support, { kind: "bug" }))
      expect(events.find((event) => event.name === "bug")?.tags).toEqual(["route:bug"])
    }))

  it.effect("an unknown key is a typed RouteNotFound naming the key and the routes", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(Runnable.invoke(support, { kind: "sales" }))
      expect(error).toBeInstanceOf(RouteNotFound)
      expect(error).toMatchObject({ _tag: "RouteNotFound", key: "sales", available: ["billing", "bug"] })
      expect(error.message).toContain("sales")
      expect(yield* Effect.flip(Runnable.invoke(support, { kind: "toString" }))).toBeInstanceOf(RouteNotFound)
    }))

  it.effect("the selector may be an Effect", () =>
    Effect.gen(function*() {
      const byLength = route((text: string) => Effect.succeed(text.length > 3 ? "long" : "short"), {
        long: Runnable.sync((text: string) => text.slice(0, 3)),
        short: Runnable.sync((text: string) => text)
      })
      expect(yield* Runnable.invoke(byLength, "abcdef")).toBe("abc")
    }))
})

import { describe, expect, it } from "@effect/vitest"
import { Runnable } from "@fxchain/core"
import { Chunk, Context, Effect, Stream } from "effect"
import { withFallbacks } from "../src/Fallbacks.js"
import { provideContext, provideService } from "../src/Provide.js"

class Greeter extends Context.Tag("test/Greeter")<Greeter, { readonly greet: (name: string) => string }>() {}

const greet = Runnable.fromEffect((name: string) => Effect.map(Greeter, (greeter) => greeter.greet(name)), { name: "greet" })

describe("provideService and provideContext", () => {
  it.effect("give one runnable its own service, whatever the context holds", () =>
    Effect.gen(function*() {
      const formal = provideService(greet, Greeter, { greet: (name) => `Good day, ${name}` })
      const casual = greet.pipe(provideContext(Context.make(Greeter, { greet: (name) => `Hi ${name}` })))
      const standalone: Runnable.Runnable<string, string> = formal
      expect(yield* Runnable.invoke(standalone, "Ada")).toBe("Good day, Ada")
      expect(yield* Runnable.invoke(casual, "Ada")).toBe("Hi Ada")
      const streamed = yield* Stream.runCollect(Runnable.stream(formal, "Ada"))
      expect(Chunk.toReadonlyArray(streamed)).toEqual(["Good day, Ada"])
      // the surrounding context has another Greeter: the provided one wins
      const inside = yield* Runnable.invoke(formal, "Ada").pipe(Effect.provideService(Greeter, { greet: () => "outer" }))
      expect(inside).toBe("Good day, Ada")
    }))

  it.effect("let a fallback use a second service of the same kind", () =>
    Effect.gen(function*() {
      const primary = Runnable.fromEffect((name: string) =>
        Effect.flatMap(Greeter, (greeter) => name === "" ? Effect.fail("no name") : Effect.succeed(greeter.greet(name))))
      const backup = provideService(greet, Greeter, { greet: () => "Hello, whoever you are" })
      const both = withFallbacks(primary, [backup]).pipe(Runnable.withConfig({ runName: "greeting" }))
      const run = (name: string) => Runnable.invoke(both, name).pipe(Effect.provideService(Greeter, { greet: (n) => `Hey ${n}` }))
      expect(yield* run("Ada")).toBe("Hey Ada")
      expect(yield* run("")).toBe("Hello, whoever you are")
    }))
})

/**
 * Choosing a runnable per input: LangChain's `RunnableBranch`, and routing by a computed key.
 *
 * @since 0.1.0
 */
import { Runnable } from "@fxchain/core"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import { RouteNotFound } from "./Errors.js"

type AnyRunnable = Runnable.Runnable<any, any, any, any>

/**
 * A branch condition: a function of the input returning a boolean, or an Effect of one.
 *
 * @since 0.1.0
 * @category models
 */
export type Condition<In, E = never, R = never> = (input: In) => boolean | Effect.Effect<boolean, E, R>

const holds = <In, E, R>(condition: Condition<In, E, R>, input: In): Effect.Effect<boolean, E, R> => {
  const result = condition(input)
  return typeof result === "boolean" ? Effect.succeed(result) : result
}

/** A runnable that picks a child per input, then invokes or streams it as a nested run. */
const choosing = <In>(
  name: string,
  choose: (input: In) => Effect.Effect<readonly [AnyRunnable, Runnable.RunOptions], any, any>
): AnyRunnable =>
  Runnable.make({
    name,
    kind: "chain",
    run: (input: In) => Effect.flatMap(choose(input), ([chosen, options]) => Runnable.invoke(chosen, input, options)),
    stream: (input: In) =>
      Stream.unwrap(Effect.map(choose(input), ([chosen, options]) => Runnable.stream(chosen, input, options)))
  })

/**
 * Runs the runnable of the first case whose condition holds, else `otherwise`. Conditions are
 * checked in order, and only until one holds. `otherwise` runs only when no condition holds,
 * whatever the chosen runnable returns (LangChain.js also runs the default when a branch's
 * output is falsy). The chosen runnable runs as a nested run tagged `branch:N` (1-based) or
 * `branch:default`.
 *
 * @example
 * ```ts
 * import * as Fx from "@fxchain/combinators"
 * import { Runnable } from "@fxchain/core"
 *
 * const reply = Fx.branch(
 *   [[(text: string) => text.endsWith("?"), Runnable.sync((_: string) => "Good question.")]],
 *   Runnable.sync((_: string) => "Noted.")
 * )
 * ```
 *
 * @since 0.1.0
 * @category composition
 */
export const branch = <In, Out, E = never, R = never, EC = never, RC = never>(
  cases: ReadonlyArray<readonly [Condition<In, EC, RC>, Runnable.Runnable<In, Out, E, R>]>,
  otherwise: Runnable.Runnable<In, Out, E, R>
): Runnable.Runnable<In, Out, E | EC, R | RC> => {
  const options = cases.map((_, index) => ({ runTags: [`branch:${index + 1}`] }))
  const fallback = [otherwise, { runTags: ["branch:default"] }] as const
  return choosing(
    "branch",
    (input: In) =>
      Effect.suspend(function check(index = 0): Effect.Effect<readonly [AnyRunnable, Runnable.RunOptions], EC, RC> {
        if (index === cases.length) return Effect.succeed(fallback)
        const [condition, runnable] = cases[index]!
        return Effect.flatMap(
          holds(condition, input),
          (matched) => matched ? Effect.succeed([runnable, options[index]!] as const) : check(index + 1)
        )
      })
  )
}

/**
 * Runs the route whose key `select` computes from the input (a string, or an Effect of one). A key
 * with no route fails with `RouteNotFound` naming the key and the routes there are. The chosen
 * route runs as a nested run tagged `route:KEY`.
 *
 * @example
 * ```ts
 * import * as Fx from "@fxchain/combinators"
 * import { Runnable } from "@fxchain/core"
 *
 * const answer = Fx.route((ticket: { kind: string }) => ticket.kind, {
 *   billing: Runnable.sync((_: { kind: string }) => "billing team"),
 *   bug: Runnable.sync((_: { kind: string }) => "engineering")
 * }) // Runnable<{ kind: string }, string, RouteNotFound>
 * ```
 *
 * @since 0.1.0
 * @category composition
 */
export const route = <In, const Routes extends Readonly<Record<string, Runnable.Runnable<In, any, any, any>>>, ES = never, RS = never>(
  select: (input: In) => string | Effect.Effect<string, ES, RS>,
  routes: Routes
): Runnable.Runnable<
  In,
  Runnable.Runnable.Output<Routes[keyof Routes]>,
  Runnable.Runnable.Error<Routes[keyof Routes]> | RouteNotFound | ES,
  Runnable.Runnable.Context<Routes[keyof Routes]> | RS
> => {
  const available = Object.keys(routes)
  const options = Object.fromEntries(available.map((key) => [key, { runTags: [`route:${key}`] }]))
  return choosing("route", (input: In) => {
    const selected = select(input)
    return Effect.flatMap(typeof selected === "string" ? Effect.succeed(selected) : selected, (key) =>
      Object.hasOwn(routes, key)
        ? Effect.succeed([routes[key]!, options[key]!] as const)
        : Effect.fail(new RouteNotFound({ runnable: "route", key, available })))
  })
}

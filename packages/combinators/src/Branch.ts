/**
 * Choosing a runnable per input: LangChain's `RunnableBranch`, and routing by a computed key.
 *
 * @since 0.1.0
 */
import { Runnable } from "@fxchain/core"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import { RouteNotFound } from "./Errors.js"
import type { Accepts, Mismatch, Next, Unsatisfiable } from "./internal/mismatch.js"

type AnyRunnable = Runnable.Runnable<any, any, any, any>

/**
 * A branch condition: a function of the input returning a boolean, or an Effect of one.
 *
 * @since 0.1.0
 * @category models
 */
export type Condition<In, E = never, R = never> = (input: In) => boolean | Effect.Effect<boolean, E, R>

type ConditionInput<C> = C extends (input: infer In) => unknown ? In : never

type CasesInput<Cases> = Cases extends readonly [infer Head extends Case<never>, ...infer Rest]
  ? ConditionInput<Head[0]> & Runnable.Runnable.Input<Head[1]> & CasesInput<Rest>
  : Cases extends ReadonlyArray<infer Each extends Case<never>> ? [Each] extends [never] ? unknown
  : ConditionInput<Each[0]> & Runnable.Runnable.Input<Each[1]>
  : unknown

/** `unknown` when some value has both types, else a `Mismatch` naming them. */
type Fits<Message extends string, Takes, OtherTakes> = Unsatisfiable<Takes & OtherTakes> extends true
  ? Mismatch<Message, { readonly takes: Takes; readonly otherTakes: OtherTakes }>
  : unknown

type ConditionResult<C> = C extends (input: never) => infer Result ? Result : never

type ConditionError<C> = ConditionResult<C> extends infer Result
  ? Result extends Effect.Effect<boolean, infer E, unknown> ? E : never
  : never

type ConditionContext<C> = ConditionResult<C> extends infer Result
  ? Result extends Effect.Effect<boolean, unknown, infer R> ? R : never
  : never

/**
 * A case of `branch`: a condition on the input and the runnable that runs when it holds.
 *
 * @since 0.2.0
 * @category models
 */
export type Case<In> = readonly [Condition<In, unknown, unknown>, Runnable.Runnable<In, unknown, unknown, unknown>]

/**
 * Types of `branch`: what its cases must fit.
 *
 * @since 0.2.0
 * @category models
 */
export declare namespace Branch {
  /**
   * What a branch takes: what its default takes, and what every case's condition and runnable
   * take (their intersection), as LangChain's `RunnableBranch` gives every one of them its input.
   *
   * @since 0.2.0
   * @category models
   */
  export type Input<Cases extends ReadonlyArray<Case<never>>, DefaultIn> = [DefaultIn] extends [CasesInput<Cases>] ? DefaultIn
    : DefaultIn & CasesInput<Cases>
  /**
   * For each case of a tuple, `unknown` when some input fits its condition, its runnable and the
   * default at once; otherwise a type no case has, naming the case (1-based) and the types that no
   * input fits together, so that the compiler reports the mismatch at the call.
   *
   * @since 0.2.0
   * @category models
   */
  export type Check<Cases extends ReadonlyArray<Case<never>>, DefaultIn> = {
    readonly [K in keyof Cases]: K extends `${infer Index extends number}` ? readonly [
        & Fits<`Fx.branch: no input fits both case ${Next<Index>}'s condition and the default`, ConditionInput<Cases[K][0]>, DefaultIn>
        & Fits<
          `Fx.branch: no input fits both case ${Next<Index>}'s condition and its runnable`,
          ConditionInput<Cases[K][0]>,
          Runnable.Runnable.Input<Cases[K][1]>
        >,
        Fits<`Fx.branch: no input fits both case ${Next<Index>}'s runnable and the default`, Runnable.Runnable.Input<Cases[K][1]>, DefaultIn>
      ]
      : unknown
  }
}

/**
 * Types of `route`: what its routes must fit.
 *
 * @since 0.2.0
 * @category models
 */
export declare namespace Route {
  /**
   * For each route, `unknown` when it accepts `In` (what `select` takes); otherwise a type no
   * runnable has, naming the route and both types, so that the compiler reports the mismatch at
   * the call.
   *
   * @since 0.2.0
   * @category models
   */
  export type Check<Routes, In> = {
    readonly [K in keyof Routes]: Accepts<`Fx.route: route ${K & string} does not accept the input`, Runnable.Runnable.Input<Routes[K]>, In>
  }
}

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
 * Types, for any number of cases: the branch takes what `otherwise` takes, and each case's
 * condition and runnable must accept it (a condition written without a type gets it); a case
 * that does not is a compile error at the call naming the case. The output is any case's or the
 * default's; the errors and requirements are all of theirs, the conditions' included.
 *
 * @example
 * ```ts
 * import * as Fx from "@fxchain/combinators"
 * import { Runnable } from "@fxchain/core"
 *
 * const reply = Fx.branch(
 *   [[(text) => text.endsWith("?"), Runnable.sync((_: string) => "Good question.")]],
 *   Runnable.sync((_: string) => "Noted.")
 * ) // Runnable<string, string>
 * ```
 *
 * @since 0.1.0
 * @category composition
 */
export const branch = <const Cases extends ReadonlyArray<Case<never>>, In, Out, E = never, R = never>(
  cases: Cases & Branch.Check<Cases, In>,
  otherwise: Runnable.Runnable<In, Out, E, R>
): Runnable.Runnable<
  Branch.Input<Cases, In>,
  Out | Runnable.Runnable.Output<Cases[number][1]>,
  E | Runnable.Runnable.Error<Cases[number][1]> | ConditionError<Cases[number][0]>,
  R | Runnable.Runnable.Context<Cases[number][1]> | ConditionContext<Cases[number][0]>
> => {
  const all = cases as ReadonlyArray<readonly [Condition<In, unknown, unknown>, AnyRunnable]>
  const options = all.map((_, index) => ({ runTags: [`branch:${index + 1}`] }))
  const fallback = [otherwise, { runTags: ["branch:default"] }] as const
  return choosing(
    "branch",
    (input: In) =>
      Effect.suspend(function check(index = 0): Effect.Effect<readonly [AnyRunnable, Runnable.RunOptions], unknown, unknown> {
        if (index === all.length) return Effect.succeed(fallback)
        const [condition, runnable] = all[index]!
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
 * route runs as a nested run tagged `route:KEY`. Every route must accept what `select` takes: one
 * that does not is a compile error at the call naming the route.
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
export const route = <In, const Routes extends Readonly<Record<string, AnyRunnable>>, ES = never, RS = never>(
  select: (input: In) => string | Effect.Effect<string, ES, RS>,
  routes: Routes & Route.Check<Routes, In>
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

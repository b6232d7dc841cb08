/** Types of `branch` and `route` (see test/typeErrors.test.ts for the messages after `@ts-expect-error`). */
import { Runnable } from "@fxchain/core"
import { Effect } from "effect"
import { expectTypeOf } from "vitest"
import * as Fx from "../../src/index.js"
import type { Failure, Need, Step, Upto12, Upto2, Upto3 } from "./fixtures.js"
import { numberToNumber, stringToLength } from "./fixtures.js"

type Input = { readonly text: string }
type Case<N extends number> = Runnable.Runnable<Input, Step<N>, Failure<N>, Need<N>>
declare const case1: Case<1>
declare const case2: Case<2>
declare const case3: Case<3>
declare const case4: Case<4>
declare const case5: Case<5>
declare const case6: Case<6>
declare const case7: Case<7>
declare const case8: Case<8>
declare const case9: Case<9>
declare const case10: Case<10>
declare const case11: Case<11>
declare const case12: Case<12>
declare const otherwise: Runnable.Runnable<Input, Step<0>, Failure<0>, Need<0>>
const when = (input: Input) => input.text !== ""

export const branch = () => {
  expectTypeOf(Fx.branch([[when, case1]], otherwise)).toEqualTypeOf<
    Runnable.Runnable<Input, Step<0 | 1>, Failure<0 | 1>, Need<0 | 1>>
  >()
  expectTypeOf(Fx.branch([[when, case1], [when, case2]], otherwise)).toEqualTypeOf<
    Runnable.Runnable<Input, Step<0 | Upto2>, Failure<0 | Upto2>, Need<0 | Upto2>>
  >()
  expectTypeOf(Fx.branch([[when, case1], [when, case2], [when, case3]], otherwise)).toEqualTypeOf<
    Runnable.Runnable<Input, Step<0 | Upto3>, Failure<0 | Upto3>, Need<0 | Upto3>>
  >()
  expectTypeOf(Fx.branch(
    [
      [when, case1],
      [when, case2],
      [when, case3],
      [when, case4],
      [when, case5],
      [when, case6],
      [when, case7],
      [when, case8],
      [when, case9],
      [when, case10],
      [when, case11],
      [when, case12]
    ],
    otherwise
  )).toEqualTypeOf<Runnable.Runnable<Input, Step<0 | Upto12>, Failure<0 | Upto12>, Need<0 | Upto12>>>()
  // a condition without a type gets the input; an Effect condition adds its error and requirement
  const lookup = (input: Input) => input.text === "?" ? Effect.fail("lookup failed" as const) : Effect.succeed(true)
  expectTypeOf(Fx.branch([[(input) => input.text.endsWith("?"), case1], [lookup, case2]], otherwise)).toEqualTypeOf<
    Runnable.Runnable<Input, Step<0 | Upto2>, Failure<0 | Upto2> | "lookup failed", Need<0 | Upto2>>
  >()
  // a case may take more than the input asks for
  expectTypeOf(Fx.branch([[(_: unknown) => true, Runnable.sync((_: object) => 1)]], Runnable.sync((_: Input) => "none")))
    .toEqualTypeOf<Runnable.Runnable<Input, string | number>>()
}

export const aCaseThatDoesNotAcceptTheInput = () => {
  // @ts-expect-error "Fx.branch: case 1's condition does not accept the input": { readonly takes: number; readonly input: string; }
  Fx.branch([[(n: number) => n > 0, stringToLength]], stringToLength)
  // @ts-expect-error "Fx.branch: case 2's runnable does not accept the input": { readonly takes: number; readonly input: string; }
  Fx.branch([[(text: string) => text === "", stringToLength], [(text: string) => text === "", numberToNumber]], stringToLength)
  Fx.branch(
    [
      [when, case1],
      [when, case2],
      [when, case3],
      [when, case4],
      [when, case5],
      [when, case6],
      [when, case7],
      [when, case8],
      [when, case9],
      [when, case10],
      [when, case11],
      // @ts-expect-error "Fx.branch: case 12's runnable does not accept the input": { readonly takes: number; readonly input: Input; }
      [when, numberToNumber]
    ],
    otherwise
  )
  // the input is the default's: a case needing more than it is a mismatch
  // @ts-expect-error "Fx.branch: case 1's runnable does not accept the input": { readonly takes: Input; readonly input: unknown; }
  Fx.branch([[when, case1]], Runnable.succeed("none"))
}

type Ticket = { readonly kind: string }
type Route<N extends number> = Runnable.Runnable<Ticket, Step<N>, Failure<N>, Need<N>>
declare const route1: Route<1>
declare const route2: Route<2>
declare const route3: Route<3>
declare const route4: Route<4>
declare const route5: Route<5>
declare const route6: Route<6>
declare const route7: Route<7>
declare const route8: Route<8>
declare const route9: Route<9>
declare const route10: Route<10>
declare const route11: Route<11>
declare const route12: Route<12>
const kind = (ticket: Ticket) => ticket.kind

export const route = () => {
  expectTypeOf(Fx.route(kind, { a: route1 })).toEqualTypeOf<
    Runnable.Runnable<Ticket, Step<1>, Failure<1> | Fx.RouteNotFound, Need<1>>
  >()
  expectTypeOf(Fx.route(kind, { a: route1, b: route2 })).toEqualTypeOf<
    Runnable.Runnable<Ticket, Step<Upto2>, Failure<Upto2> | Fx.RouteNotFound, Need<Upto2>>
  >()
  expectTypeOf(Fx.route(kind, { a: route1, b: route2, c: route3 })).toEqualTypeOf<
    Runnable.Runnable<Ticket, Step<Upto3>, Failure<Upto3> | Fx.RouteNotFound, Need<Upto3>>
  >()
  expectTypeOf(Fx.route(kind, {
    a: route1,
    b: route2,
    c: route3,
    d: route4,
    e: route5,
    f: route6,
    g: route7,
    h: route8,
    i: route9,
    j: route10,
    k: route11,
    l: route12
  })).toEqualTypeOf<Runnable.Runnable<Ticket, Step<Upto12>, Failure<Upto12> | Fx.RouteNotFound, Need<Upto12>>>()
  const select = (ticket: Ticket) => ticket.kind === "" ? Effect.fail("no kind" as const) : Effect.succeed(ticket.kind)
  expectTypeOf(Fx.route(select, { a: route1 })).toEqualTypeOf<
    Runnable.Runnable<Ticket, Step<1>, Failure<1> | Fx.RouteNotFound | "no kind", Need<1>>
  >()
}

export const aRouteThatDoesNotAcceptTheInput = () => {
  Fx.route(kind, {
    a: route1,
    // @ts-expect-error "Fx.route: route b does not accept the input": { readonly takes: string; readonly input: Ticket; }
    b: stringToLength
  })
  Fx.route((text: string) => text, {
    // @ts-expect-error "Fx.route: route ticket does not accept the input": { readonly takes: Ticket; readonly input: string; }
    ticket: route1
  })
}

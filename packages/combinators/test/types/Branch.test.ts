/** Types of `branch` and `route` (see test/typeErrors.test.ts for the messages after `@ts-expect-error`). */
import { Runnable } from "@fxchain/core"
import { Effect } from "effect"
import { expectTypeOf } from "vitest"
import * as Fx from "../../src/index.js"
import type { Failure, Need, Step, Text, Upto12, Upto2, Upto3 } from "./fixtures.js"
import {
  numberToNumber,
  same0,
  same1,
  same10,
  same11,
  same12,
  same2,
  same3,
  same4,
  same5,
  same6,
  same7,
  same8,
  same9,
  stringToLength
} from "./fixtures.js"

const when = (input: Text) => input.text !== ""
const elevenCases = [
  [when, same1],
  [when, same2],
  [when, same3],
  [when, same4],
  [when, same5],
  [when, same6],
  [when, same7],
  [when, same8],
  [when, same9],
  [when, same10],
  [when, same11]
] as const

export const branch = () => {
  expectTypeOf(Fx.branch([[when, same1]], same0)).toEqualTypeOf<
    Runnable.Runnable<Text, Step<0 | 1>, Failure<0 | 1>, Need<0 | 1>>
  >()
  expectTypeOf(Fx.branch([[when, same1], [when, same2]], same0)).toEqualTypeOf<
    Runnable.Runnable<Text, Step<0 | Upto2>, Failure<0 | Upto2>, Need<0 | Upto2>>
  >()
  expectTypeOf(Fx.branch([[when, same1], [when, same2], [when, same3]], same0)).toEqualTypeOf<
    Runnable.Runnable<Text, Step<0 | Upto3>, Failure<0 | Upto3>, Need<0 | Upto3>>
  >()
  expectTypeOf(Fx.branch([...elevenCases, [when, same12]], same0)).toEqualTypeOf<
    Runnable.Runnable<Text, Step<0 | Upto12>, Failure<0 | Upto12>, Need<0 | Upto12>>
  >()
  // an Effect condition adds its error and requirement
  const lookup = (input: Text) => input.text === "?" ? Effect.fail("lookup failed" as const) : Effect.succeed(true)
  expectTypeOf(Fx.branch([[(input: Text) => input.text.endsWith("?"), same1], [lookup, same2]], same0)).toEqualTypeOf<
    Runnable.Runnable<Text, Step<0 | Upto2>, Failure<0 | Upto2> | "lookup failed", Need<0 | Upto2>>
  >()
  // a case may take less than the input
  expectTypeOf(Fx.branch([[(_: unknown) => true, Runnable.sync((_: object) => 1)]], Runnable.sync((_: Text) => "none")))
    .toEqualTypeOf<Runnable.Runnable<Text, string | number>>()
}

export const aCaseThatNoInputFits = () => {
  // @ts-expect-error "Fx.branch: no input fits both case 1's condition and the default": { readonly takes: number; readonly otherTakes: string; }
  Fx.branch([[(n: number) => n > 0, stringToLength]], stringToLength)
  // @ts-expect-error "Fx.branch: no input fits both case 2's runnable and the default": { readonly takes: number; readonly otherTakes: string; }
  Fx.branch([[(text: string) => text === "", stringToLength], [(text: string) => text === "", numberToNumber]], stringToLength)
  // @ts-expect-error "Fx.branch: no input fits both case 12's runnable and the default": { readonly takes: { text: number; }; readonly otherTakes: Text; }
  Fx.branch([...elevenCases, [when, Runnable.sync((input: { text: number }) => input.text)]], same0)
  // @ts-expect-error "Fx.branch: no input fits both case 1's condition and its runnable": { readonly takes: string; readonly otherTakes: number; }
  Fx.branch([[(text: string) => text === "", numberToNumber]], Runnable.succeed("none"))
}

export const theInputIsWhatEveryOneTakes = () => {
  // a default that takes anything (a constant) leaves the input to the cases, as in LangChain
  expectTypeOf(Fx.branch([[when, same1]], Runnable.succeed("none"))).toEqualTypeOf<
    Runnable.Runnable<Text, string | Step<1>, Failure<1>, Need<1>>
  >()
}

const kind = (input: Text) => input.text

export const route = () => {
  expectTypeOf(Fx.route(kind, { a: same1 })).toEqualTypeOf<
    Runnable.Runnable<Text, Step<1>, Failure<1> | Fx.RouteNotFound, Need<1>>
  >()
  expectTypeOf(Fx.route(kind, { a: same1, b: same2 })).toEqualTypeOf<
    Runnable.Runnable<Text, Step<Upto2>, Failure<Upto2> | Fx.RouteNotFound, Need<Upto2>>
  >()
  expectTypeOf(Fx.route(kind, { a: same1, b: same2, c: same3 })).toEqualTypeOf<
    Runnable.Runnable<Text, Step<Upto3>, Failure<Upto3> | Fx.RouteNotFound, Need<Upto3>>
  >()
  const twelve = { a: same1, b: same2, c: same3, d: same4, e: same5, f: same6, g: same7, h: same8, i: same9, j: same10, k: same11, l: same12 }
  expectTypeOf(Fx.route(kind, twelve)).toEqualTypeOf<
    Runnable.Runnable<Text, Step<Upto12>, Failure<Upto12> | Fx.RouteNotFound, Need<Upto12>>
  >()
  const select = (input: Text) => input.text === "" ? Effect.fail("no kind" as const) : Effect.succeed(input.text)
  expectTypeOf(Fx.route(select, { a: same1 })).toEqualTypeOf<
    Runnable.Runnable<Text, Step<1>, Failure<1> | Fx.RouteNotFound | "no kind", Need<1>>
  >()
}

export const aRouteThatDoesNotAcceptTheInput = () => {
  Fx.route(kind, {
    a: same1,
    // @ts-expect-error "Fx.route: route b does not accept the input": { readonly takes: string; readonly input: Text; }
    b: stringToLength
  })
  Fx.route((text: string) => text, {
    // @ts-expect-error "Fx.route: route text does not accept the input": { readonly takes: Text; readonly input: string; }
    text: same1
  })
}

/** Types of `withFallbacks` (see test/typeErrors.test.ts for the messages after `@ts-expect-error`). */
import { Runnable } from "@fxchain/core"
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
  same9
} from "./fixtures.js"

const eleven = [same1, same2, same3, same4, same5, same6, same7, same8, same9, same10, same11] as const

export const anyNumberOfFallbacks = () => {
  // the error narrows to the last fallback's
  expectTypeOf(Fx.withFallbacks(same0, [same1])).toEqualTypeOf<Runnable.Runnable<Text, Step<0 | 1>, Failure<1>, Need<0 | 1>>>()
  expectTypeOf(Fx.withFallbacks(same0, [same1, same2])).toEqualTypeOf<
    Runnable.Runnable<Text, Step<0 | Upto2>, Failure<2>, Need<0 | Upto2>>
  >()
  expectTypeOf(same0.pipe(Fx.withFallbacks([same1, same2, same3]))).toEqualTypeOf<
    Runnable.Runnable<Text, Step<0 | Upto3>, Failure<3>, Need<0 | Upto3>>
  >()
  expectTypeOf(Fx.withFallbacks(same0, [...eleven, same12])).toEqualTypeOf<
    Runnable.Runnable<Text, Step<0 | Upto12>, Failure<12>, Need<0 | Upto12>>
  >()
  expectTypeOf(same0.pipe(Fx.withFallbacks([...eleven, same12]))).toEqualTypeOf<
    Runnable.Runnable<Text, Step<0 | Upto12>, Failure<12>, Need<0 | Upto12>>
  >()
  // with a predicate every error may come out; a refinement (also one the compiler infers) takes out those it accepts
  expectTypeOf(Fx.withFallbacks(same0, [same1, same2], { while: (error) => error.failure < 2 })).toEqualTypeOf<
    Runnable.Runnable<Text, Step<0 | Upto2>, Failure<0 | Upto2>, Need<0 | Upto2>>
  >()
  expectTypeOf(same0.pipe(Fx.withFallbacks([same1], { while: (error): error is Failure<0> => error.failure === 0 })))
    .toEqualTypeOf<Runnable.Runnable<Text, Step<0 | 1>, Failure<1>, Need<0 | 1>>>()
  expectTypeOf(Fx.withFallbacks(same0, [same1, same2], { while: (error) => error.failure === 0 })).toEqualTypeOf<
    Runnable.Runnable<Text, Step<0 | Upto2>, Failure<Upto2>, Need<0 | Upto2>>
  >()
  // a fallback may take less than the input
  expectTypeOf(Fx.withFallbacks(same0, [Runnable.succeed("canned")])).toEqualTypeOf<
    Runnable.Runnable<Text, Step<0> | string, never, Need<0>>
  >()
}

type Handed<Error> = Text & { readonly error: Error }
declare const handedFirst: Runnable.Runnable<Handed<Failure<0>>, Step<1>, Failure<1>>
declare const handedSecond: Runnable.Runnable<Handed<Failure<1>>, Step<2>, Failure<2>>
declare const handedAny: Runnable.Runnable<Handed<unknown>, Step<3>>

export const exceptionKey = () => {
  expectTypeOf(Fx.withFallbacks(same0, [handedFirst, handedSecond, handedAny], { exceptionKey: "error" })).toEqualTypeOf<
    Runnable.Runnable<Text, Step<0 | Upto3>, never, Need<0>>
  >()
  expectTypeOf(same0.pipe(Fx.withFallbacks([handedFirst, handedAny], { exceptionKey: "error" }))).toEqualTypeOf<
    Runnable.Runnable<Text, Step<0 | 1 | 3>, never, Need<0>>
  >()
  // @ts-expect-error "Fx.withFallbacks: fallback 2 does not accept the input": { readonly takes: Text & { readonly error: { readonly failure: 0; }; }; readonly input: Text & { readonly error: { readonly failure: 1; }; }; }
  Fx.withFallbacks(same0, [handedFirst, handedFirst], { exceptionKey: "error" })
  // @ts-expect-error "Fx.withFallbacks: fallback 2 does not accept the input": { readonly takes: Text & { readonly error: { readonly failure: 0; }; }; readonly input: Text & { readonly error: { readonly failure: 1; }; }; }
  same0.pipe(Fx.withFallbacks([handedFirst, handedFirst], { exceptionKey: "error" }))
  // @ts-expect-error "Fx.withFallbacks: with exceptionKey, the input must be a record": { readonly input: number; }
  Fx.withFallbacks(numberToNumber, [Runnable.succeed(0)], { exceptionKey: "error" })
}

export const aFallbackThatDoesNotAcceptTheInput = () => {
  // @ts-expect-error "Fx.withFallbacks: fallback 1 does not accept the input": { readonly takes: number; readonly input: Text; }
  Fx.withFallbacks(same0, [numberToNumber])
  // @ts-expect-error "Fx.withFallbacks: fallback 1 does not accept the input": { readonly takes: number; readonly input: Text; }
  same0.pipe(Fx.withFallbacks([numberToNumber]))
  // @ts-expect-error "Fx.withFallbacks: fallback 12 does not accept the input": { readonly takes: number; readonly input: Text; }
  Fx.withFallbacks(same0, [...eleven, numberToNumber])
  // @ts-expect-error "Fx.withFallbacks: fallback 1 does not accept the input": { readonly takes: number; readonly input: Text; }
  Fx.withFallbacks(same0, [numberToNumber], { while: (error) => error.failure < 2 })
}

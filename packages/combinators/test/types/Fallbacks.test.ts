/** Types of `withFallbacks` (see test/typeErrors.test.ts for the messages after `@ts-expect-error`). */
import { Runnable } from "@fxchain/core"
import { expectTypeOf } from "vitest"
import * as Fx from "../../src/index.js"
import type { Failure, Need, Step, Upto12, Upto2, Upto3 } from "./fixtures.js"
import { numberToNumber } from "./fixtures.js"

type Question = { readonly question: string }
type Fallback<N extends number> = Runnable.Runnable<Question, Step<N>, Failure<N>, Need<N>>
declare const primary: Fallback<0>
declare const fallback1: Fallback<1>
declare const fallback2: Fallback<2>
declare const fallback3: Fallback<3>
declare const fallback4: Fallback<4>
declare const fallback5: Fallback<5>
declare const fallback6: Fallback<6>
declare const fallback7: Fallback<7>
declare const fallback8: Fallback<8>
declare const fallback9: Fallback<9>
declare const fallback10: Fallback<10>
declare const fallback11: Fallback<11>
declare const fallback12: Fallback<12>

export const anyNumberOfFallbacks = () => {
  // the error narrows to the last fallback's
  expectTypeOf(Fx.withFallbacks(primary, [fallback1])).toEqualTypeOf<
    Runnable.Runnable<Question, Step<0 | 1>, Failure<1>, Need<0 | 1>>
  >()
  expectTypeOf(Fx.withFallbacks(primary, [fallback1, fallback2])).toEqualTypeOf<
    Runnable.Runnable<Question, Step<0 | Upto2>, Failure<2>, Need<0 | Upto2>>
  >()
  expectTypeOf(primary.pipe(Fx.withFallbacks([fallback1, fallback2, fallback3]))).toEqualTypeOf<
    Runnable.Runnable<Question, Step<0 | Upto3>, Failure<3>, Need<0 | Upto3>>
  >()
  const twelve = [
    fallback1,
    fallback2,
    fallback3,
    fallback4,
    fallback5,
    fallback6,
    fallback7,
    fallback8,
    fallback9,
    fallback10,
    fallback11,
    fallback12
  ] as const
  expectTypeOf(Fx.withFallbacks(primary, twelve)).toEqualTypeOf<
    Runnable.Runnable<Question, Step<0 | Upto12>, Failure<12>, Need<0 | Upto12>>
  >()
  expectTypeOf(primary.pipe(Fx.withFallbacks(twelve))).toEqualTypeOf<
    Runnable.Runnable<Question, Step<0 | Upto12>, Failure<12>, Need<0 | Upto12>>
  >()
  // with a predicate every error may come out; a refinement (also one the compiler infers) takes out those it accepts
  expectTypeOf(Fx.withFallbacks(primary, [fallback1, fallback2], { while: (error) => error.failure < 2 })).toEqualTypeOf<
    Runnable.Runnable<Question, Step<0 | Upto2>, Failure<0 | Upto2>, Need<0 | Upto2>>
  >()
  expectTypeOf(primary.pipe(Fx.withFallbacks([fallback1], { while: (error): error is Failure<0> => error.failure === 0 })))
    .toEqualTypeOf<Runnable.Runnable<Question, Step<0 | 1>, Failure<1>, Need<0 | 1>>>()
  expectTypeOf(Fx.withFallbacks(primary, [fallback1, fallback2], { while: (error) => error.failure === 0 })).toEqualTypeOf<
    Runnable.Runnable<Question, Step<0 | Upto2>, Failure<Upto2>, Need<0 | Upto2>>
  >()
  // a fallback may take less than the input
  expectTypeOf(Fx.withFallbacks(primary, [Runnable.succeed("canned")])).toEqualTypeOf<
    Runnable.Runnable<Question, Step<0> | string, never, Need<0>>
  >()
}

type Handed<Error> = Question & { readonly error: Error }
declare const handedFirst: Runnable.Runnable<Handed<Failure<0>>, Step<1>, Failure<1>>
declare const handedSecond: Runnable.Runnable<Handed<Failure<1>>, Step<2>, Failure<2>>
declare const handedAny: Runnable.Runnable<Handed<unknown>, Step<3>>

export const exceptionKey = () => {
  expectTypeOf(Fx.withFallbacks(primary, [handedFirst, handedSecond, handedAny], { exceptionKey: "error" })).toEqualTypeOf<
    Runnable.Runnable<Question, Step<0 | Upto3>, never, Need<0>>
  >()
  expectTypeOf(primary.pipe(Fx.withFallbacks([handedFirst, handedAny], { exceptionKey: "error" }))).toEqualTypeOf<
    Runnable.Runnable<Question, Step<0 | 1 | 3>, never, Need<0>>
  >()
  // @ts-expect-error "Fx.withFallbacks: fallback 2 does not accept the input": { readonly takes: Question & { readonly error: { readonly failure: 0; }; }; readonly input: Question & { readonly error: { readonly failure: 1; }; }; }
  Fx.withFallbacks(primary, [handedFirst, handedFirst], { exceptionKey: "error" })
  // @ts-expect-error "Fx.withFallbacks: fallback 2 does not accept the input": { readonly takes: Question & { readonly error: { readonly failure: 0; }; }; readonly input: Question & { readonly error: { readonly failure: 1; }; }; }
  primary.pipe(Fx.withFallbacks([handedFirst, handedFirst], { exceptionKey: "error" }))
  // @ts-expect-error "Fx.withFallbacks: with exceptionKey, the input must be a record": { readonly input: number; }
  Fx.withFallbacks(numberToNumber, [Runnable.succeed(0)], { exceptionKey: "error" })
}

export const aFallbackThatDoesNotAcceptTheInput = () => {
  // @ts-expect-error "Fx.withFallbacks: fallback 1 does not accept the input": { readonly takes: number; readonly input: Question; }
  Fx.withFallbacks(primary, [numberToNumber])
  // @ts-expect-error "Fx.withFallbacks: fallback 1 does not accept the input": { readonly takes: number; readonly input: Question; }
  primary.pipe(Fx.withFallbacks([numberToNumber]))
  Fx.withFallbacks(primary, [
    fallback1,
    fallback2,
    fallback3,
    fallback4,
    fallback5,
    fallback6,
    fallback7,
    fallback8,
    fallback9,
    fallback10,
    fallback11,
    // @ts-expect-error "Fx.withFallbacks: fallback 12 does not accept the input": { readonly takes: number; readonly input: Question; }
    numberToNumber
  ])
  // @ts-expect-error "Fx.withFallbacks: fallback 1 does not accept the input": { readonly takes: number; readonly input: Question; }
  Fx.withFallbacks(primary, [numberToNumber], { while: (error) => error.failure < 2 })
}

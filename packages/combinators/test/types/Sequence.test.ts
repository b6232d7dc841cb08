/** Types of `sequence` (see test/typeErrors.test.ts for the messages after `@ts-expect-error`). */
import { Runnable } from "@fxchain/core"
import { expectTypeOf } from "vitest"
import * as Fx from "../../src/index.js"
import type { Failure, Need, Step, Upto12, Upto2, Upto3 } from "./fixtures.js"
import {
  numberToNumber,
  step1,
  step10,
  step11,
  step12,
  step2,
  step3,
  step4,
  step5,
  step6,
  step7,
  step8,
  step9,
  stringToLength
} from "./fixtures.js"

export const anyNumberOfSteps = () => {
  expectTypeOf(Fx.sequence(step1)).toEqualTypeOf<Runnable.Runnable<Step<0>, Step<1>, Failure<1>, Need<1>>>()
  expectTypeOf(Fx.sequence(step1, step2)).toEqualTypeOf<Runnable.Runnable<Step<0>, Step<2>, Failure<Upto2>, Need<Upto2>>>()
  expectTypeOf(Fx.sequence(step1, step2, step3)).toEqualTypeOf<
    Runnable.Runnable<Step<0>, Step<3>, Failure<Upto3>, Need<Upto3>>
  >()
  expectTypeOf(Fx.sequence(step1, step2, step3, step4, step5, step6, step7, step8, step9, step10, step11, step12))
    .toEqualTypeOf<Runnable.Runnable<Step<0>, Step<12>, Failure<Upto12>, Need<Upto12>>>()
  expectTypeOf(step1.pipe(Fx.pipeTo(step2), Fx.pipeTo(step3))).toEqualTypeOf<
    Runnable.Runnable<Step<0>, Step<3>, Failure<Upto3>, Need<Upto3>>
  >()
}

export const aStepThatDoesNotFit = () => {
  // @ts-expect-error "Fx.sequence: step 2 does not accept what step 1 returns": { readonly takes: string; readonly returns: number; }
  Fx.sequence(numberToNumber, stringToLength)
  // @ts-expect-error "Fx.sequence: step 11 does not accept what step 10 returns": { readonly takes: { readonly step: 11; }; readonly returns: { readonly step: 10; }; }
  Fx.sequence(step1, step2, step3, step4, step5, step6, step7, step8, step9, step10, step12, step11)
  // identity without its type argument takes and returns unknown
  // @ts-expect-error "Fx.sequence: step 2 does not accept what step 1 returns": { readonly takes: string; readonly returns: unknown; }
  Fx.sequence(Runnable.identity(), stringToLength)
  expectTypeOf(Fx.sequence(Runnable.identity<string>(), stringToLength)).toEqualTypeOf<Runnable.Runnable<string, number>>()
  // @ts-expect-error Type 'Runnable<number, number, never, never>' is not assignable to type 'Runnable<number, string, never, never>'.
  numberToNumber.pipe(Fx.pipeTo(stringToLength))
}

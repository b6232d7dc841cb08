/** Types of `alternatives` (see test/typeErrors.test.ts for the messages after `@ts-expect-error`). */
import { Runnable } from "@fxchain/core"
import { expectTypeOf } from "vitest"
import * as Fx from "../../src/index.js"
import type { Failure, Need, Same, Step, Text, Upto12, Upto2 } from "./fixtures.js"
import {
  numberToNumber,
  same0,
  same1,
  same10,
  same11,
  same2,
  same3,
  same4,
  same5,
  same6,
  same7,
  same8,
  same9
} from "./fixtures.js"

const options = { key: "model" }

export const anyNumberOfAlternatives = () => {
  expectTypeOf(Fx.alternatives({ default: same0 }, options)).toEqualTypeOf<
    Runnable.Runnable<Text, Step<0>, Failure<0> | Fx.AlternativeNotFound, Need<0>>
  >()
  expectTypeOf(Fx.alternatives({ default: same0, a1: same1 }, options)).toEqualTypeOf<
    Runnable.Runnable<Text, Step<0 | 1>, Failure<0 | 1> | Fx.AlternativeNotFound, Need<0 | 1>>
  >()
  expectTypeOf(Fx.alternatives({ default: same0, a1: same1, a2: same2 }, options)).toEqualTypeOf<
    Runnable.Runnable<Text, Step<0 | Upto2>, Failure<0 | Upto2> | Fx.AlternativeNotFound, Need<0 | Upto2>>
  >()
  const twelve = {
    default: same0,
    a1: same1,
    a2: same2,
    a3: same3,
    a4: same4,
    a5: same5,
    a6: same6,
    a7: same7,
    a8: same8,
    a9: same9,
    a10: same10,
    a11: same11
  }
  type Eleven = Exclude<Upto12, 12>
  expectTypeOf(Fx.alternatives(twelve, options)).toEqualTypeOf<
    Runnable.Runnable<Text, Step<0 | Eleven>, Failure<0 | Eleven> | Fx.AlternativeNotFound, Need<0 | Eleven>>
  >()
  // an alternative may take less than the default
  expectTypeOf(Fx.alternatives({ default: same0, canned: Runnable.succeed("canned") }, options)).toEqualTypeOf<
    Runnable.Runnable<Text, Step<0> | string, Failure<0> | Fx.AlternativeNotFound, Need<0>>
  >()
  expectTypeOf<Fx.Alternatives<{ default: Same<0>; a3: Same<3> }>>().toEqualTypeOf<
    Runnable.Runnable<Text, Step<0 | 3>, Failure<0 | 3> | Fx.AlternativeNotFound, Need<0 | 3>>
  >()
}

export const anAlternativeThatDoesNotAcceptTheDefaultsInput = () => {
  Fx.alternatives({
    default: same0,
    // @ts-expect-error "Fx.alternatives: alternative fast does not accept the default's input": { readonly takes: number; readonly input: Text; }
    fast: numberToNumber
  }, options)
  Fx.alternatives({
    default: Runnable.sync((_: string) => 0),
    // @ts-expect-error "Fx.alternatives: alternative careful does not accept the default's input": { readonly takes: Text; readonly input: string; }
    careful: same1
  }, options)
}

/** Types of `alternatives` (see test/typeErrors.test.ts for the messages after `@ts-expect-error`). */
import { Runnable } from "@fxchain/core"
import { expectTypeOf } from "vitest"
import * as Fx from "../../src/index.js"
import type { Failure, Need, Step, Upto12, Upto2, Upto3 } from "./fixtures.js"
import { numberToNumber } from "./fixtures.js"

type Input = { readonly text: string }
type Alternative<N extends number> = Runnable.Runnable<Input, Step<N>, Failure<N>, Need<N>>
declare const default0: Alternative<0>
declare const alternative1: Alternative<1>
declare const alternative2: Alternative<2>
declare const alternative3: Alternative<3>
declare const alternative4: Alternative<4>
declare const alternative5: Alternative<5>
declare const alternative6: Alternative<6>
declare const alternative7: Alternative<7>
declare const alternative8: Alternative<8>
declare const alternative9: Alternative<9>
declare const alternative10: Alternative<10>
declare const alternative11: Alternative<11>
const options = { key: "model" }

export const anyNumberOfAlternatives = () => {
  expectTypeOf(Fx.alternatives({ default: default0 }, options)).toEqualTypeOf<
    Runnable.Runnable<Input, Step<0>, Failure<0> | Fx.AlternativeNotFound, Need<0>>
  >()
  expectTypeOf(Fx.alternatives({ default: default0, a1: alternative1 }, options)).toEqualTypeOf<
    Runnable.Runnable<Input, Step<0 | 1>, Failure<0 | 1> | Fx.AlternativeNotFound, Need<0 | 1>>
  >()
  expectTypeOf(Fx.alternatives({ default: default0, a1: alternative1, a2: alternative2 }, options)).toEqualTypeOf<
    Runnable.Runnable<Input, Step<0 | Upto2>, Failure<0 | Upto2> | Fx.AlternativeNotFound, Need<0 | Upto2>>
  >()
  const twelve = Fx.alternatives({
    default: default0,
    a1: alternative1,
    a2: alternative2,
    a3: alternative3,
    a4: alternative4,
    a5: alternative5,
    a6: alternative6,
    a7: alternative7,
    a8: alternative8,
    a9: alternative9,
    a10: alternative10,
    a11: alternative11
  }, options)
  expectTypeOf(twelve).toEqualTypeOf<
    Runnable.Runnable<Input, Step<0 | Exclude<Upto12, 12>>, Failure<0 | Exclude<Upto12, 12>> | Fx.AlternativeNotFound, Need<0 | Exclude<Upto12, 12>>>
  >()
  // an alternative may take less than the default
  expectTypeOf(Fx.alternatives({ default: default0, canned: Runnable.succeed("canned") }, options)).toEqualTypeOf<
    Runnable.Runnable<Input, Step<0> | string, Failure<0> | Fx.AlternativeNotFound, Need<0>>
  >()
  expectTypeOf<Fx.Alternatives<{ default: Alternative<0>; a3: Alternative<3> }>>().toEqualTypeOf<
    Runnable.Runnable<Input, Step<0 | 3>, Failure<0 | 3> | Fx.AlternativeNotFound, Need<0 | 3>>
  >()
  expectTypeOf<Upto3>().toEqualTypeOf<1 | 2 | 3>()
}

export const anAlternativeThatDoesNotAcceptTheDefaultsInput = () => {
  Fx.alternatives({
    default: default0,
    // @ts-expect-error "Fx.alternatives: alternative fast does not accept the default's input": { readonly takes: number; readonly input: Input; }
    fast: numberToNumber
  }, options)
  Fx.alternatives({
    default: Runnable.sync((_: string) => 0),
    // @ts-expect-error "Fx.alternatives: alternative careful does not accept the default's input": { readonly takes: Input; readonly input: string; }
    careful: alternative1
  }, options)
}

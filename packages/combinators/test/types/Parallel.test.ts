/** Types of `parallel` and `assign` (see test/typeErrors.test.ts for the messages after `@ts-expect-error`). */
import { Runnable } from "@fxchain/core"
import { expectTypeOf } from "vitest"
import * as Fx from "../../src/index.js"
import type { Failure, Need, Part, Step, Upto12, Upto2, Upto3 } from "./fixtures.js"
import {
  branch1,
  branch10,
  branch11,
  branch12,
  branch2,
  branch3,
  branch4,
  branch5,
  branch6,
  branch7,
  branch8,
  branch9,
  numberToNumber,
  stringToLength
} from "./fixtures.js"

const twelve = {
  b1: branch1,
  b2: branch2,
  b3: branch3,
  b4: branch4,
  b5: branch5,
  b6: branch6,
  b7: branch7,
  b8: branch8,
  b9: branch9,
  b10: branch10,
  b11: branch11,
  b12: branch12
}
type AllParts = Part<1> & Part<2> & Part<3> & Part<4> & Part<5> & Part<6> & Part<7> & Part<8> & Part<9> & Part<10> & Part<11> & Part<12>
type TwelveOutputs = {
  b1: Step<1>
  b2: Step<2>
  b3: Step<3>
  b4: Step<4>
  b5: Step<5>
  b6: Step<6>
  b7: Step<7>
  b8: Step<8>
  b9: Step<9>
  b10: Step<10>
  b11: Step<11>
  b12: Step<12>
}

export const records = () => {
  expectTypeOf(Fx.parallel({ one: branch1 })).toEqualTypeOf<
    Runnable.Runnable<Part<1>, { one: Step<1> }, Failure<1>, Need<1>>
  >()
  expectTypeOf(Fx.parallel({ one: branch1, two: branch2 })).toEqualTypeOf<
    Runnable.Runnable<Part<1> & Part<2>, { one: Step<1>; two: Step<2> }, Failure<Upto2>, Need<Upto2>>
  >()
  expectTypeOf(Fx.parallel({ one: branch1, two: branch2, three: branch3 })).toEqualTypeOf<
    Runnable.Runnable<Part<1> & Part<2> & Part<3>, { one: Step<1>; two: Step<2>; three: Step<3> }, Failure<Upto3>, Need<Upto3>>
  >()
  expectTypeOf(Fx.parallel(twelve)).toEqualTypeOf<Runnable.Runnable<AllParts, TwelveOutputs, Failure<Upto12>, Need<Upto12>>>()
  // an input that is a union stays one
  expectTypeOf(Fx.parallel({ flag: Runnable.sync((flag: boolean) => !flag) })).toEqualTypeOf<
    Runnable.Runnable<boolean, { flag: boolean }>
  >()
  expectTypeOf(Fx.parallel({
    either: Runnable.sync((value: string | number) => `${value}`),
    number: numberToNumber
  })).toEqualTypeOf<Runnable.Runnable<number, { either: string; number: number }>>()
  const many: Record<string, typeof stringToLength> = {}
  expectTypeOf(Fx.parallel(many)).toEqualTypeOf<Runnable.Runnable<string, { [key: string]: number }>>()
}

export const tuples = () => {
  expectTypeOf(Fx.parallel([branch1])).toEqualTypeOf<Runnable.Runnable<Part<1>, [Step<1>], Failure<1>, Need<1>>>()
  expectTypeOf(Fx.parallel([branch1, branch2])).toEqualTypeOf<
    Runnable.Runnable<Part<1> & Part<2>, [Step<1>, Step<2>], Failure<Upto2>, Need<Upto2>>
  >()
  expectTypeOf(Fx.parallel([branch1, branch2, branch3])).toEqualTypeOf<
    Runnable.Runnable<Part<1> & Part<2> & Part<3>, [Step<1>, Step<2>, Step<3>], Failure<Upto3>, Need<Upto3>>
  >()
  expectTypeOf(
    Fx.parallel([branch1, branch2, branch3, branch4, branch5, branch6, branch7, branch8, branch9, branch10, branch11, branch12])
  ).toEqualTypeOf<
    Runnable.Runnable<
      AllParts,
      [Step<1>, Step<2>, Step<3>, Step<4>, Step<5>, Step<6>, Step<7>, Step<8>, Step<9>, Step<10>, Step<11>, Step<12>],
      Failure<Upto12>,
      Need<Upto12>
    >
  >()
  expectTypeOf(Fx.parallel([Runnable.sync((flag: boolean) => !flag)])).toEqualTypeOf<Runnable.Runnable<boolean, [boolean]>>()
}

export const branchesNoInputFits = () => {
  Fx.parallel({
    // @ts-expect-error "Fx.parallel: no input fits both branch count and branch length": { readonly takes: number; readonly otherTakes: string; }
    count: numberToNumber,
    // @ts-expect-error "Fx.parallel: no input fits both branch length and branch count": { readonly takes: string; readonly otherTakes: number; }
    length: stringToLength
  })
  // @ts-expect-error "Fx.parallel: no input fits both branch 2 and branch 0": { readonly takes: string; readonly otherTakes: number; }
  Fx.parallel([numberToNumber, branch2, stringToLength])
  Fx.parallel({
    // @ts-expect-error "Fx.parallel: no input fits both branch a and branch b": { readonly takes: { readonly text: string; }; readonly otherTakes: { readonly text: number; }; }
    a: Runnable.sync((input: { readonly text: string }) => input.text),
    // @ts-expect-error "Fx.parallel: no input fits both branch b and branch a"
    b: Runnable.sync((input: { readonly text: number }) => input.text)
  })
}

export const assign = () => {
  expectTypeOf(Fx.assign({ one: branch1 })).toEqualTypeOf<
    Runnable.Runnable<Part<1>, Part<1> & { one: Step<1> }, Failure<1>, Need<1>>
  >()
  expectTypeOf(Fx.assign({ one: branch1, two: branch2 })).toEqualTypeOf<
    Runnable.Runnable<Part<1> & Part<2>, Part<1> & Part<2> & { one: Step<1>; two: Step<2> }, Failure<Upto2>, Need<Upto2>>
  >()
  expectTypeOf(Fx.assign({ one: branch1, two: branch2, three: branch3 })).toEqualTypeOf<
    Runnable.Runnable<
      Part<1> & Part<2> & Part<3>,
      Part<1> & Part<2> & Part<3> & { one: Step<1>; two: Step<2>; three: Step<3> },
      Failure<Upto3>,
      Need<Upto3>
    >
  >()
  expectTypeOf(Fx.assign(twelve)).toEqualTypeOf<
    Runnable.Runnable<AllParts, AllParts & TwelveOutputs, Failure<Upto12>, Need<Upto12>>
  >()
  expectTypeOf(Fx.assign({ constant: Runnable.succeed(1) })).toEqualTypeOf<Runnable.Runnable<object, object & { constant: number }>>()
  // @ts-expect-error "Fx.assign: branch count takes a value that is not a record": { readonly takes: number; }
  Fx.assign({ count: numberToNumber })
  Fx.assign({
    // @ts-expect-error "Fx.assign: no input fits both branch a and branch b": { readonly takes: { readonly text: string; }; readonly otherTakes: { readonly text: number; }; }
    a: Runnable.sync((input: { readonly text: string }) => input.text),
    // @ts-expect-error "Fx.assign: no input fits both branch b and branch a"
    b: Runnable.sync((input: { readonly text: number }) => input.text)
  })
}

/** Runnables for the type tests, each with its own input, output, error and requirement. */
import type { Runnable } from "@fxchain/core"

type Numbered<Name extends string, N> = N extends number ? { readonly [K in Name]: N } : never
/** What step N of a sequence returns, and step N + 1 takes. */
export type Step<N> = Numbered<"step", N>
export type Failure<N> = Numbered<"failure", N>
export type Need<N> = Numbered<"need", N>
/** What branch N of a parallel map takes: its own key of a record. */
export interface Part<N extends number> {
  readonly part: { readonly [K in N]: true }
}

export type Upto2 = 1 | 2
export type Upto3 = 1 | 2 | 3
export type Upto12 = 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9 | 10 | 11 | 12

export declare const step1: Runnable.Runnable<Step<0>, Step<1>, Failure<1>, Need<1>>
export declare const step2: Runnable.Runnable<Step<1>, Step<2>, Failure<2>, Need<2>>
export declare const step3: Runnable.Runnable<Step<2>, Step<3>, Failure<3>, Need<3>>
export declare const step4: Runnable.Runnable<Step<3>, Step<4>, Failure<4>, Need<4>>
export declare const step5: Runnable.Runnable<Step<4>, Step<5>, Failure<5>, Need<5>>
export declare const step6: Runnable.Runnable<Step<5>, Step<6>, Failure<6>, Need<6>>
export declare const step7: Runnable.Runnable<Step<6>, Step<7>, Failure<7>, Need<7>>
export declare const step8: Runnable.Runnable<Step<7>, Step<8>, Failure<8>, Need<8>>
export declare const step9: Runnable.Runnable<Step<8>, Step<9>, Failure<9>, Need<9>>
export declare const step10: Runnable.Runnable<Step<9>, Step<10>, Failure<10>, Need<10>>
export declare const step11: Runnable.Runnable<Step<10>, Step<11>, Failure<11>, Need<11>>
export declare const step12: Runnable.Runnable<Step<11>, Step<12>, Failure<12>, Need<12>>

export declare const branch1: Runnable.Runnable<Part<1>, Step<1>, Failure<1>, Need<1>>
export declare const branch2: Runnable.Runnable<Part<2>, Step<2>, Failure<2>, Need<2>>
export declare const branch3: Runnable.Runnable<Part<3>, Step<3>, Failure<3>, Need<3>>
export declare const branch4: Runnable.Runnable<Part<4>, Step<4>, Failure<4>, Need<4>>
export declare const branch5: Runnable.Runnable<Part<5>, Step<5>, Failure<5>, Need<5>>
export declare const branch6: Runnable.Runnable<Part<6>, Step<6>, Failure<6>, Need<6>>
export declare const branch7: Runnable.Runnable<Part<7>, Step<7>, Failure<7>, Need<7>>
export declare const branch8: Runnable.Runnable<Part<8>, Step<8>, Failure<8>, Need<8>>
export declare const branch9: Runnable.Runnable<Part<9>, Step<9>, Failure<9>, Need<9>>
export declare const branch10: Runnable.Runnable<Part<10>, Step<10>, Failure<10>, Need<10>>
export declare const branch11: Runnable.Runnable<Part<11>, Step<11>, Failure<11>, Need<11>>
export declare const branch12: Runnable.Runnable<Part<12>, Step<12>, Failure<12>, Need<12>>

/** What every runnable of a branch, route, fallbacks or alternatives below takes. */
export interface Text {
  readonly text: string
}
/** A runnable taking `Text`, numbered N. */
export type Same<N extends number> = Runnable.Runnable<Text, Step<N>, Failure<N>, Need<N>>
export declare const same0: Same<0>
export declare const same1: Same<1>
export declare const same2: Same<2>
export declare const same3: Same<3>
export declare const same4: Same<4>
export declare const same5: Same<5>
export declare const same6: Same<6>
export declare const same7: Same<7>
export declare const same8: Same<8>
export declare const same9: Same<9>
export declare const same10: Same<10>
export declare const same11: Same<11>
export declare const same12: Same<12>

export declare const numberToNumber: Runnable.Runnable<number, number>
export declare const stringToLength: Runnable.Runnable<string, number>

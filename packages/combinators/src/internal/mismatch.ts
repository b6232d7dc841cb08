/** @internal */
import type { Runnable } from "@fxchain/core"

/**
 * How a combinator reports, at its call, an argument that does not fit: a type no runnable has,
 * whose one key is the message. The `infer` makes the compiler print the object itself rather
 * than this alias's name.
 *
 * @internal
 */
export type Mismatch<Message extends string, Details> = { readonly [Key in Message]: Details } extends infer Report
  ? Report
  : never

type Counter<N extends number, T extends ReadonlyArray<unknown> = []> = T["length"] extends N ? T
  : Counter<N, [...T, unknown]>

/** @internal */
export type Next<N extends number> = [...Counter<N>, unknown]["length"] & number

/** @internal */
export type Previous<N extends number> = Counter<N> extends readonly [unknown, ...infer Rest] ? Rest["length"] : never

/**
 * Every element of a tuple at once (their intersection); for an array, its element.
 *
 * @internal
 */
export type AllOf<T extends ReadonlyArray<unknown>> = T extends readonly [infer Head, ...infer Rest] ? Head & AllOf<Rest>
  : T extends readonly [] ? unknown
  : T[number]

/**
 * What every runnable of a union accepts: the intersection of their inputs (`unknown` for none).
 * An input that is itself a union stays one.
 *
 * @internal
 */
export type InputOfAll<Runnables> = [Runnables] extends [never] ? unknown
  : (Runnables extends Runnable.Runnable<infer In, any, any, any> ? (input: In) => void : never) extends
    (input: infer All) => void ? All
  : never

type Primitive = string | number | boolean | bigint | symbol

type PrimitiveOf<T> = T extends string ? string
  : T extends number ? number
  : T extends boolean ? boolean
  : T extends bigint ? bigint
  : T extends symbol ? symbol
  : never

/**
 * `true` when no value has type `T`, a member of a union: a record with a key no value fits
 * (`{ text: string } & { text: number }`), or a primitive that is also an object with keys of its
 * own (`number & { text: string }`; a brand, whose keys are symbols, is not one).
 */
type Impossible<T> = T extends Primitive ? [Exclude<keyof T, keyof PrimitiveOf<T>> & string] extends [never] ? false : true
  : [T] extends [object] ? [{ [Key in keyof T]-?: [T[Key]] extends [never] ? Key : never }[keyof T]] extends [never] ? false : true
  : false

/**
 * `true` when no value has type `T`: `never`, or a type every member of which is impossible (see
 * `Impossible`).
 *
 * @internal
 */
export type Unsatisfiable<T> = [T] extends [never] ? true
  : [T extends unknown ? (Impossible<T> extends true ? never : T) : never] extends [never] ? true
  : false

/**
 * `unknown` when a runnable taking `Takes` accepts `Input`, otherwise a `Mismatch` with both.
 *
 * @internal
 */
export type Accepts<Message extends string, Takes, Input> = [Input] extends [Takes] ? unknown
  : Mismatch<Message, { readonly takes: Takes; readonly input: Input }>

/**
 * A branch of a parallel map, of a record or of a tuple (an array's element).
 *
 * @internal
 */
export type Branch<Branches> = Branches extends ReadonlyArray<unknown> ? Branches[number] : Branches[keyof Branches]

type BranchKey<Branches> = Branches extends ReadonlyArray<unknown> ? keyof Branches & `${number}` : keyof Branches

type Takes<Branches, Key> = Runnable.Runnable.Input<Branches[Key & keyof Branches]>

type OthersTake<Branches, Key> = InputOfAll<Branches[Exclude<BranchKey<Branches>, Key>]>

type ConflictingWith<Branches, Key> = {
  [Other in Exclude<BranchKey<Branches>, Key>]: Unsatisfiable<Takes<Branches, Key> & Takes<Branches, Other>> extends true
    ? Other
    : never
}[Exclude<BranchKey<Branches>, Key>]

/**
 * `unknown` when an input fits branch `Key` of a parallel map and the others. Otherwise a
 * `Mismatch` naming each branch no input fits together with it, or, when it conflicts with none
 * alone, the other branches together.
 *
 * @internal
 */
export type Conflict<Combinator extends string, Branches, Key> = [ConflictingWith<Branches, Key>] extends [never]
  ? Unsatisfiable<Takes<Branches, Key> & OthersTake<Branches, Key>> extends true
    ? Unsatisfiable<OthersTake<Branches, Key>> extends true ? unknown
    : Mismatch<
      `${Combinator}: no input fits both branch ${Key & string} and the other branches`,
      { readonly takes: Takes<Branches, Key>; readonly othersTake: OthersTake<Branches, Key> }
    >
  : unknown
  : {
    readonly [
      Other in ConflictingWith<Branches, Key> as `${Combinator}: no input fits both branch ${Key & string} and branch ${
        Other & string
      }`
    ]: {
      readonly takes: Takes<Branches, Key>
      readonly otherTakes: Takes<Branches, Other>
    }
  } extends infer Report ? Report
  : never

/**
 * `unknown` when a branch taking `Takes` accepts some record; otherwise a `Mismatch` naming it.
 *
 * @internal
 */
export type TakesRecord<Combinator extends string, Key, Takes> = unknown extends Takes ? unknown
  : [Extract<Takes, object>] extends [never]
    ? Mismatch<`${Combinator}: branch ${Key & string} takes a value that is not a record`, { readonly takes: Takes }>
  : unknown

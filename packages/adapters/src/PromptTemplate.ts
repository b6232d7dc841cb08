/**
 * Prompt templates: runnables (kind `"prompt"`) from the values of a template's variables to an
 * `@effect/ai` `Prompt`, ready for a model. The variables are read from the template's type, so
 * a missing one is a compile error, and at run time a typed `MissingVariableError` — never the
 * text "undefined" sent to a model.
 *
 * Template syntax (LangChain's f-string templates): `{name}` is a variable, `{{` and `}}` are
 * literal braces. A malformed template (an unclosed `{`, a single `}`, an empty `{}`, a name with
 * spaces at its ends) is a compile error for a literal template, and `InvalidTemplateError`
 * thrown by the constructor for any template.
 *
 * Values: a string is put in as it is; numbers, booleans and bigints with `String`; arrays and
 * plain objects as JSON; other objects with `String`. A variable whose value is absent,
 * `undefined` or `null` is missing. Keys the template does not use are ignored. A value that
 * cannot be put in as text (JSON of a circular object or of a bigint inside an array, a
 * `toJSON` or `toString` that throws, a getter that throws) fails the run with
 * `UnrenderableValueError`, never with an exception.
 *
 * @example
 * ```ts
 * import { PromptTemplate } from "@fxchain/adapters"
 * import { Runnable } from "@fxchain/core"
 *
 * const prompt = PromptTemplate.chat([
 *   ["system", "You are a {role}. Answer in JSON like {{\"answer\": ...}}."],
 *   PromptTemplate.placeholder("history", { optional: true }),
 *   ["user", "{question}"]
 * ])
 * // Runnable<{ role: string; question: string; history?: Prompt.RawInput | undefined }, Prompt.Prompt, ...>
 *
 * const program = Runnable.invoke(prompt, { role: "librarian", question: "Who wrote Dune?" })
 * ```
 *
 * @since 0.1.0
 */
import type * as Prompt from "@effect/ai/Prompt"
import type { Runnable } from "@fxchain/core"
import type * as Either from "effect/Either"
import { dual } from "effect/Function"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import * as internal from "./internal/promptTemplate.js"

// -----------------------------------------------------------------------------
// errors
// -----------------------------------------------------------------------------

/**
 * A template was run without a value for some of its variables (absent, `undefined` or
 * `null`). Names every missing variable, in the order the template uses them, the runnable, and
 * the template (a chat template's messages one per line, as `role: template`).
 *
 * @since 0.1.0
 * @category errors
 */
export class MissingVariableError extends Schema.TaggedError<MissingVariableError>()("MissingVariableError", {
  runnable: Schema.String,
  variables: Schema.Array(Schema.String),
  template: Schema.String
}) {
  override get message(): string {
    const names = this.variables.map((name) => JSON.stringify(name)).join(", ")
    return `Runnable "${this.runnable}" is missing ${this.variables.length === 1 ? "variable" : "variables"} ${names}`
  }
}

/**
 * A messages placeholder was given a value that is not messages (`Prompt.RawInput`: a string,
 * messages or a `Prompt`). Carries the `ParseError` of decoding it as messages.
 *
 * @since 0.1.0
 * @category errors
 */
export class InvalidVariableError extends Schema.TaggedError<InvalidVariableError>()("InvalidVariableError", {
  runnable: Schema.String,
  variable: Schema.String,
  parseError: Schema.instanceOf(ParseResult.ParseError)
}) {
  override get message(): string {
    return `Runnable "${this.runnable}" got a value for placeholder "${this.variable}" that is not messages: ${this.parseError.message}`
  }
}

/**
 * A variable's value cannot be put into the template as text: its JSON or `String` threw (a
 * circular object, a bigint inside an array or object, a `toJSON` or `toString` that throws),
 * or reading it threw. Names the runnable and the variable; `reason` is what was thrown, `cause`
 * the thrown value itself.
 *
 * @since 0.2.0
 * @category errors
 */
export class UnrenderableValueError extends Schema.TaggedError<UnrenderableValueError>()("UnrenderableValueError", {
  runnable: Schema.String,
  variable: Schema.String,
  reason: Schema.String,
  cause: Schema.Defect
}) {
  override get message(): string {
    return `Runnable "${this.runnable}" cannot put the value of variable "${this.variable}" into its template: ${this.reason}`
  }
}

/**
 * A template is malformed. Thrown by the constructors (a mistake in the program, not a failure
 * of a run); a literal template that is malformed does not compile in the first place.
 *
 * @since 0.1.0
 * @category errors
 */
export class InvalidTemplateError extends Schema.TaggedError<InvalidTemplateError>()("InvalidTemplateError", {
  template: Schema.String,
  reason: Schema.String
}) {
  override get message(): string {
    return `Invalid prompt template ${JSON.stringify(this.template)}: ${this.reason}`
  }
}

// -----------------------------------------------------------------------------
// type-level templates
// -----------------------------------------------------------------------------

/**
 * Why a literal template does not compile; it appears in the compiler's message.
 *
 * @since 0.1.0
 * @category type-level
 */
export interface InvalidTemplate<Reason extends string> {
  readonly _InvalidTemplate: Reason
}

type Whitespace = " " | "\t" | "\r" | "\n"

/** `true` when every "}" in text outside variables is doubled. */
type CheckText<Text extends string> = Text extends `${string}}${infer After}`
  ? After extends `}${infer Rest}` ? CheckText<Rest> : false
  : true

type CheckName<Name extends string> = Name extends "" ? "empty variable name {}"
  : Name extends `${string}{${string}` ? `variable name "${Name}" contains "{"`
  : Name extends `${Whitespace}${string}` | `${string}${Whitespace}` ? `variable name "${Name}" starts or ends with whitespace`
  : never

type Parse<Template extends string, Names extends string = never> = Template extends `${infer Text}{${infer Rest}`
  ? CheckText<Text> extends false ? InvalidTemplate<`single "}" (write "}}" for a brace)`>
  : Rest extends `{${infer After}` ? Parse<After, Names>
  : Rest extends `${infer Name}}${infer After}`
    ? [CheckName<Name>] extends [never] ? Parse<After, Names | Name> : InvalidTemplate<CheckName<Name>>
  : InvalidTemplate<`"{" is not closed (write "{{" for a brace)`>
  : CheckText<Template> extends false ? InvalidTemplate<`single "}" (write "}}" for a brace)`>
  : Names

/**
 * The variables of a template, as a union of their names (`string` for a template whose text
 * is not known to the compiler).
 *
 * @example
 * ```ts
 * import type { PromptTemplate } from "@fxchain/adapters"
 *
 * type Names = PromptTemplate.Variables<"Tell me about {topic} in {style}, {{literally}}"> // "topic" | "style"
 * ```
 *
 * @since 0.1.0
 * @category type-level
 */
export type Variables<Template extends string> = string extends Template ? string : Extract<Parse<Template>, string>

/**
 * The values a template needs: one string per variable.
 *
 * @since 0.1.0
 * @category type-level
 */
export type Values<Template extends string> = { [Name in Variables<Template>]: string }

/**
 * `unknown` for a well-formed template, an `InvalidTemplate` saying what is wrong otherwise:
 * constructors take `Template & Validate<Template>`, so a malformed literal does not compile.
 *
 * @since 0.1.0
 * @category type-level
 */
export type Validate<Template extends string> = [Extract<Parse<Template>, InvalidTemplate<string>>] extends [never] ? unknown
  : Extract<Parse<Template>, InvalidTemplate<string>>

/**
 * The roles of a chat message template. `human` and `ai` are LangChain's names for `user` and
 * `assistant`.
 *
 * @since 0.1.0
 * @category models
 */
export type Role = "system" | "user" | "assistant" | "human" | "ai"

/**
 * Where the messages held by a variable go in a chat template (LangChain's
 * `MessagesPlaceholder`). Made by `placeholder`.
 *
 * @since 0.1.0
 * @category models
 */
export interface Placeholder<Name extends string, Optional extends boolean> {
  readonly _tag: "Placeholder"
  readonly name: Name
  readonly optional: Optional
}

/**
 * One message of a chat template: `[role, template]`, or a placeholder for messages.
 *
 * @since 0.1.0
 * @category models
 */
export type MessageTemplate = readonly [role: Role, template: string] | Placeholder<string, boolean>

type TemplatesOf<Message> = Message extends readonly [Role, infer Template extends string] ? Template : never

type RequiredPlaceholders<Message> = Message extends Placeholder<infer Name, infer Optional>
  ? [Optional] extends [true] ? never : Name
  : never

type OptionalPlaceholders<Message> = Message extends Placeholder<infer Name, infer Optional>
  ? [Optional] extends [true] ? Name : never
  : never

type Simplify<A> = { [K in keyof A]: A[K] }

/**
 * The values a chat template needs: a string per variable of its messages, and
 * `Prompt.RawInput` per placeholder (optional for an optional placeholder).
 *
 * @since 0.1.0
 * @category type-level
 */
export type ChatValues<Messages extends ReadonlyArray<MessageTemplate>> = Simplify<
  & { [Name in Variables<TemplatesOf<Messages[number]>>]: string }
  & { [Name in RequiredPlaceholders<Messages[number]>]: Prompt.RawInput }
  & { [Name in OptionalPlaceholders<Messages[number]>]?: Prompt.RawInput | undefined }
>

/**
 * `Validate` for every message template of a chat template.
 *
 * @since 0.1.0
 * @category type-level
 */
export type ValidateChat<Messages extends ReadonlyArray<MessageTemplate>> = Validate<TemplatesOf<Messages[number]>>

/**
 * The values left to give after `partial` gave `Given`: the others, and the given ones again,
 * optionally, to override them.
 *
 * @since 0.1.0
 * @category type-level
 */
export type PartialValues<In, Given> = Simplify<
  & { [Name in keyof In as Name extends keyof Given ? never : Name]: In[Name] }
  & { [Name in Extract<keyof Given, keyof In>]?: In[Name] | undefined }
>

/**
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** The run's name in events and spans; defaults to `"PromptTemplate"` / `"ChatPromptTemplate"`. */
  readonly name?: string | undefined
}

// -----------------------------------------------------------------------------
// constructors
// -----------------------------------------------------------------------------

/**
 * A template for one user message: the `Prompt` holds the filled-in text as the user's message
 * (`Prompt.make(text)`). The input's type comes from the template: one string per variable.
 *
 * Running it fails with `MissingVariableError` when a variable has no value, and with
 * `UnrenderableValueError` when a value cannot be put in as text. It is not a
 * synchronous runnable (`sync`): a synchronous step can only throw, and a missing variable would
 * become a defect instead of a typed failure.
 *
 * @example
 * ```ts
 * import { PromptTemplate } from "@fxchain/adapters"
 * import { Runnable } from "@fxchain/core"
 *
 * const prompt = PromptTemplate.make("Tell me about {topic} in {style}")
 * // Runnable<{ topic: string; style: string }, Prompt.Prompt, MissingVariableError | UnrenderableValueError>
 * const program = Runnable.invoke(prompt, { topic: "tides", style: "a haiku" })
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: <const Template extends string>(
  template: Template & Validate<Template>,
  options?: Options
) => Runnable.Runnable<Values<Template>, Prompt.Prompt, MissingVariableError | UnrenderableValueError> = internal.make

/**
 * A template for a conversation: `[role, template]` messages (`system`, `user`, `assistant`;
 * or `human`, `ai`) and placeholders where the messages a variable holds go. The input's type
 * comes from the templates and placeholders.
 *
 * Running it fails with `MissingVariableError` naming every variable without a value (an
 * optional placeholder may go without), with `InvalidVariableError` when a placeholder's
 * value is not messages, and with `UnrenderableValueError` when a value cannot be put in as text.
 *
 * @example
 * ```ts
 * import { PromptTemplate } from "@fxchain/adapters"
 *
 * const prompt = PromptTemplate.chat([
 *   ["system", "You are {role}"],
 *   PromptTemplate.placeholder("history"),
 *   ["user", "{question}"]
 * ])
 * // Runnable<{ role: string; question: string; history: Prompt.RawInput }, Prompt.Prompt, ...>
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const chat: <const Messages extends ReadonlyArray<MessageTemplate>>(
  messages: Messages & ValidateChat<Messages>,
  options?: Options
) => Runnable.Runnable<
  ChatValues<Messages>,
  Prompt.Prompt,
  MissingVariableError | InvalidVariableError | UnrenderableValueError
> = internal.chat

/**
 * A placeholder for messages in a chat template (LangChain's `MessagesPlaceholder`). Its variable
 * holds `Prompt.RawInput`: messages as `@effect/ai` encodes them (`{ role, content }`), messages
 * of a `Prompt` (`prompt.content`), a `Prompt`, or a string (one user message). With
 * `optional: true` the variable may be absent, and then adds no message.
 *
 * @example
 * ```ts
 * import { PromptTemplate } from "@fxchain/adapters"
 *
 * const history = PromptTemplate.placeholder("history")
 * const scratchpad = PromptTemplate.placeholder("scratchpad", { optional: true })
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const placeholder: {
  <const Name extends string>(name: Name, options: { readonly optional: true }): Placeholder<Name, true>
  <const Name extends string>(name: Name, options?: { readonly optional?: false | undefined }): Placeholder<Name, false>
} = internal.placeholder as any

// -----------------------------------------------------------------------------
// utilities
// -----------------------------------------------------------------------------

/**
 * Fills in a template: the text, or `MissingVariableError` or `UnrenderableValueError` (whose
 * `runnable` is `"PromptTemplate.format"`). An `Either`, so it can be used in plain code or
 * yielded in `Effect.gen`.
 *
 * @example
 * ```ts
 * import { PromptTemplate } from "@fxchain/adapters"
 *
 * PromptTemplate.format("{greeting}, {name}!", { greeting: "Hello", name: "Ada" }) // Either.right("Hello, Ada!")
 * ```
 *
 * @since 0.1.0
 * @category utilities
 */
export const format: <const Template extends string>(
  template: Template & Validate<Template>,
  values: Values<Template>
) => Either.Either<string, MissingVariableError | UnrenderableValueError> = internal.format

/**
 * The variables of a template at run time, in order of first use, each once (LangChain's
 * `inputVariables`). Throws `InvalidTemplateError` for a malformed template.
 *
 * @since 0.1.0
 * @category utilities
 */
export const variables: (template: string) => ReadonlyArray<string> = internal.variables

/**
 * Gives some of a template's values ahead of time (LangChain's `partial`): the runnable then
 * needs only the others. Values given when it runs take precedence over these (an `undefined`
 * one does not). Works on any runnable whose input is a record; no run is added.
 *
 * @example
 * ```ts
 * import { PromptTemplate } from "@fxchain/adapters"
 *
 * const prompt = PromptTemplate.make("Tell me about {topic} in {style}")
 * const haiku = PromptTemplate.partial(prompt, { style: "a haiku" })
 * // Runnable<{ topic: string; style?: string | undefined }, Prompt.Prompt, MissingVariableError | UnrenderableValueError>
 * ```
 *
 * @since 0.1.0
 * @category combinators
 */
export const partial: {
  <const Given extends Readonly<Record<string, unknown>>>(
    values: Given
  ): <In, Out, E, R>(self: Runnable.Runnable<In, Out, E, R>) => Runnable.Runnable<PartialValues<In, Given>, Out, E, R>
  <In, Out, E, R, const Given extends Partial<In>>(
    self: Runnable.Runnable<In, Out, E, R>,
    values: Given
  ): Runnable.Runnable<PartialValues<In, Given>, Out, E, R>
} = dual(2, internal.partial)

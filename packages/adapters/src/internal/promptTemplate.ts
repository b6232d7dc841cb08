/** @internal */
import * as Prompt from "@effect/ai/Prompt"
import { Concat, Runnable } from "@fxchain/core"
import * as Combinators from "@fxchain/combinators"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import type * as ParseResult from "effect/ParseResult"
import * as Predicate from "effect/Predicate"
import * as Schema from "effect/Schema"
import type * as PromptTemplate from "../PromptTemplate.js"
import { InvalidTemplateError, InvalidVariableError, MissingVariableError, UnrenderableValueError } from "../PromptTemplate.js"

/** A template, compiled: its text pieces and the variables between them. */
interface Compiled {
  readonly template: string
  readonly segments: ReadonlyArray<string | { readonly variable: string }>
  /** In order of first use, each once. */
  readonly variables: ReadonlyArray<string>
}

const whitespaceAtEnds = /^[ \t\r\n]|[ \t\r\n]$/

const compile = (template: string): Compiled => {
  const invalid = (reason: string): never => {
    throw new InvalidTemplateError({ template, reason })
  }
  const segments: Array<string | { readonly variable: string }> = []
  const variables: Array<string> = []
  let text = ""
  let index = 0
  while (index < template.length) {
    const character = template[index]!
    if (character === "{") {
      if (template[index + 1] === "{") {
        text += "{"
        index += 2
        continue
      }
      const close = template.indexOf("}", index + 1)
      if (close < 0) invalid(`"{" at position ${index} is not closed (write "{{" for a brace)`)
      const variable = template.slice(index + 1, close)
      if (variable.length === 0) invalid(`empty variable name at position ${index}`)
      if (variable.includes("{")) invalid(`variable name ${JSON.stringify(variable)} contains "{"`)
      if (whitespaceAtEnds.test(variable)) {
        invalid(`variable name ${JSON.stringify(variable)} starts or ends with whitespace`)
      }
      if (text.length > 0) segments.push(text)
      text = ""
      segments.push({ variable })
      if (!variables.includes(variable)) variables.push(variable)
      index = close + 1
    } else if (character === "}") {
      if (template[index + 1] !== "}") invalid(`single "}" at position ${index} (write "}}" for a brace)`)
      text += "}"
      index += 2
    } else {
      text += character
      index++
    }
  }
  if (text.length > 0) segments.push(text)
  return { template, segments, variables }
}

/** @internal */
export const variables = (template: string): ReadonlyArray<string> => compile(template).variables

const isMissing = (value: unknown) => value === undefined || value === null

/** What a variable's value threw while it was read or rendered; becomes an `UnrenderableValueError`. */
class RenderFailure {
  constructor(readonly variable: string, readonly cause: unknown) {}
}

/** Runs `f` on a variable, turning what it throws into a `RenderFailure` for that variable. */
const guarded = <A>(variable: string, f: () => A): A => {
  try {
    return f()
  } catch (cause) {
    throw new RenderFailure(variable, cause)
  }
}

const show = (value: unknown): string => {
  if (typeof value === "string") return value
  if (Array.isArray(value) || Concat.isPlainRecord(value)) {
    const json: string | undefined = JSON.stringify(value)
    if (json === undefined) throw new TypeError("its JSON is undefined (a toJSON that returns undefined)")
    return json
  }
  return String(value)
}

const valueOf = (values: unknown, variable: string): unknown =>
  guarded(variable, () =>
    Predicate.isObject(values) && Object.hasOwn(values, variable) ? (values as Record<string, unknown>)[variable] : undefined)

/** Each variable of `compiled` that `values` lacks, added to `missing`. */
const collectMissing = (compiled: Compiled, values: unknown, missing: Array<string>) => {
  for (const variable of compiled.variables) {
    if (isMissing(valueOf(values, variable)) && !missing.includes(variable)) missing.push(variable)
  }
}

const render = (compiled: Compiled, values: unknown): string => {
  let text = ""
  for (const segment of compiled.segments) {
    if (typeof segment === "string") {
      text += segment
      continue
    }
    const value = valueOf(values, segment.variable)
    text += guarded(segment.variable, () => show(value))
  }
  return text
}

/** What was thrown, as text, even when reading the thrown value throws. */
const describeThrown = (cause: unknown): string => {
  try {
    return cause instanceof Error ? `${cause.name}: ${cause.message}` : `${typeof cause} ${String(cause)} was thrown`
  } catch {
    return "a value that cannot be described was thrown"
  }
}

/** Runs `f`, which reads and renders variables; a value that threw is an `UnrenderableValueError`. */
const rendering = <A, E>(runnable: string, f: () => Either.Either<A, E>): Either.Either<A, E | UnrenderableValueError> => {
  try {
    return f()
  } catch (failure) {
    if (!(failure instanceof RenderFailure)) throw failure
    return Either.left(
      new UnrenderableValueError({
        runnable,
        variable: failure.variable,
        reason: describeThrown(failure.cause),
        cause: failure.cause
      })
    )
  }
}

const fill = (
  runnable: string,
  compiled: Compiled,
  values: unknown
): Either.Either<string, MissingVariableError | UnrenderableValueError> =>
  rendering(runnable, () => {
    const missing: Array<string> = []
    collectMissing(compiled, values, missing)
    return missing.length > 0
      ? Either.left(new MissingVariableError({ runnable, variables: missing, template: compiled.template }))
      : Either.right(render(compiled, values))
  })

/** @internal */
export const format = (
  template: string,
  values: unknown
): Either.Either<string, MissingVariableError | UnrenderableValueError> =>
  fill("PromptTemplate.format", compile(template), values)

/** @internal */
export const make = (
  template: string,
  options?: PromptTemplate.Options
): Runnable.Runnable<any, Prompt.Prompt, MissingVariableError | UnrenderableValueError> => {
  const compiled = compile(template)
  const name = options?.name ?? "PromptTemplate"
  return Runnable.make({
    name,
    kind: "prompt",
    run: (values: unknown) => Effect.suspend(() => Either.map(fill(name, compiled, values), (text) => Prompt.make(text)))
  })
}

/** @internal */
export const placeholder = (
  name: string,
  options?: { readonly optional?: boolean | undefined }
): PromptTemplate.Placeholder<string, boolean> => {
  if (name.length === 0) throw new InvalidTemplateError({ template: "", reason: "a placeholder needs a variable name" })
  return { _tag: "Placeholder", name, optional: options?.optional ?? false }
}

const roles: Record<PromptTemplate.Role, "system" | "user" | "assistant"> = {
  system: "system",
  user: "user",
  human: "user",
  assistant: "assistant",
  ai: "assistant"
}

type CompiledMessage =
  | { readonly _tag: "Message"; readonly role: "system" | "user" | "assistant"; readonly compiled: Compiled }
  | { readonly _tag: "Placeholder"; readonly name: string; readonly optional: boolean }

const compileMessage = (message: PromptTemplate.MessageTemplate): CompiledMessage => {
  if (Array.isArray(message)) {
    const [role, template] = message as readonly [PromptTemplate.Role, string]
    const mapped = Object.hasOwn(roles, role) ? roles[role] : undefined
    if (mapped === undefined || typeof template !== "string") {
      throw new InvalidTemplateError({
        template: String(template),
        reason: `a message is [role, template] with role one of ${Object.keys(roles).join(", ")}; got role ${JSON.stringify(role)}`
      })
    }
    return { _tag: "Message", role: mapped, compiled: compile(template) }
  }
  const { name, optional } = message as PromptTemplate.Placeholder<string, boolean>
  return { _tag: "Placeholder", name, optional }
}

const toMessage = (role: "system" | "user" | "assistant", text: string): Prompt.Message =>
  role === "system"
    ? Prompt.makeMessage("system", { content: text })
    : Prompt.makeMessage(role, { content: [Prompt.makePart("text", { text })] })

const decodeMessages = Schema.decodeUnknownEither(Schema.Array(Prompt.Message))

const messagesOf = (value: unknown): Either.Either<ReadonlyArray<Prompt.Message>, ParseResult.ParseError> => {
  if (typeof value === "string") return Either.right([toMessage("user", value)])
  if (Prompt.isPrompt(value)) return Either.right(value.content)
  const items = Predicate.isIterable(value) ? Array.from(value) : value
  if (Array.isArray(items) && items.every(Prompt.isMessage)) return Either.right(items)
  return decodeMessages(items)
}

/** @internal */
export const chat = (
  messages: ReadonlyArray<PromptTemplate.MessageTemplate>,
  options?: PromptTemplate.Options
): Runnable.Runnable<any, Prompt.Prompt, MissingVariableError | InvalidVariableError | UnrenderableValueError> => {
  const compiled = messages.map(compileMessage)
  const name = options?.name ?? "ChatPromptTemplate"
  const template = compiled.map((message) =>
    message._tag === "Message" ? `${message.role}: ${message.compiled.template}` : `{${message.name}} (messages)`
  ).join("\n")
  return Runnable.make({
    name,
    kind: "prompt",
    run: (values: unknown) =>
      Effect.suspend(() =>
        rendering(name, (): Either.Either<Prompt.Prompt, MissingVariableError | InvalidVariableError> => {
          const missing: Array<string> = []
          for (const message of compiled) {
            if (message._tag === "Message") collectMissing(message.compiled, values, missing)
            else if (!message.optional && isMissing(valueOf(values, message.name)) && !missing.includes(message.name)) {
              missing.push(message.name)
            }
          }
          if (missing.length > 0) return Either.left(new MissingVariableError({ runnable: name, variables: missing, template }))
          const result: Array<Prompt.Message> = []
          for (const message of compiled) {
            if (message._tag === "Message") {
              result.push(toMessage(message.role, render(message.compiled, values)))
              continue
            }
            const value = valueOf(values, message.name)
            if (isMissing(value)) continue
            const placed = guarded(message.name, () => messagesOf(value))
            if (Either.isLeft(placed)) {
              return Either.left(new InvalidVariableError({ runnable: name, variable: message.name, parseError: placed.left }))
            }
            result.push(...placed.right)
          }
          return Either.right(Prompt.fromMessages(result))
        })
      )
  })
}

/** @internal */
export const partial = <In, Out, E, R>(
  self: Runnable.Runnable<In, Out, E, R>,
  values: Readonly<Record<string, unknown>>
): Runnable.Runnable<any, Out, E, R> =>
  Combinators.mapInput(self, (input: unknown) => {
    const merged: Record<string, unknown> = { ...values }
    if (Predicate.isObject(input)) {
      for (const [key, value] of Object.entries(input)) if (value !== undefined) merged[key] = value
    }
    return merged as In
  })

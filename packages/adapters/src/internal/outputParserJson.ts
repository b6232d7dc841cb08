/**
 * JSON for `OutputParser.json`.
 *
 * - `parse`: a whole-text parser with two modes. Complete: the whole answer, as strict as
 *   `JSON.parse` (same values, same duplicate-key rule), with a position in every error; it gives
 *   the final value. Partial: a prefix of an answer still arriving, keeping what is certain and
 *   leaving out what may still change: an unterminated string is kept as far as it goes (it can
 *   only grow), an unterminated number or literal is left out (`1` may become `123`, `tr` is not
 *   yet `true`), an array keeps only its complete elements (the concat rule can append to an
 *   array, never change its last element). The partial mode defines what the streaming reader
 *   yields; the tests hold one to the other.
 * - `JsonChunks`: the streaming reader, which reads each character once and yields the
 *   differences of what is certain, chunk by chunk (re-parsing the text so far at every chunk
 *   would cost time quadratic in the answer's length).
 *
 * Both read a fenced answer (```json ... ```) too, with or without prose before the fence.
 *
 * @internal
 */
import { Concat } from "@fxchain/core"
import type { JsonValue } from "../OutputParser.js"

/** @internal */
export type ParseResult =
  | { readonly _tag: "Value"; readonly value: JsonValue }
  | { readonly _tag: "Nothing" }
  | { readonly _tag: "Error"; readonly reason: string }

class SyntaxFailure {
  constructor(readonly reason: string) {}
}

const NOTHING: unique symbol = Symbol("Nothing")
type Parsed = JsonValue | typeof NOTHING

const isDigit = (code: number) => code >= 48 && code <= 57
const isWhitespace = (code: number) => code === 32 || code === 10 || code === 13 || code === 9
const isHex = (code: number) => isDigit(code) || (code >= 65 && code <= 70) || (code >= 97 && code <= 102)
const isHighSurrogate = (code: number) => code >= 0xd800 && code <= 0xdbff

const escapes: Record<string, string> = { "\"": "\"", "\\": "\\", "/": "/", b: "\b", f: "\f", n: "\n", r: "\r", t: "\t" }

const describe = (text: string, position: number): string =>
  position >= text.length ? "end of input" : `character ${JSON.stringify(text[position])} at position ${position}`

const setKey = (record: Record<string, JsonValue>, key: string, value: JsonValue) => {
  // `record[key] = ...` would set the prototype for "__proto__"; JSON.parse makes an own key
  if (key === "__proto__") Object.defineProperty(record, key, { value, writable: true, enumerable: true, configurable: true })
  else record[key] = value
}

/**
 * The deepest nesting of arrays and objects read. Deeper JSON is refused (`JSON.parse` would take
 * it): the recursive steps after a parser (the concat rule, a schema, this parser's own complete
 * mode) would overflow the stack on it, a defect instead of a typed failure.
 *
 * @internal
 */
export const maxDepth = 1_000

class Parser {
  position = 0
  /** Whether the value the last `value()` call returned is complete. */
  complete = true
  private depth = 0

  constructor(readonly text: string, readonly partial: boolean, readonly fenced: boolean) {}

  fail(expected: string): never {
    throw new SyntaxFailure(`expected ${expected}, got ${describe(this.text, this.position)}`)
  }

  /** The input ended inside a value: an error when complete, "not yet" when partial. */
  ended<A>(value: A): A {
    if (!this.partial) this.fail("more JSON")
    this.complete = false
    return value
  }

  skipWhitespace() {
    const text = this.text
    while (this.position < text.length && isWhitespace(text.charCodeAt(this.position))) this.position++
  }

  document(): Parsed {
    const value = this.value()
    if (value === NOTHING || !this.complete) return value
    this.skipWhitespace()
    const rest = this.text.slice(this.position)
    if (rest.length === 0) return value
    if (this.fenced && (rest.startsWith("```") || (this.partial && "```".startsWith(rest)))) return value
    return this.fail(this.fenced ? "the end of the JSON value or a closing ```" : "the end of the JSON value")
  }

  value(): Parsed {
    this.skipWhitespace()
    const text = this.text
    if (this.position >= text.length) return this.ended(NOTHING)
    const code = text.charCodeAt(this.position)
    if (code === 123) return this.nested(() => this.object())
    if (code === 91) return this.nested(() => this.array())
    if (code === 34) return this.string()
    if (code === 45 || isDigit(code)) return this.number()
    if (code === 116) return this.literal("true", true)
    if (code === 102) return this.literal("false", false)
    if (code === 110) return this.literal("null", null)
    return this.fail("a JSON value")
  }

  nested(read: () => Parsed): Parsed {
    if (this.depth === maxDepth) return this.fail(`JSON nested at most ${maxDepth} levels deep`)
    this.depth++
    const value = read()
    this.depth--
    return value
  }

  literal(word: string, value: boolean | null): Parsed {
    const text = this.text
    for (let index = 0; index < word.length; index++) {
      if (this.position + index >= text.length) return this.ended(NOTHING)
      if (text[this.position + index] !== word[index]) {
        this.position += index
        return this.fail(JSON.stringify(word))
      }
    }
    this.position += word.length
    this.complete = true
    return value
  }

  digits() {
    while (this.position < this.text.length && isDigit(this.text.charCodeAt(this.position))) this.position++
  }

  number(): Parsed {
    const text = this.text
    const start = this.position
    if (text.charCodeAt(this.position) === 45) this.position++
    if (this.position >= text.length) return this.ended(NOTHING)
    const first = text.charCodeAt(this.position)
    if (first === 48) this.position++
    else if (isDigit(first)) this.digits()
    else return this.fail("a digit")
    if (this.position < text.length && text.charCodeAt(this.position) === 46) {
      this.position++
      if (this.position >= text.length) return this.ended(NOTHING)
      if (!isDigit(text.charCodeAt(this.position))) return this.fail("a digit")
      this.digits()
    }
    if (this.position < text.length && (text[this.position] === "e" || text[this.position] === "E")) {
      this.position++
      if (this.position < text.length && (text[this.position] === "+" || text[this.position] === "-")) this.position++
      if (this.position >= text.length) return this.ended(NOTHING)
      if (!isDigit(text.charCodeAt(this.position))) return this.fail("a digit")
      this.digits()
    }
    // more digits may follow a number at the end of a partial text
    if (this.partial && this.position >= text.length) return this.ended(NOTHING)
    this.complete = true
    return Number(text.slice(start, this.position))
  }

  string(): string {
    const text = this.text
    this.position++
    let result = ""
    let segment = this.position
    while (true) {
      if (this.position >= text.length) return this.unterminated(result + text.slice(segment, this.position))
      const code = text.charCodeAt(this.position)
      if (code === 34) {
        result += text.slice(segment, this.position)
        this.position++
        this.complete = true
        return result
      }
      if (code === 92) {
        result += text.slice(segment, this.position)
        const escape = text[this.position + 1]
        if (escape === undefined) return this.unterminated(result)
        if (escape === "u") {
          for (let index = 0; index < 4; index++) {
            const at = this.position + 2 + index
            if (at >= text.length) return this.unterminated(result)
            if (!isHex(text.charCodeAt(at))) {
              this.position = at
              return this.fail("a hexadecimal digit")
            }
          }
          result += String.fromCharCode(parseInt(text.slice(this.position + 2, this.position + 6), 16))
          this.position += 6
        } else {
          const escaped = escapes[escape]
          if (escaped === undefined) {
            this.position++
            return this.fail("an escape character")
          }
          result += escaped
          this.position += 2
        }
        segment = this.position
      } else if (code < 32) {
        return this.fail("a character allowed in a string (control characters must be escaped)")
      } else {
        this.position++
      }
    }
  }

  unterminated(prefix: string): string {
    this.ended(undefined)
    // half of a surrogate pair is not text yet: its other half is still to come
    return prefix.length > 0 && isHighSurrogate(prefix.charCodeAt(prefix.length - 1)) ? prefix.slice(0, -1) : prefix
  }

  object(): Parsed {
    const text = this.text
    this.position++
    const record: Record<string, JsonValue> = {}
    this.skipWhitespace()
    if (this.position >= text.length) return this.ended(record)
    if (text.charCodeAt(this.position) === 125) {
      this.position++
      this.complete = true
      return record
    }
    while (true) {
      this.skipWhitespace()
      if (this.position >= text.length) return this.ended(record)
      if (text.charCodeAt(this.position) !== 34) return this.fail("a property name in double quotes")
      const key = this.string()
      if (!this.complete) return record
      this.skipWhitespace()
      if (this.position >= text.length) return this.ended(record)
      if (text.charCodeAt(this.position) !== 58) return this.fail("':'")
      this.position++
      const value = this.value()
      if (value === NOTHING) return record
      setKey(record, key, value)
      if (!this.complete) return record
      this.skipWhitespace()
      if (this.position >= text.length) return this.ended(record)
      const code = text.charCodeAt(this.position)
      this.position++
      if (code === 125) {
        this.complete = true
        return record
      }
      if (code !== 44) {
        this.position--
        return this.fail("',' or '}'")
      }
    }
  }

  array(): Parsed {
    const text = this.text
    this.position++
    const array: Array<JsonValue> = []
    this.skipWhitespace()
    if (this.position >= text.length) return this.ended(array)
    if (text.charCodeAt(this.position) === 93) {
      this.position++
      this.complete = true
      return array
    }
    while (true) {
      const value = this.value()
      if (value === NOTHING || !this.complete) return array
      array.push(value)
      this.skipWhitespace()
      if (this.position >= text.length) return this.ended(array)
      const code = text.charCodeAt(this.position)
      this.position++
      if (code === 93) {
        this.complete = true
        return array
      }
      if (code !== 44) {
        this.position--
        return this.fail("',' or ']'")
      }
    }
  }
}

const parseDocument = (text: string, partial: boolean, fenced: boolean): ParseResult => {
  try {
    const value = new Parser(text, partial, fenced).document()
    return value === NOTHING ? { _tag: "Nothing" } : { _tag: "Value", value }
  } catch (error) {
    if (error instanceof SyntaxFailure) return { _tag: "Error", reason: error.reason }
    throw error
  }
}

/** The text after an opening fence, without its language tag; `undefined` while the tag may still grow. */
const fenceBody = (text: string, fence: number, partial: boolean): string | undefined => {
  const after = text.slice(fence + 3)
  const tag = /^[A-Za-z0-9_+.-]*/.exec(after)![0]
  if (tag.length === after.length) return partial ? undefined : ""
  return isWhitespace(after.charCodeAt(tag.length)) ? after.slice(tag.length) : after
}

/**
 * Parses a model's answer: the text itself as JSON, or else the JSON in a ``` fence (after
 * whatever prose comes before it). In complete mode every fence is tried in turn.
 *
 * @internal
 */
export const parse = (text: string, partial: boolean): ParseResult => {
  const plain = parseDocument(text, partial, false)
  if (plain._tag !== "Error") return plain
  let firstFenceError: ParseResult | undefined
  for (let fence = text.indexOf("```"); fence >= 0; fence = text.indexOf("```", fence + 3)) {
    const body = fenceBody(text, fence, partial)
    if (body === undefined) return { _tag: "Nothing" }
    const fenced = parseDocument(body, partial, true)
    if (partial || fenced._tag !== "Error") return fenced
    firstFenceError ??= { _tag: "Error", reason: `in the \`\`\` fence at position ${fence}: ${fenced.reason}` }
  }
  return firstFenceError ?? plain
}


// -----------------------------------------------------------------------------
// differences
// -----------------------------------------------------------------------------

const NO_CHANGE: unique symbol = Symbol("NoChange")

/** @internal */
export const equals = (left: JsonValue, right: JsonValue): boolean => {
  if (Object.is(left, right)) return true
  if (Array.isArray(left)) {
    if (!Array.isArray(right) || left.length !== right.length) return false
    for (let index = 0; index < left.length; index++) if (!equals(left[index], right[index])) return false
    return true
  }
  if (!Concat.isPlainRecord(left) || !Concat.isPlainRecord(right)) return false
  const leftKeys = Object.keys(left)
  if (leftKeys.length !== Object.keys(right).length) return false
  for (const key of leftKeys) {
    if (!Object.hasOwn(right, key) || !equals(left[key] as JsonValue, right[key] as JsonValue)) return false
  }
  return true
}

/**
 * The chunk that the concat rule combines with `previous` into `next`: what grew, or a
 * replacement where a value cannot grow into the next (a string that is not a prefix, an array
 * whose elements changed, a record that lost a key).
 */
const diff = (previous: JsonValue, next: JsonValue): JsonValue | typeof NO_CHANGE => {
  if (typeof previous === "string" && typeof next === "string") {
    if (!next.startsWith(previous)) return Concat.replace(next)
    return next.length === previous.length ? NO_CHANGE : next.slice(previous.length)
  }
  if (Array.isArray(previous) && Array.isArray(next)) {
    if (next.length < previous.length) return Concat.replace(next)
    for (let index = 0; index < previous.length; index++) if (!equals(previous[index], next[index])) return Concat.replace(next)
    return next.length === previous.length ? NO_CHANGE : next.slice(previous.length)
  }
  if (Concat.isPlainRecord(previous) && Concat.isPlainRecord(next)) {
    for (const key of Object.keys(previous)) if (!Object.hasOwn(next, key)) return Concat.replace(next)
    const changes: Record<string, JsonValue> = {}
    let changed = false
    for (const key of Object.keys(next)) {
      const value = next[key] as JsonValue
      const change = Object.hasOwn(previous, key) ? diff(previous[key] as JsonValue, value) : value
      if (change !== NO_CHANGE) {
        setKey(changes, key, change)
        changed = true
      }
    }
    return changed ? changes : NO_CHANGE
  }
  // any other pair: the concat rule keeps the right-hand value
  return equals(previous, next) ? NO_CHANGE : next
}

// -----------------------------------------------------------------------------
// streaming reader
// -----------------------------------------------------------------------------

const OBJECT_START = 0
const OBJECT_KEY = 1
const OBJECT_COLON = 2
const OBJECT_VALUE = 3
const OBJECT_AFTER = 4
const ARRAY_START = 5
const ARRAY_VALUE = 6
const ARRAY_AFTER = 7

const TOKEN_NONE = 0
const TOKEN_STRING = 1
const TOKEN_NUMBER = 2
const TOKEN_LITERAL = 3

const numberSyntax = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/

const isNumberCharacter = (code: number) =>
  isDigit(code) || code === 45 || code === 43 || code === 46 || code === 101 || code === 69

/** An object or array still open. */
interface Frame {
  readonly isObject: boolean
  /** Its complete members; never given out, its copies are. */
  readonly value: Record<string, JsonValue> | Array<JsonValue>
  /**
   * Whether it is part of what has been yielded: the root and what objects hold, not what
   * arrays hold (an array's element is yielded once complete).
   */
  readonly visible: boolean
  readonly parent: Frame | undefined
  readonly keyInParent: string
  state: number
  /** The key whose value is being read (objects). */
  key: string
  /** Where this container's changes go in the pending difference, made in batch `diffBatch`. */
  diff: Record<string, JsonValue> | Array<JsonValue> | undefined
  diffBatch: number
  /** The batch in which it was opened: until that batch is taken, it is new as a whole. */
  readonly openedBatch: number
  /** Whether the key being read was given before (objects): its value replaces the earlier one. */
  replacing: boolean
}

/**
 * Reads JSON text as it arrives, each character once, and keeps the difference between what is
 * certain now and what it gave out last (`takeChanges`). What is certain follows the partial
 * mode of `parse`: open strings as far as they go, complete numbers and literals, complete array
 * elements.
 */
class Reader {
  failed = false
  private closed = false
  private readonly stack: Array<Frame> = []
  private rootStarted = false
  private rootDone = false
  private rootValue: JsonValue = null
  private closingBackticks = 0

  private token = TOKEN_NONE
  private stringIsKey = false
  private stringVisible = false
  private stringText = ""
  private stringFlushed = 0
  /** 0: none; 1: after a backslash; 2: in a \u escape. */
  private escape = 0
  private unicode = ""
  private numberText = ""
  private literalWord = ""
  private literalIndex = 0
  private literalValue: boolean | null = null

  private batch = 0
  private rootDiff: JsonValue | undefined = undefined
  private rootDiffBatch = -1

  constructor(readonly fenced: boolean) {}

  feed(text: string): void {
    const length = text.length
    let index = 0
    while (index < length && !this.failed && !this.closed) {
      if (this.token === TOKEN_STRING) {
        index = this.readString(text, index)
        continue
      }
      const code = text.charCodeAt(index)
      if (this.token === TOKEN_NUMBER) {
        if (isNumberCharacter(code)) {
          this.numberText += text[index]
          index++
          continue
        }
        this.finishNumber()
        if (this.failed) return
      } else if (this.token === TOKEN_LITERAL) {
        if (text[index] !== this.literalWord[this.literalIndex]) return this.fail()
        index++
        if (++this.literalIndex === this.literalWord.length) {
          this.token = TOKEN_NONE
          this.complete(this.literalValue, false)
        }
        continue
      }
      index++
      if (!isWhitespace(code)) this.structural(code)
    }
    if (this.token === TOKEN_STRING) this.flushString(false)
  }

  private fail(): void {
    this.failed = true
  }

  private structural(code: number): void {
    const frame = this.stack[this.stack.length - 1]
    if (frame === undefined) {
      if (!this.rootStarted) {
        this.rootStarted = true
        return this.startValue(code)
      }
      return this.afterRoot(code)
    }
    switch (frame.state) {
      case OBJECT_START:
        if (code === 125) return this.close()
        if (code === 34) return this.startString(true)
        return this.fail()
      case OBJECT_KEY:
        return code === 34 ? this.startString(true) : this.fail()
      case OBJECT_COLON:
        if (code !== 58) return this.fail()
        frame.state = OBJECT_VALUE
        return
      case OBJECT_VALUE:
      case ARRAY_VALUE:
        return this.startValue(code)
      case OBJECT_AFTER:
        if (code === 44) {
          frame.state = OBJECT_KEY
          return
        }
        return code === 125 ? this.close() : this.fail()
      case ARRAY_START:
        return code === 93 ? this.close() : this.startValue(code)
      case ARRAY_AFTER:
        if (code === 44) {
          frame.state = ARRAY_VALUE
          return
        }
        return code === 93 ? this.close() : this.fail()
    }
  }

  private afterRoot(code: number): void {
    if (!this.fenced || code !== 96) return this.fail()
    if (++this.closingBackticks === 3) this.closed = true
  }

  private startValue(code: number): void {
    if (code === 123) return this.open(true)
    if (code === 91) return this.open(false)
    if (code === 34) return this.startString(false)
    if (code === 45 || isDigit(code)) {
      this.token = TOKEN_NUMBER
      this.numberText = String.fromCharCode(code)
      return
    }
    if (code === 116) return this.startLiteral("true", true)
    if (code === 102) return this.startLiteral("false", false)
    if (code === 110) return this.startLiteral("null", null)
    return this.fail()
  }

  private startLiteral(word: string, value: boolean | null): void {
    this.token = TOKEN_LITERAL
    this.literalWord = word
    this.literalIndex = 1
    this.literalValue = value
  }

  /** Whether a value starting now is part of what has been yielded. */
  private visibleHere(): boolean {
    const frame = this.stack[this.stack.length - 1]
    return frame === undefined || (frame.isObject && frame.visible)
  }

  /** Puts a change for the current key of `frame` (or for the root) into the pending difference. */
  private change(frame: Frame | undefined, value: JsonValue): void {
    if (frame === undefined) {
      this.rootDiff = value
      this.rootDiffBatch = this.batch
    } else {
      const node = this.diffOf(frame)
      if (Array.isArray(node)) {
        node.push(value)
        return
      }
      // a key given again: its new value replaces the one already given out (a frame opened in
      // this batch is given out whole, so there the value is simply overwritten)
      const replaces = frame.replacing && frame.openedBatch !== this.batch
      frame.replacing = false
      setKey(node, frame.key, replaces ? Concat.replace(value) : value)
    }
  }

  private diffOf(frame: Frame): Record<string, JsonValue> | Array<JsonValue> {
    if (frame.diffBatch === this.batch) return frame.diff!
    const node = frame.isObject ? {} : []
    if (frame.parent === undefined) {
      this.rootDiff = node
      this.rootDiffBatch = this.batch
    } else {
      setKey(this.diffOf(frame.parent) as Record<string, JsonValue>, frame.keyInParent, node)
    }
    frame.diff = node
    frame.diffBatch = this.batch
    return node
  }

  private open(isObject: boolean): void {
    if (this.stack.length === maxDepth) return this.fail()
    const parent = this.stack[this.stack.length - 1]
    const visible = this.visibleHere()
    const frame: Frame = {
      isObject,
      value: isObject ? {} : [],
      visible,
      parent,
      keyInParent: parent?.key ?? "",
      state: isObject ? OBJECT_START : ARRAY_START,
      key: "",
      diff: undefined,
      diffBatch: -1,
      openedBatch: this.batch,
      replacing: false
    }
    if (visible) {
      const announced = isObject ? {} : []
      this.change(parent, announced)
      frame.diff = announced
      frame.diffBatch = this.batch
    }
    this.stack.push(frame)
  }

  private close(): void {
    const frame = this.stack.pop()!
    this.complete(frame.value, frame.visible)
  }

  /** A value is complete; `announced` when its changes were given out as it was read. */
  private complete(value: JsonValue, announced: boolean): void {
    const parent = this.stack[this.stack.length - 1]
    if (parent === undefined) {
      this.rootDone = true
      this.rootValue = value
      if (!announced) this.change(undefined, value)
      return
    }
    if (parent.isObject) {
      setKey(parent.value as Record<string, JsonValue>, parent.key, value)
      if (parent.visible && !announced) this.change(parent, value)
      parent.state = OBJECT_AFTER
    } else {
      ;(parent.value as Array<JsonValue>).push(value)
      if (parent.visible) this.change(parent, value)
      parent.state = ARRAY_AFTER
    }
  }

  private startString(isKey: boolean): void {
    this.token = TOKEN_STRING
    this.stringIsKey = isKey
    this.stringVisible = !isKey && this.visibleHere()
    this.stringText = ""
    this.stringFlushed = 0
    this.escape = 0
    if (this.stringVisible) this.change(this.stack[this.stack.length - 1], "")
  }

  private readString(text: string, start: number): number {
    const length = text.length
    let index = start
    while (index < length) {
      if (this.escape === 0) {
        let end = index
        while (end < length) {
          const code = text.charCodeAt(end)
          if (code === 34 || code === 92 || code < 32) break
          end++
        }
        if (end > index) this.stringText += text.slice(index, end)
        index = end
        if (index >= length) break
        const code = text.charCodeAt(index)
        index++
        if (code === 34) {
          this.finishString()
          return index
        }
        if (code !== 92) {
          this.fail()
          return index
        }
        this.escape = 1
      } else if (this.escape === 1) {
        const character = text[index]!
        index++
        if (character === "u") {
          this.escape = 2
          this.unicode = ""
          continue
        }
        const escaped = escapes[character]
        if (escaped === undefined) {
          this.fail()
          return index
        }
        this.stringText += escaped
        this.escape = 0
      } else {
        if (!isHex(text.charCodeAt(index))) {
          this.fail()
          return index
        }
        this.unicode += text[index]
        index++
        if (this.unicode.length === 4) {
          this.stringText += String.fromCharCode(parseInt(this.unicode, 16))
          this.escape = 0
        }
      }
    }
    return index
  }

  private flushString(whole: boolean): void {
    if (!this.stringVisible) return
    let end = this.stringText.length
    // half of a surrogate pair is not text yet: its other half is still to come
    if (!whole && end > this.stringFlushed && isHighSurrogate(this.stringText.charCodeAt(end - 1))) end--
    if (end <= this.stringFlushed) return
    const piece = this.stringText.slice(this.stringFlushed, end)
    this.stringFlushed = end
    const frame = this.stack[this.stack.length - 1]
    if (frame === undefined) {
      this.change(undefined, (this.rootDiffBatch === this.batch ? this.rootDiff as string : "") + piece)
      return
    }
    const node = this.diffOf(frame) as Record<string, JsonValue>
    const current: unknown = node[frame.key]
    setKey(
      node,
      frame.key,
      Concat.isReplacement(current)
        ? Concat.replace((current.value as string) + piece)
        : (Object.hasOwn(node, frame.key) ? current as string : "") + piece
    )
  }

  private finishString(): void {
    this.token = TOKEN_NONE
    const text = this.stringText
    if (this.stringIsKey) {
      const frame = this.stack[this.stack.length - 1]!
      // a key given twice: JSON.parse keeps the last value, in the first one's place
      frame.replacing = frame.visible && Object.hasOwn(frame.value, text)
      frame.key = text
      frame.state = OBJECT_COLON
      return
    }
    this.flushString(true)
    this.complete(text, this.stringVisible)
  }

  private finishNumber(): void {
    this.token = TOKEN_NONE
    if (!numberSyntax.test(this.numberText)) return this.fail()
    this.complete(Number(this.numberText), false)
  }

  /** What is certain now, as a fresh value; `undefined` when nothing is. */
  snapshot(): JsonValue | undefined {
    if (this.rootDone) return this.rootValue
    let child: JsonValue | undefined = undefined
    if (this.token === TOKEN_STRING && this.stringVisible) {
      const text = this.stringText
      child = text.length > 0 && isHighSurrogate(text.charCodeAt(text.length - 1)) ? text.slice(0, -1) : text
    }
    let top = this.stack.length - 1
    while (top >= 0 && !this.stack[top]!.visible) top--
    if (top < this.stack.length - 1) child = undefined
    for (let index = top; index >= 0; index--) {
      const frame = this.stack[index]!
      if (frame.isObject) {
        const copy: Record<string, JsonValue> = {}
        for (const key of Object.keys(frame.value)) setKey(copy, key, (frame.value as Record<string, JsonValue>)[key]!)
        if (child !== undefined) setKey(copy, frame.key, child)
        child = copy
      } else {
        child = [...(frame.value as Array<JsonValue>)]
      }
    }
    return child
  }

  /** The pending difference since the last call, if anything changed. */
  takeChanges(): JsonValue | undefined {
    const difference = this.rootDiffBatch === this.batch ? this.rootDiff : undefined
    this.rootDiff = undefined
    this.batch++
    return difference
  }
}

/**
 * The chunks `OutputParser.json` yields for an answer arriving piece by piece: differences the
 * concat rule combines into the value parsed so far. Reads the text itself as JSON, or else (once
 * that fails) the JSON in the first ``` fence. A switch from one to the other after something
 * was yielded yields the new value as a whole, as a `Concat.replace`; so does a key given twice,
 * for that key's value.
 *
 * @internal
 */
export class JsonChunks {
  /** All the text so far. */
  text = ""
  private reader: Reader | undefined = new Reader(false)
  private searching = false
  private searchFrom = 0
  /** "stale": what was yielded came from a reader that failed; the next chunk must replace it. */
  private yielded: "nothing" | "current" | "stale" = "nothing"

  push(piece: string): ReadonlyArray<JsonValue> {
    this.text += piece
    const reader = this.reader
    if (reader !== undefined) {
      reader.feed(piece)
      if (!reader.failed) return this.collect(reader)
      this.reader = undefined
      if (this.yielded === "current") this.yielded = "stale"
      if (reader.fenced) return []
      this.searching = true
    }
    if (!this.searching) return []
    const fence = this.text.indexOf("```", this.searchFrom)
    if (fence < 0) {
      this.searchFrom = Math.max(0, this.text.length - 2)
      return []
    }
    this.searchFrom = fence
    const body = fenceBody(this.text, fence, true)
    if (body === undefined) return []
    this.searching = false
    const fenced = new Reader(true)
    this.reader = fenced
    fenced.feed(body)
    if (fenced.failed) {
      this.reader = undefined
      return []
    }
    return this.collect(fenced)
  }

  private collect(reader: Reader): ReadonlyArray<JsonValue> {
    const difference = reader.takeChanges()
    if (difference === undefined) return []
    const replaces = this.yielded === "stale"
    this.yielded = "current"
    return [replaces ? Concat.replace(reader.snapshot()!) : difference]
  }

  /** The chunks that take what was yielded to the complete value. */
  finish(value: JsonValue): ReadonlyArray<JsonValue> {
    if (this.yielded === "nothing") return [value]
    if (this.yielded === "stale") return [Concat.replace(value)]
    const change = diff(this.reader!.snapshot() ?? null, value)
    return change === NO_CHANGE ? [] : [change]
  }
}

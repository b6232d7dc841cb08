/**
 * A streamed chat completion: the response body's server-sent events (`data: {chunk}` lines,
 * ended by `data: [DONE]`) decoded into `@effect/ai` stream parts, as a channel that stops
 * reading at `[DONE]` and fails with a typed error on anything else it cannot read.
 *
 * The SSE parsing is strict on purpose: `@effect/experimental`'s `Sse` follows the browser's
 * EventSource (unknown lines are skipped, `retry:` pauses the stream, an oversized event is a
 * defect), while a chat-completions stream only ever holds `data:` lines, comments and blank
 * lines, so anything else is reported as malformed output naming the line.
 *
 * @internal
 */
import type * as AiError from "@effect/ai/AiError"
import type * as Response from "@effect/ai/Response"
import * as Channel from "effect/Channel"
import * as Chunk from "effect/Chunk"
import * as Either from "effect/Either"
import * as Stream from "effect/Stream"
import * as Wire from "./chatCompletionsWire.js"

const method = "streamText"

/** The longest line or event the decoder holds before giving up: 16 MiB. */
const maxPending = 16 * 1024 * 1024

interface ToolCallState {
  readonly id: string
  name: string
  args: string
  started: boolean
  ended: boolean
}

type Out = Array<Response.StreamPartEncoded>

/** A part that carries some of the answer (what time to first token waits for). */
const isToken = (part: Response.StreamPartEncoded): boolean =>
  part.type === "text-delta" || part.type === "reasoning-delta" || part.type === "tool-call"

/**
 * The decoding state of one response: the SSE line buffer, the pending event, the open text and
 * reasoning blocks and the tool calls being assembled.
 *
 * @internal
 */
export class EventStreamDecoder {
  private readonly decoder = new TextDecoder()
  private buffer = ""
  private data: string | undefined = undefined
  private event: string | undefined = undefined

  private metadataSent = false
  private blocks = 0
  private textId: string | undefined = undefined
  private reasoningId: string | undefined = undefined
  private readonly toolCalls: Array<ToolCallState> = []
  private readonly toolCallsByIndex = new Map<number, ToolCallState>()
  private finishReason: string | null | undefined = undefined
  private usage: Wire.Usage | null | undefined = undefined

  /** Whether `data: [DONE]` has been read (and the finish part emitted). */
  done = false

  /** Text read but not decoded yet: what followed the first token (see `feed`'s `untilToken`). */
  private held = ""

  /**
   * Reads body bytes; stops at `[DONE]` or at the first error. With `untilToken`, it stops after
   * the first event that gives a token and holds the rest of the text for `resume`, so that the
   * first token goes on before the rest of a burst is decoded.
   */
  feed(input: Chunk.Chunk<Uint8Array>, out: Out, untilToken = false): AiError.AiError | undefined {
    for (const bytes of input) {
      const text = this.decoder.decode(bytes, { stream: true })
      if (this.held !== "" || (untilToken && out.some(isToken))) {
        this.held += text
        continue
      }
      const error = this.feedText(text, out, untilToken)
      if (error !== undefined || this.done) return error
    }
    return undefined
  }

  /** Whether text is held after the first token (see `feed`). */
  get holding(): boolean {
    return this.held !== ""
  }

  /** Decodes the text held after the first token. */
  resume(out: Out): AiError.AiError | undefined {
    const text = this.held
    this.held = ""
    return this.feedText(text, out)
  }

  /** The body has ended: reads what is left, and fails unless `[DONE]` was among it. */
  end(out: Out): AiError.AiError | undefined {
    let error = this.feedText(this.decoder.decode(), out)
    if (error !== undefined || this.done) return error
    // a last line or event the server did not terminate
    if (this.buffer !== "") {
      const line = this.buffer
      this.buffer = ""
      error = this.line(line, out)
      if (error !== undefined || this.done) return error
    }
    if (this.data !== undefined) {
      error = this.dispatch(out)
      if (error !== undefined || this.done) return error
    }
    return Wire.malformedOutput(method, "stream ended before [DONE]")
  }

  private feedText(text: string, out: Out, untilToken = false): AiError.AiError | undefined {
    if (text === "") return undefined
    const firstNewline = text.indexOf("\n")
    if (firstNewline === -1) {
      // only the new text is searched: rescanning what is held would make a long line quadratic
      this.buffer += text
      return this.tooLong()
    }
    const pending = this.buffer === "" ? text : this.buffer + text
    let start = 0
    let newline = pending.length - text.length + firstNewline
    while (newline !== -1) {
      const end = newline > start && pending.charCodeAt(newline - 1) === 13 ? newline - 1 : newline
      const error = this.line(pending.slice(start, end), out)
      start = newline + 1
      if (error !== undefined || this.done) {
        this.buffer = ""
        return error
      }
      if (untilToken && start < pending.length && out.some(isToken)) {
        this.buffer = ""
        this.held = pending.slice(start)
        return undefined
      }
      newline = pending.indexOf("\n", start)
    }
    this.buffer = start === 0 ? pending : pending.slice(start)
    return this.tooLong()
  }

  private tooLong(): AiError.AiError | undefined {
    return this.buffer.length > maxPending
      ? Wire.malformedOutput(method, `an SSE line is longer than ${maxPending} characters`)
      : undefined
  }

  private line(line: string, out: Out): AiError.AiError | undefined {
    if (line === "") {
      if (this.data !== undefined) return this.dispatch(out)
      this.event = undefined
      return undefined
    }
    if (line.charCodeAt(0) === 58) return undefined // ":" starts a comment (a keep-alive)
    const colon = line.indexOf(":")
    const field = colon === -1 ? line : line.slice(0, colon)
    let value = colon === -1 ? "" : line.slice(colon + 1)
    if (value.charCodeAt(0) === 32) value = value.slice(1)
    switch (field) {
      case "data": {
        this.data = this.data === undefined ? value : `${this.data}\n${value}`
        return this.data.length > maxPending
          ? Wire.malformedOutput(method, `an SSE event is longer than ${maxPending} characters`)
          : undefined
      }
      case "event": {
        this.event = value
        return undefined
      }
      case "id":
      case "retry":
        return undefined
      default:
        return Wire.malformedOutput(method, `malformed SSE line: ${Wire.excerpt(line)}`)
    }
  }

  private dispatch(out: Out): AiError.AiError | undefined {
    const data = this.data ?? ""
    const event = this.event
    this.data = undefined
    this.event = undefined
    if (event === "error") {
      const payload = Wire.parseJson(data)
      return Wire.serverError(method, Either.isRight(payload) ? payload.right : data)
    }
    if (data === "[DONE]" || (data.length < 16 && data.trim() === "[DONE]")) return this.complete(out)
    if (data.trim() === "") return undefined
    const json = Wire.parseJson(data)
    if (Either.isLeft(json)) {
      return Wire.malformedOutput(method, `malformed JSON in an SSE event: ${Wire.excerpt(data)}`, json.left)
    }
    if (Wire.isErrorPayload(json.right)) return Wire.serverError(method, json.right)
    const chunk = Wire.decodeChunk(json.right)
    if (Either.isLeft(chunk)) {
      return Wire.malformedOutput(
        method,
        `an SSE event is not a chat-completion chunk: ${Wire.parseIssue(chunk.left)}`,
        chunk.left
      )
    }
    return this.chunk(chunk.right, out)
  }

  private chunk(chunk: Wire.ChatCompletionChunk, out: Out): AiError.AiError | undefined {
    if (!this.metadataSent) {
      this.metadataSent = true
      out.push(Wire.responseMetadata(chunk.id, chunk.model, chunk.created))
    }
    if (chunk.usage !== null && chunk.usage !== undefined) this.usage = chunk.usage
    for (const choice of chunk.choices ?? []) {
      if ((choice.index ?? 0) !== 0) continue
      const delta = choice.delta
      if (delta !== null && delta !== undefined) {
        const reasoning = delta.reasoning_content ?? delta.reasoning
        if (reasoning !== null && reasoning !== undefined && reasoning !== "") {
          let id = this.reasoningId
          if (id === undefined) {
            id = this.reasoningId = `reasoning-${this.blocks++}`
            out.push({ type: "reasoning-start", id })
          }
          out.push({ type: "reasoning-delta", id, delta: reasoning })
        }
        const content = delta.content
        if (content !== null && content !== undefined && content !== "") {
          this.endReasoning(out)
          let id = this.textId
          if (id === undefined) {
            id = this.textId = `text-${this.blocks++}`
            out.push({ type: "text-start", id })
          }
          out.push({ type: "text-delta", id, delta: content })
        }
        for (const call of delta.tool_calls ?? []) this.toolCallDelta(call, out)
      }
      if (choice.finish_reason !== null && choice.finish_reason !== undefined) {
        this.finishReason = choice.finish_reason
        const error = this.closeBlocks(out)
        if (error !== undefined) return error
      }
    }
    return undefined
  }

  private toolCallDelta(call: Wire.ToolCallDelta, out: Out): void {
    const index = call.index ?? undefined
    const wireId = call.id ?? undefined
    let state = index !== undefined
      ? this.toolCallsByIndex.get(index)
      : wireId === undefined || wireId === ""
      ? this.toolCalls[this.toolCalls.length - 1]
      : this.toolCalls.find((toolCall) => toolCall.id === wireId)
    if (state === undefined || state.ended) {
      state = { id: Wire.toolCallId(wireId), name: "", args: "", started: false, ended: false }
      this.toolCalls.push(state)
      if (index !== undefined) this.toolCallsByIndex.set(index, state)
    }
    const name = call.function?.name
    if (state.name === "" && name !== null && name !== undefined) state.name = name
    const fragment = call.function?.arguments ?? ""
    state.args += fragment
    if (state.started) {
      if (fragment !== "") out.push({ type: "tool-params-delta", id: state.id, delta: fragment })
    } else if (state.name !== "") {
      this.startToolCall(state, out)
    }
  }

  private startToolCall(state: ToolCallState, out: Out): void {
    state.started = true
    out.push({ type: "tool-params-start", id: state.id, name: state.name, providerExecuted: false })
    if (state.args !== "") out.push({ type: "tool-params-delta", id: state.id, delta: state.args })
  }

  private endReasoning(out: Out): void {
    if (this.reasoningId === undefined) return
    out.push({ type: "reasoning-end", id: this.reasoningId })
    this.reasoningId = undefined
  }

  /** Ends the open text and reasoning, and emits every tool call assembled so far. */
  private closeBlocks(out: Out): AiError.AiError | undefined {
    this.endReasoning(out)
    if (this.textId !== undefined) {
      out.push({ type: "text-end", id: this.textId })
      this.textId = undefined
    }
    for (const state of this.toolCalls) {
      if (state.ended) continue
      if (state.name === "") return Wire.malformedOutput(method, `the tool call ${state.id} has no function name`)
      if (!state.started) this.startToolCall(state, out)
      const params = Wire.toolCallParams(method, state.name, state.id, state.args)
      if (Either.isLeft(params)) return params.left
      state.ended = true
      out.push({ type: "tool-params-end", id: state.id })
      out.push({ type: "tool-call", id: state.id, name: state.name, params: params.right, providerExecuted: false })
    }
    return undefined
  }

  private complete(out: Out): AiError.AiError | undefined {
    const error = this.closeBlocks(out)
    if (error !== undefined) return error
    out.push({
      type: "finish",
      reason: Wire.finishReason(this.finishReason, this.toolCalls.length > 0),
      usage: Wire.usage(this.usage),
      metadata: Wire.finishMetadata(this.finishReason)
    })
    this.done = true
    return undefined
  }
}

const write = (out: Out) => out.length === 0 ? Channel.void : Channel.write(Chunk.unsafeFromArray(out))

const decodeChannel = (
  decoder: EventStreamDecoder
): Channel.Channel<
  Chunk.Chunk<Response.StreamPartEncoded>,
  Chunk.Chunk<Uint8Array>,
  AiError.AiError,
  AiError.AiError,
  void,
  unknown
> => {
  let firstToken = true
  const loop: Channel.Channel<
    Chunk.Chunk<Response.StreamPartEncoded>,
    Chunk.Chunk<Uint8Array>,
    AiError.AiError,
    AiError.AiError,
    void,
    unknown
  > = Channel.readWithCause({
    onInput: (input: Chunk.Chunk<Uint8Array>) => {
      const out: Out = []
      const error = decoder.feed(input, out, firstToken)
      if (error !== undefined) return Channel.zipRight(write(out), Channel.fail(error))
      if (firstToken && out.some(isToken)) firstToken = false
      // the first token goes on alone; the rest of its network read is decoded after it
      return Channel.zipRight(write(out), decoder.holding ? resumed : decoder.done ? Channel.void : loop)
    },
    onFailure: (cause) => Channel.failCause(cause),
    onDone: () => {
      const out: Out = []
      const error = decoder.end(out)
      return error === undefined ? write(out) : Channel.zipRight(write(out), Channel.fail(error))
    }
  })
  const resumed: typeof loop = Channel.suspend(() => {
    const out: Out = []
    const error = decoder.resume(out)
    if (error !== undefined) return Channel.zipRight(write(out), Channel.fail(error))
    return Channel.zipRight(write(out), decoder.done ? Channel.void : loop)
  })
  return loop
}

/**
 * A response body of server-sent chat-completion chunks as stream parts. The stream ends at
 * `data: [DONE]` (without reading further); it fails with `MalformedOutput` on a malformed line,
 * event or chunk and when the body ends before `[DONE]`, and with `UnknownError` when the server
 * reports an error in the stream.
 *
 * @internal
 */
export const decodeEventStream = (
  body: Stream.Stream<Uint8Array, AiError.AiError>
): Stream.Stream<Response.StreamPartEncoded, AiError.AiError> =>
  Stream.suspend(() => Stream.pipeThroughChannel(body, decodeChannel(new EventStreamDecoder())))

/**
 * A real OpenAI-compatible chat-completions server for tests: node:http on 127.0.0.1, an
 * ephemeral port, started in the test's scope and stopped (every connection closed) when the
 * scope closes. Each request is recorded (headers, parsed JSON body, a promise of its socket's
 * close) and answered by the test's handler, which writes the real wire format with the helpers
 * below: JSON completions, SSE chunks (optionally split across TCP writes), error bodies.
 */
import { Effect } from "effect"
import type { Scope } from "effect"
import * as http from "node:http"
import type { AddressInfo, Socket } from "node:net"

/** A request as the server received it. */
export interface ReceivedRequest {
  readonly method: string
  readonly url: string
  readonly headers: http.IncomingHttpHeaders
  /** The body parsed as JSON (the raw text when it is not JSON). */
  readonly body: any
  /** Resolves when the request's TCP socket closes (the client hung up or the server closed it). */
  readonly closed: Promise<void>
  /** Whether the request's socket has closed. */
  readonly isClosed: () => boolean
}

/** Answers one request. */
export type Handler = (request: ReceivedRequest, response: http.ServerResponse) => void | Promise<void>

export interface ChatServer {
  /** The base URL to give the client: `http://127.0.0.1:<port>/v1`. */
  readonly apiUrl: string
  readonly port: number
  /** Every request received so far, in arrival order. */
  readonly requests: ReadonlyArray<ReceivedRequest>
  /** Resolves with the `index`-th request (0-based) once it has arrived. */
  readonly request: (index: number) => Promise<ReceivedRequest>
  /** How many TCP connections clients have opened so far, whether or not they carried a request. */
  readonly connections: () => number
  /** How many of those connections are still open. */
  readonly openConnections: () => number
}

/**
 * Starts the server in the current scope. With several handlers, the n-th request is answered by
 * the n-th handler (the last one answering every request after it).
 */
export const chatServer = (handlers: Handler | ReadonlyArray<Handler>): Effect.Effect<ChatServer, never, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.async<{ readonly server: http.Server; readonly chat: ChatServer }>((resume) => {
      const list = Array.isArray(handlers) ? handlers : [handlers as Handler]
      const requests: Array<ReceivedRequest> = []
      const waiting: Array<{ readonly index: number; readonly resolve: (request: ReceivedRequest) => void }> = []
      // one close watch per socket (a kept-alive socket serves several requests)
      const sockets = new WeakMap<Socket, { readonly closed: Promise<void>; readonly isClosed: () => boolean }>()
      const watch = (socket: Socket) => {
        let watched = sockets.get(socket)
        if (watched === undefined) {
          let isClosed = socket.destroyed
          const closed = new Promise<void>((resolve) => {
            if (isClosed) return resolve()
            socket.once("close", () => {
              isClosed = true
              resolve()
            })
          })
          watched = { closed, isClosed: () => isClosed }
          sockets.set(socket, watched)
        }
        return watched
      }
      const server = http.createServer((incoming, response) => {
        const socket = incoming.socket
        socket.setNoDelay(true)
        const { closed, isClosed } = watch(socket)
        const chunks: Array<Buffer> = []
        incoming.on("data", (chunk: Buffer) => chunks.push(chunk))
        incoming.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8")
          let body: unknown = text
          try {
            body = JSON.parse(text)
          } catch {
            // not JSON: keep the text
          }
          const request: ReceivedRequest = {
            method: incoming.method ?? "",
            url: incoming.url ?? "",
            headers: incoming.headers,
            body,
            closed,
            isClosed
          }
          const index = requests.push(request) - 1
          for (const waiter of waiting.filter((waiter) => waiter.index === index)) waiter.resolve(request)
          const handler = list[Math.min(index, list.length - 1)]!
          Promise.resolve(handler(request, response)).catch((error) => {
            if (!response.headersSent) response.writeHead(599)
            response.destroy(error instanceof Error ? error : new Error(String(error)))
          })
        })
      })
      let connections = 0
      let openConnections = 0
      server.on("connection", (socket: Socket) => {
        connections++
        openConnections++
        socket.once("close", () => openConnections--)
      })
      server.listen(0, "127.0.0.1", () => {
        const port = (server.address() as AddressInfo).port
        resume(Effect.succeed({
          server,
          chat: {
            apiUrl: `http://127.0.0.1:${port}/v1`,
            port,
            requests,
            request: (index) => {
              const arrived = requests[index]
              return arrived !== undefined
                ? Promise.resolve(arrived)
                : new Promise((resolve) => waiting.push({ index, resolve }))
            },
            connections: () => connections,
            openConnections: () => openConnections
          }
        }))
      })
    }),
    ({ server }) =>
      Effect.async<void>((resume) => {
        server.closeAllConnections()
        server.close(() => resume(Effect.void))
      })
  ).pipe(Effect.map(({ chat }) => chat))

// -----------------------------------------------------------------------------
// the wire format
// -----------------------------------------------------------------------------

export const created = 1_700_000_000

export interface WireUsage {
  readonly prompt_tokens: number
  readonly completion_tokens: number
  readonly total_tokens: number
  readonly [key: string]: unknown
}

export interface WireToolCall {
  readonly id: string
  readonly name: string
  readonly arguments: string
}

/** A `chat.completion` object (the body of a `stream: false` answer). */
export const completion = (options: {
  readonly content?: string | null
  readonly toolCalls?: ReadonlyArray<WireToolCall>
  readonly finishReason?: string | null
  readonly usage?: WireUsage
  readonly reasoning?: string
}) => ({
  id: "chatcmpl-test",
  object: "chat.completion",
  created,
  model: "test-model",
  choices: [{
    index: 0,
    message: {
      role: "assistant",
      content: options.content === undefined ? null : options.content,
      ...(options.reasoning === undefined ? {} : { reasoning_content: options.reasoning }),
      ...(options.toolCalls === undefined ? {} : {
        tool_calls: options.toolCalls.map((call) => ({
          id: call.id,
          type: "function",
          function: { name: call.name, arguments: call.arguments }
        }))
      })
    },
    logprobs: null,
    finish_reason: options.finishReason === undefined ? "stop" : options.finishReason
  }],
  usage: options.usage ?? { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 },
  system_fingerprint: "fp_test"
})

/** A `chat.completion.chunk` with one choice holding `delta`. */
export const chunk = (delta: Record<string, unknown>, finishReason: string | null = null) => ({
  id: "chatcmpl-test",
  object: "chat.completion.chunk",
  created,
  model: "test-model",
  system_fingerprint: "fp_test",
  choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }]
})

/** The last chunk of a stream with `stream_options.include_usage`: no choices, the usage. */
export const usageChunk = (usage: WireUsage) => ({
  id: "chatcmpl-test",
  object: "chat.completion.chunk",
  created,
  model: "test-model",
  choices: [],
  usage
})

/** One server-sent event: `data: <json>` and a blank line. */
export const event = (payload: unknown): string => `data: ${JSON.stringify(payload)}\n\n`

/** The terminating event. */
export const done = "data: [DONE]\n\n"

/** The events of a streamed text answer: a role chunk, one chunk per token, a stop, the usage. */
export const textEvents = (tokens: ReadonlyArray<string>, usage?: WireUsage): Array<string> => [
  event(chunk({ role: "assistant", content: "" })),
  ...tokens.map((token) => event(chunk({ content: token }))),
  event(chunk({}, "stop")),
  event(usageChunk(usage ?? { prompt_tokens: 7, completion_tokens: tokens.length, total_tokens: 7 + tokens.length })),
  done
]

export const pause = (millis: number) => new Promise<void>((resolve) => setTimeout(resolve, millis))

/** Answers with a JSON body. */
export const sendJson = (
  response: http.ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {}
): void => {
  response.writeHead(status, { "content-type": "application/json", ...headers })
  response.end(JSON.stringify(body))
}

/** Starts an SSE answer: status 200, `text/event-stream`, headers flushed. */
export const startSse = (response: http.ServerResponse): void => {
  response.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" })
  response.flushHeaders()
}

/**
 * Writes each piece of SSE text. With `split`, each piece goes out as two TCP writes, cut in the
 * middle of its bytes (so a line, and possibly a multi-byte character, is cut in two), with a
 * pause between them so that the client reads them separately.
 */
export const writeSse = async (
  response: http.ServerResponse,
  pieces: ReadonlyArray<string>,
  options: { readonly split?: boolean; readonly pauseMillis?: number } = {}
): Promise<void> => {
  const pauseMillis = options.pauseMillis ?? 2
  for (const piece of pieces) {
    const bytes = Buffer.from(piece, "utf8")
    if (options.split === true && bytes.length > 1) {
      const middle = Math.floor(bytes.length / 2)
      response.write(bytes.subarray(0, middle))
      await pause(pauseMillis)
      response.write(bytes.subarray(middle))
    } else {
      response.write(bytes)
    }
    if (pauseMillis > 0) await pause(pauseMillis)
  }
}

/** Writes a whole SSE answer and ends it. */
export const sendSse = async (
  response: http.ServerResponse,
  pieces: ReadonlyArray<string>,
  options: { readonly split?: boolean; readonly pauseMillis?: number } = {}
): Promise<void> => {
  startSse(response)
  await writeSse(response, pieces, options)
  response.end()
}

/**
 * Waits for a promise for at most `millis` of real time (whatever clock the test runs on),
 * failing with an error naming what it waited for.
 */
export const within = <A>(promise: Promise<A>, millis: number, what: string): Effect.Effect<A, Error> =>
  Effect.tryPromise({
    try: () =>
      new Promise<A>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`waited ${millis} ms for ${what}`)), millis)
        promise.then(
          (value) => {
            clearTimeout(timer)
            resolve(value)
          },
          (error) => {
            clearTimeout(timer)
            reject(error)
          }
        )
      }),
    catch: (error) => error instanceof Error ? error : new Error(String(error))
  })

/**
 * Waits until `condition()` holds, checking every few milliseconds of real time, for at most
 * `millis`, failing with an error naming what it waited for.
 */
export const waitUntil = (condition: () => boolean, millis: number, what: string): Effect.Effect<void, Error> =>
  Effect.tryPromise({
    try: () =>
      new Promise<void>((resolve, reject) => {
        const deadline = Date.now() + millis
        const check = () => {
          if (condition()) return resolve()
          if (Date.now() >= deadline) return reject(new Error(`waited ${millis} ms for ${what}`))
          setTimeout(check, 5)
        }
        check()
      }),
    catch: (error) => error instanceof Error ? error : new Error(String(error))
  })

/** A port on 127.0.0.1 that nothing listens on (it was free a moment ago). */
export const closedPort: Effect.Effect<number> = Effect.async<number>((resume) => {
  const server = http.createServer()
  server.listen(0, "127.0.0.1", () => {
    const port = (server.address() as AddressInfo).port
    server.close(() => resume(Effect.succeed(port)))
  })
})

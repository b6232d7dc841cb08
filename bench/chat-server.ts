/**
 * The loopback chat-completions server of `model-pipeline.ts`, run in a child process of it
 * (`node --import tsx bench/chat-server.ts <tokens>`, started with `fork`): node:http on
 * 127.0.0.1, an ephemeral port sent to the parent over IPC.
 *
 * `POST /v1/chat/completions` with `stream: true` answers in the real SSE wire format (the
 * helpers are copied from packages/adapters/test/support/chatServer.ts): a role chunk, one
 * `chat.completion.chunk` per token, a stop chunk, a usage chunk and `data: [DONE]`, each event
 * its own `response.write`, with no delay between them. The events are built once at start-up,
 * so every request gets the same bytes, whichever client asks. `stream: false` gets the JSON
 * completion of the same text.
 *
 * The server measures its own time per request (from the request's last body byte to the
 * response's `finish`: every byte handed to the kernel) and sends it to the parent on request
 * (`{ type: "stats" }` → `{ type: "stats", serverMillis: [...] }`, the list then reset).
 */
import * as http from "node:http"
import type { AddressInfo } from "node:net"

const created = 1_700_000_000

const chunk = (delta: Record<string, unknown>, finishReason: string | null = null) => ({
  id: "chatcmpl-bench",
  object: "chat.completion.chunk",
  created,
  model: "test-model",
  system_fingerprint: "fp_test",
  choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }]
})

const usageChunk = (usage: { prompt_tokens: number; completion_tokens: number; total_tokens: number }) => ({
  id: "chatcmpl-bench",
  object: "chat.completion.chunk",
  created,
  model: "test-model",
  choices: [],
  usage
})

const event = (payload: unknown): string => `data: ${JSON.stringify(payload)}\n\n`

/** The tokens of the answer: short words, as a model streams them. */
export const tokensOf = (count: number): Array<string> =>
  Array.from({ length: count }, (_, index) => (index === 0 ? "word0" : ` word${index % 1000}`))

/** The events of a streamed text answer: a role chunk, one chunk per token, a stop, the usage, `[DONE]`. */
export const textEvents = (tokens: ReadonlyArray<string>): Array<string> => [
  event(chunk({ role: "assistant", content: "" })),
  ...tokens.map((token) => event(chunk({ content: token }))),
  event(chunk({}, "stop")),
  event(usageChunk({ prompt_tokens: 7, completion_tokens: tokens.length, total_tokens: 7 + tokens.length })),
  "data: [DONE]\n\n"
]

const completion = (content: string, tokens: number) => ({
  id: "chatcmpl-bench",
  object: "chat.completion",
  created,
  model: "test-model",
  choices: [{ index: 0, message: { role: "assistant", content }, logprobs: null, finish_reason: "stop" }],
  usage: { prompt_tokens: 7, completion_tokens: tokens, total_tokens: 7 + tokens },
  system_fingerprint: "fp_test"
})

export interface Started {
  readonly server: http.Server
  readonly port: number
  /** Milliseconds each request took the server since the last call (the list is then reset). */
  readonly takeServerMillis: () => Array<number>
}

/** Starts the server on 127.0.0.1 (an ephemeral port) answering `tokens` tokens. */
export const startChatServer = (tokenCount: number): Promise<Started> => {
  const tokens = tokensOf(tokenCount)
  const events = textEvents(tokens).map((piece) => Buffer.from(piece, "utf8"))
  const json = Buffer.from(JSON.stringify(completion(tokens.join(""), tokens.length)), "utf8")
  let serverMillis: Array<number> = []
  const server = http.createServer((incoming, response) => {
    incoming.socket.setNoDelay(true)
    const body: Array<Buffer> = []
    incoming.on("data", (data: Buffer) => body.push(data))
    incoming.on("end", () => {
      const start = performance.now()
      response.on("finish", () => serverMillis.push(performance.now() - start))
      let request: { stream?: unknown } = {}
      try {
        request = JSON.parse(Buffer.concat(body).toString("utf8")) as { stream?: unknown }
      } catch {
        response.writeHead(400, { "content-type": "application/json" })
        response.end(JSON.stringify({ error: { message: "body is not JSON" } }))
        return
      }
      if (incoming.url !== "/v1/chat/completions") {
        response.writeHead(404, { "content-type": "application/json" })
        response.end(JSON.stringify({ error: { message: `no route ${incoming.url}` } }))
        return
      }
      if (request.stream !== true) {
        response.writeHead(200, { "content-type": "application/json", "content-length": String(json.length) })
        response.end(json)
        return
      }
      response.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" })
      response.flushHeaders()
      for (const piece of events) response.write(piece)
      response.end()
    })
  })
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () => {
      resolve({
        server,
        port: (server.address() as AddressInfo).port,
        takeServerMillis: () => {
          const taken = serverMillis
          serverMillis = []
          return taken
        }
      })
    })
  })
}

// run as a child process: start, tell the parent the port, answer its requests for stats
if (process.send !== undefined && process.argv[1] !== undefined && process.argv[1].endsWith("chat-server.ts")) {
  const started = await startChatServer(Number(process.argv[2] ?? "2000"))
  process.on("message", (message: { readonly type?: string }) => {
    if (message.type === "stats") process.send!({ type: "stats", serverMillis: started.takeServerMillis() })
  })
  process.on("disconnect", () => {
    started.server.closeAllConnections()
    started.server.close()
  })
  process.send({ type: "listening", port: started.port })
}

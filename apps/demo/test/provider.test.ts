import { FakeModel } from "@fxchain/adapters"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { answerText, readPrompt, triageOf } from "../src/fakeTriage.js"
import { chatServer, completion, sendJson, sendSse, textEvents } from "../../../packages/adapters/test/support/chatServer.js"
import type { ReceivedRequest } from "../../../packages/adapters/test/support/chatServer.js"
import { readJsonLines, runCli, tempFile } from "./support/harness.js"

/** The ticket a request is about, read from its last user message. */
const ticketOf = (request: ReceivedRequest) => {
  const user = [...request.body.messages].reverse().find((message: any) => message.role === "user")
  const text = typeof user.content === "string" ? user.content : user.content.map((part: any) => part.text).join("")
  return readPrompt(text)!
}

describe("with FXCHAIN_OPENAI_BASE_URL set: an OpenAI-compatible chat-completions server", () => {
  it.scopedLive("runs the same pipeline over HTTP: streamed answers, a 429 retried after its retry-after, a 503 falling back", () =>
    Effect.gen(function*() {
      const seen = new Map<string, number>()
      const server = yield* chatServer(async (request, response) => {
        const ticket = ticketOf(request)
        const call = seen.get(ticket.id) ?? 0
        seen.set(ticket.id, call + 1)
        if (ticket.id === "TCK-1002" && call === 0) {
          return sendJson(response, 429, { error: { message: "Rate limit reached", type: "rate_limit" } }, {
            "retry-after": "1"
          })
        }
        if (ticket.id === "TCK-1003" && request.body.model === "test-primary") {
          return sendJson(response, 503, { error: { message: "The model is overloaded", type: "server_error" } })
        }
        const answer = answerText(triageOf(ticket))
        if (request.body.stream !== true) return sendJson(response, 200, completion({ content: answer }))
        return sendSse(response, textEvents(FakeModel.tokens(answer)))
      })
      const trace = yield* tempFile("provider.jsonl")
      const run = yield* runCli(["--items", "4", "--concurrency", "2", "--trace", trace], {
        env: {
          FXCHAIN_OPENAI_BASE_URL: server.apiUrl,
          FXCHAIN_OPENAI_API_KEY: "sk-loopback",
          FXCHAIN_MODEL: "test-primary",
          FXCHAIN_FALLBACK_MODEL: "test-fallback"
        }
      })
      expect(run.stderr).toBe("")
      expect(run.code).toBe(0)
      const out = run.stdout
      expect(out).toContain(`test-primary (fallback test-fallback) at ${server.apiUrl}`)
      expect(out).toContain("answered      4 of 4 (1 by the fallback model)")
      expect(out).toContain("retries       1 model call retried after a rate limit, on 1 ticket")
      expect(out).toContain("fallbacks     1 ticket handed to the fallback model")

      // what went over the wire: streamed requests with the key, the retry, the fallback model
      const requests = server.requests
      expect(requests).toHaveLength(6) // 4 tickets, a retry, a fallback
      for (const request of requests) {
        expect(request.url).toBe("/v1/chat/completions")
        expect(request.headers.authorization).toBe("Bearer sk-loopback")
        expect(request.body.stream).toBe(true)
        expect(request.body.messages[0].role).toBe("system")
      }
      expect(requests.filter((request) => ticketOf(request).id === "TCK-1002")).toHaveLength(2)
      expect(requests.filter((request) => request.body.model === "test-fallback").map((request) => ticketOf(request).id))
        .toEqual(["TCK-1003"])

      // the retry waited for the retry-after the server asked for
      const events = readJsonLines(trace)
      const attempts = events.filter((event) =>
        event.kind === "model" && (event._tag === "Started" || event._tag === "Failed") &&
        (event._tag === "Failed" ? event.error.response?.status === 429 : event.tags.includes("retry:attempt:2"))
      )
      expect(attempts.map((event) => event._tag)).toEqual(["Failed", "Started"])
      expect(attempts[1]!.timestamp - attempts[0]!.timestamp).toBeGreaterThanOrEqual(1_000)
      // tokens arrived one by one as SSE chunks
      const tokens = events.filter((event) => event._tag === "Streamed" && event.kind === "model" && event.chunk.text !== "")
      expect(tokens.length).toBeGreaterThan(4 * 10)
    }), { timeout: 20_000 })
})

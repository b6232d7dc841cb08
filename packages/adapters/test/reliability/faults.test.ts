/**
 * Faults of a real server speaking the chat-completions wire format over loopback: each ends in
 * a success or a typed failure, never a defect, a hang or an unhandled rejection. Retries honour
 * `Retry-After`, and fallbacks take over when the primary keeps failing.
 */
import { LanguageModel } from "@effect/ai"
import { NodeHttpClient } from "@effect/platform-node"
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import * as Fx from "@fxchain/combinators"
import { Runnable } from "@fxchain/core"
import { Cause, Effect, Exit, Redacted, Schedule, Stream } from "effect"
import * as ChatCompletions from "../../src/ChatCompletions.js"
import * as Model from "../../src/Model.js"
import * as OutputParser from "../../src/OutputParser.js"
import {
  chatServer,
  chunk,
  completion,
  event,
  sendJson,
  sendSse,
  startSse,
  textEvents,
  writeSse
} from "../support/chatServer.js"
import type { ChatServer, Handler } from "../support/chatServer.js"
import { record, soak, timed } from "./support/harness.js"

const unhandled: Array<unknown> = []
const onUnhandled = (reason: unknown) => unhandled.push(reason)
beforeAll(() => {
  process.on("unhandledRejection", onUnhandled)
})
afterAll(() => {
  process.off("unhandledRejection", onUnhandled)
  expect(unhandled).toEqual([])
})

/** The model's answer as text, streamed (prompt → model → parser) or invoked. */
const answer = Fx.sequence(Model.fromLanguageModel({ name: "model" }), OutputParser.string)

const serviceFor = (server: ChatServer, options: Partial<ChatCompletions.Options> = {}) =>
  ChatCompletions.make({ apiUrl: server.apiUrl, apiKey: Redacted.make("sk-test"), model: "test-model", ...options })

/** What a run ended with, in words: "success", or the failure's tag (and reason). Dies on a defect. */
const outcome = <A, E>(exit: Exit.Exit<A, E>): string => {
  if (Exit.isSuccess(exit)) return "success"
  const failure = Cause.failureOption(exit.cause)
  if (failure._tag === "None") throw new Error(`not a typed failure: ${Cause.pretty(exit.cause)}`)
  const error = failure.value as { readonly _tag?: string; readonly reason?: string }
  return error.reason === undefined ? `${error._tag}` : `${error._tag} (${error.reason})`
}

/**
 * Runs `effect` against a server answering with `handlers`, bounded in real time (a hang fails
 * the test), and records the outcome.
 */
const fault = <A, E>(
  name: string,
  handlers: Handler | ReadonlyArray<Handler>,
  run: (server: ChatServer, service: LanguageModel.Service) => Effect.Effect<A, E, never>,
  options: Partial<ChatCompletions.Options> = {}
) =>
  Effect.scoped(Effect.gen(function*() {
    const server = yield* chatServer(handlers)
    const service = yield* serviceFor(server, options)
    const [exit, millis] = yield* timed(Effect.exit(run(server, service).pipe(Effect.timeoutFail({
      duration: "20 seconds",
      onTimeout: () => new Error(`${name}: no outcome within 20 s (a hang)`)
    }))))
    const result = outcome(exit)
    record({ suite: "faults", name, outcome: result, requests: server.requests.length, millis })
    return { exit, result, server, millis }
  })).pipe(Effect.provide(NodeHttpClient.layerUndici))

const streamed = (service: LanguageModel.Service, prompt = "Hi") =>
  Runnable.stream(answer, prompt).pipe(
    Stream.runFold("", (text, piece) => text + piece),
    Effect.provideService(LanguageModel.LanguageModel, service)
  )

const invoked = (service: LanguageModel.Service, prompt = "Hi") =>
  Runnable.invoke(answer, prompt).pipe(Effect.provideService(LanguageModel.LanguageModel, service))

const timeout = 60_000

describe("faults: every server fault is a typed failure or a success", () => {
  it.live("the connection reset mid-stream", () =>
    Effect.gen(function*() {
      const { result } = yield* fault("connection reset mid-stream", async (_, response) => {
        startSse(response)
        await writeSse(response, [event(chunk({ role: "assistant", content: "" })), event(chunk({ content: "Hel" }))])
        response.socket!.resetAndDestroy()
      }, (_, service) => streamed(service))
      expect(result).toBe("HttpResponseError (Decode)")
    }), timeout)

  it.live("no first byte: the request times out", () =>
    Effect.gen(function*() {
      const silent: Handler = () => {
        // never answers
      }
      const { millis, result } = yield* fault("no first byte (timeout 300 ms)", silent, (_, service) => invoked(service), {
        timeout: "300 millis"
      })
      expect(result).toBe("HttpRequestError (Transport)")
      expect(millis).toBeGreaterThanOrEqual(290)
      const stalled = yield* fault("headers, then no byte of the body (timeout 300 ms)", (_, response) => {
        startSse(response)
      }, (_, service) => streamed(service), { timeout: "300 millis" })
      expect(stalled.result).toBe("HttpResponseError (Decode)")
    }), timeout)

  it.live("garbage bytes: instead of HTTP, and as the event stream", () =>
    Effect.gen(function*() {
      const notHttp = yield* fault("garbage instead of HTTP", (_, response) => {
        response.socket!.end(Buffer.from([0, 255, 13, 10, 71, 65, 82, 66, 65, 71, 69, 13, 10, 13, 10]))
      }, (_, service) => invoked(service))
      expect(notHttp.result).toBe("HttpRequestError (Transport)")
      const garbage = yield* fault("garbage bytes as the event stream", async (_, response) => {
        startSse(response)
        response.end(Buffer.from(Array.from({ length: 4096 }, (_, index) => (index * 7919) % 256)))
      }, (_, service) => streamed(service))
      expect(garbage.result).toBe("MalformedOutput")
    }), timeout)

  it.live("truncated JSON: in an event, and as a whole answer", () =>
    Effect.gen(function*() {
      const inEvent = yield* fault("truncated JSON in an event", async (_, response) => {
        startSse(response)
        response.end(`data: {"id":"x","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"he`)
      }, (_, service) => streamed(service))
      expect(inEvent.result).toBe("MalformedOutput")
      const whole = yield* fault("truncated JSON completion", (_, response) => {
        response.writeHead(200, { "content-type": "application/json" })
        response.end(JSON.stringify(completion({ content: "cut short" })).slice(0, 60))
      }, (_, service) => invoked(service))
      expect(whole.result).toBe("MalformedOutput")
    }), timeout)

  it.live("200 with a body that is not JSON", () =>
    Effect.gen(function*() {
      const { result } = yield* fault("200 with an HTML body", (_, response) => {
        response.writeHead(200, { "content-type": "application/json" })
        response.end("<html><body>502 Bad Gateway</body></html>")
      }, (_, service) => invoked(service))
      expect(result).toBe("MalformedOutput")
    }), timeout)

  it.live("a 10 MB event", () =>
    Effect.gen(function*() {
      const token = "x".repeat(10 * 1024 * 1024)
      const { exit, result } = yield* fault("a 10 MB event", (_, response) =>
        sendSse(response, textEvents([token, "!"]), { pauseMillis: 0 }), (_, service) => streamed(service))
      expect(result).toBe("success")
      expect(Exit.isSuccess(exit) && exit.value.length).toBe(token.length + 1)
    }), timeout)

  it.live("a 429 storm with Retry-After: every retry waits at least what the server asked", () =>
    Effect.gen(function*() {
      const callers = soak ? 100 : 20
      const arrivals = new Map<string, Array<number>>()
      let rateLimited = 0
      const storm: Handler = (request, response) => {
        const prompt = JSON.stringify(request.body.messages)
        const times = arrivals.get(prompt) ?? []
        times.push(performance.now())
        arrivals.set(prompt, times)
        if (times.length <= 2) {
          rateLimited++
          return sendJson(response, 429, { error: { message: "Rate limit reached" } }, { "retry-after": "0.3" })
        }
        sendJson(response, 200, completion({ content: "after the storm" }))
      }
      const retried = Fx.retry(answer, { times: 4 })
      const { exit, result } = yield* fault(`429 storm (${callers} callers, each limited twice, Retry-After 0.3 s)`, storm, (_, service) =>
        Runnable.batch(retried, Array.from({ length: callers }, (_, index) => `caller ${index}`), { concurrency: callers })
          .pipe(Effect.provideService(LanguageModel.LanguageModel, service)))
      expect(result).toBe("success")
      expect(Exit.isSuccess(exit) && exit.value.every((text) => text === "after the storm")).toBe(true)
      expect(rateLimited).toBe(2 * callers)
      for (const times of arrivals.values()) {
        expect(times).toHaveLength(3)
        // the default schedule would wait ~100 ms, then ~200 ms
        for (let index = 1; index < times.length; index++) expect(times[index]! - times[index - 1]!).toBeGreaterThanOrEqual(295)
      }
    }), timeout)

  it.live("500 bursts: retried until the server recovers", () =>
    Effect.gen(function*() {
      let failures = 0
      const burst: Handler = (_, response) =>
        ++failures <= 10
          ? sendJson(response, 500, { error: { message: "The server had an error" } })
          : sendJson(response, 200, completion({ content: "recovered" }))
      const retried = Fx.retry(answer, { schedule: Schedule.spaced("10 millis"), times: 20 })
      const { exit, result } = yield* fault("500 burst (10 in a row), retried", burst, (_, service) =>
        Runnable.batch(retried, ["a", "b", "c"], { concurrency: 3 }).pipe(Effect.provideService(LanguageModel.LanguageModel, service)))
      expect(result).toBe("success")
      expect(Exit.isSuccess(exit) && exit.value).toEqual(["recovered", "recovered", "recovered"])
    }), timeout)

  it.live("fallbacks engage: after retries of 500s, and at once for a Retry-After beyond the cap", () =>
    Effect.gen(function*() {
      const backup: Handler = (_, response) => sendJson(response, 200, completion({ content: "from the backup" }))
      const withBackup = <E>(primary: LanguageModel.Service, backupService: LanguageModel.Service, retries: Fx.RetryOptions<E>) =>
        Fx.retry(Fx.provideService(answer, LanguageModel.LanguageModel, primary), retries as Fx.RetryOptions<unknown>).pipe(
          Fx.withFallbacks([Fx.provideService(answer, LanguageModel.LanguageModel, backupService)])
        )
      const cases: ReadonlyArray<readonly [string, Handler, Fx.RetryOptions<unknown>, number]> = [
        ["fallback after 3 attempts of 500", (_, response) => sendJson(response, 500, { error: { message: "down" } }), {
          schedule: Schedule.spaced("10 millis"),
          times: 2
        }, 3],
        ["fallback at once for 429 with Retry-After 86400", (_, response) =>
          sendJson(response, 429, { error: { message: "come back tomorrow" } }, { "retry-after": "86400" }), { times: 3 }, 1]
      ]
      for (const [name, primaryHandler, retries, attempts] of cases) {
        const { exit, result } = yield* fault(name, primaryHandler, (primary, primaryService) =>
          Effect.scoped(Effect.gen(function*() {
            const backupServer = yield* chatServer(backup)
            const backupService = yield* serviceFor(backupServer)
            const text = yield* Runnable.invoke(withBackup(primaryService, backupService, retries), "Hi")
            expect(primary.requests).toHaveLength(attempts)
            expect(backupServer.requests).toHaveLength(1)
            return text
          })).pipe(Effect.provide(NodeHttpClient.layerUndici)))
        expect(result).toBe("success")
        expect(Exit.isSuccess(exit) && exit.value).toBe("from the backup")
      }
    }), timeout)
})

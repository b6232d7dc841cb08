import { AiError, LanguageModel, Tool, Toolkit } from "@effect/ai"
import type { Response } from "@effect/ai"
import { NodeHttpClient } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import * as Fx from "@fxchain/combinators"
import { Errors, Runnable } from "@fxchain/core"
import {
  Chunk,
  ConfigProvider,
  Deferred,
  Duration,
  Effect,
  Fiber,
  Layer,
  Option,
  Redacted,
  Schema,
  Stream,
  TestClock
} from "effect"
import * as ChatCompletions from "../src/ChatCompletions.js"
import { EventStreamDecoder } from "../src/internal/chatCompletionsStream.js"
import {
  chatServer,
  chunk,
  closedPort,
  completion,
  done,
  event,
  pause,
  sendJson,
  sendSse,
  startSse,
  textEvents,
  usageChunk,
  waitUntil,
  within,
  writeSse
} from "./support/chatServer.js"
import type { ChatServer } from "./support/chatServer.js"

/** Every test talks to a real loopback server; none should take long. */
const timeout = 10_000

const modelLayer = (server: ChatServer, options: Partial<ChatCompletions.Options> = {}) =>
  ChatCompletions.layer({
    apiUrl: server.apiUrl,
    apiKey: Redacted.make("sk-test-secret"),
    model: "test-model",
    ...options
  }).pipe(Layer.provide(NodeHttpClient.layerUndici))

const collect = <A, E, R>(stream: Stream.Stream<A, E, R>) => Effect.map(Stream.runCollect(stream), Chunk.toArray)

const textOf = (parts: ReadonlyArray<Response.AnyPart>) =>
  parts.flatMap((part) => part.type === "text-delta" ? [part.delta] : []).join("")

const GetWeather = Tool.make("GetWeather", {
  description: "The weather in a city",
  parameters: { city: Schema.String },
  success: Schema.Struct({ celsius: Schema.Number })
})

const GetTime = Tool.make("GetTime", {
  parameters: { zone: Schema.String },
  success: Schema.String
})

const Tools = Toolkit.make(GetWeather, GetTime)

const ToolHandlers = Tools.toLayer({
  GetWeather: ({ city }) => Effect.succeed({ celsius: city.length }),
  GetTime: ({ zone }) => Effect.succeed(`12:00 ${zone}`)
})

describe("ChatCompletions", () => {
  describe("generateText (JSON)", () => {
    it.scoped("sends the model, messages and headers, and reads text, finish reason and usage", () =>
      Effect.gen(function*() {
        const server = yield* chatServer((_, response) =>
          sendJson(
            response,
            200,
            completion({
              content: "Hello there",
              usage: {
                prompt_tokens: 12,
                completion_tokens: 3,
                total_tokens: 15,
                prompt_tokens_details: { cached_tokens: 4 },
                completion_tokens_details: { reasoning_tokens: 1 }
              }
            })
          )
        )
        const response = yield* LanguageModel.generateText({
          prompt: [{ role: "system", content: "Be brief." }, { role: "user", content: "Hi" }]
        }).pipe(
          Effect.provide(modelLayer(server, { headers: { "x-team": "fx" }, extraBody: { temperature: 0, stream: true } }))
        )

        expect(response.text).toBe("Hello there")
        expect(response.finishReason).toBe("stop")
        expect(response.usage).toMatchObject({
          inputTokens: 12,
          outputTokens: 3,
          totalTokens: 15,
          cachedInputTokens: 4,
          reasoningTokens: 1
        })
        const metadata = response.content.find((part) => part.type === "response-metadata")
        expect(metadata).toMatchObject({ id: Option.some("chatcmpl-test"), modelId: Option.some("test-model") })

        const [request] = server.requests
        expect(request!.method).toBe("POST")
        expect(request!.url).toBe("/v1/chat/completions")
        expect(request!.headers.authorization).toBe("Bearer sk-test-secret")
        expect(request!.headers["x-team"]).toBe("fx")
        expect(request!.headers["content-type"]).toBe("application/json")
        expect(request!.headers.accept).toBe("application/json")
        // extraBody is sent, but cannot override the fields the provider manages (`stream` here)
        expect(request!.body).toEqual({
          temperature: 0,
          model: "test-model",
          messages: [{ role: "system", content: "Be brief." }, { role: "user", content: "Hi" }],
          stream: false
        })
      }), timeout)

    it.scoped("sends tools, tool_choice, and a history of tool calls and results; reads tool calls", () =>
      Effect.gen(function*() {
        const server = yield* chatServer((_, response) =>
          sendJson(
            response,
            200,
            completion({
              content: null,
              toolCalls: [{ id: "call_oslo", name: "GetWeather", arguments: "{\"city\":\"Oslo\"}" }],
              finishReason: "tool_calls"
            })
          )
        )
        const response = yield* LanguageModel.generateText({
          prompt: [
            { role: "user", content: "Weather in Paris, then Oslo?" },
            {
              role: "assistant",
              content: [{ type: "tool-call", id: "call_paris", name: "GetWeather", params: { city: "Paris" } }]
            },
            {
              role: "tool",
              content: [{
                type: "tool-result",
                id: "call_paris",
                name: "GetWeather",
                result: { celsius: 21 },
                isFailure: false,
                providerExecuted: false
              }]
            }
          ],
          toolkit: Tools,
          toolChoice: { tool: "GetWeather" },
          disableToolCallResolution: true
        }).pipe(Effect.provide(modelLayer(server)), Effect.provide(ToolHandlers))

        expect(response.finishReason).toBe("tool-calls")
        expect(response.toolCalls).toHaveLength(1)
        expect(response.toolCalls[0]).toMatchObject({ id: "call_oslo", name: "GetWeather", params: { city: "Oslo" } })

        const body = server.requests[0]!.body
        expect(body.messages).toEqual([
          { role: "user", content: "Weather in Paris, then Oslo?" },
          {
            role: "assistant",
            content: null,
            tool_calls: [{
              id: "call_paris",
              type: "function",
              function: { name: "GetWeather", arguments: "{\"city\":\"Paris\"}" }
            }]
          },
          { role: "tool", tool_call_id: "call_paris", content: "{\"celsius\":21}" }
        ])
        expect(body.tools).toEqual([
          {
            type: "function",
            function: {
              name: "GetWeather",
              description: "The weather in a city",
              parameters: {
                type: "object",
                properties: { city: { type: "string" } },
                required: ["city"],
                additionalProperties: false
              }
            }
          },
          {
            type: "function",
            function: {
              name: "GetTime",
              parameters: {
                type: "object",
                properties: { zone: { type: "string" } },
                required: ["zone"],
                additionalProperties: false
              }
            }
          }
        ])
        expect(body.tool_choice).toEqual({ type: "function", function: { name: "GetWeather" } })
      }), timeout)

    it.scoped("generateObject asks for a json_schema response format and decodes the answer", () =>
      Effect.gen(function*() {
        const server = yield* chatServer((_, response) =>
          sendJson(response, 200, completion({ content: "{\"name\":\"Ada\",\"age\":36}" }))
        )
        const Person = Schema.Struct({ name: Schema.String, age: Schema.Number })
        const response = yield* LanguageModel.generateObject({ prompt: "Who?", schema: Person, objectName: "person" })
          .pipe(Effect.provide(modelLayer(server)))
        expect(response.value).toEqual({ name: "Ada", age: 36 })
        expect(server.requests[0]!.body.response_format).toEqual({
          type: "json_schema",
          json_schema: {
            name: "person",
            schema: {
              type: "object",
              properties: { name: { type: "string" }, age: { type: "number" } },
              required: ["name", "age"],
              additionalProperties: false
            }
          }
        })
      }), timeout)

    it.scoped("a 200 whose body is not JSON is MalformedOutput", () =>
      Effect.gen(function*() {
        const server = yield* chatServer((_, response) => {
          response.writeHead(200, { "content-type": "application/json" })
          response.end("{\"id\": \"chatcmpl-1\", \"choices\": [")
        })
        const error = yield* LanguageModel.generateText({ prompt: "Hi" }).pipe(
          Effect.provide(modelLayer(server)),
          Effect.flip
        )
        expect(error._tag).toBe("MalformedOutput")
        expect((error as AiError.MalformedOutput).description).toContain("not valid JSON")
      }), timeout)
  })

  describe("streamText (SSE)", () => {
    it.scoped("a burst of tokens in one network read arrives as one chunk, but for the first token, which goes ahead alone", () =>
      Effect.gen(function*() {
        const tokens = Array.from({ length: 50 }, (_, index) => `t${index} `)
        // the whole answer in one write, so that the client reads it at once
        const server = yield* chatServer((_, response) => sendSse(response, [textEvents(tokens).join("")], { pauseMillis: 0 }))
        const chunks = yield* Stream.runCollect(Stream.mapChunks(
          LanguageModel.streamText({ prompt: "Count" }),
          (parts) => Chunk.of(Chunk.toReadonlyArray(parts).map((part) => part.type))
        )).pipe(Effect.provide(modelLayer(server)))
        const sizes = Chunk.toReadonlyArray(chunks).map((types) => types.filter((type) => type === "text-delta").length)
        expect(sizes[0]).toBe(1)
        expect(Chunk.toReadonlyArray(chunks)[0]).toEqual(["response-metadata", "text-start", "text-delta"])
        expect(sizes.reduce((sum, size) => sum + size, 0)).toBe(50)
        expect(sizes.length).toBeLessThan(5)
      }))

    it.scoped("reads events split across TCP writes, multi-byte characters included", () =>
      Effect.gen(function*() {
        const server = yield* chatServer((_, response) =>
          sendSse(
            response,
            textEvents(["Hel", "lo, wor", "ld ", "é🙂"], { prompt_tokens: 9, completion_tokens: 4, total_tokens: 13 }),
            { split: true }
          )
        )
        const parts = yield* collect(LanguageModel.streamText({ prompt: "Say hello" })).pipe(
          Effect.provide(modelLayer(server))
        )

        expect(textOf(parts)).toBe("Hello, world é🙂")
        expect(parts.map((part) => part.type)).toEqual([
          "response-metadata",
          "text-start",
          "text-delta",
          "text-delta",
          "text-delta",
          "text-delta",
          "text-end",
          "finish"
        ])
        const finish = parts.at(-1) as Response.FinishPart
        expect(finish.reason).toBe("stop")
        expect(finish.usage).toMatchObject({ inputTokens: 9, outputTokens: 4, totalTokens: 13 })

        const request = server.requests[0]!
        expect(request.headers.accept).toBe("text/event-stream")
        expect(request.headers.authorization).toBe("Bearer sk-test-secret")
        expect(request.body).toEqual({
          model: "test-model",
          messages: [{ role: "user", content: "Say hello" }],
          stream: true,
          stream_options: { include_usage: true }
        })
      }), timeout)

    it("reads a long event in time linear in its length, however many pieces it arrives in", () => {
      /** Milliseconds to decode one text event of `megabytes` MB arriving in 64 KB pieces. */
      const decode = (megabytes: number) => {
        const bytes = Buffer.from(textEvents(["x".repeat(Math.round(megabytes * 1024 * 1024))]).join(""))
        const decoder = new EventStreamDecoder()
        const out: Array<Response.StreamPartEncoded> = []
        const started = performance.now()
        for (let at = 0; at < bytes.length; at += 65_536) decoder.feed(Chunk.of(bytes.subarray(at, at + 65_536)), out)
        const millis = performance.now() - started
        expect(out.some((part) => part.type === "text-delta" && part.delta.length === Math.round(megabytes * 1024 * 1024))).toBe(true)
        return millis
      }
      /** The fastest of three decodes: a pause of the machine or the collector slows one, not all. */
      const fastest = (megabytes: number) => Math.min(decode(megabytes), decode(megabytes), decode(megabytes))
      decode(1) // warm up
      // eight times the length takes about eight times as long (rescanning what is held made it 64)
      expect(fastest(12) / fastest(1.5)).toBeLessThan(24)
    })

    it.scoped("assembles streamed tool-call argument fragments by index and emits each call once complete", () =>
      Effect.gen(function*() {
        const toolDelta = (index: number, fields: Record<string, unknown>, args: string) => ({
          tool_calls: [{ index, ...fields, function: { ...(fields.name ? { name: fields.name } : {}), arguments: args } }]
        })
        const server = yield* chatServer((_, response) =>
          sendSse(response, [
            event(chunk({ role: "assistant", content: null })),
            event(chunk(toolDelta(0, { id: "call_a", type: "function", name: "GetWeather" }, ""))),
            event(chunk(toolDelta(0, {}, "{\"ci"))),
            event(chunk(toolDelta(0, {}, "ty\": \"Pa"))),
            event(chunk(toolDelta(1, { id: "call_b", type: "function", name: "GetTime" }, "{\"zone\""))),
            event(chunk(toolDelta(0, {}, "ris\"}"))),
            event(chunk(toolDelta(1, {}, ": \"CET\"}"))),
            event(chunk({}, "tool_calls")),
            event(usageChunk({ prompt_tokens: 20, completion_tokens: 11, total_tokens: 31 })),
            done
          ], { split: true })
        )
        const parts = yield* collect(
          LanguageModel.streamText({ prompt: "Weather in Paris and the time in CET?", toolkit: Tools })
        ).pipe(Effect.provide(modelLayer(server)), Effect.provide(ToolHandlers))

        const calls = parts.filter((part) => part.type === "tool-call")
        expect(calls).toHaveLength(2)
        expect(calls[0]).toMatchObject({ id: "call_a", name: "GetWeather", params: { city: "Paris" } })
        expect(calls[1]).toMatchObject({ id: "call_b", name: "GetTime", params: { zone: "CET" } })
        // the fragments streamed as they came, per call
        const fragments = (id: string) =>
          parts.flatMap((part) => part.type === "tool-params-delta" && part.id === id ? [part.delta] : []).join("")
        expect(fragments("call_a")).toBe("{\"city\": \"Paris\"}")
        expect(fragments("call_b")).toBe("{\"zone\": \"CET\"}")
        // no call is emitted before its arguments are complete
        const firstCall = parts.findIndex((part) => part.type === "tool-call")
        const lastDelta = parts.map((part) => part.type).lastIndexOf("tool-params-delta")
        expect(firstCall).toBeGreaterThan(lastDelta)
        // @effect/ai resolved them with the toolkit's handlers
        const results = parts.filter((part) => part.type === "tool-result")
        expect(results.map((part) => part.result)).toEqual([{ celsius: 5 }, "12:00 CET"])
        const finish = parts.find((part) => part.type === "finish") as Response.FinishPart
        expect(finish.reason).toBe("tool-calls")
        expect(finish.usage.totalTokens).toBe(31)

        const body = server.requests[0]!.body
        expect(body.tools.map((tool: any) => tool.function.name)).toEqual(["GetWeather", "GetTime"])
        expect(body.tool_choice).toBe("auto")
      }), timeout)

    it.scoped("streams reasoning_content as reasoning parts, ended when the answer starts", () =>
      Effect.gen(function*() {
        const server = yield* chatServer((_, response) =>
          sendSse(response, [
            event(chunk({ role: "assistant", reasoning_content: "Two and " })),
            event(chunk({ reasoning_content: "two..." })),
            event(chunk({ content: "4" })),
            event(chunk({}, "stop")),
            done
          ])
        )
        const parts = yield* collect(LanguageModel.streamText({ prompt: "2+2?" })).pipe(
          Effect.provide(modelLayer(server))
        )
        expect(parts.map((part) => part.type)).toEqual([
          "response-metadata",
          "reasoning-start",
          "reasoning-delta",
          "reasoning-delta",
          "reasoning-end",
          "text-start",
          "text-delta",
          "text-end",
          "finish"
        ])
        expect(textOf(parts)).toBe("4")
        // no usage chunk: the usage is unknown, not zero
        expect((parts.at(-1) as Response.FinishPart).usage.totalTokens).toBeUndefined()
      }), timeout)

    it.scoped("reads a JSON answer from a server that ignores stream: true", () =>
      Effect.gen(function*() {
        const server = yield* chatServer((_, response) => sendJson(response, 200, completion({ content: "whole" })))
        const parts = yield* collect(LanguageModel.streamText({ prompt: "Hi" })).pipe(Effect.provide(modelLayer(server)))
        expect(textOf(parts)).toBe("whole")
        expect(parts.at(-1)).toMatchObject({ type: "finish", reason: "stop" })
      }), timeout)
  })

  describe("failures", () => {
    it.scoped("429 is an HttpResponseError with the body and a retryAfter from the Retry-After header", () =>
      Effect.gen(function*() {
        const server = yield* chatServer((_, response) =>
          sendJson(
            response,
            429,
            { error: { message: "Rate limit reached for requests", type: "requests", code: "rate_limit_exceeded" } },
            { "retry-after": "7" }
          )
        )
        const error = yield* LanguageModel.generateText({ prompt: "Hi" }).pipe(
          Effect.provide(modelLayer(server)),
          Effect.flip
        )
        expect(error).toBeInstanceOf(AiError.HttpResponseError)
        const failure = error as AiError.HttpResponseError & { readonly retryAfter?: Duration.Duration }
        expect(failure.response.status).toBe(429)
        expect(failure.reason).toBe("StatusCode")
        expect(failure.retryAfter).toEqual(Duration.seconds(7))
        expect(failure.description).toBe("the server answered 429: Rate limit reached for requests")
        expect(failure.body).toContain("rate_limit_exceeded")
        expect(failure.message).toContain("Rate limit reached for requests")
        // the API key is never in the error
        expect(failure.request.headers.authorization).toBe("<redacted>")
        expect(JSON.stringify(failure)).not.toContain("sk-test-secret")
      }), timeout)

    it.scoped("Fx.retry waits for the Retry-After of a 429, then succeeds (on the TestClock)", () =>
      Effect.gen(function*() {
        const server = yield* chatServer([
          (_, response) =>
            sendJson(response, 429, { error: { message: "Slow down" } }, { "retry-after": "2" }),
          (_, response) => sendJson(response, 200, completion({ content: "after the wait" }))
        ])
        const answer = Runnable.fromEffect(
          (prompt: string) => Effect.map(LanguageModel.generateText({ prompt }), (response) => response.text),
          { name: "answer" }
        )
        const fiber = yield* Runnable.invoke(Fx.retry(answer, { times: 3 }), "Hi").pipe(
          Effect.provide(modelLayer(server)),
          Effect.fork
        )
        // the 429 came back and the retry now sleeps on the clock: 2 s, not the default 100 ms (the
        // other waits are the request's own timeouts)
        const now = yield* TestClock.currentTimeMillis
        const waits = Effect.map(TestClock.sleeps(), (sleeps) =>
          Chunk.toArray(sleeps).map((wake) => wake - now).filter((wait) =>
            wait !== Duration.toMillis(ChatCompletions.defaultTimeout)
          ))
        for (let polls = 0; (yield* waits).length === 0 && polls < 500; polls++) yield* Effect.promise(() => pause(5))
        expect(yield* waits).toEqual([2000])
        yield* TestClock.adjust("1999 millis")
        yield* Effect.promise(() => pause(50))
        expect(server.requests).toHaveLength(1)
        yield* TestClock.adjust("1 millis")
        expect(yield* Fiber.join(fiber)).toBe("after the wait")
        expect(server.requests).toHaveLength(2)
      }), timeout)

    it.scoped("500 is an HttpResponseError carrying the server's error body", () =>
      Effect.gen(function*() {
        const server = yield* chatServer((_, response) =>
          sendJson(response, 500, { error: { message: "The server had an error while processing your request." } })
        )
        const error = yield* collect(LanguageModel.streamText({ prompt: "Hi" })).pipe(
          Effect.provide(modelLayer(server)),
          Effect.flip
        )
        expect(error._tag).toBe("HttpResponseError")
        const failure = error as AiError.HttpResponseError
        expect(failure.response.status).toBe(500)
        expect(failure.description).toContain("The server had an error")
        expect(JSON.parse(failure.body!)).toEqual({
          error: { message: "The server had an error while processing your request." }
        })
        expect("retryAfter" in failure).toBe(false)
      }), timeout)

    it.scoped("401 and 4xx are HttpResponseErrors saying what the server said", () =>
      Effect.gen(function*() {
        const server = yield* chatServer([
          (_, response) =>
            sendJson(response, 401, {
              error: { message: "Incorrect API key provided", type: "invalid_request_error", code: "invalid_api_key" }
            }),
          (_, response) => {
            response.writeHead(404, { "content-type": "text/plain" })
            response.end("model 'nope' not found")
          }
        ])
        const layer = modelLayer(server)
        const unauthorized = yield* LanguageModel.generateText({ prompt: "Hi" }).pipe(Effect.provide(layer), Effect.flip)
        expect(unauthorized._tag).toBe("HttpResponseError")
        expect((unauthorized as AiError.HttpResponseError).response.status).toBe(401)
        expect(unauthorized.message).toContain("Incorrect API key provided")
        expect(unauthorized.message).toContain("Unauthorized")

        const notFound = yield* LanguageModel.generateText({ prompt: "Hi" }).pipe(Effect.provide(layer), Effect.flip)
        expect((notFound as AiError.HttpResponseError).response.status).toBe(404)
        expect((notFound as AiError.HttpResponseError).description).toBe("the server answered 404: model 'nope' not found")
      }), timeout)

    it.scoped("malformed JSON in an SSE event is MalformedOutput", () =>
      Effect.gen(function*() {
        const server = yield* chatServer((_, response) =>
          sendSse(response, [event(chunk({ content: "ok" })), "data: {\"choices\": [{\"delta\": \n\n", done])
        )
        const error = yield* collect(LanguageModel.streamText({ prompt: "Hi" })).pipe(
          Effect.provide(modelLayer(server)),
          Effect.flip
        )
        expect(error._tag).toBe("MalformedOutput")
        expect((error as AiError.MalformedOutput).description).toContain("malformed JSON in an SSE event")
      }), timeout)

    it.scoped("an event that is not a chat-completion chunk is MalformedOutput with the schema's verdict", () =>
      Effect.gen(function*() {
        const server = yield* chatServer((_, response) =>
          sendSse(response, [event({ id: "chatcmpl-1", choices: [{ index: 0, delta: { content: 42 } }] }), done])
        )
        const error = yield* collect(LanguageModel.streamText({ prompt: "Hi" })).pipe(
          Effect.provide(modelLayer(server)),
          Effect.flip
        )
        expect(error._tag).toBe("MalformedOutput")
        expect((error as AiError.MalformedOutput).description).toBe(
          "an SSE event is not a chat-completion chunk: at choices[0].delta.content: Expected string, actual 42"
        )
      }), timeout)

    it.scoped("a line that is not SSE is MalformedOutput naming the line", () =>
      Effect.gen(function*() {
        const server = yield* chatServer((_, response) =>
          sendSse(response, [
            ": keep-alive comments are fine\n\n",
            event(chunk({ content: "ok" })),
            "error: {\"message\": \"model crashed\"}\n\n",
            done
          ])
        )
        const error = yield* collect(LanguageModel.streamText({ prompt: "Hi" })).pipe(
          Effect.provide(modelLayer(server)),
          Effect.flip
        )
        expect(error._tag).toBe("MalformedOutput")
        expect((error as AiError.MalformedOutput).description).toBe(
          "malformed SSE line: error: {\"message\": \"model crashed\"}"
        )
      }), timeout)

    it.scoped("an error the server reports mid-stream is an UnknownError with its message", () =>
      Effect.gen(function*() {
        const server = yield* chatServer((_, response) =>
          sendSse(response, [
            event(chunk({ content: "partial" })),
            event({ error: { message: "The model is overloaded", type: "server_error" } })
          ])
        )
        const error = yield* collect(LanguageModel.streamText({ prompt: "Hi" })).pipe(
          Effect.provide(modelLayer(server)),
          Effect.flip
        )
        expect(error._tag).toBe("UnknownError")
        expect(error.message).toContain("The model is overloaded")
      }), timeout)

    it.scoped("a stream that ends without [DONE] is MalformedOutput", () =>
      Effect.gen(function*() {
        const server = yield* chatServer((_, response) =>
          sendSse(response, [event(chunk({ content: "Hel" })), event(chunk({ content: "lo" }))])
        )
        const received: Array<string> = []
        const error = yield* LanguageModel.streamText({ prompt: "Hi" }).pipe(
          Stream.runForEach((part) => Effect.sync(() => part.type === "text-delta" && received.push(part.delta))),
          Effect.provide(modelLayer(server)),
          Effect.flip
        )
        expect(received).toEqual(["Hel", "lo"])
        expect(error._tag).toBe("MalformedOutput")
        expect((error as AiError.MalformedOutput).description).toBe("stream ended before [DONE]")
      }), timeout)

    it.scoped("a connection cut mid-stream is an HttpResponseError, after the parts that arrived", () =>
      Effect.gen(function*() {
        const server = yield* chatServer(async (_, response) => {
          startSse(response)
          await writeSse(response, [event(chunk({ content: "Hel" })), "data: {\"choices\": [{\"de"])
          response.socket!.destroy()
        })
        const received: Array<string> = []
        const error = yield* LanguageModel.streamText({ prompt: "Hi" }).pipe(
          Stream.runForEach((part) => Effect.sync(() => part.type === "text-delta" && received.push(part.delta))),
          Effect.provide(modelLayer(server)),
          Effect.flip
        )
        expect(received).toEqual(["Hel"])
        expect(error._tag).toBe("HttpResponseError")
        expect((error as AiError.HttpResponseError).reason).toBe("Decode")
        expect((error as AiError.HttpResponseError).description).toContain("the connection failed")
      }), timeout)

    it.scoped("a server that cannot be reached is an HttpRequestError", () =>
      Effect.gen(function*() {
        const port = yield* closedPort
        const layer = ChatCompletions.layer({ apiUrl: `http://127.0.0.1:${port}/v1`, model: "test-model" }).pipe(
          Layer.provide(NodeHttpClient.layerUndici)
        )
        const error = yield* LanguageModel.generateText({ prompt: "Hi" }).pipe(Effect.provide(layer), Effect.flip)
        expect(error._tag).toBe("HttpRequestError")
        expect((error as AiError.HttpRequestError).reason).toBe("Transport")
        expect(error.message).toContain("ECONNREFUSED")
      }), timeout)

    it.scoped("a provider-defined tool is MalformedInput, and nothing is sent", () =>
      Effect.gen(function*() {
        const server = yield* chatServer((_, response) => sendJson(response, 200, completion({ content: "never" })))
        const Search = Tool.providerDefined({
          id: "openai.web_search",
          toolkitName: "WebSearch",
          providerName: "web_search",
          args: {}
        })
        const WebSearch = Toolkit.make(Search({}))
        const error = yield* LanguageModel.generateText({ prompt: "Hi", toolkit: WebSearch }).pipe(
          Effect.provide(modelLayer(server)),
          Effect.provide(WebSearch.toLayer({})),
          Effect.flip
        )
        expect(error._tag).toBe("MalformedInput")
        expect(server.requests).toHaveLength(0)
      }), timeout)
  })

  describe("timeouts", () => {
    /** Polls (in real time) until a sleep is registered on the TestClock, as a call waiting on its timeout. */
    const sleepRegistered = Effect.gen(function*() {
      for (let polls = 0; polls < 400; polls++) {
        if (!Chunk.isEmpty(yield* TestClock.sleeps())) return
        yield* Effect.promise(() => pause(5))
      }
      throw new Error("no sleep was registered on the TestClock")
    })

    it.scoped("a server that never answers: the call fails after the timeout, on the Clock, and the connection closes", () =>
      Effect.gen(function*() {
        const server = yield* chatServer(() => {
          // never answers
        })
        const fiber = yield* LanguageModel.generateText({ prompt: "Hi" }).pipe(
          Effect.provide(modelLayer(server, { timeout: "30 seconds" })),
          Effect.fork
        )
        const request = yield* within(server.request(0), 2000, "the request to arrive")
        yield* sleepRegistered
        yield* TestClock.adjust("29 seconds")
        expect(fiber.unsafePoll()).toBeNull()
        yield* TestClock.adjust("1 second")
        const error = yield* Effect.flip(Fiber.join(fiber))
        expect(error).toBeInstanceOf(AiError.HttpRequestError)
        expect(error).toMatchObject({ reason: "Transport", method: "generateText" })
        expect((error as AiError.HttpRequestError).description).toBe(
          "no response from the server within 30s (the timeout option)"
        )
        yield* within(request.closed, 2000, "the server to see the request's socket close")
      }), timeout)

    it.scoped("by default a call waits 10 minutes for the server, as OpenAI's SDKs do", () =>
      Effect.gen(function*() {
        expect(ChatCompletions.defaultTimeout).toEqual(Duration.minutes(10))
        const server = yield* chatServer(() => {
          // never answers
        })
        const fiber = yield* Stream.runDrain(LanguageModel.streamText({ prompt: "Hi" })).pipe(
          Effect.provide(modelLayer(server)),
          Effect.fork
        )
        yield* within(server.request(0), 2000, "the request to arrive")
        yield* sleepRegistered
        yield* TestClock.adjust(Duration.subtract(ChatCompletions.defaultTimeout, Duration.millis(1)))
        expect(fiber.unsafePoll()).toBeNull()
        yield* TestClock.adjust("1 millis")
        expect(yield* Effect.flip(Fiber.join(fiber))).toMatchObject({ _tag: "HttpRequestError", method: "streamText" })
      }), timeout)

    it.scoped("a stream that stalls fails after the timeout with nothing new, after the parts that arrived", () =>
      Effect.gen(function*() {
        const server = yield* chatServer(async (request, response) => {
          startSse(response)
          await writeSse(response, [event(chunk({ role: "assistant", content: "" })), event(chunk({ content: "Hel" }))])
          await request.closed // then nothing, until the client hangs up
        })
        const firstToken = yield* Deferred.make<void>()
        const parts: Array<Response.StreamPart<{}>> = []
        const fiber = yield* LanguageModel.streamText({ prompt: "Hi" }).pipe(
          Stream.runForEach((part) =>
            Effect.sync(() => parts.push(part)).pipe(
              Effect.zipRight(part.type === "text-delta" ? Deferred.succeed(firstToken, undefined) : Effect.void)
            )
          ),
          Effect.provide(modelLayer(server, { timeout: "5 seconds" })),
          Effect.fork
        )
        yield* Deferred.await(firstToken)
        // each adjust fires every wait registered so far; the wait for the next piece of the body may
        // register just after the first token arrived, so adjust until the stream has ended
        for (let waits = 0; waits < 10 && fiber.unsafePoll() === null; waits++) {
          yield* sleepRegistered
          yield* TestClock.adjust("5 seconds")
          yield* Effect.promise(() => pause(5))
        }
        const error = yield* Effect.flip(Fiber.join(fiber))
        expect(error).toMatchObject({ _tag: "HttpResponseError", reason: "Decode", method: "streamText" })
        expect((error as AiError.HttpResponseError).description).toBe(
          "the server sent nothing for 5s while the response was being read (the timeout option)"
        )
        expect(textOf(parts)).toBe("Hel")
        yield* within(server.requests[0]!.closed, 2000, "the server to see the request's socket close")
      }), timeout)

    it("a timeout that is not a duration above 0 throws InvalidOptionError when the layer is made", () => {
      for (const bad of [0, -1, Number.NaN, "soon" as Duration.DurationInput, Duration.zero]) {
        let thrown: unknown
        try {
          ChatCompletions.layer({ apiUrl: "http://127.0.0.1:1/v1", model: "m", timeout: bad })
        } catch (error) {
          thrown = error
        }
        expect(thrown, String(bad)).toBeInstanceOf(Errors.InvalidOptionError)
        expect(thrown).toMatchObject({ runnable: "ChatCompletions", option: "timeout" })
      }
      expect(() => ChatCompletions.layer({ apiUrl: "http://127.0.0.1:1/v1", model: "m", timeout: Duration.infinity }))
        .not.toThrow()
    })

    it.scoped("a Retry-After date counts from the Clock's time when the answer arrived", () =>
      Effect.gen(function*() {
        const now = yield* TestClock.currentTimeMillis
        const server = yield* chatServer((_, response) =>
          sendJson(response, 429, { error: { message: "Slow down" } }, {
            "retry-after": new Date(now + 5_000).toUTCString()
          })
        )
        const error = yield* LanguageModel.generateText({ prompt: "Hi" }).pipe(
          Effect.provide(modelLayer(server)),
          Effect.flip
        )
        expect((error as { readonly retryAfter?: Duration.Duration }).retryAfter).toEqual(Duration.seconds(5))
      }), timeout)

    it.scoped("Fx.retry does not wait for a Retry-After beyond its maxRetryAfter: the 429 comes out at once", () =>
      Effect.gen(function*() {
        const server = yield* chatServer((_, response) =>
          sendJson(response, 429, { error: { message: "Come back tomorrow" } }, { "retry-after": "86400" })
        )
        const answer = Runnable.fromEffect(
          (prompt: string) => Effect.map(LanguageModel.generateText({ prompt }), (response) => response.text),
          { name: "answer" }
        )
        const error = yield* Runnable.invoke(Fx.retry(answer, { times: 3 }), "Hi").pipe(
          Effect.provide(modelLayer(server)),
          Effect.flip
        )
        expect(error).toMatchObject({ _tag: "HttpResponseError", response: { status: 429 } })
        expect(server.requests).toHaveLength(1)
      }), timeout)
  })

  describe("interruption", () => {
    it.scoped("interrupting a stream closes the connection: the server sees the socket close", () =>
      Effect.gen(function*() {
        const server = yield* chatServer(async (request, response) => {
          startSse(response)
          await writeSse(response, [event(chunk({ role: "assistant", content: "" }))])
          for (let token = 0; token < 1000 && !request.isClosed(); token++) {
            response.write(event(chunk({ content: `${token} ` })))
            await pause(20)
          }
          response.end()
        })
        const firstToken = yield* Deferred.make<void>()
        const fiber = yield* LanguageModel.streamText({ prompt: "Count forever" }).pipe(
          Stream.runForEach((part) => part.type === "text-delta" ? Deferred.succeed(firstToken, undefined) : Effect.void),
          Effect.provide(modelLayer(server)),
          Effect.fork
        )
        yield* Deferred.await(firstToken)
        const request = server.requests[0]!
        expect(request.isClosed()).toBe(false)
        yield* Fiber.interrupt(fiber)
        yield* within(request.closed, 2000, "the server to see the request's socket close")
        expect(request.isClosed()).toBe(true)
      }), timeout)

    it.scoped("a consumer that stops early (Stream.take) closes the connection too", () =>
      Effect.gen(function*() {
        const server = yield* chatServer(async (request, response) => {
          startSse(response)
          for (let token = 0; token < 1000 && !request.isClosed(); token++) {
            response.write(event(chunk({ content: `${token} ` })))
            await pause(10)
          }
          response.end()
        })
        const parts = yield* LanguageModel.streamText({ prompt: "Count forever" }).pipe(
          Stream.filter((part) => part.type === "text-delta"),
          Stream.take(2),
          collect,
          Effect.provide(modelLayer(server))
        )
        expect(textOf(parts)).toBe("0 1 ")
        yield* within(server.requests[0]!.closed, 2000, "the server to see the request's socket close")
      }), timeout)

    it.scoped("interrupting generateText while the server thinks closes the connection", () =>
      Effect.gen(function*() {
        const server = yield* chatServer(() => {
          // never answers
        })
        const fiber = yield* LanguageModel.generateText({ prompt: "Think hard" }).pipe(
          Effect.provide(modelLayer(server)),
          Effect.fork
        )
        const request = yield* within(server.request(0), 2000, "the request to arrive")
        yield* Fiber.interrupt(fiber)
        yield* within(request.closed, 2000, "the server to see the request's socket close")
      }), timeout)

    it.scoped("each cancelled request costs one connection, no more (undici reconnected for it: nodejs/undici#5845)", () =>
      Effect.gen(function*() {
        const server = yield* chatServer(async (request, response) => {
          if (request.body.stream !== true) return // generateText: never answers
          startSse(response)
          await writeSse(response, [event(chunk({ role: "assistant", content: "" })), event(chunk({ content: "a" }))])
          await request.closed
        })
        const cancelled = 20
        yield* Effect.gen(function*() {
          for (let call = 0; call < cancelled; call++) {
            const firstToken = yield* Deferred.make<void>()
            const stream = yield* LanguageModel.streamText({ prompt: "Count" }).pipe(
              Stream.runForEach((part) => part.type === "text-delta" ? Deferred.succeed(firstToken, undefined) : Effect.void),
              Effect.fork
            )
            yield* Deferred.await(firstToken)
            yield* Fiber.interrupt(stream)
            const text = yield* Effect.fork(LanguageModel.generateText({ prompt: "Think" }))
            yield* within(server.request(2 * call + 1), 2000, "the request to arrive")
            yield* Fiber.interrupt(text)
          }
        }).pipe(Effect.provide(modelLayer(server)))
        for (const request of server.requests) yield* within(request.closed, 2000, "every request's socket to close")
        yield* waitUntil(() => server.openConnections() === 0, 2000, "every connection to close")
        // each request aborted mid-flight closes its own connection; none is opened for nothing
        expect(server.requests).toHaveLength(2 * cancelled)
        expect(server.connections()).toBeLessThanOrEqual(2 * cancelled + 1)
      }), timeout)
  })

  describe("configuration", () => {
    const environment = (server: ChatServer, model: string | undefined) =>
      ConfigProvider.fromMap(
        new Map([
          ["FXCHAIN_OPENAI_BASE_URL", server.apiUrl],
          ["FXCHAIN_OPENAI_API_KEY", "sk-from-env"],
          ...(model === undefined ? [] : [["FXCHAIN_MODEL", model] as const])
        ])
      )

    it.scoped("layerConfig reads FXCHAIN_OPENAI_BASE_URL, FXCHAIN_OPENAI_API_KEY and FXCHAIN_MODEL", () =>
      Effect.gen(function*() {
        const server = yield* chatServer((_, response) => sendJson(response, 200, completion({ content: "configured" })))
        const layer = ChatCompletions.layerConfig().pipe(Layer.provide(NodeHttpClient.layerUndici))
        const response = yield* LanguageModel.generateText({ prompt: "Hi" }).pipe(
          Effect.provide(layer),
          Effect.withConfigProvider(environment(server, "env-model"))
        )
        expect(response.text).toBe("configured")
        expect(server.requests[0]!.headers.authorization).toBe("Bearer sk-from-env")
        expect(server.requests[0]!.body.model).toBe("env-model")
      }), timeout)

    it.scoped("the API key is redacted and optional; a missing model is a ConfigError naming it", () =>
      Effect.gen(function*() {
        const server = yield* chatServer((_, response) => sendJson(response, 200, completion({ content: "" })))
        const options = yield* Effect.withConfigProvider(ChatCompletions.config, environment(server, "m"))
        expect(String(options.apiKey)).toBe("<redacted>")
        expect(Redacted.value(options.apiKey!)).toBe("sk-from-env")
        const withoutKey = yield* Effect.withConfigProvider(
          ChatCompletions.config,
          ConfigProvider.fromMap(new Map([["FXCHAIN_OPENAI_BASE_URL", server.apiUrl], ["FXCHAIN_MODEL", "m"]]))
        )
        expect(withoutKey).toEqual({ apiUrl: server.apiUrl, model: "m" })

        const error = yield* LanguageModel.generateText({ prompt: "Hi" }).pipe(
          Effect.provide(ChatCompletions.layerConfig().pipe(Layer.provide(NodeHttpClient.layerUndici))),
          Effect.withConfigProvider(environment(server, undefined)),
          Effect.flip
        )
        expect(String(error)).toContain("FXCHAIN_MODEL")
        expect(server.requests).toHaveLength(0)
      }), timeout)
  })
})

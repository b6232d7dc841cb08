/**
 * HTTP failures that say when to try again. `@effect/ai` has no rate-limit error of its own: a
 * 429 is an `AiError.HttpResponseError` whose response headers hold `retry-after`. Both the
 * chat-completions provider and the fake model fail with this subclass instead, which is still
 * that `AiError` (same `_tag`, `instanceof` holds) and also exposes `retryAfter`, the field
 * `Fx.retry` reads to wait at least that long.
 *
 * @internal
 */
import * as AiError from "@effect/ai/AiError"
import * as Duration from "effect/Duration"

/** Reads a `Retry-After` header value: delay-seconds or an HTTP date (relative to `now`). */
const parseRetryAfter = (value: string | undefined, now: number): Duration.Duration | undefined => {
  if (value === undefined || value.trim() === "") return undefined
  const seconds = Number(value)
  if (Number.isFinite(seconds) && seconds >= 0) return Duration.seconds(seconds)
  const date = Date.parse(value)
  return Number.isNaN(date) ? undefined : Duration.millis(Math.max(0, date - now))
}

/**
 * An `HttpResponseError` with `retryAfter`, the wait its `Retry-After` header asks for, read when
 * the response arrived (`now`, on the Clock: an HTTP date counts from it).
 *
 * @internal
 */
export class HttpResponseErrorWithRetryAfter extends AiError.HttpResponseError {
  /** When the server asked the client to try again, from the `retry-after` response header. */
  readonly retryAfter: Duration.Duration | undefined
  constructor(props: ConstructorParameters<typeof AiError.HttpResponseError>[0], now: number) {
    super(props, { disableValidation: true })
    this.retryAfter = parseRetryAfter(props.response.headers["retry-after"], now)
  }
}

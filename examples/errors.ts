/** Samples for docs/errors.md: typed errors, how they propagate, defects, fxchain's own errors. */
import { FakeModel, Model, OutputParser, PromptTemplate } from "@fxchain/adapters"
import * as Fx from "@fxchain/combinators"
import { Runnable, Testing } from "@fxchain/core"
import { Data, Effect, Schema } from "effect"

// --- typed errors: each step says how it fails, and a sequence fails with the union
export class NotFound extends Data.TaggedError("NotFound")<{ readonly id: number }> {}
export class Forbidden extends Data.TaggedError("Forbidden")<{ readonly owner: string }> {}

interface Ticket {
  readonly id: number
  readonly owner: string
  readonly text: string
}

const tickets: ReadonlyArray<Ticket> = [{ id: 1, owner: "ada", text: "app crashes" }, { id: 2, owner: "bob", text: "refund" }]

const loadTicket = Runnable.fromEffect(
  (id: number) => {
    const ticket = tickets.find((candidate) => candidate.id === id)
    return ticket === undefined ? Effect.fail(new NotFound({ id })) : Effect.succeed(ticket)
  },
  { name: "loadTicket" }
)
const checkAccess = Runnable.fromEffect(
  (ticket: Ticket) => ticket.owner === "ada" ? Effect.succeed(ticket) : Effect.fail(new Forbidden({ owner: ticket.owner })),
  { name: "checkAccess" }
)
const summarize = Runnable.sync((ticket: Ticket) => `#${ticket.id}: ${ticket.text}`, { name: "summarize" })

export const ticketSummary = Fx.sequence(loadTicket, checkAccess, summarize) // Runnable<number, string, NotFound | Forbidden>

export const summaryOrReason = (id: number) =>
  Runnable.invoke(ticketSummary, id).pipe(
    Effect.catchTags({
      NotFound: (error) => Effect.succeed(`no ticket #${error.id}`),
      Forbidden: (error) => Effect.succeed(`ticket of ${error.owner}`)
    })
  ) // Effect<string>: the type says every error was handled

// --- parallel: the first failure interrupts the other branches at once
export class BillingDown extends Data.TaggedError("BillingDown") {}

export const crmProbe = Testing.makeProbe()
const crm = Testing.scripted({ name: "crm", latency: "3 seconds", respond: (id: number) => `customer ${id}`, probe: crmProbe })
const billing = Testing.scripted({
  name: "billing",
  latency: "1 second",
  respond: (id: number) => [`invoice ${id}-1`],
  fail: (id) => id === 7 ? new BillingDown() : undefined
})

export const profile = Fx.parallel({ customer: crm, invoices: billing }) // Runnable<number, {...}, BillingDown>
// invoke(profile, 7) fails at 1 s with BillingDown; crm is interrupted then, not left running until 3 s

// a batch is fail-fast; with mode: "either", every item runs, and each holds its output or its error
export const perItem = Runnable.batch(ticketSummary, [1, 2, 404], { mode: "either" })
// [right("#1: app crashes"), left(Forbidden { owner: "bob" }), left(NotFound { id: 404 })]

// --- defects: an exception thrown in your code is a bug, not a typed failure
const parseAmount = Runnable.sync((text: string) => {
  const amount = Number.parseFloat(text)
  if (Number.isNaN(amount)) throw new Error(`not an amount: ${text}`)
  return amount
}, { name: "parseAmount" }) // Runnable<string, number>: its error type is never

export const crashed = Runnable.invoke(parseAmount, "ten").pipe(Effect.exit) // Exit.die(Error("not an amount: ten"))

// when bad input is expected, make it a typed failure
export class NotAnAmount extends Data.TaggedError("NotAnAmount")<{ readonly text: string }> {}
const parseAmountOrFail = Runnable.fromEffect(
  (text: string) => {
    const amount = Number.parseFloat(text)
    return Number.isNaN(amount) ? Effect.fail(new NotAnAmount({ text })) : Effect.succeed(amount)
  },
  { name: "parseAmount" }
) // Runnable<string, number, NotAnAmount>
export const amounts = Runnable.batch(parseAmountOrFail, ["12.5", "ten"], { mode: "either" })
// [right(12.5), left(NotAnAmount { text: "ten" })]

// code that throws, kept as it is: Runnable.try makes the throw a typed failure (as Effect.try does)
const parseAmountTrying = Runnable.try((text: string) => {
  const amount = Number.parseFloat(text)
  if (Number.isNaN(amount)) throw new Error(`not an amount: ${text}`)
  return amount
}, { name: "parseAmount", catch: (_error, text) => new NotAnAmount({ text }) }) // Runnable<string, number, NotAnAmount>
export const triedAmounts = Runnable.batch(parseAmountTrying, ["12.5", "ten"], { mode: "either" })
// [right(12.5), left(NotAnAmount { text: "ten" })]

// a defect is not caught by catchAll, retry, fallbacks or mode: "either"; catchAllDefect sees it
export const lastResort = Runnable.invoke(parseAmount, "ten").pipe(
  Effect.catchAllDefect((defect) => Effect.succeed(`crashed: ${defect instanceof Error ? defect.message : defect}`))
) // "crashed: not an amount: ten"

// --- fxchain's own errors
export const badOption = Runnable.batch(summarize, [], { concurrency: 0 }) // dies: InvalidOptionError, before anything runs
export const tooSlow = Runnable.invoke(Fx.timeout(crm, "1 second"), 1) // TimeoutError at 1 s; crm is interrupted
export const noRoute = Runnable.invoke(
  Fx.route((ticket: Ticket) => ticket.owner, { ada: summarize }),
  { id: 2, owner: "bob", text: "hi" }
) // RouteNotFound: key "bob", available ["ada"]
export const badInput = Runnable.invoke(
  Fx.withSchema(summarize, { input: Schema.Struct({ id: Schema.Int, owner: Schema.String, text: Schema.String }) }),
  { id: 1.5, owner: "ada", text: "hi" }
) // SchemaError: boundary "input"; summarize never runs

// a value from outside the type system (JSON.parse returns any) can miss a variable
const request: { text: string; audience: string } = JSON.parse("{\"text\": \"The app crashes\"}")
export const missingVariable = Runnable.invoke(PromptTemplate.make("Summarize {text} for {audience}"), request)
// MissingVariableError: variables ["audience"]

export const cutShort = Runnable.invoke(OutputParser.json(), "{\"answer\": 4")
// ParseFailure: reason "expected more JSON, got end of input"

// --- a model's errors are @effect/ai's AiErrors, unchanged
const model = Model.fromLanguageModel()
export const RateLimitedLive = FakeModel.layer({ responses: "Hello", failures: { first: 1, retryAfter: "2 seconds" } })
export const limited = Runnable.invoke(model, "Hi") // with RateLimitedLive: HttpResponseError, status 429

// --- mapError: say what a failure means to your program
export class AssistantUnavailable extends Data.TaggedError("AssistantUnavailable")<{ readonly reason: string }> {}

export const assistant = Fx.sequence(
  PromptTemplate.make("Answer briefly: {question}"),
  Fx.mapError(model, (error) => new AssistantUnavailable({ reason: error._tag })),
  OutputParser.string
) // Runnable<{ question: string }, string, MissingVariableError | UnrenderableValueError | AssistantUnavailable, LanguageModel>

// --- a runnable that invokes itself without end dies past RunConfig's maxDepth (100)
const countdown: Runnable.Runnable<number, string> = Runnable.fromEffect(
  (n: number): Effect.Effect<string> => n === 0 ? Effect.succeed("liftoff") : Runnable.invoke(countdown, n - 1),
  { name: "countdown" }
)
export const tooDeep = Runnable.invoke(countdown, 500).pipe(Effect.exit) // Exit.die(RecursionLimitError)

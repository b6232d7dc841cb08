/**
 * A batch of support tickets through a small pipeline, with bounded concurrency,
 * printed live as a run tree from `Runnable.streamEvents`.
 *
 * Each ticket runs `triage`, which invokes `classify`, then `lookup` and `draft`; the steps wait
 * on Effect's Clock (real time here, TestClock in examples/run-tree.test.ts). One ticket fails,
 * and `mode: "either"` keeps the other results.
 */
import { Runnable, RunEvent, Testing } from "@fxchain/core"
import { Console, Effect, Either, Stream } from "effect"
import { pathToFileURL } from "node:url"

export interface Ticket {
  readonly id: number
  readonly text: string
}

export const tickets: ReadonlyArray<Ticket> = [
  { id: 1, text: "I was charged twice this month" },
  { id: 2, text: "The app crashes when I upload a photo" },
  { id: 3, text: "How do I export my data?" },
  { id: 4, text: "" },
  { id: 5, text: "Please cancel my subscription" },
  { id: 6, text: "Password reset email never arrives" }
]

const categoryOf = (text: string) =>
  /charge|cancel|subscription/i.test(text) ? "billing" : /crash|error|arrive/i.test(text) ? "bug" : "question"

const classify = Testing.scripted({
  name: "classify",
  kind: "model",
  latency: (ticket: Ticket) => `${40 + (ticket.id * 37) % 50} millis`,
  respond: (ticket: Ticket) => categoryOf(ticket.text),
  fail: (ticket) => ticket.text === "" ? { _tag: "EmptyTicket" as const, id: ticket.id } : undefined
})

const lookup = Testing.scripted({
  name: "lookup",
  kind: "retriever",
  latency: "30 millis",
  respond: (category: string) => `${category} playbook`
})

const draft = Testing.scripted({
  name: "draft",
  kind: "model",
  latency: (_: string) => "60 millis",
  respond: (playbook: string) => `Reply following the ${playbook}`
})

/** One ticket: classify it, then look up the playbook and draft a reply. */
export const triage = Runnable.fromEffect(
  (ticket: Ticket) =>
    Effect.gen(function*() {
      const category = yield* Runnable.invoke(classify, ticket)
      const playbook = yield* Runnable.invoke(lookup, category)
      const reply = yield* Runnable.invoke(draft, playbook)
      return { id: ticket.id, category, reply }
    }),
  { name: "triage", kind: "chain" }
)

/** The whole batch, as one run whose children are the tickets. */
export const triageAll = (concurrency: number) =>
  Runnable.fromEffect(
    (all: ReadonlyArray<Ticket>) => Runnable.batch(triage, all, { concurrency, mode: "either" }),
    { name: "triageAll", kind: "chain" }
  )

/** One line of the tree: time, the ticket the run belongs to, indentation by nesting depth. */
const describeEvent = (event: RunEvent.RunEvent, start: number, ticket: number | undefined): string | undefined => {
  const indent = "  ".repeat(event.parentIds.length)
  const at = `${String(event.timestamp - start).padStart(5)} ms ${ticket === undefined ? "  " : `#${ticket}`}`
  switch (event._tag) {
    case "Started":
      return `${at} ${indent}▶ ${event.name}`
    case "Ended":
      return `${at} ${indent}✓ ${event.name}${typeof event.output === "string" ? ` → ${event.output}` : ""}`
    case "Failed":
      return `${at} ${indent}✗ ${event.name} (${event.interrupted ? "interrupted" : JSON.stringify(event.error)})`
    case "Custom":
      return `${at} ${indent}• ${event.name}: ${event.event}`
    case "Streamed":
      return undefined
  }
}

/**
 * Runs the batch and prints its run tree line by line as events arrive; then a summary.
 * Returns the summary's numbers.
 */
export const main = (options: { readonly concurrency: number; readonly print: (line: string) => Effect.Effect<void> }) =>
  Effect.gen(function*() {
    let start: number | undefined
    let inFlight = 0
    let peak = 0
    let results: ReadonlyArray<Either.Either<unknown, unknown>> = []
    // the run id of each ticket's `triage` run, to label the lines of its subtree
    const ticketOfRun = new Map<string, number>()
    yield* options.print(`Triaging ${tickets.length} tickets, at most ${options.concurrency} at once:`)
    yield* Runnable.streamEvents(triageAll(options.concurrency), tickets).pipe(
      Stream.runForEach((event) => {
        start ??= event.timestamp
        if (event.name === "triage") {
          if (event._tag === "Started") {
            ticketOfRun.set(event.runId, (event.input as Ticket).id)
            peak = Math.max(peak, ++inFlight)
          }
          if (event._tag === "Ended" || event._tag === "Failed") inFlight--
        }
        if (event._tag === "Ended" && event.parentIds.length === 0) {
          results = event.output as ReadonlyArray<Either.Either<unknown, unknown>>
        }
        const line = describeEvent(event, start, ticketOfRun.get(event.parentIds[1] ?? event.runId))
        return line === undefined ? Effect.void : options.print(line)
      })
    )
    const failed = results.filter(Either.isLeft).length
    const summary = { tickets: results.length, succeeded: results.length - failed, failed, peakInFlight: peak }
    yield* options.print(
      `Done: ${summary.succeeded} answered, ${summary.failed} failed, at most ${summary.peakInFlight} in flight.`
    )
    return summary
  })

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  Effect.runPromise(main({ concurrency: 3, print: Console.log })).catch((error) => {
    console.error(error)
    process.exitCode = 1
  })
}

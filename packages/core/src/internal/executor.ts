/**
 * The executors: the one place where a runnable's raw behaviour becomes a run (nesting depth,
 * run ids, events, span, config). `isObserved` decides, once per run, between two paths:
 *
 * - plain (no event sink, no tracer installed): a synchronous step is a plain function call; an
 *   invoke swaps the fiber's current run to count its depth; a stream costs nothing per chunk: its
 *   channel is the raw stream's own, and the streams made for nested runs while it is constructed
 *   record it as their parent (`constructWithin`);
 * - observed: an `ObservedRun` gives the run an id, emits its events and opens its span; a stream
 *   gets one stage that reports each chunk and makes the run current while it is pulled, so that
 *   whatever runs inside is placed under it.
 *
 * A run's `withConfig` reaches its own run and its descendants only: its stream gets the patched
 * `RunConfig` in its context, and the stream it consumes is given back the context of the run
 * that consumes it, so that a step's configuration never reaches the steps before it.
 *
 * @internal
 */
import * as Cause from "effect/Cause"
import * as Channel from "effect/Channel"
import * as Chunk from "effect/Chunk"
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as FiberId from "effect/FiberId"
import type * as Fiber from "effect/Fiber"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import * as Tracer from "effect/Tracer"
import * as Concat from "../Concat.js"
import { EmptyStreamError } from "../Errors.js"
import * as RunConfig from "../RunConfig.js"
import type * as Runnable from "../Runnable.js"
import { contextOf, runningFiber } from "./fiberInternals.js"
import { isObserved, ObservedRun, runConfigOf, tooDeep } from "./observedRun.js"
import {
  constructionParent,
  constructWithin,
  currentContext,
  currentHolder,
  Holder,
  nested,
  ownHolder,
  type RunContext,
  withContext,
  withDepth
} from "./runContext.js"
import { behaviourOf } from "./runnable.js"

type AnyRunnable = Runnable.Runnable<any, any, any, any>
type AnyFiber = Fiber.RuntimeFiber<unknown, unknown>
type AnyChannel = Channel.Channel<any, any, any, any, any, any, any>

const callSync = (f: (input: any) => any, input: unknown): Effect.Effect<any> => {
  try {
    return Effect.succeed(f(input))
  } catch (defect) {
    return Effect.die(defect)
  }
}

/** A stream whose channel comes from an effect, with nothing added per chunk (`Stream.unwrap` adds a layer). @internal */
export const suspendedStream = <A, E, R>(start: Effect.Effect<AnyChannel, any, any>): Stream.Stream<A, E, R> =>
  Stream.fromChannel(Channel.unwrap(start)) as Stream.Stream<A, E, R>

// -----------------------------------------------------------------------------
// invoke
// -----------------------------------------------------------------------------

/** @internal */
export const invoke = <In, Out, E, R>(
  self: Runnable.Runnable<In, Out, E, R>,
  input: In,
  options?: Runnable.RunOptions
): Effect.Effect<Out, E, R> => run(self, input, options, false, constructionParent())

/**
 * A run. `asChunk`: an observed run also reports its output as its one streamed chunk (it is the
 * single chunk of a stream). `parent`: the run it is nested in, when known before it starts;
 * otherwise the fiber's current run.
 *
 * @internal
 */
export const run = <In, Out, E, R>(
  self: Runnable.Runnable<In, Out, E, R>,
  input: In,
  options: Runnable.RunOptions | undefined,
  asChunk: boolean,
  parent: RunContext | undefined
): Effect.Effect<Out, E, R> =>
  Effect.withFiberRuntime<Out, E, R>((fiber) => {
    const holder = fiber.getFiberRef(currentHolder)
    const within = parent ?? holder.current
    const behaviour = behaviourOf(self)
    if (!isObserved(fiber, within)) {
      if (behaviour.sync !== undefined) return callSync(behaviour.sync, input)
      const config = runConfigOf(fiber, self)
      const limit = tooDeep(self.name, within.depth + 1, config.maxDepth)
      if (limit !== undefined) return limit
      const effect = behaviour.config === undefined
        ? behaviour.run(input)
        : Effect.provideService(behaviour.run(input), RunConfig.RunConfig, config)
      return withDepth(effect, ownHolder(fiber, holder), nested(within))
    }
    // someone reads its events (a tracer alone does not want its tokens, as LangChain's do not)
    if (behaviour.streamsWhenObserved && behaviour.stream !== undefined && within.sink !== undefined) {
      return invokeByStreaming(fiber, within, self, input, options)
    }
    const observed = new ObservedRun(fiber, within, self, options)
    const limit = observed.tooDeep
    if (limit !== undefined) return limit
    observed.start(input)
    const reported = withContext(
      Effect.onExit(observedEffect(observed, self, input), (exit) =>
        Effect.sync(() => {
          if (Exit.isFailure(exit)) return observed.fail(exit.cause)
          if (asChunk) observed.chunk(exit.value)
          observed.end(input, exit.value)
        })),
      observed.context
    )
    const wait = observed.backpressure
    return wait === undefined ? reported : Effect.zipRight(wait, reported)
  })

/** A run's raw Effect as part of its observed run: with the run's `RunConfig` when it patched it, and its span when tracing. */
const observedEffect = <In, Out, E, R>(
  observed: ObservedRun,
  self: Runnable.Runnable<In, Out, E, R>,
  input: In
): Effect.Effect<Out, E, R> => {
  const behaviour = behaviourOf(self)
  let effect = behaviour.run(input)
  if (behaviour.config !== undefined) effect = Effect.provideService(effect, RunConfig.RunConfig, observed.config)
  if (observed.tracing) effect = Effect.withSpan(effect, self.name, observed.spanOptions())
  return effect
}

/**
 * An observed invoke of a runnable that streams when observed (a model): it streams, reporting
 * each chunk as LangChain's chat models do under `streamEvents`, and returns the chunks combined.
 */
const invokeByStreaming = <In, Out, E, R>(
  fiber: AnyFiber,
  parent: RunContext,
  self: Runnable.Runnable<In, Out, E, R>,
  input: In,
  options: Runnable.RunOptions | undefined
): Effect.Effect<Out, E, R> => {
  const observed = new ObservedRun(fiber, parent, self, options)
  const limit = observed.tooDeep
  if (limit !== undefined) return limit
  observed.start(input)
  const raw = behaviourOf(self).stream!
  // the run combines its chunks as they pass (for its `Ended` event): that combination is the output
  return Effect.flatMap(
    Stream.runDrain(suspendedStream<Out, E, R>(observedChannel(fiber, self, observed, () => raw(input), input, undefined))),
    () =>
      Option.match(observed.combinedOutput, {
        onNone: () => Effect.die(new EmptyStreamError({ runnable: self.name })),
        onSome: (output) => Effect.succeed(output as Out)
      })
  )
}

// -----------------------------------------------------------------------------
// stream and transform
// -----------------------------------------------------------------------------

/** @internal */
export const stream = <In, Out, E, R>(
  self: Runnable.Runnable<In, Out, E, R>,
  input: In,
  options?: Runnable.RunOptions
): Stream.Stream<Out, E, R> => streamWithin(self, input, options, constructionParent())

/** `stream` nested in `parent` (when known before it starts). @internal */
export const streamWithin = <In, Out, E, R>(
  self: Runnable.Runnable<In, Out, E, R>,
  input: In,
  options: Runnable.RunOptions | undefined,
  parent: RunContext | undefined
): Stream.Stream<Out, E, R> => {
  const behaviour = behaviourOf(self)
  const raw = behaviour.stream
  // no stream of its own: its output is the one chunk; an observed lambda ends once that chunk
  // has moved on, as LangChain's `RunnableLambda` does (other runs end before, as its invoked ones)
  if (raw === undefined) {
    const plain = Stream.fromEffect(run(self, input, options, true, parent))
    if (self.kind !== "lambda") return plain
    return suspendedStream(Effect.withFiberRuntime((fiber) => {
      const within = parent ?? currentContext(fiber)
      if (!isObserved(fiber, within)) return Effect.succeed(Stream.toChannel(plain))
      return observedStream(fiber, within, self, input, options, () => Stream.fromEffect(behaviour.run(input)))
    }))
  }
  const stream = suspendedStream<Out, E, R>(Effect.withFiberRuntime((fiber) => {
    const within = parent ?? currentContext(fiber)
    if (!isObserved(fiber, within)) return plainChannel(fiber, self, within, () => raw(input))
    return observedStream(fiber, within, self, input, options, () => raw(input))
  }))
  streamedRuns.set(stream, { self, input, options, parent })
  return stream
}

/** The channel of an observed run streaming its output from its input. */
const observedStream = (
  fiber: AnyFiber,
  within: RunContext,
  self: AnyRunnable,
  input: unknown,
  options: Runnable.RunOptions | undefined,
  make: () => Stream.Stream<any, any, any>
): Effect.Effect<AnyChannel> => {
  const observed = new ObservedRun(fiber, within, self, options)
  const limit = observed.tooDeep
  if (limit !== undefined) return limit
  observed.start(input)
  return observedChannel(fiber, self, observed, make, input, undefined)
}

/** @internal */
export const transform = <In, Out, E, R, E2, R2>(
  self: Runnable.Runnable<In, Out, E, R>,
  input: Stream.Stream<In, E2, R2>,
  options?: Runnable.RunOptions
): Stream.Stream<Out, E | E2, R | R2> => transformWithin(self, input, options, constructionParent())

const transformWithin = <In, Out, E, R, E2, R2>(
  self: Runnable.Runnable<In, Out, E, R>,
  input: Stream.Stream<In, E2, R2>,
  options: Runnable.RunOptions | undefined,
  parent: RunContext | undefined
): Stream.Stream<Out, E | E2, R | R2> => {
  const behaviour = behaviourOf(self)
  const transformer = behaviour.transform
  if (transformer === undefined) return gathering(self, input, options, parent)
  return suspendedStream(Effect.withFiberRuntime((fiber) => {
    const within = parent ?? currentContext(fiber)
    if (!isObserved(fiber, within)) {
      // the consumed stream keeps the context of the run consuming it
      const upstream = behaviour.config === undefined ? input : keepContext(input, contextOf(fiber))
      return plainChannel(fiber, self, within, () => transformer(upstream))
    }
    return observedTransform(fiber, within, self, input, options, transformer)
  }))
}

/** The channel of an observed run consuming a stream: it starts at the first input chunk. */
const observedTransform = (
  fiber: AnyFiber,
  within: RunContext,
  self: AnyRunnable,
  input: Stream.Stream<any, any, any>,
  options: Runnable.RunOptions | undefined,
  transformer: (input: Stream.Stream<any, any, any>) => Stream.Stream<any, any, any>
): Effect.Effect<AnyChannel> => {
  const observed = new ObservedRun(fiber, within, self, options)
  const limit = observed.tooDeep
  if (limit !== undefined) return limit
  let upstreamFailed = false
  const upstream = observedUpstream(fiber, self, observed, within, input, () => {
    upstreamFailed = true
  })
  return observedChannel(fiber, self, observed, () => transformer(upstream), undefined, () => upstreamFailed)
}

/**
 * The channel of a plain streamed run: the raw stream's own, constructed as part of the run (so
 * that nested runs count their depth from it), with the run's `RunConfig` in its context when
 * `withConfig` patched it. Nothing is added per chunk.
 */
const plainChannel = (
  fiber: AnyFiber,
  self: AnyRunnable,
  parent: RunContext,
  make: () => Stream.Stream<any, any, any>
): Effect.Effect<AnyChannel> => {
  const config = runConfigOf(fiber, self)
  const context = nested(parent)
  const limit = tooDeep(self.name, context.depth, config.maxDepth)
  if (limit !== undefined) return limit
  const channel = Stream.toChannel(constructWithin(context, make))
  return Effect.succeed(
    behaviourOf(self).config === undefined
      ? channel
      : Channel.provideContext(channel as AnyChannel, Context.add(contextOf(fiber), RunConfig.RunConfig, config) as Context.Context<any>)
  )
}

/** A stream that runs in `context` whatever context it is consumed in (the consumed stream of a run that changes its own). */
const keepContext = <A, E, R>(stream: Stream.Stream<A, E, R>, context: Context.Context<never>): Stream.Stream<A, E, R> =>
  Stream.fromChannel(Channel.provideContext(Stream.toChannel(stream) as AnyChannel, context as Context.Context<any>))

/** A streamed run that someone observes, and what it was given. */
interface Frame {
  readonly self: AnyRunnable
  readonly observed: ObservedRun
  readonly input: unknown
}

/** What `streamWithin` made a stream for: a streamed run, its input and the run it is nested in. */
interface Streamed {
  readonly self: AnyRunnable
  readonly input: unknown
  readonly options: Runnable.RunOptions | undefined
  readonly parent: RunContext | undefined
}

const streamedRuns = new WeakMap<Stream.Stream<any, any, any>, Streamed>()

/**
 * The frames a stream stands for: its own run, and each run whose stream is, as it stands, the
 * stream of the one before (a runnable recursing through its own stream, a wrapper streaming what
 * it wraps). They are reported from one stage instead of a stage each, so that a recursion
 * thousands deep costs each chunk one pass, not one per level. Returns the innermost raw stream,
 * or the depth check's failure (the frames already started are failed with it).
 */
const inline = (
  fiber: AnyFiber,
  frames: Array<Frame>,
  make: () => Stream.Stream<any, any, any>
): Stream.Stream<any, any, any> | Effect.Effect<never> => {
  let raw = constructWithin(frames[0]!.observed.context, make)
  for (;;) {
    const outer = frames[frames.length - 1]!.observed
    const nested = streamedRuns.get(raw)
    if (nested === undefined || nested.parent !== outer.context) return raw
    const observed = new ObservedRun(fiber, outer.context, nested.self, nested.options, outer.config)
    const limit = observed.tooDeep
    if (limit !== undefined) {
      for (let index = frames.length - 1; index >= 0; index--) frames[index]!.observed.fail(Cause.die(limit))
      return limit
    }
    observed.start(nested.input)
    frames.push({ self: nested.self, observed, input: nested.input })
    raw = constructWithin(observed.context, () => behaviourOf(nested.self).stream!(nested.input))
  }
}

/** The context the innermost frame's stream runs in: each frame's RunConfig and span, when they differ from the fiber's. */
const framesContext = (
  fiber: AnyFiber,
  frames: ReadonlyArray<Frame>,
  spans: ReadonlyArray<Tracer.Span>
): Context.Context<never> | undefined => {
  let context: Context.Context<never> | undefined
  frames.forEach((frame, index) => {
    if (behaviourOf(frame.self).config !== undefined) {
      context = Context.add(context ?? contextOf(fiber), RunConfig.RunConfig, frame.observed.config)
    }
    const span = spans[index]
    if (span !== undefined) context = Context.add(context ?? contextOf(fiber), Tracer.ParentSpan, span)
  })
  return context
}

/** Opens a span per frame, each the child of the one before, when tracing. */
const openSpans = (frames: ReadonlyArray<Frame>): Effect.Effect<ReadonlyArray<Tracer.Span>> => {
  if (!frames[0]!.observed.tracing) return Effect.succeed([])
  return Effect.suspend(() => {
    const spans: Array<Tracer.Span> = []
    return Effect.as(
      Effect.forEach(frames, (frame) => {
        const parent = spans[spans.length - 1]
        const options = frame.observed.spanOptions()
        return Effect.map(
          Effect.makeSpan(frame.self.name, parent === undefined ? options : { ...options, parent }),
          (span) => spans.push(span)
        )
      }, { discard: true }),
      spans
    )
  })
}

/** Swaps the fiber's current run around each pull of a channel: `context` while pulled, back when a chunk comes out. */
class PullSwap {
  private holder: Holder | undefined
  private previous: RunContext | undefined

  constructor(private readonly context: RunContext) {}

  enter(): void {
    const fiber = runningFiber()
    this.holder = fiber === undefined ? undefined : ownHolder(fiber)
    if (this.holder === undefined) return
    this.previous = this.holder.current
    this.holder.current = this.context
  }

  leave(): void {
    if (this.holder === undefined) return
    this.holder.current = this.previous!
    this.holder = undefined
  }
}

const reading = <A>(
  swap: PullSwap,
  handlers: {
    readonly onInput: (chunk: Chunk.Chunk<A>, next: AnyChannel) => AnyChannel
    readonly onFailure: (cause: Cause.Cause<unknown>) => void
    readonly onDone: () => void
  }
): AnyChannel => {
  const read: AnyChannel = Channel.readWithCause({
    onInput: (chunk: Chunk.Chunk<A>) => {
      swap.leave()
      return handlers.onInput(chunk, pull)
    },
    onFailure: (cause) => {
      swap.leave()
      handlers.onFailure(cause)
      return Channel.failCause(cause)
    },
    onDone: (done) => {
      swap.leave()
      handlers.onDone()
      return Channel.succeed(done)
    }
  })
  const pull: AnyChannel = Channel.suspend(() => {
    swap.enter()
    return read
  })
  return pull
}

/**
 * The channel of an observed streamed run (and of the runs inlined into it, see `inline`): the
 * innermost raw stream, in the runs' context when their config or span differ, through one stage
 * that makes the innermost run current while it is pulled, reports each chunk from every run
 * (innermost first, as nested stages would), waits for a slow event consumer, and ends or fails
 * the runs with the stream.
 */
const observedChannel = (
  fiber: AnyFiber,
  self: AnyRunnable,
  observed: ObservedRun,
  make: () => Stream.Stream<any, any, any>,
  input: unknown,
  upstreamFailed: (() => boolean) | undefined
): Effect.Effect<AnyChannel> => {
  const frames: Array<Frame> = [{ self, observed, input }]
  const innermost = inline(fiber, frames, make)
  if (Effect.isEffect(innermost)) return innermost
  const inward = [...frames].reverse()
  const build = (spans: ReadonlyArray<Tracer.Span>): AnyChannel => {
    const raw = Stream.toChannel(innermost)
    const context = framesContext(fiber, frames, spans)
    const inner = context === undefined ? raw : Channel.provideContext(raw as AnyChannel, context as Context.Context<any>)
    const swap = new PullSwap(inward[0]!.observed.context)
    const stage = reading(swap, {
      onInput: (chunk, next) => {
        Chunk.forEach(chunk, (item) => {
          for (const frame of inward) frame.observed.chunk(item)
        })
        const written = Channel.flatMap(Channel.write(chunk), () => next)
        const wait = observed.backpressure
        return wait === undefined ? written : Channel.flatMap(Channel.fromEffect(wait), () => written)
      },
      onFailure: (cause) => {
        // a run consuming a stream that got no chunk yet was never reached: its upstream's
        // failure or an interruption ends it silently
        if (!observed.isStarted && upstreamFailed !== undefined && (upstreamFailed() || Cause.isInterruptedOnly(cause))) return
        for (const frame of inward) frame.observed.fail(cause)
      },
      onDone: () => {
        for (const frame of inward) frame.observed.endStream(frame.input)
      }
    })
    return Channel.ensuringWith(Channel.pipeTo(inner, stage), (exit) =>
      Effect.suspend(() => {
        swap.leave()
        // the consumer stopped before the end (an early `take`, an interruption)
        for (const frame of inward) frame.observed.fail(Cause.interrupt(FiberId.none), true)
        return Effect.forEach([...spans].reverse(), (span) => endSpan(span, exit), { discard: true })
      }))
  }
  return Effect.map(openSpans(frames), build)
}

const endSpan = (span: Tracer.Span, exit: Exit.Exit<unknown, unknown>): Effect.Effect<void> =>
  Effect.flatMap(Clock.currentTimeNanos, (now) => Effect.sync(() => span.end(now, exit)))

/**
 * What an observed run that consumes a stream sees of it: the stream, pulled as part of the run
 * consuming it (its context and current run), starting the run at its first chunk and recording
 * the chunks for the run's `Ended` input.
 */
const observedUpstream = <In, E2, R2>(
  fiber: AnyFiber,
  self: AnyRunnable,
  observed: ObservedRun,
  parent: RunContext,
  input: Stream.Stream<In, E2, R2>,
  onFailure: () => void
): Stream.Stream<In, E2, R2> => {
  const kept = behaviourOf(self).config === undefined && !observed.tracing ? input : keepContext(input, contextOf(fiber))
  const stage = reading<In>(new PullSwap(parent), {
    onInput: (chunk, next) => {
      if (Chunk.isNonEmpty(chunk)) observed.start(undefined)
      Chunk.forEach(chunk, (item) => observed.input(item))
      return Channel.flatMap(Channel.write(chunk), () => next)
    },
    onFailure,
    onDone: () => {}
  })
  return Stream.fromChannel(Channel.pipeTo(Stream.toChannel(kept), stage)) as Stream.Stream<In, E2, R2>
}

// -----------------------------------------------------------------------------
// steps that gather their input
// -----------------------------------------------------------------------------

/** A lambda's raw run as part of its observed run (context, config, span), reporting a failure. */
const lambdaRun = (observed: ObservedRun, self: AnyRunnable, input: unknown): Effect.Effect<unknown, unknown, unknown> =>
  Effect.tapErrorCause(withContext(observedEffect(observed, self, input), observed.context), (cause) =>
    Effect.sync(() => observed.fail(cause)))

/**
 * An observed chain of gathering steps with a lambda among them, in LangChain's order of events:
 * a lambda's run starts at its first input chunk (the first lambda while its input streams in, a
 * later one when the step before has its output), and it ends once its output has moved on (when
 * the next run has started, or the consumer has taken the chunk); other steps gather first and
 * start with their input. The steps still run as one chain of Effects, with one stage at most
 * (the first lambda's input), however long the chain. (Unobserved, nothing tells the two apart.)
 */
const observedChain = (fiber: AnyFiber, within: RunContext, chain: Gathering): Effect.Effect<AnyChannel> => {
  const links = linksOf(chain)
  const first = links[0]!
  const firstRun = first.self.kind === "lambda" ? new ObservedRun(fiber, within, first.self, first.options) : undefined
  const firstLimit = firstRun?.tooDeep
  if (firstLimit !== undefined) return firstLimit
  const upstream = firstRun === undefined ? chain.upstream : observedUpstream(fiber, first.self, firstRun, within, chain.upstream, () => {})
  /** The lambda whose output has not moved on yet: it ends when the next run starts or the consumer takes the output. */
  let pending: { readonly observed: ObservedRun; readonly input: unknown } | undefined
  const endPending = () => {
    pending?.observed.endStream(pending.input)
    pending = undefined
  }
  const steps = (gathered: unknown): Effect.Effect<AnyChannel, unknown, unknown> =>
    Effect.gen(function*() {
      let value = gathered
      for (let index = 0; index < links.length; index++) {
        const link = links[index]!
        const last = index === links.length - 1
        if (link.self.kind !== "lambda") {
          endPending()
          if (last) return Stream.toChannel(streamWithin(link.self, value, link.options, chain.parent))
          value = yield* run(link.self, value, link.options, true, chain.parent)
          continue
        }
        const observed = index === 0 ? firstRun! : new ObservedRun(fiber, within, link.self, link.options)
        if (index > 0) {
          const limit = observed.tooDeep
          if (limit !== undefined) return yield* limit
          observed.start(undefined)
          observed.input(value)
        }
        endPending()
        const wait = observed.backpressure
        if (wait !== undefined) yield* wait
        const raw = behaviourOf(link.self).stream
        if (last && raw !== undefined) {
          const input = value
          return yield* observedChannel(fiber, link.self, observed, () => raw(input), input, undefined)
        }
        const output = yield* lambdaRun(observed, link.self, value)
        observed.chunk(output)
        pending = { observed, input: value }
        value = output
      }
      return Channel.flatMap(Channel.write(Chunk.of(value)), () => Channel.fromEffect(Effect.sync(endPending)))
    })
  return Effect.succeed(
    Channel.ensuringWith(
      Channel.unwrap(Effect.matchCauseEffect(Concat.gather(upstream), {
        onFailure: (cause) => {
          firstRun?.fail(cause, true)
          return Effect.failCause(cause)
        },
        onSuccess: Option.match({ onNone: () => Effect.succeed(Channel.void as AnyChannel), onSome: steps })
      })),
      // the consumer stopped before a lambda's output moved on
      () => Effect.sync(() => pending?.observed.fail(Cause.interrupt(FiberId.none), true))
    )
  )
}

/** One step of a chain of gathering steps: the runnable and its run options. */
interface GatheringLink {
  readonly previous: GatheringLink | undefined
  readonly self: AnyRunnable
  readonly options: Runnable.RunOptions | undefined
}

/** A chain of steps without `transform` fed by one upstream stream; every step but the last yields one chunk. */
interface Gathering {
  readonly last: GatheringLink
  readonly upstream: Stream.Stream<any, any, any>
  readonly parent: RunContext | undefined
  /** A lambda is among the steps (observed, the chain then keeps LangChain's order of events). */
  readonly hasLambda: boolean
}

const gatherings = new WeakMap<Stream.Stream<any, any, any>, Gathering>()

/** The steps of a chain, first to last. */
const linksOf = (chain: Gathering): Array<GatheringLink> => {
  const links: Array<GatheringLink> = []
  for (let link: GatheringLink | undefined = chain.last; link !== undefined; link = link.previous) links.push(link)
  return links.reverse()
}

/**
 * A step without `transform` gathers its input by the concat rule and then streams (it does not
 * run when its input is empty). Consecutive such steps whose outputs are single chunks form one
 * chain: the upstream is gathered once and the steps run one after the other as Effects, so a
 * long sequence of plain steps streams at the cost of invoking it.
 */
const gathering = <In, Out, E, R, E2, R2>(
  self: Runnable.Runnable<In, Out, E, R>,
  input: Stream.Stream<In, E2, R2>,
  options: Runnable.RunOptions | undefined,
  parent: RunContext | undefined
): Stream.Stream<Out, E | E2, R | R2> => {
  const before = gatherings.get(input)
  const isLambda = self.kind === "lambda"
  const chain: Gathering = before !== undefined && before.parent === parent && behaviourOf(before.last.self).stream === undefined
    ? { last: { previous: before.last, self, options }, upstream: before.upstream, parent, hasLambda: isLambda || before.hasLambda }
    : { last: { previous: undefined, self, options }, upstream: input, parent, hasLambda: isLambda }
  const result = suspendedStream<Out, E | E2, R | R2>(Effect.withFiberRuntime((fiber) => {
    const within = parent ?? currentContext(fiber)
    if (isObserved(fiber, within) && chain.hasLambda) return observedChain(fiber, within, chain)
    return Effect.map(Concat.gather(chain.upstream), (gathered): AnyChannel => {
      if (Option.isNone(gathered)) return Channel.void
      const links = linksOf(chain)
      let value: Effect.Effect<unknown, any, any> = Effect.succeed(gathered.value)
      for (let index = 0; index < links.length - 1; index++) {
        const link = links[index]!
        value = Effect.flatMap(value, (output) => run(link.self, output, link.options, true, parent))
      }
      const last = links[links.length - 1]!
      return Channel.unwrap(Effect.map(value, (output) => Stream.toChannel(streamWithin(last.self, output, last.options, parent))))
    })
  }))
  gatherings.set(result, chain)
  return result
}

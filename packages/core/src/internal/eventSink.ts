/**
 * Where the events of a `streamEvents` call go: a bounded buffer between the run (the producer,
 * on its own fiber) and the consumer of the event stream.
 *
 * Runs emit events synchronously (`emit`); the buffer may pass its capacity by the events of one
 * step, but every run checks `full` before it starts and before it passes on each chunk, and waits
 * (`awaitCapacity`) until the consumer has taken what is buffered. So a slow consumer slows the
 * run instead of letting it fill memory.
 *
 * @internal
 */
import * as Cause from "effect/Cause"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import * as RunEvent from "../RunEvent.js"

/** Events buffered before a run waits for the consumer. @internal */
export const defaultCapacity = 1024

/** @internal */
export class EventSink {
  private buffer: Array<RunEvent.RunEvent> = []
  private exit: Exit.Exit<void, unknown> | undefined
  private consumer: ((resume: Effect.Effect<void>) => void) | undefined
  private producers: Array<(resume: Effect.Effect<void>) => void> = []

  constructor(
    private readonly filter: RunEvent.Filter | undefined,
    private readonly capacity: number = defaultCapacity
  ) {}

  emit(event: RunEvent.RunEvent): void {
    if (this.filter !== undefined && !RunEvent.matches(this.filter, event)) return
    this.buffer.push(event)
    this.wakeConsumer()
  }

  /** The buffer holds `capacity` events or more: the run should `awaitCapacity`. */
  get full(): boolean {
    return this.buffer.length >= this.capacity
  }

  /** Waits until the consumer has taken the buffered events. */
  readonly awaitCapacity: Effect.Effect<void> = Effect.async<void>((resume) => {
    if (!this.full) return resume(Effect.void)
    this.producers.push(resume)
    return Effect.sync(() => {
      this.producers = this.producers.filter((waiting) => waiting !== resume)
    })
  })

  /** The run ended: the event stream ends after the buffered events (failing as the run did). */
  close(exit: Exit.Exit<void, unknown>): void {
    this.exit = exit
    this.wakeConsumer()
  }

  private wakeConsumer(): void {
    const consumer = this.consumer
    if (consumer === undefined) return
    this.consumer = undefined
    consumer(Effect.void)
  }

  private readonly take: Effect.Effect<Chunk.Chunk<RunEvent.RunEvent>, Option.Option<unknown>> = Effect.suspend(() => {
    if (this.buffer.length > 0) {
      const taken = this.buffer
      this.buffer = []
      const producers = this.producers
      this.producers = []
      for (const resume of producers) resume(Effect.void)
      return Effect.succeed(Chunk.unsafeFromArray(taken))
    }
    const exit = this.exit
    if (exit !== undefined) {
      return Exit.isSuccess(exit) ? Effect.fail(Option.none()) : Effect.failCause(Cause.map(exit.cause, Option.some))
    }
    return Effect.zipRight(
      Effect.async<void>((resume) => {
        this.consumer = resume
        return Effect.sync(() => {
          this.consumer = undefined
        })
      }),
      this.take
    )
  })

  /** The events, in the order the runs emitted them. */
  stream<E>(): Stream.Stream<RunEvent.RunEvent, E> {
    return Stream.repeatEffectChunkOption(this.take as Effect.Effect<Chunk.Chunk<RunEvent.RunEvent>, Option.Option<E>>)
  }
}

/**
 * LangChain's runs inside a `fromLangChain` call, reported as fxchain runs (`Runnable.runReporter`)
 * nested under the run of the call: a LangChain callback handler given to the call when someone
 * observes fxchain's events.
 *
 * The call's own LangChain run is the fxchain run itself (its events come from fxchain's
 * executor), so it is not reported again; the runs nested in it are, each under its parent. A
 * chat model or LLM reports its tokens as chunks, and, like LangChain's own event stream, the
 * handler asks the models to stream when invoked (`lc_prefer_streaming`).
 *
 * @internal
 */
import type { Runnable, RunEvent } from "@fxchain/core"
import { BaseCallbackHandler, type HandleLLMNewTokenCallbackFields } from "@langchain/core/callbacks/base"
import type { DocumentInterface } from "@langchain/core/documents"
import { AIMessageChunk, type BaseMessage } from "@langchain/core/messages"
import type { ChainValues } from "@langchain/core/utils/types"
import type { LLMResult } from "@langchain/core/outputs"
import type { Serialized } from "@langchain/core/load/serializable"

/** LangChain's own unwrapping of a chain's inputs or outputs dictionary (`{ input }`, `{ output }`). */
const unwrap = (values: ChainValues | undefined, key: string): unknown => {
  if (values === undefined) return undefined
  const keys = Object.keys(values)
  return keys.length === 1 && keys[0] === key ? values[key] : values
}

const nameOf = (serialized: Serialized | undefined, runName: string | undefined): string => {
  if (runName !== undefined) return runName
  const id = serialized?.id
  return Array.isArray(id) && id.length > 0 ? String(id[id.length - 1]) : "Unnamed"
}

/** @internal */
export class RunReportingHandler extends BaseCallbackHandler {
  name = "fxchain_run_reporter"
  lc_prefer_streaming = true
  /** The call's own LangChain run: the fxchain run that made the call stands for it. */
  private root: string | undefined
  private readonly runs = new Map<string, Runnable.ReportedRun>()
  private readonly kinds = new Map<string, RunEvent.RunKind>()

  /**
   * `inheritedTags` are the tags fxchain gave the call: a reported run's own tags are LangChain's
   * others (the inherited ones come back from the fxchain run it is nested in).
   */
  constructor(private readonly reporter: Runnable.RunReporter, private readonly inheritedTags: ReadonlyArray<string>) {
    super({ _awaitHandler: true })
  }

  private start(
    runId: string,
    parentRunId: string | undefined,
    run: { readonly name: string; readonly kind: RunEvent.RunKind; readonly input: unknown },
    tags: ReadonlyArray<string> | undefined,
    metadata: Record<string, unknown> | undefined
  ): void {
    if (this.root === undefined) {
      this.root = runId
      return
    }
    const parent = parentRunId === undefined ? undefined : this.runs.get(parentRunId)
    const own = tags?.filter((tag) => !this.inheritedTags.includes(tag))
    this.kinds.set(runId, run.kind)
    this.runs.set(runId, this.reporter.start({ ...run, tags: own, metadata, parent }))
  }

  private end(runId: string, output: unknown, input?: unknown): void {
    this.runs.get(runId)?.end(output, input)
    this.forget(runId)
  }

  private fail(runId: string, error: unknown): void {
    this.runs.get(runId)?.fail(error)
    this.forget(runId)
  }

  /** LangChain's `dispatchCustomEvent` in the call's own run or a nested one: a `Custom` event of that run. */
  override handleCustomEvent(eventName: string, data: unknown, runId: string): void {
    if (runId === this.root) this.reporter.custom(eventName, data)
    else this.runs.get(runId)?.custom(eventName, data)
  }

  private forget(runId: string): void {
    this.runs.delete(runId)
    this.kinds.delete(runId)
  }

  // LangChain calls it as (chain, inputs, runId, parentRunId, tags, metadata, runType, runName),
  // not in the order its declaration gives
  override handleChainStart(
    chain: Serialized,
    inputs: ChainValues,
    runId: string,
    parentRunId?: string,
    tags?: Array<string>,
    metadata?: Record<string, unknown>,
    runType?: string,
    runName?: string
  ): void {
    // a streamed step starts without its input (LangChain's `{ input: "" }`): it comes on its end
    const input = unwrap(inputs, "input")
    const kind = runType === "prompt" || runType === "parser" ? runType : "chain"
    this.start(runId, parentRunId, { name: nameOf(chain, runName), kind, input: input === "" ? undefined : input }, tags, metadata)
  }

  override handleChainEnd(
    outputs: ChainValues,
    runId: string,
    _parentRunId?: string,
    _tags?: Array<string>,
    kwargs?: { inputs?: Record<string, unknown> }
  ): void {
    this.end(runId, unwrap(outputs, "output"), unwrap(kwargs?.inputs, "input"))
  }

  override handleChainError(error: unknown, runId: string): void {
    this.fail(runId, error)
  }

  override handleChatModelStart(
    llm: Serialized,
    messages: Array<Array<BaseMessage>>,
    runId: string,
    parentRunId?: string,
    _extraParams?: Record<string, unknown>,
    tags?: Array<string>,
    metadata?: Record<string, unknown>,
    runName?: string
  ): void {
    this.start(runId, parentRunId, { name: nameOf(llm, runName), kind: "model", input: messages[0] }, tags, metadata)
  }

  override handleLLMStart(
    llm: Serialized,
    prompts: Array<string>,
    runId: string,
    parentRunId?: string,
    _extraParams?: Record<string, unknown>,
    tags?: Array<string>,
    metadata?: Record<string, unknown>,
    runName?: string
  ): void {
    this.start(runId, parentRunId, { name: nameOf(llm, runName), kind: "llm", input: prompts[0] }, tags, metadata)
  }

  override handleLLMNewToken(
    token: string,
    _index: unknown,
    runId: string,
    _parentRunId?: string,
    _tags?: Array<string>,
    fields?: HandleLLMNewTokenCallbackFields
  ): void {
    const run = this.runs.get(runId)
    if (run === undefined) return
    if (this.kinds.get(runId) !== "model") return run.chunk(token)
    // a token without its chunk is made one, as LangChain's own event stream makes it
    const chunk = fields?.chunk
    run.chunk(chunk !== undefined && "message" in chunk ? chunk.message : new AIMessageChunk({ content: token, id: `run-${runId}` }))
  }

  override handleLLMEnd(output: LLMResult, runId: string): void {
    const generation = output.generations[0]?.[0]
    const message = generation !== undefined && "message" in generation ? generation.message : undefined
    this.end(runId, this.kinds.get(runId) === "model" && message !== undefined ? message : generation?.text)
  }

  override handleLLMError(error: unknown, runId: string): void {
    this.fail(runId, error)
  }

  override handleToolStart(
    tool: Serialized,
    input: string,
    runId: string,
    parentRunId?: string,
    tags?: Array<string>,
    metadata?: Record<string, unknown>,
    runName?: string
  ): void {
    this.start(runId, parentRunId, { name: nameOf(tool, runName), kind: "tool", input }, tags, metadata)
  }

  override handleToolEnd(output: unknown, runId: string): void {
    this.end(runId, output)
  }

  override handleToolError(error: unknown, runId: string): void {
    this.fail(runId, error)
  }

  override handleRetrieverStart(
    retriever: Serialized,
    query: string,
    runId: string,
    parentRunId?: string,
    tags?: Array<string>,
    metadata?: Record<string, unknown>,
    name?: string
  ): void {
    this.start(runId, parentRunId, { name: nameOf(retriever, name), kind: "retriever", input: query }, tags, metadata)
  }

  override handleRetrieverEnd(documents: Array<DocumentInterface>, runId: string): void {
    this.end(runId, documents)
  }

  override handleRetrieverError(error: unknown, runId: string): void {
    this.fail(runId, error)
  }
}

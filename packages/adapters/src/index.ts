/**
 * @fxchain/adapters: the edges of fxchain. Language models from `@effect/ai` as runnables,
 * prompt templates, output parsers, deterministic fake models, a provider for the OpenAI
 * chat-completions wire format, and a Promise facade for code that is not on Effect yet.
 * LangChain.js interop and OpenTelemetry live in the `@fxchain/adapters/langchain` and
 * `@fxchain/adapters/otel` subpaths.
 *
 * @since 0.1.0
 */

/** @since 0.1.0 */
export * as ChatCompletions from "./ChatCompletions.js"
/** @since 0.1.0 */
export * as FakeModel from "./FakeModel.js"
/** @since 0.1.0 */
export * as Model from "./Model.js"
/** @since 0.1.0 */
export * as OutputParser from "./OutputParser.js"
/** @since 0.1.0 */
export * as PromiseRunnable from "./PromiseRunnable.js"
/** @since 0.1.0 */
export * as PromptTemplate from "./PromptTemplate.js"

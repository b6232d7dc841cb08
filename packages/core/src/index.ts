/**
 * @fxchain/core: LangChain's Runnable model on Effect.
 *
 * @since 0.1.0
 */

/** @since 0.1.0 */
export * as Concat from "./Concat.js"
/** @since 0.1.0 */
export * as Errors from "./Errors.js"
/** @since 0.2.0 */
export * as Options from "./Options.js"
/** @since 0.1.0 */
export * as RunConfig from "./RunConfig.js"
/** @since 0.1.0 */
export * as RunEvent from "./RunEvent.js"
/** @since 0.1.0 */
export * as Runnable from "./Runnable.js"
/** @since 0.1.0 */
export * as Testing from "./Testing.js"

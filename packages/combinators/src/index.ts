/**
 * @fxchain/combinators: composition, coordination and recovery for fxchain runnables.
 * Import it as a namespace: `import * as Fx from "@fxchain/combinators"`.
 *
 * @since 0.1.0
 */

export * from "./Alternatives.js"
export * from "./Branch.js"
export * from "./Cached.js"
export * from "./Each.js"
export * from "./Errors.js"
export * from "./Fallbacks.js"
export * from "./Listeners.js"
export * from "./Mapping.js"
export * from "./Parallel.js"
export * from "./Provide.js"
export * from "./RateLimit.js"
export * from "./Retry.js"
export * from "./Sequence.js"
export * from "./Timeout.js"
export * from "./WithSchema.js"

/**
 * `pnpm start`: the demo's entry point. Runs the command line on Node: `NodeRuntime.runMain`
 * interrupts the run on Ctrl-C (SIGINT) or SIGTERM, and the process exits with `Cli.exitCode`
 * (130 when interrupted). A second signal while the run winds down ends the process at once.
 *
 * @since 0.1.0
 */
import * as NodeContext from "@effect/platform-node/NodeContext"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Cli from "./cli.js"

Cli.run(process.argv).pipe(
  Effect.provide(Layer.mergeAll(NodeContext.layer, NodeHttpClient.layerUndici)),
  NodeRuntime.runMain({ disableErrorReporting: true, teardown: Cli.teardown })
)

/**
 * `@fxchain/adapters/otel`: runs in an OpenTelemetry SDK, through `@effect/opentelemetry` (an
 * optional peer dependency, with the `@opentelemetry/*` packages it names).
 *
 * @since 0.1.0
 */

/** @since 0.1.0 */
export * as Telemetry from "./Telemetry.js"

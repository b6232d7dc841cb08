/**
 * The bundled data set: 200 support tickets for "Ledgerly", a made-up invoicing SaaS, and the
 * customer accounts they come from (`data/tickets.json`, `data/customers.json`). Both files are
 * decoded with their schemas when this module loads, so a broken data file fails at once, naming
 * the ticket and the field.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import customersJson from "../data/customers.json" with { type: "json" }
import ticketsJson from "../data/tickets.json" with { type: "json" }

/**
 * Where a ticket came in.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Channel = Schema.Literal("email", "chat", "web", "phone", "social")

/**
 * @since 0.1.0
 * @category models
 */
export type Channel = typeof Channel.Type

/**
 * A support ticket as the help desk exports it.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Ticket = Schema.Struct({
  /** `TCK-1001` ... */
  id: Schema.String.pipe(Schema.pattern(/^TCK-\d+$/)),
  /** The customer account's name (see `customers`). */
  customer: Schema.String,
  channel: Channel,
  subject: Schema.NonEmptyTrimmedString,
  body: Schema.NonEmptyString
})

/**
 * @since 0.1.0
 * @category models
 */
export type Ticket = typeof Ticket.Type

/**
 * The plan a customer account pays for.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Tier = Schema.Literal("free", "pro", "business", "enterprise")

/**
 * @since 0.1.0
 * @category models
 */
export type Tier = typeof Tier.Type

/**
 * A customer account, as the CRM knows it.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Customer = Schema.Struct({
  name: Schema.String,
  tier: Tier,
  /** `YYYY-MM` */
  customerSince: Schema.String,
  seats: Schema.Int.pipe(Schema.positive())
})

/**
 * @since 0.1.0
 * @category models
 */
export type Customer = typeof Customer.Type

/**
 * Every bundled ticket, in file order.
 *
 * @since 0.1.0
 * @category data
 */
export const tickets: ReadonlyArray<Ticket> = Schema.decodeUnknownSync(Schema.Array(Ticket))(ticketsJson)

/**
 * Every customer account of the CRM stand-in.
 *
 * @since 0.1.0
 * @category data
 */
export const customers: ReadonlyArray<Customer> = Schema.decodeUnknownSync(Schema.Array(Customer))(customersJson)

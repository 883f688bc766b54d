// `sepal/nats`: the NATS JetStream transport, which needs the optional `@nats-io/transport-node` and
// `@nats-io/jetstream` peer dependencies.
export { createNatsTransport, NATS_FEATURES } from './transports/nats/nats-transport.js'
export type { NatsTransportOptions } from './transports/nats/nats-transport.js'
export { fromNatsMessage, toNatsMessage } from './transports/nats/nats-binding.js'
export type { DecodedMessage, NatsMessageIn, NatsMessageOut, NatsMode } from './transports/nats/nats-binding.js'
// Deliveries of a NATS subscription are NatsDelivery: `working()` extends the lease of a long handler.
export type { NatsDelivery } from './transports/nats/nats-group-source.js'

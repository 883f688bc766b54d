// `sepal/rabbitmq`: the RabbitMQ transport, which needs the optional `amqplib` peer dependency.
export { createRabbitmqTransport, RABBITMQ_FEATURES } from './transports/rabbitmq/rabbitmq-transport.js'
export type { RabbitmqTransportOptions } from './transports/rabbitmq/rabbitmq-transport.js'
export { fromRabbitmqMessage, toRabbitmqMessage } from './transports/rabbitmq/rabbitmq-binding.js'
export type { DecodedMessage, RabbitmqMessageIn, RabbitmqMessageOut, RabbitmqMode } from './transports/rabbitmq/rabbitmq-binding.js'

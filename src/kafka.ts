// `sepal/kafka`: the Apache Kafka transport, which needs the optional `@platformatic/kafka` peer dependency.
export { createKafkaTransport, KAFKA_FEATURES } from './transports/kafka/kafka-transport.js'
export type { KafkaTransportOptions } from './transports/kafka/kafka-transport.js'
export { fromKafkaRecord, toKafkaRecord } from './transports/kafka/kafka-binding.js'
export type { KafkaMode, KafkaRecordIn, KafkaRecordOut } from './transports/kafka/kafka-binding.js'

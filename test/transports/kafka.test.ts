import { execFile } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { promisify } from 'node:util'
import { vi } from 'vitest'
import { runTransportSuite } from '../../src/testing/transport-suite.js'
import { createKafkaTransport } from '../../src/transports/kafka/kafka-transport.js'
import { serviceAvailable } from '../support/services.js'

const url = process.env['SEPAL_TEST_KAFKA_URL'] ?? 'kafka://127.0.0.1:9092'
const available = await serviceAvailable('kafka', url.replace(/^kafka:/, 'tcp:'))
const run = randomUUID().slice(0, 8)

async function restartKafka(): Promise<void> {
  await promisify(execFile)('bash', ['scripts/services.sh', 'restart', 'kafka'])
}

if (available) {
  // The suite's waits are scaled by timeoutFactor; the test time has to allow for them.
  vi.setConfig({ testTimeout: 90_000 })
  runTransportSuite('kafka', {
    // Groups of this run only (the suite's topics are unique per scenario already).
    createTransport: () => createKafkaTransport({ url, groupIdFor: (topic, group) => `${group}.${topic}.${run}` }),
    restartBroker: restartKafka,
    visibilityTimeoutMs: 1000,
    // Group joins and rebalances take seconds on Kafka.
    timeoutFactor: 3,
  })
}

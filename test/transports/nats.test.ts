import { execFile } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { promisify } from 'node:util'
import { jetstreamManager } from '@nats-io/jetstream'
import { connect } from '@nats-io/transport-node'
import { afterAll } from 'vitest'
import { runTransportSuite } from '../../src/testing/transport-suite.js'
import { createNatsTransport, type NatsTransportOptions } from '../../src/transports/nats/nats-transport.js'
import { serviceAvailable } from '../support/services.js'

const url = process.env['SEPAL_TEST_NATS_URL'] ?? 'nats://127.0.0.1:4222'
const available = await serviceAvailable('nats', url)
const run = randomUUID().slice(0, 8)
// Streams and subjects of this run only, so the broker is left as it was found.
const names: NatsTransportOptions = { url, streamPrefix: `SEPALTEST_${run}_`, subjectPrefix: `sepaltest.${run}` }

async function restartNats(): Promise<void> {
  await promisify(execFile)('bash', ['scripts/services.sh', 'restart', 'nats'])
}

afterAll(async () => {
  if (!available) return
  const nc = await connect({ servers: new URL(url).host })
  const jsm = await jetstreamManager(nc)
  for await (const stream of jsm.streams.names()) {
    if (stream.startsWith(names.streamPrefix!)) await jsm.streams.delete(stream)
  }
  await nc.close()
})

if (available) {
  runTransportSuite('nats', {
    createTransport: () => createNatsTransport(names),
    restartBroker: restartNats,
    visibilityTimeoutMs: 1000,
  })
}

import { execFile } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { promisify } from 'node:util'
import { afterAll } from 'vitest'
import { runTransportSuite } from '../../src/testing/transport-suite.js'
import { createRabbitmqTransport } from '../../src/transports/rabbitmq/rabbitmq-transport.js'
import { serviceAvailable } from '../support/services.js'

const url = process.env['SEPAL_TEST_RABBITMQ_URL'] ?? 'amqp://guest:guest@127.0.0.1:5672'
const available = await serviceAvailable('rabbitmq', url.replace(/^amqps?:/, 'tcp:'))
const run = randomUUID().slice(0, 8)
// Exchanges and queues of this run only, so they can be removed afterwards.
const namePrefix = `sepaltest.${run}.`
const exec = promisify(execFile)

async function restartRabbitmq(): Promise<void> {
  await exec('bash', ['scripts/services.sh', 'restart', 'rabbitmq'])
}

/** Deletes what this run declared, when rabbitmqctl can be used here (a local broker); otherwise leaves it. */
async function removeRunObjects(): Promise<void> {
  for (const [kind, remove] of [['queues', 'delete_queue'], ['exchanges', 'delete_exchange']] as const) {
    const listed = await exec('rabbitmqctl', ['-q', `list_${kind}`, 'name']).catch(() => undefined)
    for (const name of listed?.stdout.split('\n') ?? []) {
      if (name.startsWith(namePrefix)) await exec('rabbitmqctl', ['-q', remove, name]).catch(() => undefined)
    }
  }
}

afterAll(async () => {
  if (available) await removeRunObjects()
}, 120_000)

if (available) {
  runTransportSuite('rabbitmq', {
    createTransport: () => createRabbitmqTransport({ url, namePrefix }),
    restartBroker: restartRabbitmq,
    visibilityTimeoutMs: 1000,
  })
}

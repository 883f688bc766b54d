import { afterAll } from 'vitest'
import { runTransportSuite } from '../../src/testing/transport-suite.js'
import { createRabbitmqTransport } from '../../src/transports/rabbitmq/rabbitmq-transport.js'
import { describeBrokerBehaviour } from './rabbitmq/broker-behaviour.js'
import { describeProcesses } from './rabbitmq/processes.js'
import { describeScaleOut } from './rabbitmq/scale-out.js'
import { available, namePrefix, removeRunObjects, restartRabbitmq, url } from './rabbitmq/support.js'

// One file for every RabbitMQ test, so that the reconnect scenario's broker restarts never overlap
// another RabbitMQ test (vitest runs the tests of one file one after another).

afterAll(async () => {
  if (available) await removeRunObjects()
}, 120_000)

if (available) {
  runTransportSuite('rabbitmq', {
    createTransport: () => createRabbitmqTransport({ url, namePrefix }),
    restartBroker: restartRabbitmq,
    visibilityTimeoutMs: 1000,
  })
  describeBrokerBehaviour()
  describeProcesses()
  describeScaleOut()
}

import { execFile } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { promisify } from 'node:util'
import { Redis } from 'ioredis'
import { afterAll } from 'vitest'
import { runTransportSuite } from '../../src/testing/transport-suite.js'
import { createRedisTransport, type RedisTransportOptions } from '../../src/transports/redis/redis-transport.js'
import { serviceAvailable } from '../support/services.js'

const url = process.env['SEPAL_TEST_REDIS_URL'] ?? 'redis://127.0.0.1:6379'
const available = await serviceAvailable('redis', url)
const run = randomUUID().slice(0, 8)
// Keys of this run only, so the server is left as it was found.
const options: RedisTransportOptions = { url, keyPrefix: `sepaltest:${run}:` }

async function restartRedis(): Promise<void> {
  // services.sh saves the data before it stops the server, so streams and groups outlive the restart.
  await promisify(execFile)('bash', ['scripts/services.sh', 'restart', 'redis'])
}

afterAll(async () => {
  if (!available) return
  const client = new Redis(url)
  let cursor = '0'
  do {
    const [next, keys] = await client.scan(cursor, 'MATCH', `${options.keyPrefix}*`, 'COUNT', 1000)
    cursor = next
    if (keys.length > 0) await client.del(...keys)
  } while (cursor !== '0')
  await client.quit()
})

if (available) {
  runTransportSuite('redis', {
    createTransport: () => createRedisTransport(options),
    restartBroker: restartRedis,
    visibilityTimeoutMs: 400,
  })
}

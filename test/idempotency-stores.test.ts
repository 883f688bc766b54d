import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe } from 'vitest'
import type { IdempotencyStore } from '../src/delivery/idempotency.js'
import { createMemoryIdempotencyStore } from '../src/stores/memory-idempotency.js'
import { createPostgresIdempotencyStore } from '../src/stores/postgres-idempotency.js'
import { createRedisIdempotencyStore } from '../src/stores/redis-idempotency.js'
import { createSqliteIdempotencyStore } from '../src/stores/sqlite-idempotency.js'
import { runIdempotencyStoreSuite } from '../src/testing/idempotency-suite.js'
import { serviceAvailable } from './support/services.js'

const redisUrl = process.env['SEPAL_TEST_REDIS_URL'] ?? 'redis://127.0.0.1:6379'
const postgresUrl = process.env['SEPAL_TEST_POSTGRES_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres'

// Two "workers" on one memory store share its state; closing is left to the last one.
const memory = createMemoryIdempotencyStore()
const shared: IdempotencyStore = { ...memory, close: async () => {} }
runIdempotencyStoreSuite('memory', { createStore: () => shared })

const dir = mkdtempSync(join(tmpdir(), 'sepal-idem-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))
runIdempotencyStoreSuite('sqlite', { createStore: () => createSqliteIdempotencyStore({ path: join(dir, 'idem.db') }) })

if (await serviceAvailable('redis', redisUrl)) {
  runIdempotencyStoreSuite('redis', { createStore: () => createRedisIdempotencyStore({ url: redisUrl }) })
} else {
  describe.skip('idempotency store conformance: redis (service missing)', () => {})
}

if (await serviceAvailable('postgres', postgresUrl)) {
  runIdempotencyStoreSuite('postgres', { createStore: () => createPostgresIdempotencyStore({ url: postgresUrl }) })
} else {
  describe.skip('idempotency store conformance: postgres (service missing)', () => {})
}

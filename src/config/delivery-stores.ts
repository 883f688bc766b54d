import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import type { DeadLetterSink } from '../delivery/dead-letter-store.js'
import type { IdempotencyStore } from '../delivery/idempotency.js'
import type { EngineIdempotency } from '../engine/types.js'
import { createMemoryIdempotencyStore } from '../stores/memory-idempotency.js'
import { createSqliteDeadLetterStore } from '../stores/sqlite-dead-letters.js'
import { createSqliteIdempotencyStore } from '../stores/sqlite-idempotency.js'
import type { SepalConfig } from './schema.js'

/** The files the embedded setup keeps beside its log; `sepal dlq` reads the dead letters from here. */
export const DEAD_LETTERS_FILE = 'dead-letters.db'
export const IDEMPOTENCY_FILE = 'idempotency.db'

export interface DeliveryStores {
  readonly idempotency?: EngineIdempotency
  readonly deadLetters?: DeadLetterSink
  close(): Promise<void>
}

/**
 * Opens the stores sepal.yaml asks for. Defaults: idempotency and dead letters in SQLite files in the
 * data directory. Redis and PostgreSQL clients are loaded only when their URL is used.
 */
export async function openDeliveryStores(config: Pick<SepalConfig, 'idempotency' | 'deadLetters'>, dataDirectory: string): Promise<DeliveryStores> {
  const closers: Array<() => Promise<void>> = []
  let store: IdempotencyStore | undefined
  const { store: kind, leaseMs, ttlMs } = config.idempotency
  if (kind === 'sqlite') {
    mkdirSync(dataDirectory, { recursive: true })
    store = createSqliteIdempotencyStore({ path: join(dataDirectory, IDEMPOTENCY_FILE) })
  } else if (kind === 'memory') {
    store = createMemoryIdempotencyStore()
  } else if (/^rediss?:/.test(kind)) {
    const { createRedisIdempotencyStore } = await import('../stores/redis-idempotency.js')
    store = createRedisIdempotencyStore({ url: kind })
  } else if (/^postgres(ql)?:/.test(kind)) {
    const { createPostgresIdempotencyStore } = await import('../stores/postgres-idempotency.js')
    store = createPostgresIdempotencyStore({ url: kind })
  }
  if (store !== undefined) closers.push(() => store.close())

  let deadLetters: DeadLetterSink | undefined
  if (config.deadLetters.store === 'sqlite') {
    const sqlite = createSqliteDeadLetterStore({ path: join(dataDirectory, DEAD_LETTERS_FILE) })
    closers.push(() => sqlite.close())
    deadLetters = sqlite
  }

  return {
    ...(store !== undefined && { idempotency: { store, leaseMs, ttlMs } }),
    ...(deadLetters !== undefined && { deadLetters }),
    async close() {
      for (const close of closers.reverse()) await close()
    },
  }
}

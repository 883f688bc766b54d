import { Redis } from 'ioredis'
import type { ClaimResult, IdempotencyStore } from '../delivery/idempotency.js'

export interface RedisIdempotencyStoreOptions {
  /** An ioredis client, which the store then does not close. */
  readonly client?: Redis
  /** Or a URL such as `redis://127.0.0.1:6379`. */
  readonly url?: string
  /** Prepended to every key. Default `sepal:idem:`. */
  readonly prefix?: string
}

// Values: 'p' = a lease in progress, 'c' = completed. Expiry is Redis's own PX, so the server's clock
// decides and workers on different hosts agree.
const CLAIM = `
local v = redis.call('GET', KEYS[1])
if v == 'c' then return 'completed' end
if v then return 'in-progress' end
redis.call('SET', KEYS[1], 'p', 'PX', ARGV[1])
return 'claimed'`

const RELEASE = `
if redis.call('GET', KEYS[1]) == 'p' then return redis.call('DEL', KEYS[1]) end
return 0`

/** Idempotency leases in Redis: one Lua script per claim, so a claim is atomic across workers. */
export function createRedisIdempotencyStore(options: RedisIdempotencyStoreOptions): IdempotencyStore {
  const owned = options.client === undefined
  const client = options.client ?? new Redis(options.url ?? 'redis://127.0.0.1:6379', { lazyConnect: false, maxRetriesPerRequest: 3 })
  const prefix = options.prefix ?? 'sepal:idem:'
  let closed = false

  return {
    async claim(key, leaseMs) {
      const result = await client.eval(CLAIM, 1, prefix + key, Math.max(1, Math.ceil(leaseMs)))
      return result as ClaimResult
    },
    async complete(key, ttlMs) {
      await client.set(prefix + key, 'c', 'PX', Math.max(1, Math.ceil(ttlMs)))
    },
    async release(key) {
      await client.eval(RELEASE, 1, prefix + key)
    },
    async close() {
      if (closed || !owned) return
      closed = true
      await client.quit()
    },
  }
}

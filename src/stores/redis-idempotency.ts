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
// Each script takes many keys (with a lease or TTL per key in ARGV), so the claims of one event-loop
// turn cost one round trip and one command.
const CLAIM = `
local out = {}
for i, key in ipairs(KEYS) do
  local v = redis.call('GET', key)
  if v == 'c' then out[i] = 'completed'
  elseif v then out[i] = 'in-progress'
  else redis.call('SET', key, 'p', 'PX', ARGV[i]); out[i] = 'claimed' end
end
return out`

const COMPLETE = `
for i, key in ipairs(KEYS) do redis.call('SET', key, 'c', 'PX', ARGV[i]) end
return #KEYS`

const RELEASE = `
for _, key in ipairs(KEYS) do
  if redis.call('GET', key) == 'p' then redis.call('DEL', key) end
end
return #KEYS`

/** Idempotency leases in Redis: one Lua script per claim, so a claim is atomic across workers. */
export function createRedisIdempotencyStore(options: RedisIdempotencyStoreOptions): IdempotencyStore {
  const owned = options.client === undefined
  const client = options.client ?? new Redis(options.url ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: 3 })
  const prefix = options.prefix ?? 'sepal:idem:'
  const claims = batcher<ClaimResult>((keys, args) => client.eval(CLAIM, keys.length, ...keys, ...args) as Promise<ClaimResult[]>)
  const completes = batcher<unknown>((keys, args) => client.eval(COMPLETE, keys.length, ...keys, ...args).then(() => []))
  const releases = batcher<unknown>((keys) => client.eval(RELEASE, keys.length, ...keys).then(() => []))
  let closed = false

  return {
    async claim(key, leaseMs) {
      return claims(prefix + key, Math.max(1, Math.ceil(leaseMs)))
    },
    async complete(key, ttlMs) {
      await completes(prefix + key, Math.max(1, Math.ceil(ttlMs)))
    },
    async release(key) {
      await releases(prefix + key, 0)
    },
    async close() {
      if (closed || !owned) return
      closed = true
      await client.quit()
    },
  }
}

/**
 * Collects the calls of one event-loop turn and sends them as one script call; each caller gets the
 * result at its own index (or undefined when the script returns nothing per key).
 */
function batcher<T>(send: (keys: string[], args: number[]) => Promise<T[]>): (key: string, arg: number) => Promise<T> {
  let keys: string[] = []
  let args: number[] = []
  let waiting: Array<{ resolve(value: T): void; reject(error: unknown): void }> = []
  const flush = (): void => {
    const batch = waiting
    const sent = send(keys, args)
    keys = []
    args = []
    waiting = []
    sent.then(
      (results) => batch.forEach((w, i) => w.resolve(results[i] as T)),
      (error: unknown) => batch.forEach((w) => w.reject(error)),
    )
  }
  return (key, arg) =>
    new Promise<T>((resolve, reject) => {
      keys.push(key)
      args.push(arg)
      if (waiting.push({ resolve, reject }) === 1) setImmediate(flush)
    })
}

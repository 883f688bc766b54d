import type { ClaimResult, IdempotencyStore } from '../delivery/idempotency.js'

interface Entry {
  completed: boolean
  expiresAt: number
}

export interface MemoryIdempotencyStoreOptions {
  /** Clock in ms; injectable for tests. */
  readonly now?: () => number
}

/** In-process store: right for tests and single-process setups that accept losing state on restart. */
export function createMemoryIdempotencyStore(options: MemoryIdempotencyStoreOptions = {}): IdempotencyStore {
  const now = options.now ?? Date.now
  const entries = new Map<string, Entry>()
  let sweepAt = 0

  // Expired entries are dropped in passing, at most once per second, so the map cannot grow without bound.
  function sweep(t: number): void {
    if (t < sweepAt) return
    sweepAt = t + 1000
    for (const [key, entry] of entries) if (entry.expiresAt <= t) entries.delete(key)
  }

  return {
    async claim(key, leaseMs): Promise<ClaimResult> {
      const t = now()
      sweep(t)
      const entry = entries.get(key)
      if (entry && entry.expiresAt > t) return entry.completed ? 'completed' : 'in-progress'
      entries.set(key, { completed: false, expiresAt: t + leaseMs })
      return 'claimed'
    },
    async complete(key, ttlMs) {
      entries.set(key, { completed: true, expiresAt: now() + ttlMs })
    },
    async release(key) {
      const entry = entries.get(key)
      if (entry && !entry.completed) entries.delete(key)
    },
    async close() {
      entries.clear()
    },
  }
}

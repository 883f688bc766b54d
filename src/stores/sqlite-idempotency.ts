import Database from 'better-sqlite3'
import type { ClaimResult, IdempotencyStore } from '../delivery/idempotency.js'
import { ErrorCodes, OptionsError, SepalError } from '../errors.js'

export interface SqliteIdempotencyStoreOptions {
  /** A database file (created if missing); several processes may share it. */
  readonly path?: string
  /** Or an open database, which the store then does not close. */
  readonly database?: Database.Database
  readonly table?: string
  /** Clock in ms; injectable for tests. Processes sharing a file must share a clock (same host). */
  readonly now?: () => number
}

/**
 * The SQLite store adds a synchronous `completeSync`: a handler that writes its side effect to the same
 * database can call it inside its own transaction, so the effect and the completion commit together
 * and a crash between them cannot make the effect run twice.
 */
export interface SqliteIdempotencyStore extends IdempotencyStore {
  completeSync(key: string, ttlMs: number): void
}

const LEASE = 0
const COMPLETED = 1

/**
 * Idempotency leases in SQLite. Each claim runs in an IMMEDIATE transaction, which takes the write lock
 * up front, so two processes on the same file cannot both see a key as free.
 */
export function createSqliteIdempotencyStore(options: SqliteIdempotencyStoreOptions): SqliteIdempotencyStore {
  const owned = options.database === undefined
  const db = options.database ?? new Database(requirePath(options.path))
  const table = quoteIdentifier(options.table ?? 'sepal_idempotency')
  const now = options.now ?? Date.now
  if (owned) {
    db.pragma('journal_mode = WAL')
    // WAL + NORMAL: a commit survives the process being killed (not a power cut), as the embedded log's default.
    db.pragma('synchronous = NORMAL')
    db.pragma('busy_timeout = 5000')
  }
  db.exec(`CREATE TABLE IF NOT EXISTS ${table} (key TEXT PRIMARY KEY, state INTEGER NOT NULL, expires_at INTEGER NOT NULL) WITHOUT ROWID`)
  const select = db.prepare<[string], { state: number; expires_at: number }>(`SELECT state, expires_at FROM ${table} WHERE key = ?`)
  const upsert = db.prepare(`INSERT INTO ${table} (key, state, expires_at) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET state = excluded.state, expires_at = excluded.expires_at`)
  // One statement claims in the common case: it inserts a fresh key or takes over an expired one, and
  // returns a row only then; a live key (no row) is then looked up to tell in-progress from completed.
  const take = db.prepare<[string, number, number], { state: number }>(
    `INSERT INTO ${table} (key, state, expires_at) VALUES (?, ${LEASE}, ?) ON CONFLICT (key) DO UPDATE SET state = ${LEASE}, expires_at = excluded.expires_at WHERE expires_at <= ? RETURNING state`,
  )
  const dropLease = db.prepare(`DELETE FROM ${table} WHERE key = ? AND state = ${LEASE}`)
  const purge = db.prepare(`DELETE FROM ${table} WHERE expires_at <= ?`)

  function claimNow(key: string, leaseMs: number, t: number): ClaimResult {
    if (take.get(key, t + leaseMs, t) !== undefined) return 'claimed'
    return select.get(key)?.state === COMPLETED ? 'completed' : 'in-progress'
  }

  // Operations asked for within one turn of the event loop run in one IMMEDIATE transaction, in the
  // order they were asked: with many events in flight, one commit serves them all.
  type Operation = { kind: 'claim' | 'complete' | 'release'; key: string; ms: number; resolve(result: ClaimResult | undefined): void; reject(error: unknown): void }
  let queue: Operation[] = []
  const runBatch = db.transaction((batch: readonly Operation[]): Array<ClaimResult | undefined> => {
    const t = now()
    return batch.map((op) => {
      if (op.kind === 'claim') return claimNow(op.key, op.ms, t)
      if (op.kind === 'complete') upsert.run(op.key, COMPLETED, t + op.ms)
      else dropLease.run(op.key)
      return undefined
    })
  })
  function flush(): void {
    const batch = queue
    queue = []
    try {
      const results = runBatch.immediate(batch)
      batch.forEach((op, i) => op.resolve(results[i]))
    } catch (error) {
      for (const op of batch) op.reject(error)
    }
  }
  function enqueue(kind: Operation['kind'], key: string, ms: number): Promise<ClaimResult | undefined> {
    if (closed) return Promise.reject(new SepalError(ErrorCodes.CLOSED, 'the idempotency store is closed'))
    return new Promise((resolve, reject) => {
      if (queue.push({ kind, key, ms, resolve, reject }) === 1) setImmediate(flush)
    })
  }
  let claimsSincePurge = 0
  let closed = false

  return {
    async claim(key, leaseMs) {
      // Expired rows are purged now and then, so the table stays the size of the live window.
      if (++claimsSincePurge >= 10_000) {
        claimsSincePurge = 0
        purge.run(now())
      }
      return (await enqueue('claim', key, leaseMs)) as ClaimResult
    },
    async complete(key, ttlMs) {
      await enqueue('complete', key, ttlMs)
    },
    completeSync(key, ttlMs) {
      upsert.run(key, COMPLETED, now() + ttlMs)
    },
    async release(key) {
      await enqueue('release', key, 0)
    },
    async close() {
      if (closed) return
      if (queue.length > 0) flush()
      closed = true
      if (owned) db.close()
    },
  }
}

function requirePath(path: string | undefined): string {
  if (!path) throw new OptionsError("createSqliteIdempotencyStore needs 'path' or 'database'")
  return path
}

function quoteIdentifier(name: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new OptionsError(`table name '${name}' must be letters, digits and underscores`)
  return `"${name}"`
}

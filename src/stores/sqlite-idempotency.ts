import Database from 'better-sqlite3'
import type { ClaimResult, IdempotencyStore } from '../delivery/idempotency.js'
import { OptionsError } from '../errors.js'

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
    db.pragma('busy_timeout = 5000')
  }
  db.exec(`CREATE TABLE IF NOT EXISTS ${table} (key TEXT PRIMARY KEY, state INTEGER NOT NULL, expires_at INTEGER NOT NULL) WITHOUT ROWID`)
  const select = db.prepare<[string], { state: number; expires_at: number }>(`SELECT state, expires_at FROM ${table} WHERE key = ?`)
  const upsert = db.prepare(`INSERT INTO ${table} (key, state, expires_at) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET state = excluded.state, expires_at = excluded.expires_at`)
  const dropLease = db.prepare(`DELETE FROM ${table} WHERE key = ? AND state = ${LEASE}`)
  const purge = db.prepare(`DELETE FROM ${table} WHERE expires_at <= ?`)

  const claim = db.transaction((key: string, leaseMs: number): ClaimResult => {
    const t = now()
    const row = select.get(key)
    if (row && row.expires_at > t) return row.state === COMPLETED ? 'completed' : 'in-progress'
    upsert.run(key, LEASE, t + leaseMs)
    return 'claimed'
  })
  let claimsSincePurge = 0
  let closed = false

  return {
    async claim(key, leaseMs) {
      // Expired rows are purged now and then, so the table stays the size of the live window.
      if (++claimsSincePurge >= 10_000) {
        claimsSincePurge = 0
        purge.run(now())
      }
      return claim.immediate(key, leaseMs)
    },
    async complete(key, ttlMs) {
      upsert.run(key, COMPLETED, now() + ttlMs)
    },
    completeSync(key, ttlMs) {
      upsert.run(key, COMPLETED, now() + ttlMs)
    },
    async release(key) {
      dropLease.run(key)
    },
    async close() {
      if (closed) return
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

import postgres from 'postgres'
import type { ClaimResult, IdempotencyStore } from '../delivery/idempotency.js'
import { OptionsError } from '../errors.js'

export interface PostgresIdempotencyStoreOptions {
  /** A `postgres` client, which the store then does not end. */
  readonly sql?: postgres.Sql
  /** Or a connection URL such as `postgres://postgres@127.0.0.1:5432/postgres`. */
  readonly url?: string
  /** Table name, created on first use. Default `sepal_idempotency`. */
  readonly table?: string
}

/**
 * Idempotency leases in PostgreSQL. A claim is one `INSERT … ON CONFLICT DO UPDATE … WHERE expired`:
 * the row lock makes exactly one of any number of concurrent claims win. Expiry uses the database's
 * clock (`clock_timestamp()`), so workers on different hosts agree.
 */
export function createPostgresIdempotencyStore(options: PostgresIdempotencyStoreOptions): IdempotencyStore {
  const owned = options.sql === undefined
  const sql = options.sql ?? postgres(options.url ?? 'postgres://postgres@127.0.0.1:5432/postgres', { max: 4, onnotice: () => {} })
  const tableName = options.table ?? 'sepal_idempotency'
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(tableName)) throw new OptionsError(`table name '${tableName}' must be letters, digits and underscores`)
  const table = sql(tableName)
  let ready: Promise<void> | undefined
  let closed = false

  function ensureTable(): Promise<void> {
    ready ??= createTable().catch((error: unknown) => {
      ready = undefined
      throw error
    })
    return ready
  }

  async function createTable(): Promise<void> {
    try {
      await sql`CREATE TABLE IF NOT EXISTS ${table} (key text PRIMARY KEY, completed boolean NOT NULL, expires_at timestamptz NOT NULL)`
    } catch (error) {
      // Two processes creating the table at once can collide on the catalog; the loser finds it there.
      if ((error as { code?: string }).code !== '23505') throw error
    }
  }

  return {
    async claim(key, leaseMs): Promise<ClaimResult> {
      await ensureTable()
      const won = await sql`
        INSERT INTO ${table} (key, completed, expires_at)
        VALUES (${key}, false, clock_timestamp() + ${leaseMs} * interval '1 millisecond')
        ON CONFLICT (key) DO UPDATE SET completed = false, expires_at = excluded.expires_at
        WHERE ${table}.expires_at <= clock_timestamp()
        RETURNING 1`
      if (won.length === 1) return 'claimed'
      const [row] = await sql<{ completed: boolean }[]>`SELECT completed FROM ${table} WHERE key = ${key}`
      // A row that vanished in between was a released lease: its holder is retrying, so report it busy.
      return row?.completed ? 'completed' : 'in-progress'
    },
    async complete(key, ttlMs) {
      await ensureTable()
      await sql`
        INSERT INTO ${table} (key, completed, expires_at)
        VALUES (${key}, true, clock_timestamp() + ${ttlMs} * interval '1 millisecond')
        ON CONFLICT (key) DO UPDATE SET completed = true, expires_at = excluded.expires_at`
    },
    async release(key) {
      await ensureTable()
      await sql`DELETE FROM ${table} WHERE key = ${key} AND completed = false`
    },
    async close() {
      if (closed || !owned) return
      closed = true
      await sql.end({ timeout: 5 })
    },
  }
}

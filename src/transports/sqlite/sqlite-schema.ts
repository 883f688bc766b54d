import Database from 'better-sqlite3'
import type { Database as DatabaseType, Statement } from 'better-sqlite3'

/**
 * `normal`: WAL with synchronous=NORMAL. A commit is in the WAL file before publish resolves, so it
 * survives a crash of the process (kill -9); a power loss or OS crash may lose the last commits
 * (never corrupts). `full`: synchronous=FULL, the WAL is fsynced at every commit, so a commit also
 * survives power loss, at the cost of one fsync per group commit.
 */
export type SqliteSynchronous = 'normal' | 'full'

const SCHEMA = `
CREATE TABLE IF NOT EXISTS sepal_log (
  id INTEGER PRIMARY KEY,
  topic TEXT NOT NULL,
  key TEXT,
  event TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS sepal_log_by_topic ON sepal_log (topic);
CREATE TABLE IF NOT EXISTS sepal_groups (
  topic TEXT NOT NULL,
  grp TEXT NOT NULL,
  next_id INTEGER NOT NULL,
  PRIMARY KEY (topic, grp)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS sepal_leases (
  topic TEXT NOT NULL,
  grp TEXT NOT NULL,
  id INTEGER NOT NULL,
  key TEXT,
  attempt INTEGER NOT NULL,
  visible_at INTEGER NOT NULL,
  owner TEXT,
  PRIMARY KEY (topic, grp, id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS sepal_leases_by_key ON sepal_leases (topic, grp, key, id) WHERE key IS NOT NULL;
`

/** Opens (creating when missing) the log database in WAL mode with the chosen durability. */
export function openLogDatabase(path: string, synchronous: SqliteSynchronous, busyTimeoutMs: number): DatabaseType {
  const db = new Database(path, { timeout: busyTimeoutMs })
  db.pragma('journal_mode = WAL')
  db.pragma(`synchronous = ${synchronous === 'full' ? 'FULL' : 'NORMAL'}`)
  // Several processes may open a new file at once: creating the schema is one write transaction.
  db.transaction(() => db.exec(SCHEMA)).immediate()
  return db
}

export interface LeaseRow {
  readonly id: number
  readonly key: string | null
  readonly attempt: number
  readonly event: string
}

export interface LogRow {
  readonly id: number
  readonly key: string | null
  readonly event: string
}

/** Every statement the transport runs, prepared once per connection. */
export interface LogStatements {
  readonly append: Statement<[string, string | null, string]>
  readonly createGroup: Statement<[string, string, number, string]>
  readonly cursor: Statement<[string, string], { next_id: number }>
  readonly advance: Statement<[number, string, string]>
  readonly hasNew: Statement<[string, number], { one: number }>
  readonly newEntries: Statement<[string, number, number], LogRow>
  readonly hasVisible: Statement<[string, string, number], { one: number }>
  readonly visibleLeases: Statement<[string, string, number, number], LeaseRow>
  readonly keyHeld: Statement<[string, string, string, number], { one: number }>
  readonly insertLease: Statement<[string, string, number, string | null, number, number, string | null]>
  readonly claim: Statement<[number, string, string, string, number]>
  readonly ack: Statement<[string, string, number, string, number]>
  readonly nack: Statement<[number, string, string, number, string, number]>
  readonly unclaim: Statement<[string, string, number, string, number]>
}

export function prepareStatements(db: DatabaseType): LogStatements {
  return {
    append: db.prepare<[string, string | null, string]>('INSERT INTO sepal_log (topic, key, event) VALUES (?, ?, ?)'),
    createGroup: db.prepare<[string, string, number, string]>(
      `INSERT OR IGNORE INTO sepal_groups (topic, grp, next_id)
       VALUES (?, ?, CASE WHEN ? = 1 THEN 0 ELSE (SELECT coalesce(max(id), 0) + 1 FROM sepal_log WHERE topic = ?) END)`,
    ),
    cursor: db.prepare<[string, string], { next_id: number }>(
      'SELECT next_id FROM sepal_groups WHERE topic = ? AND grp = ?',
    ),
    advance: db.prepare<[number, string, string]>('UPDATE sepal_groups SET next_id = ? WHERE topic = ? AND grp = ?'),
    hasNew: db.prepare<[string, number], { one: number }>(
      'SELECT 1 AS one FROM sepal_log WHERE topic = ? AND id >= ? LIMIT 1',
    ),
    newEntries: db.prepare<[string, number, number], LogRow>(
      'SELECT id, key, event FROM sepal_log WHERE topic = ? AND id >= ? ORDER BY id LIMIT ?',
    ),
    hasVisible: db.prepare<[string, string, number], { one: number }>(
      'SELECT 1 AS one FROM sepal_leases WHERE topic = ? AND grp = ? AND visible_at <= ? LIMIT 1',
    ),
    visibleLeases: db.prepare<[string, string, number, number], LeaseRow>(
      `SELECT l.id, l.key, l.attempt, g.event FROM sepal_leases l JOIN sepal_log g ON g.id = l.id
       WHERE l.topic = ? AND l.grp = ? AND l.visible_at <= ? ORDER BY l.id LIMIT ?`,
    ),
    keyHeld: db.prepare<[string, string, string, number], { one: number }>(
      'SELECT 1 AS one FROM sepal_leases WHERE topic = ? AND grp = ? AND key = ? AND id < ? LIMIT 1',
    ),
    insertLease: db.prepare<[string, string, number, string | null, number, number, string | null]>(
      'INSERT INTO sepal_leases (topic, grp, id, key, attempt, visible_at, owner) VALUES (?, ?, ?, ?, ?, ?, ?)',
    ),
    claim: db.prepare<[number, string, string, string, number]>(
      'UPDATE sepal_leases SET attempt = attempt + 1, visible_at = ?, owner = ? WHERE topic = ? AND grp = ? AND id = ?',
    ),
    ack: db.prepare<[string, string, number, string, number]>(
      'DELETE FROM sepal_leases WHERE topic = ? AND grp = ? AND id = ? AND owner = ? AND attempt = ?',
    ),
    nack: db.prepare<[number, string, string, number, string, number]>(
      `UPDATE sepal_leases SET owner = NULL, visible_at = ?
       WHERE topic = ? AND grp = ? AND id = ? AND owner = ? AND attempt = ?`,
    ),
    unclaim: db.prepare<[string, string, number, string, number]>(
      `UPDATE sepal_leases SET owner = NULL, visible_at = 0, attempt = attempt - 1
       WHERE topic = ? AND grp = ? AND id = ? AND owner = ? AND attempt = ?`,
    ),
  }
}

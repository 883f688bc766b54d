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
CREATE TABLE IF NOT EXISTS sepal_topics (
  n INTEGER PRIMARY KEY,
  topic TEXT NOT NULL UNIQUE
);
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

/**
 * Statements on the tables every topic shares. The log itself is one table per topic (see
 * topic-tables.ts), so an append touches no index and ids are offsets within the topic.
 */
export interface LogStatements {
  readonly createGroup: Statement<[string, string, number]>
  readonly cursor: Statement<[string, string], { next_id: number }>
  readonly advance: Statement<[number, string, string]>
  readonly hasVisible: Statement<[string, string, number], { one: number }>
  readonly keyHeld: Statement<[string, string, string, number], { one: number }>
  readonly insertLease: Statement<[string, string, number, string | null, number, number, string | null]>
  readonly claim: Statement<[number, string, string, string, number]>
  readonly ack: Statement<[string, string, number, string, number]>
  readonly nack: Statement<[number, string, string, number, string, number]>
  readonly unclaim: Statement<[string, string, number, string, number]>
  readonly unblockNext: Statement<[string, string, string, string, string]>
}

/** `visible_at` of an entry held back behind an earlier one of its key: never visible by time. */
export const HELD_BACK = Number.MAX_SAFE_INTEGER

export function prepareStatements(db: DatabaseType): LogStatements {
  return {
    createGroup: db.prepare('INSERT OR IGNORE INTO sepal_groups (topic, grp, next_id) VALUES (?, ?, ?)'),
    cursor: db.prepare('SELECT next_id FROM sepal_groups WHERE topic = ? AND grp = ?'),
    advance: db.prepare('UPDATE sepal_groups SET next_id = ? WHERE topic = ? AND grp = ?'),
    hasVisible: db.prepare('SELECT 1 AS one FROM sepal_leases WHERE topic = ? AND grp = ? AND visible_at <= ? LIMIT 1'),
    keyHeld: db.prepare('SELECT 1 AS one FROM sepal_leases WHERE topic = ? AND grp = ? AND key = ? AND id < ? LIMIT 1'),
    insertLease: db.prepare(
      'INSERT INTO sepal_leases (topic, grp, id, key, attempt, visible_at, owner) VALUES (?, ?, ?, ?, ?, ?, ?)',
    ),
    claim: db.prepare(
      'UPDATE sepal_leases SET attempt = attempt + 1, visible_at = ?, owner = ? WHERE topic = ? AND grp = ? AND id = ?',
    ),
    ack: db.prepare('DELETE FROM sepal_leases WHERE topic = ? AND grp = ? AND id = ? AND owner = ? AND attempt = ?'),
    nack: db.prepare(
      `UPDATE sepal_leases SET owner = NULL, visible_at = ?
       WHERE topic = ? AND grp = ? AND id = ? AND owner = ? AND attempt = ?`,
    ),
    // After a keyed ack the earliest remaining entry of that key, if held back, becomes visible.
    unblockNext: db.prepare(
      `UPDATE sepal_leases SET visible_at = 0
       WHERE topic = ? AND grp = ? AND visible_at = ${Number.MAX_SAFE_INTEGER}
         AND id = (SELECT min(id) FROM sepal_leases WHERE topic = ? AND grp = ? AND key = ?)`,
    ),
    unclaim: db.prepare(
      `UPDATE sepal_leases SET owner = NULL, visible_at = 0, attempt = attempt - 1
       WHERE topic = ? AND grp = ? AND id = ? AND owner = ? AND attempt = ?`,
    ),
  }
}

import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import Database from 'better-sqlite3'
import type { CloudEvent } from '../event/cloud-event.js'
import type { DeadLetterEntry, DeadLetterFilter, DeadLetterStore } from '../delivery/dead-letter-store.js'
import { OptionsError } from '../errors.js'

interface Row {
  seq: number
  topic: string
  rule: string
  target: string
  error: string
  dead_lettered_at: number
  event: string
}

/**
 * Dead letters of the embedded setup, in a SQLite file (by default `dead-letters.db` in the data
 * directory). `synchronous = FULL`: a dead letter replaces an acked original, so it must survive power loss.
 */
export function createSqliteDeadLetterStore(options: { path: string }): DeadLetterStore {
  if (!options.path) throw new OptionsError("createSqliteDeadLetterStore needs 'path'")
  mkdirSync(dirname(options.path), { recursive: true })
  const db = new Database(options.path)
  db.pragma('journal_mode = WAL')
  db.pragma('synchronous = FULL')
  db.pragma('busy_timeout = 5000')
  db.exec(`CREATE TABLE IF NOT EXISTS dead_letters (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    topic TEXT NOT NULL, rule TEXT NOT NULL, target TEXT NOT NULL, error TEXT NOT NULL,
    event_id TEXT NOT NULL, dead_lettered_at INTEGER NOT NULL, event TEXT NOT NULL)`)
  db.exec('CREATE INDEX IF NOT EXISTS dead_letters_rule ON dead_letters (rule, seq)')
  const insert = db.prepare(
    'INSERT INTO dead_letters (topic, rule, target, error, event_id, dead_lettered_at, event) VALUES (?, ?, ?, ?, ?, ?, ?)',
  )
  const remove = db.prepare('DELETE FROM dead_letters WHERE seq = ?')
  let closed = false

  return {
    async put(entry) {
      insert.run(entry.topic, entry.rule, entry.target, entry.error, entry.event.id, entry.deadLetteredAt, JSON.stringify(entry.event))
    },
    async list(filter: DeadLetterFilter = {}) {
      const where: string[] = []
      const params: Array<string | number> = []
      const add = (clause: string, ...values: Array<string | number>) => {
        where.push(clause)
        params.push(...values)
      }
      if (filter.rule !== undefined) add('rule = ?', filter.rule)
      if (filter.since !== undefined) add('dead_lettered_at >= ?', filter.since)
      if (filter.error !== undefined) add('instr(lower(error), lower(?)) > 0', filter.error)
      if (filter.id !== undefined) add('(CAST(seq AS TEXT) = ? OR event_id = ?)', filter.id, filter.id)
      const sql = `SELECT * FROM dead_letters ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY seq${filter.limit !== undefined ? ' LIMIT ?' : ''}`
      if (filter.limit !== undefined) params.push(filter.limit)
      return db.prepare<unknown[], Row>(sql).all(...params).map(toEntry)
    },
    async remove(seq) {
      return remove.run(seq).changes === 1
    },
    async close() {
      if (closed) return
      closed = true
      db.close()
    },
  }
}

function toEntry(row: Row): DeadLetterEntry {
  return {
    seq: row.seq,
    topic: row.topic,
    rule: row.rule,
    target: row.target,
    error: row.error,
    deadLetteredAt: row.dead_lettered_at,
    event: Object.freeze(JSON.parse(row.event) as CloudEvent),
  }
}

import type { Database, Statement } from 'better-sqlite3'

export interface LogRow {
  readonly id: number
  readonly key: string | null
  readonly event: string
}

export interface LeaseRow extends LogRow {
  readonly attempt: number
}

/** The statements on one topic's log table. */
export interface TopicStatements {
  readonly table: string
  readonly append: Statement<[string | null, string]>
  readonly newestId: Statement<[], { id: number | null }>
  readonly hasNew: Statement<[number], { one: number }>
  readonly newEntries: Statement<[number, number], LogRow>
  readonly visibleLeases: Statement<[string, string, number, number], LeaseRow>
}

/**
 * One append-only table per topic, `sepal_log_<n>`, named through `sepal_topics`. A table of its
 * own means an append writes one b-tree and no index, and the id (rowid) is the offset in the topic.
 */
export class TopicTables {
  readonly #db: Database
  readonly #byTopic = new Map<string, TopicStatements>()
  readonly #lookup: Statement<[string], { n: number }>
  readonly #register: Statement<[string]>
  readonly #create: (topic: string) => number

  constructor(db: Database) {
    this.#db = db
    this.#lookup = db.prepare('SELECT n FROM sepal_topics WHERE topic = ?')
    this.#register = db.prepare('INSERT OR IGNORE INTO sepal_topics (topic) VALUES (?)')
    this.#create = db
      .transaction((topic: string): number => {
        this.#register.run(topic)
        const n = this.#lookup.get(topic)?.n as number
        db.exec(`CREATE TABLE IF NOT EXISTS sepal_log_${n} (id INTEGER PRIMARY KEY, key TEXT, event TEXT NOT NULL)`)
        return n
      })
      .immediate.bind(null) as (topic: string) => number
  }

  /** The topic's statements; creates its table (in its own transaction) the first time. */
  get(topic: string): TopicStatements {
    const known = this.#byTopic.get(topic)
    if (known !== undefined) return known
    const n = this.#lookup.get(topic)?.n ?? this.#create(topic)
    const table = `sepal_log_${n}`
    const db = this.#db
    const statements: TopicStatements = {
      table,
      append: db.prepare(`INSERT INTO ${table} (key, event) VALUES (?, ?)`),
      newestId: db.prepare(`SELECT max(id) AS id FROM ${table}`),
      hasNew: db.prepare(`SELECT 1 AS one FROM ${table} WHERE id >= ? LIMIT 1`),
      newEntries: db.prepare(`SELECT id, key, event FROM ${table} WHERE id >= ? ORDER BY id LIMIT ?`),
      visibleLeases: db.prepare(
        `SELECT l.id, l.key, l.attempt, g.event FROM sepal_leases l JOIN ${table} g ON g.id = l.id
         WHERE l.topic = ? AND l.grp = ? AND l.visible_at <= ? ORDER BY l.id LIMIT ?`,
      ),
    }
    this.#byTopic.set(topic, statements)
    return statements
  }

  /** Every topic in the file with its table name. */
  all(): Array<{ topic: string; table: string }> {
    return this.#db
      .prepare<[], { topic: string; n: number }>('SELECT topic, n FROM sepal_topics')
      .all()
      .map(({ topic, n }) => ({ topic, table: `sepal_log_${n}` }))
  }
}

import type { Database } from 'better-sqlite3'
import type { TopicTables } from './topic-tables.js'

/**
 * Deletes log entries every group of their topic has acked: below the group's cursor and not
 * leased or parked. The newest entry of each topic's table always stays, so SQLite never hands its
 * id out again (ids are offsets). Topics without any group keep everything: a group created later
 * with `from: 'earliest'` may still want it. Call inside a write transaction. Returns rows deleted.
 */
export function compactConsumed(db: Database, tables: TopicTables): number {
  const floorOf = db.prepare<[string], { floor: number | null }>(
    `SELECT min(coalesce((SELECT min(l.id) FROM sepal_leases l WHERE l.topic = g.topic AND l.grp = g.grp), g.next_id),
                g.next_id) AS floor
     FROM sepal_groups g WHERE g.topic = ?`,
  )
  let deleted = 0
  for (const { topic, table } of tables.all()) {
    const floor = floorOf.get(topic)?.floor
    if (floor === null || floor === undefined) continue
    deleted += db
      .prepare<[number]>(`DELETE FROM ${table} WHERE id < ? AND id < (SELECT max(id) FROM ${table})`)
      .run(floor).changes
  }
  return deleted
}

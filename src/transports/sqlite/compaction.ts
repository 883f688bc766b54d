import type { Database } from 'better-sqlite3'

/**
 * Deletes log entries every group of their topic has acked: below the group's cursor and not
 * leased or parked. The newest entry of the whole log always stays, so SQLite never hands its id
 * out again (ids are offsets). Topics without any group keep everything: a group created later
 * with `from: 'earliest'` may still want it. Call inside a write transaction. Returns rows deleted.
 */
export function compactConsumed(db: Database): number {
  const floors = db
    .prepare<[], { topic: string; floor: number }>(
      `SELECT g.topic AS topic,
              min(coalesce((SELECT min(l.id) FROM sepal_leases l WHERE l.topic = g.topic AND l.grp = g.grp), g.next_id),
                  g.next_id) AS floor
       FROM sepal_groups g GROUP BY g.topic`,
    )
    .all()
  const newest = db.prepare<[], { id: number | null }>('SELECT max(id) AS id FROM sepal_log').get()?.id ?? 0
  const remove = db.prepare<[string, number, number]>('DELETE FROM sepal_log WHERE topic = ? AND id < ? AND id < ?')
  let deleted = 0
  for (const { topic, floor } of floors) deleted += remove.run(topic, floor, newest).changes
  return deleted
}

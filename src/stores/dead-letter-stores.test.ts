import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { createMemoryDeadLetterStore, type DeadLetterStore } from '../delivery/dead-letter-store.js'
import { createSqliteDeadLetterStore } from './sqlite-dead-letters.js'

const dir = mkdtempSync(join(tmpdir(), 'sepal-dlq-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const event = (id: string) => ({ specversion: '1.0' as const, id, source: 'app.orders', type: 'OrderPlaced', data: { n: id } })

for (const [name, create] of [
  ['memory', () => createMemoryDeadLetterStore()],
  ['sqlite', () => createSqliteDeadLetterStore({ path: join(dir, 'dl.db') })],
] as const) {
  describe(`dead-letter store: ${name}`, () => {
    it('lists entries in order and filters by rule, error text, time and id', async () => {
      const store: DeadLetterStore = create()
      await store.put({ topic: 'events', rule: 'email', target: 'send', error: 'SMTP refused', deadLetteredAt: 1000, event: event('a') })
      await store.put({ topic: 'events', rule: 'stock', target: 'reserve', error: 'out of stock', deadLetteredAt: 2000, event: event('b') })
      await store.put({ topic: 'events', rule: 'email', target: 'send', error: 'timeout', deadLetteredAt: 3000, event: event('c') })
      expect((await store.list()).map((e) => e.event.id)).toEqual(['a', 'b', 'c'])
      expect((await store.list({ rule: 'email' })).map((e) => e.event.id)).toEqual(['a', 'c'])
      expect((await store.list({ error: 'smtp' })).map((e) => e.event.id)).toEqual(['a'])
      expect((await store.list({ since: 2000 })).map((e) => e.event.id)).toEqual(['b', 'c'])
      expect((await store.list({ id: 'b' })).map((e) => e.rule)).toEqual(['stock'])
      const [first] = await store.list({ limit: 1 })
      expect((await store.list({ id: String(first!.seq) })).map((e) => e.event.id)).toEqual(['a'])
      expect(first!.event).toEqual(event('a'))
      await store.close()
    })

    it('removes an entry once and reports a second removal as gone', async () => {
      const store: DeadLetterStore = create()
      await store.put({ topic: 'events', rule: 'r', target: 't', error: 'e', deadLetteredAt: 1, event: event('x') })
      const [entry] = await store.list({ id: 'x' })
      expect(await store.remove(entry!.seq)).toBe(true)
      expect(await store.remove(entry!.seq)).toBe(false)
      expect(await store.list({ id: 'x' })).toEqual([])
      await store.close()
    })
  })
}

import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, describe, expect, it } from 'vitest'
import { idsOf, makeEvents, receiveAll } from '../../testing/transport-suite-helpers.js'
import { createSqliteTransport } from './sqlite-transport.js'

const directory = mkdtempSync(join(tmpdir(), 'sepal-sqlite-unit-'))
afterAll(() => rmSync(directory, { recursive: true, force: true }))

describe('sqlite transport', () => {
  it('asks for exactly one of path and directory', () => {
    expect(() => createSqliteTransport({})).toThrow(/exactly one of `path`/)
    expect(() => createSqliteTransport({ path: 'a.db', directory: 'b' })).toThrow(/exactly one/)
  })

  it('names the file it cannot open in a transport-unavailable error', () => {
    expect(() => createSqliteTransport({ path: join(directory, 'missing-dir', 'x.db') })).toThrow(
      expect.objectContaining({ code: 'SEPAL_ERR_TRANSPORT_UNAVAILABLE', message: expect.stringContaining('missing-dir') }),
    )
  })

  it('opens the log in WAL mode with the synchronous level asked for', async () => {
    const path = join(directory, 'full.db')
    const transport = createSqliteTransport({ path, synchronous: 'full' })
    const db = new Database(path, { readonly: true })
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal')
    db.close()
    expect(transport.path).toBe(path)
    await transport.close()
  })

  it('resumes a group where it left off after the transport is reopened', async () => {
    const path = join(directory, 'resume.db')
    const first = createSqliteTransport({ path })
    const subscription = await first.subscribe('t', { group: 'g' })
    await first.publish('t', makeEvents('r', 10))
    await receiveAll(subscription, idsOf('r', 4), 5_000)
    await first.close()
    const second = createSqliteTransport({ path })
    await second.publish('t', makeEvents('r', 5, 10))
    const rest = await receiveAll(await second.subscribe('t', { group: 'g' }), idsOf('r', 11, 4), 5_000)
    expect([...rest.keys()].sort()).toEqual(idsOf('r', 11, 4).sort())
    await second.close()
  })

  it('compacts only entries every group of the topic has acked', async () => {
    const transport = createSqliteTransport({ path: join(directory, 'compact.db'), compactIntervalMs: 0 })
    const fast = await transport.subscribe('t', { group: 'fast' })
    const slow = await transport.subscribe('t', { group: 'slow' })
    await transport.publish('t', makeEvents('k', 10))
    await receiveAll(fast, idsOf('k', 10), 5_000)
    await receiveAll(slow, idsOf('k', 3), 5_000)
    // `slow` acked 0..2 and may hold a few more leased: only entries below its floor may go.
    const deleted = transport.compact()
    expect(deleted).toBeGreaterThanOrEqual(3)
    expect(deleted).toBeLessThan(10)
    const late = await transport.subscribe('t', { group: 'late', from: 'earliest' })
    const remaining = await receiveAll(late, idsOf('k', 10 - deleted, deleted), 5_000)
    expect(remaining.size).toBe(10 - deleted)
    await transport.close()
  })

  it('answers settles after close with a closed error', async () => {
    const transport = createSqliteTransport({ path: join(directory, 'closed.db') })
    const subscription = await transport.subscribe('t', { group: 'g' })
    await transport.publish('t', makeEvents('x', 1))
    const result = await subscription[Symbol.asyncIterator]().next()
    await transport.close()
    await expect(result.done === true ? Promise.resolve() : result.value.ack()).rejects.toMatchObject({
      code: 'SEPAL_ERR_CLOSED',
    })
  })

  it('keeps a delayed nack parked in the file across a restart and redelivers it after the delay', async () => {
    const path = join(directory, 'parked.db')
    const first = createSqliteTransport({ path })
    const subscription = await first.subscribe('t', { group: 'g' })
    await first.publish('t', makeEvents('d', 1))
    const delivery = await subscription[Symbol.asyncIterator]().next()
    const nackedAt = Date.now()
    await (delivery.done === true ? undefined : delivery.value.nack({ delayMs: 400 }))
    await first.close()
    const second = createSqliteTransport({ path })
    const again = await (await second.subscribe('t', { group: 'g' }))[Symbol.asyncIterator]().next()
    expect(Date.now() - nackedAt).toBeGreaterThanOrEqual(400)
    expect(again.value?.event.id).toBe('d-0')
    expect(again.value?.attempt).toBe(2)
    await second.close()
  })

  it('lets retries of other keys through while one key holds back many events', async () => {
    const transport = createSqliteTransport({ path: join(directory, 'held.db'), fetchBatch: 16 })
    const subscription = await transport.subscribe('t', { group: 'g', maxInFlight: 16 })
    const iterator = subscription[Symbol.asyncIterator]()
    await transport.publish('t', makeEvents('a', 1), { key: 'a' })
    const head = await iterator.next()
    expect(head.value?.event.id).toBe('a-0')
    await head.value?.nack({ delayMs: 60_000 })
    await transport.publish('t', makeEvents('a', 200, 1), { key: 'a' })
    await transport.publish('t', makeEvents('b', 1), { key: 'b' })
    const b = await iterator.next()
    expect(b.value?.event.id).toBe('b-0')
    await b.value?.nack()
    const retried = await iterator.next()
    expect(retried.value?.event.id).toBe('b-0')
    expect(retried.value?.attempt).toBe(2)
    await transport.close()
  })
})

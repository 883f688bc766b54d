import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createSqliteDeadLetterStore } from '../../stores/sqlite-dead-letters.js'
import type { CliIo } from '../command.js'
import { deadLetterPath, dlqCommand } from './dlq.js'

function fakeIo(cwd: string) {
  const out: string[] = []
  const err: string[] = []
  const io: CliIo = { stdout: { write: (s: string) => out.push(s) }, stderr: { write: (s: string) => err.push(s) }, env: {}, cwd }
  return { io, out: () => out.join(''), err: () => err.join('') }
}

let dir: string
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sepal-dlq-cli-'))
  const store = createSqliteDeadLetterStore({ path: deadLetterPath(join(dir, '.sepal')) })
  const now = Date.now()
  const base = { specversion: '1.0' as const, source: 'app.orders', type: 'OrderPlaced' }
  await store.put({ topic: 'events', rule: 'email', target: 'send', error: 'SMTP refused', deadLetteredAt: now - 7_200_000, event: { ...base, id: 'o-1' } })
  await store.put({ topic: 'events', rule: 'stock', target: 'reserve', error: 'out of stock', deadLetteredAt: now - 60_000, event: { ...base, id: 'o-2' } })
  await store.close()
})
afterEach(() => rmSync(dir, { recursive: true, force: true }))

describe('sepal dlq', () => {
  it('lists dead letters as a table and as JSON, filtered by rule and age', async () => {
    const table = fakeIo(dir)
    expect(await dlqCommand.run(['list'], table.io)).toBe(0)
    expect(table.out()).toMatch(/email\s+send\s+o-1\s+SMTP refused/)
    const json = fakeIo(dir)
    expect(await dlqCommand.run(['list', '--since', '1h', '--json'], json.io)).toBe(0)
    expect(JSON.parse(json.out()).map((e: { id: string }) => e.id)).toEqual(['o-2'])
    const byRule = fakeIo(dir)
    await dlqCommand.run(['list', '--rule', 'email', '--json'], byRule.io)
    expect(JSON.parse(byRule.out())).toHaveLength(1)
  })

  it('shows one dead letter in full by event id, and exits 1 for an unknown id', async () => {
    const shown = fakeIo(dir)
    expect(await dlqCommand.run(['show', 'o-2', '--json'], shown.io)).toBe(0)
    expect(JSON.parse(shown.out())[0]).toMatchObject({ rule: 'stock', event: { id: 'o-2' } })
    const missing = fakeIo(dir)
    expect(await dlqCommand.run(['show', 'nope'], missing.io)).toBe(1)
    expect(missing.err()).toContain('sepal dlq list')
  })

  it('redrives nothing on a dry run and purges by filter', async () => {
    const dry = fakeIo(dir)
    expect(await dlqCommand.run(['redrive', '--dry-run', '--json'], dry.io)).toBe(0)
    expect(JSON.parse(dry.out()).wouldRedrive).toHaveLength(2)
    const purge = fakeIo(dir)
    expect(await dlqCommand.run(['purge', '--error', 'smtp', '--json'], purge.io)).toBe(0)
    expect(JSON.parse(purge.out())).toEqual({ purged: 1 })
    const left = fakeIo(dir)
    await dlqCommand.run(['list', '--json'], left.io)
    expect(JSON.parse(left.out()).map((e: { id: string }) => e.id)).toEqual(['o-2'])
  })

  it('answers a bad flag value with exit code 2 and what to write instead', async () => {
    const bad = fakeIo(dir)
    expect(await dlqCommand.run(['list', '--since', 'yesterday-ish'], bad.io)).toBe(2)
    expect(bad.err()).toContain('30m, 12h or 7d')
    expect(await dlqCommand.run(['redrive', '--rate', '-3'], fakeIo(dir).io)).toBe(2)
  })
})

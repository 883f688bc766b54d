import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import type { CloudEvent } from '../event/cloud-event.js'
import { createSqliteTransport } from '../transports/sqlite/sqlite-transport.js'
import { createEngine } from './create-engine.js'
import type { Handler } from './types.js'

const dirs: string[] = []
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'sepal-engine-'))
  dirs.push(dir)
  return dir
}

function event(i: number): CloudEvent {
  return { specversion: '1.0', id: `e-${i}`, source: 'app.orders', type: 'OrderPlaced', data: { i } }
}

function waitUntil(check: () => boolean): Promise<void> {
  return new Promise((resolve) => {
    const poll = (): void => void (check() ? resolve() : setTimeout(poll, 5))
    poll()
  })
}

describe('the engine on the embedded log', () => {
  it('consumes every event exactly to success, retrying the ones whose handler failed first', async () => {
    const directory = tempDir()
    const transport = createSqliteTransport({ directory, pollIntervalMs: 5 })
    const succeeded = new Set<string>()
    const attempts = new Map<string, number>()
    const handler: Handler = (e, ctx) => {
      attempts.set(e.id, ctx.attempt)
      if (Number((e.data as { i: number }).i) % 5 === 0 && ctx.attempt === 1) throw new Error('first try fails')
      succeeded.add(e.id)
    }
    const engine = createEngine({
      transport,
      from: 'earliest',
      maxInFlight: 8,
      rules: [{ name: 'orders', pattern: { 'detail-type': ['OrderPlaced'] }, targets: [{ kind: 'handler', handler }] }],
    })
    await engine.start()
    await engine.publish(Array.from({ length: 40 }, (_, i) => event(i)))
    await waitUntil(() => succeeded.size === 40)
    await engine.stop()
    expect(attempts.get('e-5')).toBe(2)
    expect(attempts.get('e-6')).toBe(1)
    expect(engine.metrics.counter('sepal_deliveries_nacked_total').value).toBe(8)
    expect(engine.metrics.counter('sepal_deliveries_acked_total').value).toBe(40)
    await transport.close()
  })

  it('hands an event cut loose by stop to the next engine of the group, even across a reopen of the log', async () => {
    const directory = tempDir()
    const first = createSqliteTransport({ directory, pollIntervalMs: 5 })
    let began = false
    const stuck = createEngine({
      transport: first,
      from: 'earliest',
      rules: [{ name: 'r', maxAttempts: 1, pattern: { source: ['app.orders'] }, targets: [{ kind: 'handler', handler: () => {
        began = true
        return new Promise<void>(() => undefined)
      } }] }],
    })
    await stuck.start()
    await stuck.publish(event(1))
    await waitUntil(() => began)
    await stuck.stop({ drainTimeoutMs: 10 })
    await first.close()

    const second = createSqliteTransport({ directory, pollIntervalMs: 5 })
    const seen: string[] = []
    const next = createEngine({
      transport: second,
      from: 'earliest',
      rules: [{ name: 'r', pattern: { source: ['app.orders'] }, targets: [{ kind: 'handler', handler: (e) => void seen.push(e.id) }] }],
    })
    await next.start()
    await waitUntil(() => seen.length === 1)
    await next.stop()
    await second.close()
    expect(seen).toEqual(['e-1'])
  })
})

import { spawn, type ChildProcess } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import Database from 'better-sqlite3'
import { Redis } from 'ioredis'
import { afterAll, describe, expect, it } from 'vitest'
import { createRedisTransport } from '../../src/transports/redis/redis-transport.js'
import { serviceAvailable } from '../support/services.js'

const url = process.env['SEPAL_TEST_REDIS_URL'] ?? 'redis://127.0.0.1:6379'
const available = await serviceAvailable('redis', url)
const run = randomUUID().slice(0, 8)
const keyPrefix = `sepaltest:${run}:`
const directory = mkdtempSync(join(tmpdir(), 'sepal-redis-workers-'))
const workerPath = fileURLToPath(new URL('./redis-worker.ts', import.meta.url))
const workers: ChildProcess[] = []

afterAll(async () => {
  for (const worker of workers) if (worker.exitCode === null && worker.signalCode === null) worker.kill('SIGKILL')
  rmSync(directory, { recursive: true, force: true })
  if (!available) return
  const client = new Redis(url)
  const keys = await client.keys(`${keyPrefix}*`)
  if (keys.length > 0) await client.del(...keys)
  await client.quit()
})

function startWorker(topic: string): Promise<ChildProcess> {
  const worker = spawn(process.execPath, ['--import', 'tsx', workerPath, url, keyPrefix, topic, directory], { stdio: ['ignore', 'pipe', 'inherit'] })
  workers.push(worker)
  return new Promise((resolve, reject) => {
    createInterface({ input: worker.stdout! }).on('line', (line) => line === 'ready' && resolve(worker))
    worker.once('exit', (code) => reject(new Error(`worker exited with ${code} before it was ready`)))
  })
}

function ledgerCounts(): { handled: number; rows: number } {
  const db = new Database(join(directory, 'ledger.db'), { readonly: true, fileMustExist: true })
  try {
    return db.prepare<[], { handled: number; rows: number }>('SELECT COUNT(DISTINCT event_id) AS handled, COUNT(*) AS rows FROM ledger').get()!
  } finally {
    db.close()
  }
}

async function waitFor(check: () => boolean, what: string, ms: number): Promise<void> {
  for (const deadline = Date.now() + ms; !check(); await new Promise((resolve) => setTimeout(resolve, 50))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
  }
}

describe.runIf(available)('redis transport with several worker processes', () => {
  it('shares 5 000 events between three workers of one group, and a kill -9 of one loses and repeats nothing', async () => {
    const topic = `scale-out-${run}`
    const total = 5_000
    const started = await Promise.all([startWorker(topic), startWorker(topic), startWorker(topic)])
    const publisher = await createRedisTransport({ url, keyPrefix })
    for (let i = 0; i < total; i += 250) {
      const batch = Array.from({ length: 250 }, (_, n) => ({ specversion: '1.0' as const, id: `e-${i + n}`, source: 'scale-out', type: 'test.event' }))
      await publisher.publish(topic, batch)
    }
    await publisher.close()
    await waitFor(() => ledgerCounts().rows >= total / 4, 'a quarter of the events', 60_000)
    started[0]!.kill('SIGKILL')
    await waitFor(() => ledgerCounts().handled === total, 'every event in the ledger', 90_000)
    // What the killed worker held was claimed and acked by the others: nothing stays pending.
    const client = new Redis(url)
    const pendingCount = async () => Number(((await client.xpending(`${keyPrefix}{${topic}}`, 'workers')) as [number])[0])
    for (let waited = 0; (await pendingCount()) > 0 && waited < 10_000; waited += 100) await new Promise((resolve) => setTimeout(resolve, 100))
    expect(await pendingCount()).toBe(0)
    await client.quit()
    const counts = ledgerCounts()
    const db = new Database(join(directory, 'ledger.db'), { readonly: true })
    const perWorker = db.prepare<[], { pid: number; n: number }>('SELECT pid, COUNT(*) AS n FROM ledger GROUP BY pid').all()
    db.close()
    await Promise.all(started.slice(1).map((worker) => new Promise((resolve) => {
      worker.once('exit', resolve)
      worker.kill('SIGTERM')
    })))
    expect(counts).toEqual({ handled: total, rows: total })
    expect(perWorker).toHaveLength(3)
  }, 180_000)
})

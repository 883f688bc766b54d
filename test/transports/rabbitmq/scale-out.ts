import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import Database from 'better-sqlite3'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { createRabbitmqTransport } from '../../../src/transports/rabbitmq/rabbitmq-transport.js'
import { namePrefix, url } from './support.js'

// Scale-out and crash proof on RabbitMQ: three engine processes in one consumer group share a topic of
// 5 000 events; one of them is killed with SIGKILL mid-run. With idempotency on, every event's side
// effect is in the ledger exactly once: the broker hands the killed worker's unacked events to the
// others, and the idempotency store (in the ledger's database, so effect and completion commit
// together) turns the redelivery of an effect that already happened into a duplicate.

const directory = mkdtempSync(join(tmpdir(), 'sepal-rabbitmq-scale-'))
const src = (path: string): string => JSON.stringify(pathToFileURL(join(import.meta.dirname, '../../../src', path)).href)
const workers: ChildProcess[] = []
const EVENTS = 5_000
const TOPIC = 'scale'

const workerScript = `
  import Database from 'better-sqlite3'
  import { createEngine } from ${src('engine/create-engine.ts')}
  import { createSqliteIdempotencyStore } from ${src('stores/sqlite-idempotency.ts')}
  import { createRabbitmqTransport } from ${src('transports/rabbitmq/rabbitmq-transport.ts')}
  const transport = await createRabbitmqTransport({ url: ${JSON.stringify(url)}, namePrefix: ${JSON.stringify(namePrefix)} })
  const ledger = new Database(${JSON.stringify(join(directory, 'ledger.db'))})
  ledger.pragma('journal_mode = WAL')
  ledger.pragma('busy_timeout = 10000')
  const insert = ledger.prepare('INSERT INTO ledger (event_id, pid) VALUES (?, ?)')
  const store = createSqliteIdempotencyStore({ database: ledger })
  const record = ledger.transaction((eventId, key) => {
    insert.run(eventId, process.pid)
    store.completeSync(key, 86400000)
  })
  const engine = createEngine({
    transport, topic: ${JSON.stringify(TOPIC)}, group: 'workers', maxInFlight: 8,
    idempotency: { store, leaseMs: 1500 },
    rules: [{ name: 'ledger', pattern: { source: ['scale'] }, targets: [{ kind: 'handler', name: 'record',
      handler: async (event, ctx) => {
        await new Promise((resolve) => setTimeout(resolve, 1))
        record(event.id, ctx.idempotencyKey)
        await new Promise((resolve) => setTimeout(resolve, 1))
      } }] }],
  })
  await engine.start()
  process.stdout.write('ready\\n')
`

function startWorker(): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', workerScript], { stdio: ['ignore', 'pipe', 'inherit'] })
    workers.push(child)
    child.stdout?.on('data', (chunk: Buffer) => chunk.toString().includes('ready') && resolve(child))
    child.once('exit', (code, signal) => reject(new Error(`worker exited before it was ready (${code ?? signal})`)))
  })
}

function counts(): { handled: number; rows: number; workers: number } {
  const db = new Database(join(directory, 'ledger.db'), { readonly: true })
  try {
    return db.prepare<[], { handled: number; rows: number; workers: number }>(
      'SELECT COUNT(DISTINCT event_id) AS handled, COUNT(*) AS rows, COUNT(DISTINCT pid) AS workers FROM ledger',
    ).get()!
  } finally {
    db.close()
  }
}

export function describeScaleOut(): void {
  describe('rabbitmq scale-out', () => {
    afterEach(() => {
      for (const child of workers.splice(0)) if (child.exitCode === null) child.kill('SIGKILL')
    })
    afterAll(() => rmSync(directory, { recursive: true, force: true }))

    it('three workers share 5 000 events and, with one killed by SIGKILL mid-run, each side effect happens once', async () => {
      const setup = new Database(join(directory, 'ledger.db'))
      setup.pragma('journal_mode = WAL')
      setup.exec('CREATE TABLE IF NOT EXISTS ledger (event_id TEXT NOT NULL, pid INTEGER NOT NULL)')
      setup.close()
      const [victim] = await Promise.all([startWorker(), startWorker(), startWorker()])
      const publisher = await createRabbitmqTransport({ url, namePrefix })
      try {
        for (let i = 0; i < EVENTS; i += 100) {
          const events = Array.from({ length: 100 }, (_, j) => ({ specversion: '1.0' as const, id: `e-${i + j}`, source: 'scale', type: 'scale.tick', data: { n: i + j } }))
          await publisher.publish(TOPIC, events)
          if (i === 1_500) {
            // Mid-run, once the victim has done some of the work.
            victim?.removeAllListeners('exit')
            victim?.kill('SIGKILL')
          }
        }
      } finally {
        await publisher.close()
      }
      const deadline = Date.now() + 90_000
      let seen = counts()
      while (seen.handled < EVENTS && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 250))
        seen = counts()
      }
      expect(seen.handled).toBe(EVENTS)
      expect(seen.rows).toBe(EVENTS)
      expect(seen.workers).toBeGreaterThanOrEqual(2)
    }, 150_000)
  })
}

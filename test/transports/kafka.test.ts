import { execFile, spawn, type ChildProcess } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { Consumer, Producer } from '@platformatic/kafka'
import Database from 'better-sqlite3'
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { Delivery, Transport } from '../../src/transports/contract.js'
import { consume, idsOf, makeEvents, nextWithin, receiveAll } from '../../src/testing/transport-suite-helpers.js'
import { createTransportFromUrl } from '../../src/config/transport-registry.js'
import { runTransportSuite } from '../../src/testing/transport-suite.js'
import { createKafkaTransport, type KafkaTransportOptions } from '../../src/transports/kafka/kafka-transport.js'
import { serviceAvailable } from '../support/services.js'

const url = process.env['SEPAL_TEST_KAFKA_URL'] ?? 'kafka://127.0.0.1:9092'
const available = await serviceAvailable('kafka', url.replace(/^kafka:/, 'tcp:'))
const run = randomUUID().slice(0, 8)
const brokers = [url.replace(/^kafka:\/\//, '').replace(/\/$/, '')]
// Groups of this run only (the suite's topics are unique per scenario already).
const base: KafkaTransportOptions = { url, groupIdFor: (topic, group) => `${group}.${topic}.${run}` }

async function restartKafka(): Promise<void> {
  await promisify(execFile)('bash', ['scripts/services.sh', 'restart', 'kafka'])
}

if (available) {
  // The suite's waits are scaled by timeoutFactor; the test time has to allow for them.
  vi.setConfig({ testTimeout: 90_000 })

  runTransportSuite('kafka', {
    createTransport: () => createKafkaTransport(base),
    restartBroker: restartKafka,
    visibilityTimeoutMs: 1000,
    // Group joins and rebalances take seconds on Kafka.
    timeoutFactor: 3,
  })

  describe('kafka transport on the broker', () => {
    const opened: Transport[] = []
    const open = async (options: KafkaTransportOptions = {}): Promise<Transport> => {
      const transport = await createKafkaTransport({ ...base, ...options })
      opened.push(transport)
      return transport
    }
    const topicOf = (name: string): string => `sepal-kafka-${name}-${randomUUID().slice(0, 8)}`
    afterEach(async () => {
      await Promise.allSettled(opened.splice(0).map((transport) => transport.close()))
    })

    it('commits only contiguous acks: an event held while later ones are acked comes back to the next member', async () => {
      const topic = topicOf('contiguous')
      const first = await open({ partitions: 1 })
      const subscription = await first.subscribe(topic, { group: 'g', maxInFlight: 20 })
      await first.publish(topic, makeEvents(run, 10))
      const deliveries: Delivery[] = []
      for (let i = 0; i < 10; i++) {
        const delivery = await nextWithin(subscription, 30_000)
        if (delivery !== undefined) deliveries.push(delivery)
      }
      expect(deliveries.map((delivery) => delivery.event.id)).toEqual(idsOf(run, 10))
      await Promise.all(deliveries.slice(1).map((delivery) => delivery.ack()))
      await subscription.close()
      await first.close()
      const second = await open({ partitions: 1 })
      const again = await second.subscribe(topic, { group: 'g' })
      const redelivered = await nextWithin(again, 30_000)
      expect(redelivered?.event.id).toBe(`${run}-0`)
      await redelivered?.ack()
      await again.close()
    })

    it('shares a topic between two clients of one group through a rebalance, losing nothing', async () => {
      const topic = topicOf('rebalance')
      const [one, two] = [await open(), await open()]
      const first = await one.subscribe(topic, { group: 'g', maxInFlight: 10 })
      const expected = idsOf(run, 300)
      await one.publish(topic, makeEvents(run, 150))
      const seenBy = new Map<string, Set<string>>([['one', new Set()], ['two', new Set()]])
      const all = new Set<string>()
      const reader = (name: string) => async (delivery: Delivery) => {
        seenBy.get(name)?.add(delivery.event.id)
        all.add(delivery.event.id)
        await delivery.ack()
      }
      await consume(first, reader('one'), () => all.size >= 50, 30_000, () => `${all.size} of 50`)
      const second = await two.subscribe(topic, { group: 'g', maxInFlight: 10 })
      await one.publish(topic, makeEvents(run, 150, 150))
      await Promise.all([
        consume(first, reader('one'), () => all.size === 300, 60_000, () => `${all.size} of 300`),
        consume(second, reader('two'), () => all.size === 300, 60_000, () => `${all.size} of 300`),
      ])
      expect([...all].sort()).toEqual([...expected].sort())
      expect(seenBy.get('two')?.size).toBeGreaterThan(0)
      await Promise.all([first.close(), second.close()])
    })

    it('interoperates with a plain Kafka client: structured records in, ce_ headers out', async () => {
      const topic = topicOf('interop')
      const transport = await open()
      const subscription = await transport.subscribe(topic, { group: 'g' })
      const producer = new Producer({ clientId: 'interop', bootstrapBrokers: brokers })
      const structured = { specversion: '1.0', id: `${run}-plain`, source: 'plain', type: 't', data: { ok: true } }
      await producer.send({
        messages: [{ topic, value: Buffer.from(JSON.stringify(structured)), headers: new Map([[Buffer.from('content-type'), Buffer.from('application/cloudevents+json')]]) }],
      })
      await producer.close()
      const received = await nextWithin(subscription, 30_000)
      expect(received?.event).toEqual(structured)
      await received?.ack()
      await subscription.close()

      await transport.publish(topic, [{ specversion: '1.0', id: `${run}-out`, source: 'sepal', type: 't', partitionkey: 'k1', data: { n: 1 } }])
      const consumer = new Consumer({ clientId: 'interop', groupId: `plain-${run}`, bootstrapBrokers: brokers })
      const stream = await consumer.consume({ topics: [topic], mode: 'earliest' })
      let headers: Record<string, string> = {}
      let key = ''
      for await (const message of stream) {
        const names = Object.fromEntries([...message.headers].map(([name, value]) => [name.toString(), value.toString()]))
        if (names['ce_id'] !== `${run}-out`) continue
        headers = names
        key = message.key?.toString() ?? ''
        break
      }
      await stream.close()
      await consumer.close(true)
      expect(headers).toMatchObject({ ce_id: `${run}-out`, ce_source: 'sepal', ce_specversion: '1.0', ce_partitionkey: 'k1' })
      expect(key).toBe('k1')
    })

    it('opens from a kafka:// URL as sepal.yaml and --transport give it', async () => {
      const transport = await createTransportFromUrl(url, { baseDirectory: '.', dataDirectory: '.' })
      opened.push(transport)
      expect(transport.name).toBe('kafka')
      expect(transport.features.orderedPerKey).toBe(true)
    })

    it('receives all events published while a client of the group was away', async () => {
      const topic = topicOf('away')
      const transport = await open()
      await (await transport.subscribe(topic, { group: 'g' })).close()
      await transport.publish(topic, makeEvents(run, 30))
      const subscription = await transport.subscribe(topic, { group: 'g' })
      expect((await receiveAll(subscription, idsOf(run, 30), 30_000)).size).toBe(30)
      await subscription.close()
    })

  })
}

// Three sepal worker processes in one consumer group share a topic; one is killed with SIGKILL
// mid-run. With idempotency on (the side effect and its completion mark commit in one SQLite
// transaction), every event's side effect happens exactly once.
const root = fileURLToPath(new URL('../..', import.meta.url))
const workerSource = `
import Database from 'better-sqlite3'
import { createEngine } from '${root}src/engine/create-engine.js'
import { createSqliteIdempotencyStore } from '${root}src/stores/sqlite-idempotency.js'
import { createKafkaTransport } from '${root}src/transports/kafka/kafka-transport.js'
const [url, topic, group, ledgerPath] = process.argv.slice(1)
const leaseMs = 2000
const transport = await createKafkaTransport({ url, sessionTimeoutMs: 6000, visibilityTimeoutMs: 10000 })
const ledger = new Database(ledgerPath)
ledger.pragma('journal_mode = WAL')
ledger.pragma('busy_timeout = 10000')
const insert = ledger.prepare('INSERT INTO ledger (event_id, pid) VALUES (?, ?)')
const store = createSqliteIdempotencyStore({ database: ledger })
const record = ledger.transaction((eventId, key) => {
  insert.run(eventId, process.pid)
  store.completeSync(key, 86400000)
})
const engine = createEngine({
  transport, topic, group, from: 'earliest', maxInFlight: 8,
  idempotency: { store, leaseMs },
  rules: [{ name: 'ledger', pattern: { source: ['scale-out'] }, targets: [{ kind: 'handler', name: 'record', handler: async (event, ctx) => {
    await new Promise((resolve) => setTimeout(resolve, 1))
    record(event.id, ctx.idempotencyKey)
  } }] }],
})
await engine.start()
process.stdout.write('ready\\n')
`

if (available) {
  describe('kafka scale-out', () => {
    it('three workers of one group handle 5 000 events exactly once although one is killed with SIGKILL', async () => {
      const directory = mkdtempSync(join(tmpdir(), 'sepal-kafka-scale-'))
      const ledgerPath = join(directory, 'ledger.db')
      const setup = new Database(ledgerPath)
      setup.pragma('journal_mode = WAL')
      setup.exec('CREATE TABLE ledger (event_id TEXT NOT NULL, pid INTEGER NOT NULL)')
      const count = (): { handled: number; rows: number } =>
        setup.prepare<[], { handled: number; rows: number }>('SELECT COUNT(DISTINCT event_id) AS handled, COUNT(*) AS rows FROM ledger').get()!
      const topic = `sepal-kafka-scale-${randomUUID().slice(0, 8)}`
      const group = `workers-${run}`
      const publisher = await createKafkaTransport({ url, partitions: 3 })
      const workers: ChildProcess[] = []
      const start = (): Promise<ChildProcess> =>
        new Promise((resolve, reject) => {
          const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', workerSource, url, topic, group, ledgerPath], {
            stdio: ['ignore', 'pipe', 'inherit'],
          })
          workers.push(child)
          child.stdout?.on('data', (chunk: Buffer) => chunk.toString().includes('ready') && resolve(child))
          child.once('exit', (code) => reject(new Error(`worker exited with ${code} before it was ready`)))
        })
      try {
        await publisher.publish(topic, [])
        await Promise.all([start(), start(), start()])
        const events = 5000
        for (let i = 0; i < events; i += 100) {
          await publisher.publish(topic, Array.from({ length: 100 }, (_, n) => ({ specversion: '1.0' as const, id: `e-${i + n}`, source: 'scale-out', type: 't', data: { n: i + n } })))
        }
        const deadline = Date.now() + 120_000
        while (count().handled < 1500 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50))
        // The victim is the busiest worker at that moment: partition assignment may leave a member idle.
        const busiest = setup.prepare<[], { pid: number; n: number }>('SELECT pid, COUNT(*) AS n FROM ledger GROUP BY pid ORDER BY n DESC LIMIT 1').get()
        const victim = workers.find((w) => w.pid === busiest?.pid)
        victim?.kill('SIGKILL')
        const atKill = count().handled
        const byVictim = busiest?.n ?? 0
        while (count().handled < events && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 200))
        const { handled, rows } = count()
        expect(handled).toBe(events)
        expect(rows).toBe(events)
        // The kill landed mid-run, on a worker that had its share of the work.
        expect(atKill).toBeLessThan(events)
        expect(byVictim).toBeGreaterThan(0)
      } finally {
        for (const worker of workers) worker.kill('SIGKILL')
        await publisher.close()
        setup.close()
        rmSync(directory, { recursive: true, force: true })
      }
    }, 180_000)
  })
}

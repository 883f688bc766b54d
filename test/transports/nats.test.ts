import { execFile, spawn, type ChildProcess } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream'
import { MsgHdrsImpl, connect, type NatsConnection } from '@nats-io/transport-node'
import Database from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTransportFromUrl } from '../../src/config/transport-registry.js'
import type { CloudEvent } from '../../src/event/cloud-event.js'
import { nextWithin } from '../../src/testing/transport-suite-helpers.js'
import { runTransportSuite } from '../../src/testing/transport-suite.js'
import type { NatsDelivery } from '../../src/transports/nats/nats-group-source.js'
import { createNatsTransport, type NatsTransportOptions } from '../../src/transports/nats/nats-transport.js'
import { serviceAvailable } from '../support/services.js'

const url = process.env['SEPAL_TEST_NATS_URL'] ?? 'nats://127.0.0.1:4222'
const available = await serviceAvailable('nats', url)
const run = randomUUID().slice(0, 8)
// Streams and subjects of this run only, so the broker is left as it was found.
const names = { url, streamPrefix: `SEPALTEST_${run}_`, subjectPrefix: `sepaltest.${run}` } satisfies NatsTransportOptions
const services = (command: string) => promisify(execFile)('bash', ['scripts/services.sh', command, 'nats'])

afterAll(async () => {
  if (!available) return
  const nc = await connect({ servers: new URL(url).host })
  const jsm = await jetstreamManager(nc)
  for await (const stream of jsm.streams.names()) {
    if (stream.startsWith(names.streamPrefix)) await jsm.streams.delete(stream)
  }
  await nc.close()
})

if (available) {
  runTransportSuite('nats', {
    createTransport: () => createNatsTransport(names),
    restartBroker: () => services('restart').then(() => undefined),
    visibilityTimeoutMs: 1000,
  })
}

const event = (id: string, extra: Partial<CloudEvent> = {}): CloudEvent => ({
  specversion: '1.0',
  id,
  source: 'sepal.nats.test',
  type: 'test.event',
  datacontenttype: 'application/json',
  data: { id },
  ...extra,
})

describe.runIf(available)('nats transport against the broker', () => {
  let nc: NatsConnection
  beforeAll(async () => {
    nc = await connect({ servers: new URL(url).host })
  })
  afterAll(async () => {
    await nc.close()
  })

  it('fails with SEPAL_ERR_TRANSPORT_UNAVAILABLE naming a broker that does not answer', async () => {
    await expect(createNatsTransport({ url: 'nats://127.0.0.1:1', connectTimeoutMs: 1000 })).rejects.toSatisfy(
      (error: Error & { code?: string }) =>
        error.code === 'SEPAL_ERR_TRANSPORT_UNAVAILABLE' && error.message.includes('nats://127.0.0.1:1'),
    )
  })

  it('opens from a nats:// URL through the registry and refuses a URL with a path', async () => {
    const context = { baseDirectory: '.', dataDirectory: '.sepal' }
    const transport = await createTransportFromUrl(url, context)
    expect(transport.name).toBe('nats')
    await transport.close()
    await expect(createTransportFromUrl(`${url}/orders`, context)).rejects.toMatchObject({ code: 'SEPAL_ERR_TRANSPORT_URL_INVALID' })
  })

  it('reads events other NATS clients publish in binary and structured mode', async () => {
    const transport = await createNatsTransport(names)
    const topic = `interop-in-${randomUUID().slice(0, 8)}`
    const subscription = await transport.subscribe(topic, { group: 'g' })
    const js = jetstream(nc)
    const subject = `${names.subjectPrefix}.${topic}`
    const binary = MsgHdrsImpl.fromRecord({
      'ce-specversion': ['1.0'],
      'ce-id': ['b-1'],
      'ce-source': ['other.client'],
      'ce-type': ['test.event'],
      'ce-datacontenttype': ['application/json'],
      'ce-tenant': ['acme%20corp'],
    })
    await js.publish(subject, JSON.stringify({ n: 1 }), { headers: binary })
    const structured = MsgHdrsImpl.fromRecord({ 'content-type': ['application/cloudevents+json'] })
    await js.publish(subject, JSON.stringify(event('s-1', { tenant: 'acme' })), { headers: structured })
    const first = await nextWithin(subscription, 5000)
    const second = await nextWithin(subscription, 5000)
    expect(first?.event).toEqual({ ...event('b-1', { source: 'other.client', tenant: 'acme corp' }), data: { n: 1 } })
    expect(second?.event).toEqual(event('s-1', { tenant: 'acme' }))
    await Promise.all([first?.ack(), second?.ack()])
    await transport.close()
  })

  it('writes ce- headers and the data as payload for other NATS clients', async () => {
    const transport = await createNatsTransport(names)
    const topic = `interop-out-${randomUUID().slice(0, 8)}`
    await transport.publish(topic, [event('o-1', { subject: 'a b' })])
    const jsm = await jetstreamManager(nc)
    const stream = `${names.streamPrefix}${topic.replace(/[^A-Za-z0-9-]/g, '_')}`
    await jsm.consumers.add(stream, { durable_name: 'raw', ack_policy: AckPolicy.Explicit, deliver_policy: DeliverPolicy.All })
    const message = await (await jetstream(nc).consumers.get(stream, 'raw')).next({ expires: 5000 })
    expect(message?.headers?.get('ce-id')).toBe('o-1')
    expect(message?.headers?.get('ce-subject')).toBe('a%20b')
    expect(message?.headers?.get('ce-datacontenttype')).toBe('application/json')
    expect(message?.json()).toEqual({ id: 'o-1' })
    message?.ack()
    await transport.close()
  })

  it('terminates a message that is not a CloudEvent, reports it, and goes on with the next', async () => {
    const invalid: string[] = []
    const transport = await createNatsTransport({ ...names, onInvalidMessage: (_error, subject) => invalid.push(subject) })
    const topic = `invalid-${randomUUID().slice(0, 8)}`
    const subscription = await transport.subscribe(topic, { group: 'g', visibilityTimeoutMs: 1000 })
    await jetstream(nc).publish(`${names.subjectPrefix}.${topic}`, 'not a cloudevent')
    await transport.publish(topic, [event('valid')])
    const delivery = await nextWithin(subscription, 5000)
    expect(delivery?.event.id).toBe('valid')
    expect(invalid).toEqual([`${names.subjectPrefix}.${topic}`])
    await delivery?.ack()
    expect(await nextWithin(subscription, 2500)).toBeUndefined()
    await transport.close()
  })

  it('keeps a long handler leased with working() or extendWhileUnsettled, so no other member gets its event', async () => {
    for (const extendWhileUnsettled of [false, true]) {
      const transport = await createNatsTransport({ ...names, extendWhileUnsettled })
      const topic = `lease-${randomUUID().slice(0, 8)}`
      const options = { group: 'g', visibilityTimeoutMs: 600 }
      const slow = await transport.subscribe(topic, options)
      const other = await transport.subscribe(topic, options)
      await transport.publish(topic, [event('long')])
      const held = (await nextWithin(slow, 5000)) as NatsDelivery | undefined
      expect(held?.event.id).toBe('long')
      const beat = extendWhileUnsettled ? undefined : setInterval(() => held?.working(), 200)
      expect(await nextWithin(other, 2000)).toBeUndefined()
      clearInterval(beat)
      await held?.ack()
      await transport.close()
    }
  })

  it('makes the consumer of a group again when it is deleted under a running subscription', async () => {
    const transport = await createNatsTransport(names)
    const topic = `deleted-${randomUUID().slice(0, 8)}`
    const subscription = await transport.subscribe(topic, { group: 'g', from: 'earliest' })
    await transport.publish(topic, [event('first')])
    const first = await nextWithin(subscription, 5000)
    await first?.ack()
    const stream = `${names.streamPrefix}${topic.replace(/[^A-Za-z0-9-]/g, '_')}`
    await (await jetstreamManager(nc)).consumers.delete(stream, 'g')
    await transport.publish(topic, [event('second')])
    // The new consumer starts from the beginning again (the group's acks went with the old one).
    const seen: string[] = []
    for (let delivery = await nextWithin(subscription, 10_000); delivery !== undefined; delivery = await nextWithin(subscription, 1000)) {
      seen.push(delivery.event.id)
      await delivery.ack()
    }
    expect(seen).toContain('second')
    await transport.close()
  })

  it('rejects a publish clearly when the broker stays away past publishTimeoutMs, and works again when it is back', async () => {
    const transport = await createNatsTransport({ ...names, publishTimeoutMs: 1500 })
    const topic = `away-${randomUUID().slice(0, 8)}`
    await transport.publish(topic, [event('before')])
    await services('down')
    try {
      await expect(transport.publish(topic, [event('while-down')])).rejects.toSatisfy(
        (error: Error & { code?: string }) => error.code === 'SEPAL_ERR_TRANSPORT_UNAVAILABLE' && error.message.includes(url),
      )
    } finally {
      await services('up')
    }
    const subscription = await transport.subscribe(topic, { group: 'g', from: 'earliest' })
    await transport.publish(topic, [event('after')])
    const seen: string[] = []
    for (let delivery = await nextWithin(subscription, 5000); delivery !== undefined; delivery = await nextWithin(subscription, 500)) {
      seen.push(delivery.event.id)
      await delivery.ack()
    }
    expect(seen).toContain('before')
    expect(seen).toContain('after')
    await transport.close()
  }, 60_000)
})

// Three sepal worker processes in one consumer group share a topic; one is killed with SIGKILL
// mid-run. With idempotency on (the side effect and its completion mark commit in one SQLite
// transaction), every event's side effect happens exactly once. What the killed worker held comes
// back to the others after the ack wait (the visibility timeout, 3 s here).
const root = fileURLToPath(new URL('../..', import.meta.url))
const workerSource = `
import Database from 'better-sqlite3'
import { createEngine } from '${root}src/engine/create-engine.js'
import { createSqliteIdempotencyStore } from '${root}src/stores/sqlite-idempotency.js'
import { createNatsTransport } from '${root}src/transports/nats/nats-transport.js'
const [url, streamPrefix, subjectPrefix, topic, group, ledgerPath] = process.argv.slice(1)
const transport = await createNatsTransport({ url, streamPrefix, subjectPrefix, visibilityTimeoutMs: 3000 })
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
  idempotency: { store, leaseMs: 2000 },
  rules: [{ name: 'ledger', pattern: { source: ['scale-out'] }, targets: [{ kind: 'handler', name: 'record', handler: async (event, ctx) => {
    await new Promise((resolve) => setTimeout(resolve, 1))
    record(event.id, ctx.idempotencyKey)
  } }] }],
})
await engine.start()
process.stdout.write('ready\\n')
`

describe.runIf(available)('nats scale-out', () => {
  it('three workers of one group handle 5 000 events exactly once although one is killed with SIGKILL', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'sepal-nats-scale-'))
    const ledgerPath = join(directory, 'ledger.db')
    const setup = new Database(ledgerPath)
    setup.pragma('journal_mode = WAL')
    setup.exec('CREATE TABLE ledger (event_id TEXT NOT NULL, pid INTEGER NOT NULL)')
    const count = (): { handled: number; rows: number } =>
      setup.prepare<[], { handled: number; rows: number }>('SELECT COUNT(DISTINCT event_id) AS handled, COUNT(*) AS rows FROM ledger').get()!
    const topic = `scale-${randomUUID().slice(0, 8)}`
    const publisher = await createNatsTransport(names)
    const workers: ChildProcess[] = []
    const start = (): Promise<ChildProcess> =>
      new Promise((resolve, reject) => {
        const args = ['--import', 'tsx', '--input-type=module', '-e', workerSource, url, names.streamPrefix, names.subjectPrefix, topic, 'workers', ledgerPath]
        const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] })
        workers.push(child)
        child.stdout?.on('data', (chunk: Buffer) => chunk.toString().includes('ready') && resolve(child))
        child.once('exit', (code) => reject(new Error(`worker exited with ${code} before it was ready`)))
      })
    try {
      await publisher.publish(topic, [])
      const [victim] = await Promise.all([start(), start(), start()])
      const events = 5000
      for (let i = 0; i < events; i += 100) {
        await publisher.publish(topic, Array.from({ length: 100 }, (_, n) => ({ specversion: '1.0' as const, id: `e-${i + n}`, source: 'scale-out', type: 't', data: { n: i + n } })))
      }
      const deadline = Date.now() + 120_000
      while (count().handled < 1500 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50))
      victim?.kill('SIGKILL')
      const atKill = count().handled
      const byVictim = setup.prepare<[number], { n: number }>('SELECT COUNT(*) AS n FROM ledger WHERE pid = ?').get(victim?.pid ?? 0)!.n
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

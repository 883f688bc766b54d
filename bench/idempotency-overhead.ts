// Idempotency overhead: engine throughput on the embedded log with idempotency off, and on with the SQLite
// store and with the Redis store (claim → run → complete per target), same run, medians.
//
//   node --import tsx bench/idempotency-overhead.ts [--events 10000] [--repeat 5]
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { Redis } from 'ioredis'
import type { IdempotencyStore } from '../src/delivery/idempotency.js'
import type { CloudEvent } from '../src/event/cloud-event.js'
import { createRedisIdempotencyStore } from '../src/stores/redis-idempotency.js'
import { createSqliteIdempotencyStore } from '../src/stores/sqlite-idempotency.js'
import { createSqliteTransport } from '../src/transports/sqlite/sqlite-transport.js'
import { timeEngineUntilSettled } from './support/engine-run.js'
import { isMain } from './support/is-main.js'
import { orderEvent } from './support/order-event.js'
import { median, type Sample } from './support/stats.js'

export interface IdempotencyOverheadRow {
  readonly name: string
  readonly eventsPerSecond: number
  /** eventsPerSecond / the same engine's with idempotency off, same run. */
  readonly ratio: number
  readonly cpuMicrosPerEvent: number
}

type StoreKind = 'off' | 'sqlite' | 'redis'

async function consume(events: readonly CloudEvent[], kind: StoreKind, redisUrl: string): Promise<Sample> {
  const directory = mkdtempSync(join(tmpdir(), 'sepal-bench-idem-'))
  const transport = createSqliteTransport({ directory })
  let store: IdempotencyStore | undefined
  if (kind === 'sqlite') store = createSqliteIdempotencyStore({ path: join(directory, 'idempotency.db') })
  if (kind === 'redis') store = createRedisIdempotencyStore({ url: redisUrl, prefix: `bench:${process.pid}:${Date.now()}:` })
  await transport.publish('events', events)
  const sample = await timeEngineUntilSettled(events.length, {
    transport,
    from: 'earliest',
    ...(store !== undefined && { idempotency: { store } }),
    rules: [{ name: 'orders', pattern: { source: ['app.orders'] }, targets: [{ kind: 'handler', name: 'noop', handler: () => undefined }] }],
  })
  await transport.close()
  await store?.close()
  rmSync(directory, { recursive: true, force: true })
  return sample
}

export async function run(options: { events?: number; repeat?: number; redisUrl?: string } = {}): Promise<IdempotencyOverheadRow[]> {
  const count = options.events ?? 10_000
  const repeat = options.repeat ?? 5
  const redisUrl = options.redisUrl ?? process.env['SEPAL_BENCH_REDIS_URL'] ?? 'redis://127.0.0.1:6379'
  const probe = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 })
  await probe.connect().catch(() => {
    throw new Error(`the idempotency benchmark needs Redis at ${redisUrl}: run scripts/services.sh up redis`)
  })
  await probe.quit()
  const events = Array.from({ length: count }, (_, i) => orderEvent(i))
  const kinds: StoreKind[] = ['off', 'sqlite', 'redis']
  await consume(events.slice(0, 2000), 'sqlite', redisUrl) // warm-up
  const samples = new Map<StoreKind, Sample[]>(kinds.map((k) => [k, []]))
  for (let i = 0; i < repeat; i++) {
    for (const k of kinds.map((_, j) => kinds[(i + j) % kinds.length] as StoreKind)) samples.get(k)!.push(await consume(events, k, redisUrl))
  }
  const offRate = median(samples.get('off')!.map((s) => s.rate))
  const names: Record<StoreKind, string> = {
    off: 'engine on the embedded log, idempotency off',
    sqlite: 'idempotency on, SQLite store',
    redis: 'idempotency on, Redis store',
  }
  return kinds.map((k) => {
    const rate = median(samples.get(k)!.map((s) => s.rate))
    return {
      name: names[k],
      eventsPerSecond: Math.round(rate),
      ratio: Number((rate / offRate).toFixed(3)),
      cpuMicrosPerEvent: Number(median(samples.get(k)!.map((s) => s.cpuMicros)).toFixed(2)),
    }
  })
}

if (isMain(import.meta.url)) {
  const { values } = parseArgs({ options: { events: { type: 'string', default: '10000' }, repeat: { type: 'string', default: '5' } } })
  const rows = await run({ events: Number(values.events), repeat: Number(values.repeat) })
  process.stdout.write(`Idempotency overhead, ${values.events} events x ${values.repeat} (medians)\n`)
  for (const row of rows) {
    process.stdout.write(`  ${row.name.padEnd(46)} ${String(row.eventsPerSecond).padStart(8)} events/s  ratio ${row.ratio.toFixed(2)}x  cpu ${row.cpuMicrosPerEvent.toFixed(1)} µs/event\n`)
  }
  process.stdout.write('  target: on >= 0.8x off (at most 20 % loss)\n')
}

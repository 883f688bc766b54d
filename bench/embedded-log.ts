// Embedded log throughput: publish -> consume -> ack through the sqlite transport against a raw
// better-sqlite3 loop doing the same work with the same durability settings (WAL, same synchronous
// level): insert each batch in one transaction, then select a batch, parse it, and commit the
// group's offset. Both sides publish in batches of the same size, one batch at a time, then consume
// every event; ~1 KB CloudEvents. The sides alternate in one process; each figure is a median.
//
//   node --import tsx bench/embedded-log.ts [--events 20000] [--batch 100] [--repeat 5] [--synchronous normal|full]
import Database from 'better-sqlite3'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import type { CloudEvent } from '../src/event/cloud-event.js'
import type { SqliteSynchronous } from '../src/transports/sqlite/sqlite-schema.js'
import { createSqliteTransport } from '../src/transports/sqlite/sqlite-transport.js'
import { batchesOf } from './support/batches-of.js'
import { isMain } from './support/is-main.js'
import { sensorEvent } from './support/sensor-event.js'
import { median } from './support/stats.js'

export interface EmbeddedLogRow {
  readonly name: string
  /** Events published, consumed and acked per second; median of the runs. */
  readonly eventsPerSecond: number
  /** eventsPerSecond / the raw loop's, measured in the same run. */
  readonly ratio: number
  /** The same ratio by CPU time of this process (user + system): steadier on a busy machine. */
  readonly cpuRatio: number
}

export interface EmbeddedLogBenchOptions {
  readonly events?: number
  readonly batch?: number
  readonly repeat?: number
  readonly synchronous?: SqliteSynchronous
}

interface Measured {
  readonly rate: number
  /** Events per CPU second. */
  readonly cpuRate: number
}

function cpuSeconds(): number {
  const { user, system } = process.cpuUsage()
  return (user + system) / 1e6
}

function rawLoop(dir: string, batches: readonly CloudEvent[][], batch: number, synchronous: SqliteSynchronous): Measured {
  const db = new Database(join(dir, 'raw.db'))
  db.pragma('journal_mode = WAL')
  db.pragma(`synchronous = ${synchronous === 'full' ? 'FULL' : 'NORMAL'}`)
  db.exec('CREATE TABLE log (id INTEGER PRIMARY KEY, event TEXT NOT NULL)')
  db.exec('CREATE TABLE offsets (grp TEXT PRIMARY KEY, next_id INTEGER NOT NULL)')
  db.exec("INSERT INTO offsets VALUES ('g', 0)")
  const insert = db.prepare<[string]>('INSERT INTO log (event) VALUES (?)')
  const append = db.transaction((rows: readonly string[]) => {
    for (const row of rows) insert.run(row)
  })
  const select = db.prepare<[number, number], { id: number; event: string }>(
    'SELECT id, event FROM log WHERE id >= ? ORDER BY id LIMIT ?',
  )
  const commitOffset = db.prepare<[number]>("UPDATE offsets SET next_id = ? WHERE grp = 'g'")
  const cpuStarted = cpuSeconds()
  const started = performance.now()
  for (const events of batches) append.immediate(events.map((event) => JSON.stringify(event)))
  let consumed = 0
  let offset = 0
  for (;;) {
    const rows = select.all(offset, batch)
    if (rows.length === 0) break
    for (const row of rows) if ((JSON.parse(row.event) as CloudEvent).id.length > 0) consumed++
    offset = (rows.at(-1)?.id ?? offset) + 1
    db.transaction(() => commitOffset.run(offset)).immediate()
  }
  const seconds = (performance.now() - started) / 1000
  const cpu = cpuSeconds() - cpuStarted
  db.close()
  if (consumed !== batches.flat().length) throw new Error(`raw loop consumed ${consumed} events`)
  return { rate: consumed / seconds, cpuRate: consumed / cpu }
}

async function sepalLog(
  dir: string,
  batches: readonly CloudEvent[][],
  batch: number,
  synchronous: SqliteSynchronous,
): Promise<Measured> {
  const transport = createSqliteTransport({ directory: dir, synchronous, fetchBatch: batch, compactIntervalMs: 0 })
  const total = batches.flat().length
  const cpuStarted = cpuSeconds()
  const started = performance.now()
  for (const events of batches) await transport.publish('bench', events)
  const subscription = await transport.subscribe('bench', { group: 'g', from: 'earliest', maxInFlight: batch })
  const acks: Promise<void>[] = []
  for await (const delivery of subscription) {
    acks.push(delivery.ack())
    if (acks.length === total) break
  }
  await Promise.all(acks)
  const seconds = (performance.now() - started) / 1000
  const cpu = cpuSeconds() - cpuStarted
  await transport.close()
  return { rate: total / seconds, cpuRate: total / cpu }
}

export async function run(options: EmbeddedLogBenchOptions = {}): Promise<EmbeddedLogRow[]> {
  const events = options.events ?? 20_000
  const batch = options.batch ?? 100
  const synchronous = options.synchronous ?? 'normal'
  const batches = batchesOf(Array.from({ length: events }, (_, i) => sensorEvent(i)), batch)
  const raw: Measured[] = []
  const sepal: Measured[] = []
  for (let round = 0; round < (options.repeat ?? 5); round++) {
    const dir = mkdtempSync(join(tmpdir(), 'sepal-bench-log-'))
    try {
      raw.push(rawLoop(dir, batches, batch, synchronous))
      sepal.push(await sepalLog(dir, batches, batch, synchronous))
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  }
  const rawRate = median(raw.map((m) => m.rate))
  const sepalRate = median(sepal.map((m) => m.rate))
  const rawCpu = median(raw.map((m) => m.cpuRate))
  const sepalCpu = median(sepal.map((m) => m.cpuRate))
  return [
    { name: `raw better-sqlite3 loop (WAL, synchronous=${synchronous})`, eventsPerSecond: rawRate, ratio: 1, cpuRatio: 1 },
    {
      name: 'sepal sqlite transport publish -> consume -> ack',
      eventsPerSecond: sepalRate,
      ratio: sepalRate / rawRate,
      cpuRatio: sepalCpu / rawCpu,
    },
  ]
}

if (isMain(import.meta.url)) {
  const { values } = parseArgs({
    options: {
      events: { type: 'string' },
      batch: { type: 'string' },
      repeat: { type: 'string' },
      synchronous: { type: 'string' },
    },
  })
  const rows = await run({
    ...(values.events === undefined ? {} : { events: Number(values.events) }),
    ...(values.batch === undefined ? {} : { batch: Number(values.batch) }),
    ...(values.repeat === undefined ? {} : { repeat: Number(values.repeat) }),
    ...(values.synchronous === 'full' ? { synchronous: 'full' as const } : {}),
  })
  for (const row of rows) {
    const rate = Math.round(row.eventsPerSecond).toString().padStart(9)
    console.log(`${row.name.padEnd(56)} ${rate} events/s  ${row.ratio.toFixed(2)}x  (by CPU time ${row.cpuRatio.toFixed(2)}x)`)
  }
}

// Redis Streams transport throughput against a raw ioredis loop doing the same work with the same client
// on the same server: ~1 KB CloudEvents, published 100 at a time (one pipeline of XADDs per batch,
// each batch awaited), then consumed and acked with 100 in flight (XREADGROUP COUNT ≤ 100 on its own
// connection, one ack per event on an auto-pipelined command connection; the raw loop acks with XACK,
// sepal with its ack script, which also checks that the entry is still this consumer's). The raw loop
// writes each event as its JSON text in one field and parses it on receipt; sepal writes the entry
// binding (binary mode: `ce_` fields, data in `data`) and reads it back into a validated event. Sides
// alternate in one process, each on a fresh stream; each figure is the median of the runs.
//
//   node --import tsx bench/transports/redis.ts [--events 10000] [--repeat 5] [--mode binary|structured]
import { randomUUID } from 'node:crypto'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { Redis } from 'ioredis'
import type { CloudEvent } from '../../src/event/cloud-event.js'
import { parseEvent } from '../../src/event/parse-event.js'
import type { RedisMode } from '../../src/transports/redis/redis-binding.js'
import { createRedisTransport } from '../../src/transports/redis/redis-transport.js'
import { orderEvent } from '../support/order-event.js'
import { median } from '../support/stats.js'

export interface RedisBenchRow {
  readonly name: string
  /** Events per second; median of the runs. */
  readonly eventsPerSecond: number
  /** eventsPerSecond / the raw loop's for the same step, measured in the same run. */
  readonly ratio: number
  /** The same ratio by CPU time of this process (user + system): steadier on a busy machine. */
  readonly cpuRatio: number
}

export interface RedisBenchOptions {
  readonly url?: string
  readonly events?: number
  readonly repeat?: number
  readonly mode?: RedisMode
}

const BATCH = 100
const IN_FLIGHT = 100

interface Measured {
  readonly rate: number
  readonly cpuRate: number
}

function cpuSeconds(): number {
  const { user, system } = process.cpuUsage()
  return (user + system) / 1e6
}

async function measure(count: number, work: () => Promise<void>): Promise<Measured> {
  const cpuStarted = cpuSeconds()
  const started = performance.now()
  await work()
  const seconds = (performance.now() - started) / 1000
  return { rate: count / seconds, cpuRate: count / (cpuSeconds() - cpuStarted) }
}

function batchesOf<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = []
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size))
  return out
}

async function rawPublish(client: Redis, stream: string, batches: readonly CloudEvent[][]): Promise<void> {
  for (const batch of batches) {
    const pipeline = client.pipeline()
    for (const event of batch) pipeline.xadd(stream, '*', 'event', JSON.stringify(event))
    const results = await pipeline.exec()
    for (const [error] of results ?? []) if (error !== null) throw error
  }
}

/** XREADGROUP up to the free slots, parse, ack each without waiting; an ack frees its slot. */
async function rawConsume(commands: Redis, reader: Redis, stream: string, total: number): Promise<Measured> {
  await commands.xgroup('CREATE', stream, 'g', '0')
  return measure(total, async () => {
    let seen = 0
    let inFlight = 0
    let freed: (() => void) | undefined
    const acks: Array<Promise<unknown>> = []
    while (seen < total) {
      const room = IN_FLIGHT - inFlight
      if (room <= 0) {
        await new Promise<void>((resolve) => (freed = resolve))
        continue
      }
      const reply = (await reader.xreadgroup('GROUP', 'g', 'c', 'COUNT', room, 'BLOCK', 1000, 'STREAMS', stream, '>')) as
        | Array<[string, Array<[string, string[]]>]>
        | null
      for (const [, entries] of reply ?? []) {
        for (const [id, fields] of entries) {
          if ((JSON.parse(fields[1]!) as CloudEvent).id.length > 0) seen++
          inFlight++
          acks.push(
            commands.xack(stream, 'g', id).then(() => {
              inFlight--
              freed?.()
              freed = undefined
            }),
          )
        }
      }
    }
    await Promise.all(acks)
  })
}

export async function run(options: RedisBenchOptions = {}): Promise<RedisBenchRow[]> {
  const url = options.url ?? 'redis://127.0.0.1:6379'
  const total = options.events ?? 10_000
  const mode = options.mode ?? 'binary'
  const batches = batchesOf(Array.from({ length: total }, (_, i) => parseEvent(orderEvent(i))), BATCH)
  const keyPrefix = `sepalbench:${randomUUID().slice(0, 8)}:`
  const commands = new Redis(url, { enableAutoPipelining: true })
  const reader = new Redis(url)
  const transport = await createRedisTransport({ url, mode, keyPrefix })
  const results = { rawPublish: [] as Measured[], sepalPublish: [] as Measured[], rawConsume: [] as Measured[], sepalConsume: [] as Measured[] }
  try {
    for (let round = 0; round < (options.repeat ?? 5); round++) {
      const rawStream = `${keyPrefix}raw${round}`
      results.rawPublish.push(await measure(total, () => rawPublish(commands, rawStream, batches)))
      results.rawConsume.push(await rawConsume(commands, reader, rawStream, total))

      const topic = `t${round}`
      results.sepalPublish.push(
        await measure(total, async () => {
          for (const batch of batches) await transport.publish(topic, batch)
        }),
      )
      const subscription = await transport.subscribe(topic, { group: 'g', from: 'earliest', maxInFlight: IN_FLIGHT })
      results.sepalConsume.push(
        await measure(total, async () => {
          let seen = 0
          const acks: Array<Promise<void>> = []
          for await (const delivery of subscription) {
            if (delivery.event.id.length > 0) seen++
            acks.push(delivery.ack())
            if (seen === total) break
          }
          await Promise.all(acks)
        }),
      )
      // The previous round's keys go, so rounds do not grow the server's memory.
      await commands.del(rawStream, `${keyPrefix}{${topic}}`, `${keyPrefix}{${topic}}:retry:g`)
    }
  } finally {
    await transport.close()
    let cursor = '0'
    do {
      const [next, keys] = await commands.scan(cursor, 'MATCH', `${keyPrefix}*`, 'COUNT', 1000)
      cursor = next
      if (keys.length > 0) await commands.del(...keys)
    } while (cursor !== '0')
    await Promise.all([commands.quit(), reader.quit()])
  }
  const row = (name: string, side: readonly Measured[], peer: readonly Measured[]): RedisBenchRow => ({
    name,
    eventsPerSecond: median(side.map((m) => m.rate)),
    ratio: median(side.map((m) => m.rate)) / median(peer.map((m) => m.rate)),
    cpuRatio: median(side.map((m) => m.cpuRate)) / median(peer.map((m) => m.cpuRate)),
  })
  return [
    row('publish: raw XADD pipeline, 100 per batch', results.rawPublish, results.rawPublish),
    row(`publish: sepal redis transport (${mode})`, results.sepalPublish, results.rawPublish),
    row('consume+ack: raw XREADGROUP + XACK, 100 in flight', results.rawConsume, results.rawConsume),
    row(`consume+ack: sepal subscription (${mode})`, results.sepalConsume, results.rawConsume),
  ]
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { events: { type: 'string' }, repeat: { type: 'string' }, mode: { type: 'string' }, url: { type: 'string' } } })
  const rows = await run({
    ...(values.url === undefined ? {} : { url: values.url }),
    ...(values.events === undefined ? {} : { events: Number(values.events) }),
    ...(values.repeat === undefined ? {} : { repeat: Number(values.repeat) }),
    ...(values.mode === 'structured' ? { mode: 'structured' as const } : {}),
  })
  console.log(`${'Redis Streams, ~1 KB events'.padEnd(52)} ${'events/s'.padStart(9)}  ratio  (by CPU time)`)
  for (const row of rows) {
    const rate = Math.round(row.eventsPerSecond).toString().padStart(9)
    console.log(`${row.name.padEnd(52)} ${rate}  ${row.ratio.toFixed(2)}x  (${row.cpuRatio.toFixed(2)}x)`)
  }
}

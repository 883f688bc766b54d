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
import { Redis } from 'ioredis'
import type { CloudEvent } from '../../src/event/cloud-event.js'
import { parseEvent } from '../../src/event/parse-event.js'
import { createRedisTransport } from '../../src/transports/redis/redis-transport.js'
import { batchesOf } from '../support/batches-of.js'
import { isMain } from '../support/is-main.js'
import { orderEvent } from '../support/order-event.js'
import {
  benchRow,
  consumeAndAck,
  measure,
  measurements,
  optionsFromArgs,
  printRows,
  publishBatches,
  type Measured,
  type TransportBenchOptions,
  type TransportBenchRow,
} from '../support/transport-bench.js'

const BATCH = 100
const IN_FLIGHT = 100

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

export async function run(options: TransportBenchOptions = {}): Promise<TransportBenchRow[]> {
  const url = options.url ?? 'redis://127.0.0.1:6379'
  const total = options.events ?? 10_000
  const mode = options.mode ?? 'binary'
  const batches = batchesOf(Array.from({ length: total }, (_, i) => parseEvent(orderEvent(i))), BATCH)
  const keyPrefix = `sepalbench:${randomUUID().slice(0, 8)}:`
  const commands = new Redis(url, { enableAutoPipelining: true })
  const reader = new Redis(url)
  const transport = await createRedisTransport({ url, mode, keyPrefix })
  const results = measurements('rawPublish', 'sepalPublish', 'rawConsume', 'sepalConsume')
  try {
    for (let round = 0; round < (options.repeat ?? 5); round++) {
      const rawStream = `${keyPrefix}raw${round}`
      results.rawPublish.push(await measure(total, () => rawPublish(commands, rawStream, batches)))
      results.rawConsume.push(await rawConsume(commands, reader, rawStream, total))

      const topic = `t${round}`
      results.sepalPublish.push(await measure(total, () => publishBatches(transport, topic, batches)))
      const subscription = await transport.subscribe(topic, { group: 'g', from: 'earliest', maxInFlight: IN_FLIGHT })
      results.sepalConsume.push(await measure(total, () => consumeAndAck(subscription, total, true)))
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
  return [
    benchRow('publish: raw XADD pipeline, 100 per batch', results.rawPublish, results.rawPublish),
    benchRow(`publish: sepal redis transport (${mode})`, results.sepalPublish, results.rawPublish),
    benchRow('consume+ack: raw XREADGROUP + XACK, 100 in flight', results.rawConsume, results.rawConsume),
    benchRow(`consume+ack: sepal subscription (${mode})`, results.sepalConsume, results.rawConsume),
  ]
}

if (isMain(import.meta.url)) {
  printRows('Redis Streams, ~1 KB events', await run(optionsFromArgs()), 52)
}

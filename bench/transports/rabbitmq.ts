// RabbitMQ transport throughput against a raw amqplib loop doing the same work with the same client on
// the same broker and the same topology (a durable fanout exchange, a quorum queue bound to it):
// ~1 KB CloudEvents, published 100 at a time on a confirm channel (each batch awaited until the
// broker confirmed every message, persistent), then consumed and acked one by one with a prefetch of
// 100 (sepal: a subscription with `maxInFlight: 100`).
// Both sides put the same bytes on the wire, the CloudEvents AMQP binding in binary mode
// (`cloudEvents:` headers, `content-type` = datacontenttype, the data's JSON as the body): the raw
// loop builds the headers and stringifies the data itself, and on receipt reads the headers and
// parses the data; sepal does the same through the transport, and also validates every event it
// reads (attribute formats, as for any untrusted input). `--mode structured` makes both sides send
// the JSON format as the body instead. Sides alternate in one process, each on fresh queues; each
// figure is the median of the runs.
//
//   node --import tsx bench/transports/rabbitmq.ts [--events 10000] [--repeat 5] [--mode binary|structured]
import { randomUUID } from 'node:crypto'
import amqp, { type Channel, type ConfirmChannel, type ConsumeMessage, type Options } from 'amqplib'
import type { CloudEvent } from '../../src/event/cloud-event.js'
import { parseEvent } from '../../src/event/parse-event.js'
import type { RabbitmqMode } from '../../src/transports/rabbitmq/rabbitmq-binding.js'
import { createRabbitmqTransport } from '../../src/transports/rabbitmq/rabbitmq-transport.js'
import { batchesOf } from '../support/batches-of.js'
import { isMain } from '../support/is-main.js'
import { sensorEvent } from '../support/sensor-event.js'
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

async function declare(channel: Channel, exchange: string, queue: string): Promise<void> {
  await channel.assertExchange(exchange, 'fanout', { durable: true })
  await channel.assertQueue(queue, { durable: true, arguments: { 'x-queue-type': 'quorum' } })
  await channel.bindQueue(queue, exchange, '')
}

/** What the raw loop sends: the binding's bytes, built by hand. */
function rawMessage(event: CloudEvent, mode: RabbitmqMode): { content: Buffer; options: Options.Publish } {
  if (mode === 'structured') {
    return { content: Buffer.from(JSON.stringify(event)), options: { persistent: true, contentType: 'application/cloudevents+json; charset=utf-8' } }
  }
  const headers: Record<string, unknown> = {}
  for (const name of Object.keys(event)) {
    if (name !== 'data' && name !== 'datacontenttype') headers[`cloudEvents:${name}`] = event[name]
  }
  const options: Options.Publish = { persistent: true, headers }
  if (event.datacontenttype !== undefined) options.contentType = event.datacontenttype
  return { content: Buffer.from(JSON.stringify(event.data)), options }
}

/** What the raw loop reads back: the attributes from the headers and the parsed data. */
function rawRead(message: ConsumeMessage, mode: RabbitmqMode): Record<string, unknown> {
  if (mode === 'structured') return JSON.parse(message.content.toString('utf8')) as Record<string, unknown>
  const event: Record<string, unknown> = {}
  for (const [name, value] of Object.entries(message.properties.headers ?? {})) {
    if (name.startsWith('cloudEvents:')) event[name.slice(12)] = value
  }
  if (message.properties.contentType !== undefined) event['datacontenttype'] = message.properties.contentType
  event['data'] = JSON.parse(message.content.toString('utf8'))
  return event
}

async function rawPublish(channel: ConfirmChannel, exchange: string, batches: readonly CloudEvent[][], mode: RabbitmqMode): Promise<void> {
  for (const batch of batches) {
    await Promise.all(
      batch.map(
        (event) =>
          new Promise<void>((resolve, reject) => {
            const { content, options } = rawMessage(event, mode)
            channel.publish(exchange, '', content, options, (error: unknown) =>
              error === null || error === undefined ? resolve() : reject(new Error(String(error))),
            )
          }),
      ),
    )
  }
}

async function rawConsume(channel: Channel, queue: string, total: number, mode: RabbitmqMode): Promise<Measured> {
  await channel.prefetch(IN_FLIGHT)
  return measure(total, async () => {
    let seen = 0
    let tag = ''
    await new Promise<void>((resolve) => {
      void channel
        .consume(queue, (message) => {
          if (message === null) return
          if (String(rawRead(message, mode)['id']).length > 0) seen++
          channel.ack(message)
          if (seen === total) resolve()
        })
        .then((reply) => (tag = reply.consumerTag))
    })
    await channel.cancel(tag)
  })
}

export async function run(options: TransportBenchOptions = {}): Promise<TransportBenchRow[]> {
  const url = options.url ?? 'amqp://guest:guest@127.0.0.1:5672'
  const total = options.events ?? 10_000
  const mode = options.mode ?? 'binary'
  const batches = batchesOf(Array.from({ length: total }, (_, i) => parseEvent(sensorEvent(i))), BATCH)
  const prefix = `sepalbench.${randomUUID().slice(0, 8)}.`
  const client = await amqp.connect(url)
  const confirm = await client.createConfirmChannel()
  const consumer = await client.createChannel()
  const transport = await createRabbitmqTransport({ url, mode, namePrefix: prefix })
  const results = measurements('rawPublish', 'sepalPublish', 'rawConsume', 'sepalConsume')
  const queues: string[] = []
  const exchanges: string[] = []
  try {
    for (let round = 0; round < (options.repeat ?? 5); round++) {
      const rawExchange = `${prefix}raw${round}`
      await declare(consumer, rawExchange, `${rawExchange}.g`)
      queues.push(`${rawExchange}.g`)
      exchanges.push(rawExchange)
      results.rawPublish.push(await measure(total, () => rawPublish(confirm, rawExchange, batches, mode)))
      results.rawConsume.push(await rawConsume(consumer, `${rawExchange}.g`, total, mode))

      const topic = `t${round}`
      // Declares the group's queue, as the raw side's was declared before its timing.
      await (await transport.subscribe(topic, { group: 'g' })).close()
      queues.push(`${prefix}${topic}.g`)
      exchanges.push(`${prefix}${topic}`)
      results.sepalPublish.push(await measure(total, () => publishBatches(transport, topic, batches)))
      const subscription = await transport.subscribe(topic, { group: 'g', maxInFlight: IN_FLIGHT })
      results.sepalConsume.push(await measure(total, () => consumeAndAck(subscription, total)))
    }
  } finally {
    await transport.close()
    for (const queue of queues) await consumer.deleteQueue(queue).catch(() => undefined)
    for (const exchange of exchanges) await consumer.deleteExchange(exchange).catch(() => undefined)
    await client.close().catch(() => undefined)
  }
  return [
    benchRow(`publish: raw confirm channel (${mode})`, results.rawPublish, results.rawPublish),
    benchRow(`publish: sepal rabbitmq transport (${mode})`, results.sepalPublish, results.rawPublish),
    benchRow(`consume+ack: raw consume, prefetch 100 (${mode})`, results.rawConsume, results.rawConsume),
    benchRow(`consume+ack: sepal subscription (${mode})`, results.sepalConsume, results.rawConsume),
  ]
}

if (isMain(import.meta.url)) {
  printRows('RabbitMQ (quorum queues), ~1 KB events', await run(optionsFromArgs()))
}

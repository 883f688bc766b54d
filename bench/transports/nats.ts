// NATS JetStream transport throughput against a raw @nats-io/jetstream loop doing the same work with
// the same client on the same broker: ~1 KB CloudEvents, published 100 at a time (each batch awaited,
// every message acknowledged by the stream), then consumed and acked with 100 in flight (the raw loop
// uses `consume({ max_messages: 100 })`, sepal a subscription with `maxInFlight: 100`).
// Both sides put the same bytes on the wire, the CloudEvents NATS binding in binary mode (`ce-`
// headers, the data's JSON as the payload): the raw loop builds the headers and stringifies the data
// itself, and on receipt reads the headers and parses the data; sepal does the same through the
// transport, and also validates every event it reads (attribute formats, as for any untrusted input).
// `--mode structured` makes both sides send the JSON format as the payload instead.
// Sides take turns in one process (who goes first alternates), each on a fresh stream; each figure
// is the median of the runs.
//
//   node --import tsx bench/transports/nats.ts [--events 10000] [--repeat 5] [--mode binary|structured]
import { randomUUID } from 'node:crypto'
import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager, type JsMsg } from '@nats-io/jetstream'
import { MsgHdrsImpl, connect } from '@nats-io/transport-node'
import type { CloudEvent } from '../../src/event/cloud-event.js'
import { parseEvent } from '../../src/event/parse-event.js'
import type { NatsMode } from '../../src/transports/nats/nats-binding.js'
import { createNatsTransport } from '../../src/transports/nats/nats-transport.js'
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
  takeTurns,
  type Measured,
  type TransportBenchOptions,
  type TransportBenchRow,
} from '../support/transport-bench.js'

const BATCH = 100
const IN_FLIGHT = 100

/** What a hand-written client sends: every attribute but data as a `ce-` header, the data as JSON. */
function rawMessage(event: CloudEvent, mode: NatsMode): { headers?: ReturnType<typeof MsgHdrsImpl.fromRecord>; body: string } {
  if (mode === 'structured') {
    return { headers: MsgHdrsImpl.fromRecord({ 'content-type': ['application/cloudevents+json'] }), body: JSON.stringify(event) }
  }
  const headers: Record<string, string[]> = {}
  for (const [name, value] of Object.entries(event)) if (name !== 'data') headers[`ce-${name}`] = [String(value)]
  return { headers: MsgHdrsImpl.fromRecord(headers), body: JSON.stringify(event.data) }
}

/** What a hand-written client reads back: the attributes from the headers, the data parsed. */
function rawRead(message: JsMsg, mode: NatsMode): CloudEvent {
  if (mode === 'structured') return JSON.parse(message.string()) as CloudEvent
  const event: Record<string, unknown> = {}
  for (const [name, values] of message.headers ?? []) if (name.startsWith('ce-')) event[name.slice(3)] = values[0]
  event['data'] = JSON.parse(message.string())
  return event as unknown as CloudEvent
}

async function rawPublish(js: JetStreamClient, subject: string, batches: readonly CloudEvent[][], mode: NatsMode): Promise<void> {
  for (const batch of batches) {
    await Promise.all(
      batch.map((event) => {
        const { headers, body } = rawMessage(event, mode)
        return js.publish(subject, body, headers === undefined ? {} : { headers })
      }),
    )
  }
}

async function rawConsume(js: JetStreamClient, jsm: JetStreamManager, stream: string, total: number, mode: NatsMode): Promise<Measured> {
  await jsm.consumers.add(stream, { durable_name: 'g', ack_policy: AckPolicy.Explicit, deliver_policy: DeliverPolicy.All })
  const consumer = await js.consumers.get(stream, 'g')
  return measure(total, async () => {
    const messages = await consumer.consume({ max_messages: IN_FLIGHT })
    let seen = 0
    for await (const message of messages) {
      if (rawRead(message, mode).id.length > 0) seen++
      message.ack()
      if (seen === total) break
    }
    await messages.close()
  })
}

export async function run(options: TransportBenchOptions = {}): Promise<TransportBenchRow[]> {
  const url = options.url ?? 'nats://127.0.0.1:4222'
  const total = options.events ?? 10_000
  const mode = options.mode ?? 'binary'
  const batches = batchesOf(Array.from({ length: total }, (_, i) => parseEvent(sensorEvent(i))), BATCH)
  const nc = await connect({ servers: new URL(url).host })
  const js = jetstream(nc)
  const jsm = await jetstreamManager(nc)
  const prefix = `SEPALBENCH_${randomUUID().slice(0, 8)}_`
  const subjectPrefix = `sepalbench.${prefix}`
  const transport = await createNatsTransport({ url, mode, streamPrefix: prefix, subjectPrefix })
  const results = measurements('rawPublish', 'sepalPublish', 'rawConsume', 'sepalConsume')
  try {
    for (let round = 0; round < (options.repeat ?? 5); round++) {
      const rawSide = async (): Promise<void> => {
        const rawStream = `${prefix}raw${round}`
        const rawSubject = `${subjectPrefix}.raw${round}`
        await jsm.streams.add({ name: rawStream, subjects: [rawSubject] })
        results.rawPublish.push(await measure(total, () => rawPublish(js, rawSubject, batches, mode)))
        results.rawConsume.push(await rawConsume(js, jsm, rawStream, total, mode))
      }
      const sepalSide = async (): Promise<void> => {
        const topic = `t${round}`
        // Creates the stream, as the raw side's was created before its timing.
        await (await transport.subscribe(topic, { group: 'setup' })).close()
        results.sepalPublish.push(await measure(total, () => publishBatches(transport, topic, batches)))
        const subscription = await transport.subscribe(topic, { group: 'g', from: 'earliest', maxInFlight: IN_FLIGHT })
        results.sepalConsume.push(await measure(total, () => consumeAndAck(subscription, total)))
      }
      // Which side goes first alternates, so neither always meets a broker still busy with the other's writes.
      await takeTurns(round, rawSide, sepalSide)
    }
  } finally {
    await transport.close()
    for await (const stream of jsm.streams.names()) if (stream.startsWith(prefix)) await jsm.streams.delete(stream)
    await nc.close()
  }
  return [
    benchRow('publish: raw js.publish, 100 in flight', results.rawPublish, results.rawPublish),
    benchRow(`publish: sepal nats transport (${mode})`, results.sepalPublish, results.rawPublish),
    benchRow('consume+ack: raw consume(), 100 buffered', results.rawConsume, results.rawConsume),
    benchRow(`consume+ack: sepal subscription (${mode})`, results.sepalConsume, results.rawConsume),
  ]
}

if (isMain(import.meta.url)) {
  printRows('NATS JetStream, ~1 KB events', await run(optionsFromArgs()))
}

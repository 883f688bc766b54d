// Kafka transport throughput against a raw @platformatic/kafka loop doing the same work with the same
// client on the same broker: ~1 KB CloudEvents on topics of 3 partitions, published 100 at a time by
// an idempotent producer with acks=all (each batch awaited), then consumed in a consumer group from
// the earliest offset and acked with 100 in flight. The raw loop parses each record's JSON value and
// commits the next offset of every partition once per 100 records; sepal hands out validated events
// read from the CloudEvents Kafka binding (binary mode: `ce_` headers, data in the value), commits
// contiguous acked offsets as acks arrive. Joining the group is inside the timing on both sides.
// Two more rows show where the difference comes from: the raw loop sending the very records sepal
// writes (the binding's headers), and reading them with sepal's decoder (which validates each event).
// Sides alternate in one process (which goes first changes every round), each on fresh topics and
// groups; each figure is the median of the runs.
//
//   node --import tsx bench/transports/kafka.ts [--events 20000] [--repeat 5] [--mode binary|structured]
import { randomUUID } from 'node:crypto'
import { Admin, Consumer, Producer } from '@platformatic/kafka'
import type { CloudEvent } from '../../src/event/cloud-event.js'
import { parseEvent } from '../../src/event/parse-event.js'
import { fromKafkaRecord, toKafkaRecord, type KafkaMode } from '../../src/transports/kafka/kafka-binding.js'
import { createKafkaTransport } from '../../src/transports/kafka/kafka-transport.js'
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
  takeTurns,
  type TransportBenchOptions,
  type TransportBenchRow,
} from '../support/transport-bench.js'

const BATCH = 100
const IN_FLIGHT = 100
const PARTITIONS = 3

async function rawPublish(producer: Producer, topic: string, batches: readonly CloudEvent[][]): Promise<void> {
  for (const batch of batches) {
    await producer.send({ messages: batch.map((event) => ({ topic, value: Buffer.from(JSON.stringify(event)) })) })
  }
}

/** The raw loop again, but sending the very records sepal writes (the binding's headers included). */
async function rawPublishRecords(producer: Producer, topic: string, batches: readonly CloudEvent[][], mode: KafkaMode): Promise<void> {
  for (const batch of batches) {
    await producer.send({
      messages: batch.map((event) => {
        const record = toKafkaRecord(event, mode)
        return { topic, value: record.value ?? Buffer.alloc(0), headers: record.headers }
      }),
    })
  }
}

async function rawConsume(brokers: string[], topic: string, total: number, decode = false): Promise<void> {
  const consumer = new Consumer({ clientId: 'sepal-bench-raw', groupId: `raw-${topic}`, bootstrapBrokers: brokers, maxWaitTime: 500, autocommit: false })
  try {
    const stream = await consumer.consume({ topics: [topic], mode: 'earliest', autocommit: false })
    const next = new Map<number, bigint>()
    let seen = 0
    for await (const message of stream) {
      const event = decode ? fromKafkaRecord(message) : (JSON.parse(message.value.toString()) as CloudEvent)
      if (event.id.length > 0) seen++
      next.set(message.partition, message.offset + 1n)
      if (seen % IN_FLIGHT === 0 || seen === total) {
        const offsets = [...next].map(([partition, offset]) => ({ topic, partition, offset, leaderEpoch: -1 }))
        await consumer.commit({ offsets })
      }
      if (seen === total) break
    }
    await stream.close()
  } finally {
    await consumer.close(true)
  }
}

export async function run(options: TransportBenchOptions = {}): Promise<TransportBenchRow[]> {
  const url = options.url ?? 'kafka://127.0.0.1:9092'
  const brokers = [url.replace(/^kafka:\/\//, '').replace(/\/$/, '')]
  const total = options.events ?? 20_000
  const mode = options.mode ?? 'binary'
  const batches = batchesOf(Array.from({ length: total }, (_, i) => parseEvent(orderEvent(i))), BATCH)
  const run = randomUUID().slice(0, 8)
  const admin = new Admin({ clientId: 'sepal-bench', bootstrapBrokers: brokers })
  const producer = new Producer({ clientId: 'sepal-bench-raw', bootstrapBrokers: brokers, idempotent: true, acks: -1 })
  const transport = await createKafkaTransport({ url, mode, partitions: PARTITIONS })
  const topics: string[] = []
  const results = measurements('rawPublish', 'sepalPublish', 'rawConsume', 'sepalConsume', 'bindingPublish', 'bindingConsume')
  try {
    for (let round = 0; round < (options.repeat ?? 5); round++) {
      const rawTopic = `sepal-bench-raw-${run}-${round}`
      const topic = `sepal-bench-${run}-${round}`
      const bindingTopic = `sepal-bench-binding-${run}-${round}`
      topics.push(rawTopic, bindingTopic, topic, `${topic}.sepal-retry.setup`, `${topic}.sepal-retry.g`)
      await admin.createTopics({ topics: [rawTopic, bindingTopic], partitions: PARTITIONS, replicas: 1 })
      // Creates the topic, as the raw side's was created before its timing.
      await (await transport.subscribe(topic, { group: 'setup' })).close()
      const raw = async (): Promise<void> => {
        results.rawPublish.push(await measure(total, () => rawPublish(producer, rawTopic, batches)))
        results.rawConsume.push(await measure(total, () => rawConsume(brokers, rawTopic, total)))
        results.bindingPublish.push(await measure(total, () => rawPublishRecords(producer, bindingTopic, batches, mode)))
        results.bindingConsume.push(await measure(total, () => rawConsume(brokers, bindingTopic, total, true)))
      }
      const sepal = async (): Promise<void> => {
        results.sepalPublish.push(await measure(total, () => publishBatches(transport, topic, batches)))
        results.sepalConsume.push(
          await measure(total, async () => {
            const subscription = await transport.subscribe(topic, { group: 'g', from: 'earliest', maxInFlight: IN_FLIGHT })
            await consumeAndAck(subscription, total)
          }),
        )
      }
      await takeTurns(round, raw, sepal)
    }
  } finally {
    await transport.close()
    await producer.close()
    await admin.deleteTopics({ topics }).catch(() => undefined)
    await admin.close()
  }
  return [
    benchRow('publish: raw producer.send, batches of 100', results.rawPublish, results.rawPublish),
    benchRow(`publish: sepal kafka transport (${mode})`, results.sepalPublish, results.rawPublish),
    benchRow(`publish: raw loop, sepal's ${mode} records`, results.bindingPublish, results.rawPublish),
    benchRow('consume+ack: raw consume(), commit per 100', results.rawConsume, results.rawConsume),
    benchRow(`consume+ack: sepal subscription (${mode})`, results.sepalConsume, results.rawConsume),
    benchRow(`consume+ack: raw loop + sepal's ${mode} decode`, results.bindingConsume, results.rawConsume),
  ]
}

if (isMain(import.meta.url)) {
  printRows('Kafka, ~1 KB events', await run(optionsFromArgs()))
}

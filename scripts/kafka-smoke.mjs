#!/usr/bin/env node
// Proves the local Kafka broker works with the client sepal uses (@platformatic/kafka 1.x):
// create a topic, produce with an idempotent acks=all producer, consume in a consumer group,
// commit, and read the committed offset back. Prints one line per step; exits 1 on any failure.
//   node scripts/kafka-smoke.mjs            (broker from KAFKA_BROKERS, default 127.0.0.1:9092)
import { Admin, Consumer, Producer, stringDeserializers, stringSerializers } from '@platformatic/kafka'

const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',')
const topic = `sepal-smoke-${process.pid}-${Date.now()}`
const group = `${topic}-group`
const messageCount = 3
const client = { bootstrapBrokers: brokers, retries: 2, timeout: 10_000 }

// Never hang a CI run: the whole smoke must finish well within this.
const watchdog = setTimeout(() => fail(new Error('timed out after 60 s')), 60_000)
watchdog.unref()

function step(text) {
  process.stdout.write(`kafka-smoke: ${text}\n`)
}

function fail(error) {
  process.stderr.write(`kafka-smoke: FAILED against ${brokers.join(',')}: ${error?.stack ?? error}\n`)
  process.exit(1)
}

async function main() {
  const admin = new Admin({ ...client, clientId: 'sepal-smoke-admin' })
  const producer = new Producer({
    ...client,
    clientId: 'sepal-smoke-producer',
    serializers: stringSerializers,
    idempotent: true,
    acks: -1,
  })
  const consumer = new Consumer({
    ...client,
    clientId: 'sepal-smoke-consumer',
    groupId: group,
    deserializers: stringDeserializers,
  })
  try {
    await admin.createTopics({ topics: [topic], partitions: 1, replicas: 1 })
    step(`created topic ${topic}`)

    const values = Array.from({ length: messageCount }, (_, i) => `message ${i}`)
    await producer.send({ messages: values.map((value, i) => ({ topic, key: `k${i}`, value })) })
    step(`produced ${messageCount} messages (idempotent, acks=all)`)

    const stream = await consumer.consume({ topics: [topic], mode: 'earliest', autocommit: false })
    const received = []
    for await (const message of stream) {
      received.push(message.value)
      await message.commit()
      if (received.length === messageCount) break
    }
    await stream.close()
    if (received.join('|') !== values.join('|')) {
      throw new Error(`consumed ${JSON.stringify(received)}, expected ${JSON.stringify(values)}`)
    }
    step(`consumed ${messageCount} messages in group ${group} and committed each`)

    const committed = await consumer.listCommittedOffsets({ topics: [{ topic, partitions: [0] }] })
    const offset = committed.get(topic)?.[0]
    if (offset !== BigInt(messageCount)) throw new Error(`committed offset is ${offset}, expected ${messageCount}`)
    step(`committed offset of partition 0 is ${offset}`)

    await admin.deleteTopics({ topics: [topic] })
    step('deleted the topic; ok')
  } finally {
    await Promise.allSettled([consumer.close(true), producer.close(), admin.close()])
  }
}

main().then(() => clearTimeout(watchdog), fail)

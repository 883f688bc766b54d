// One round trip per service that broker and store tests rely on, each with the client sepal uses.
// A failure here points at the machine (scripts/services.sh up), not at sepal's code. Outside CI a
// missing service skips its test; with CI set it fails.
import { randomUUID } from 'node:crypto'
import { Admin, Consumer, Producer, stringDeserializers, stringSerializers } from '@platformatic/kafka'
import { AckPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream'
import { connect as connectNats } from '@nats-io/transport-node'
import { connect as connectAmqp } from 'amqplib'
import { Redis } from 'ioredis'
import postgres from 'postgres'
import { describe, expect, it } from 'vitest'
import { serviceAvailable } from './support/services.js'

const urls = {
  redis: process.env['SEPAL_TEST_REDIS_URL'] ?? 'redis://127.0.0.1:6379',
  postgres: process.env['SEPAL_TEST_POSTGRES_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres',
  rabbitmq: process.env['SEPAL_TEST_RABBITMQ_URL'] ?? 'amqp://guest:guest@127.0.0.1:5672',
  nats: process.env['SEPAL_TEST_NATS_URL'] ?? 'nats://127.0.0.1:4222',
  kafka: process.env['SEPAL_TEST_KAFKA_URL'] ?? 'kafka://127.0.0.1:9092',
}

const available = {
  redis: await serviceAvailable('redis', urls.redis),
  postgres: await serviceAvailable('postgres', urls.postgres),
  rabbitmq: await serviceAvailable('rabbitmq', urls.rabbitmq),
  nats: await serviceAvailable('nats', urls.nats),
  kafka: await serviceAvailable('kafka', urls.kafka),
}

/** A name no other test run uses, so runs in parallel or leftovers from a crash never collide. */
const unique = (prefix: string) => `sepal-services-${prefix}-${randomUUID().slice(0, 8)}`

describe('services used by the broker and store tests', () => {
  it.skipIf(!available.redis)('redis appends to a stream and reads the entry back', async () => {
    const redis = new Redis(urls.redis, { maxRetriesPerRequest: 1, retryStrategy: () => null })
    const stream = unique('stream')
    try {
      const id = await redis.xadd(stream, '*', 'event', 'hello')
      const entries = await redis.xrange(stream, '-', '+')
      expect(entries).toEqual([[id, ['event', 'hello']]])
    } finally {
      await redis.del(stream)
      redis.disconnect()
    }
  })

  it.skipIf(!available.postgres)('postgres stores a row in a temporary table and returns it', async () => {
    const sql = postgres(urls.postgres, { max: 1, connect_timeout: 5, onnotice: () => {} })
    try {
      const rows = await sql.begin(async (tx) => {
        await tx`create temporary table probe (id int primary key, body text) on commit drop`
        await tx`insert into probe values (1, 'hello')`
        return tx<{ body: string }[]>`select body from probe where id = 1`
      })
      expect(rows.map((row) => row.body)).toEqual(['hello'])
    } finally {
      await sql.end({ timeout: 5 })
    }
  })

  it.skipIf(!available.rabbitmq)('rabbitmq confirms a published message and delivers it from a queue', async () => {
    const connection = await connectAmqp(urls.rabbitmq)
    try {
      const channel = await connection.createConfirmChannel()
      const { queue } = await channel.assertQueue('', { exclusive: true, autoDelete: true })
      channel.sendToQueue(queue, Buffer.from('hello'), { contentType: 'text/plain' })
      await channel.waitForConfirms()
      const message = await getWithin(() => channel.get(queue, { noAck: false }), 5_000)
      expect(message.content.toString()).toBe('hello')
      channel.ack(message)
      await channel.close()
    } finally {
      await connection.close()
    }
  })

  it.skipIf(!available.nats)('nats jetstream stores a message in a stream and a durable consumer acks it', async () => {
    const { hostname, port } = new URL(urls.nats)
    const nc = await connectNats({ servers: `${hostname}:${port}`, timeout: 5_000 })
    const stream = unique('stream')
    const subject = `${stream}.created`
    try {
      const jsm = await jetstreamManager(nc)
      await jsm.streams.add({ name: stream, subjects: [subject] })
      const js = jetstream(nc)
      const published = await js.publish(subject, 'hello')
      expect(published.seq).toBe(1)
      await jsm.consumers.add(stream, { durable_name: 'probe', ack_policy: AckPolicy.Explicit })
      const consumer = await js.consumers.get(stream, 'probe')
      const message = await consumer.next({ expires: 5_000 })
      expect(message?.string()).toBe('hello')
      expect(await message?.ackAck()).toBe(true)
      await jsm.streams.delete(stream)
    } finally {
      await nc.close()
    }
  })

  it.skipIf(!available.kafka)('kafka delivers a produced message to a consumer group that commits it', async () => {
    const { hostname, port } = new URL(urls.kafka)
    const client = { bootstrapBrokers: [`${hostname}:${port}`], retries: 2, timeout: 10_000 }
    const topic = unique('topic')
    const admin = new Admin({ ...client, clientId: 'sepal-services-admin' })
    const producer = new Producer({
      ...client,
      clientId: 'sepal-services-producer',
      serializers: stringSerializers,
      idempotent: true,
      acks: -1,
    })
    const consumer = new Consumer({
      ...client,
      clientId: 'sepal-services-consumer',
      groupId: `${topic}-group`,
      deserializers: stringDeserializers,
    })
    try {
      await admin.createTopics({ topics: [topic], partitions: 1, replicas: 1 })
      await producer.send({ messages: [{ topic, key: 'k', value: 'hello' }] })
      const stream = await consumer.consume({ topics: [topic], mode: 'earliest', autocommit: false })
      let received: string | undefined
      for await (const message of stream) {
        received = message.value
        await message.commit()
        break
      }
      await stream.close()
      expect(received).toBe('hello')
      const committed = await consumer.listCommittedOffsets({ topics: [{ topic, partitions: [0] }] })
      expect(committed.get(topic)?.[0]).toBe(1n)
      await admin.deleteTopics({ topics: [topic] })
    } finally {
      await Promise.allSettled([consumer.close(true), producer.close(), admin.close()])
    }
  })
})

/** channel.get answers `false` while a message is still on its way; poll it within a bound. */
async function getWithin<T>(get: () => Promise<T | false>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const result = await get()
    if (result !== false) return result
    if (Date.now() > deadline) throw new Error(`nothing arrived within ${timeoutMs} ms`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

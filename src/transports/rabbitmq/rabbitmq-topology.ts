import { OptionsError } from '../../errors.js'
import type { RabbitmqConnection } from './rabbitmq-connection.js'

// What sepal declares on the broker, all durable:
//   topic `t`            → fanout exchange `<prefix>t`
//   group `g` of topic t → quorum queue `<prefix>t.g`, bound to the exchange (each group gets every event)
//   a retry delayed d ms → quorum queue `<prefix>t.g.delay-<bucket>` with `x-message-ttl` = bucket, whose
//                          expired messages are dead-lettered (at least once) through the default exchange
//                          straight back to `<prefix>t.g` — to that group only.

const MAX_NAME_BYTES = 255
/** Delays are rounded up to a power of two, so a handful of queues serve every retry policy. */
export const MAX_DELAY_BUCKET_MS = 2 ** 31

export function exchangeName(prefix: string, topic: string): string {
  return checkName(`${prefix}${topic}`, 'exchange', topic)
}

export function queueName(prefix: string, topic: string, group: string): string {
  // Room is left for the longest delay suffix, so every retry of the group has a valid name too.
  checkName(`${prefix}${topic}.${group}.delay-${MAX_DELAY_BUCKET_MS}`, 'queue', `${topic}/${group}`)
  return `${prefix}${topic}.${group}`
}

/** The smallest power of two (in ms) that is at least `delayMs`, capped at about 24.8 days. */
export function delayBucket(delayMs: number): number {
  if (delayMs <= 1) return 1
  return Math.min(MAX_DELAY_BUCKET_MS, 2 ** Math.ceil(Math.log2(delayMs)))
}

export function delayQueueName(queue: string, bucketMs: number): string {
  return `${queue}.delay-${bucketMs}`
}

function checkName(name: string, what: string, given: string): string {
  if (Buffer.byteLength(name) > MAX_NAME_BYTES) {
    throw new OptionsError(`the rabbitmq ${what} for ${JSON.stringify(given)} would be longer than ${MAX_NAME_BYTES} bytes; use shorter topic and group names`)
  }
  if (name.startsWith('amq.')) {
    throw new OptionsError(`the rabbitmq ${what} ${JSON.stringify(name)} starts with "amq.", which the broker reserves; rename the topic or set a name prefix`)
  }
  return name
}

export function declareTopic(connection: RabbitmqConnection, exchange: string, deadline: number): Promise<void> {
  return connection.declare(`exchange:${exchange}`, deadline, (channel) => channel.assertExchange(exchange, 'fanout', { durable: true }))
}

export function declareGroup(connection: RabbitmqConnection, exchange: string, queue: string, deadline: number): Promise<void> {
  return connection.declare(`queue:${queue}`, deadline, async (channel) => {
    await channel.assertExchange(exchange, 'fanout', { durable: true })
    await channel.assertQueue(queue, { durable: true, arguments: { 'x-queue-type': 'quorum' } })
    await channel.bindQueue(queue, exchange, '')
  })
}

export function declareDelay(connection: RabbitmqConnection, queue: string, bucketMs: number, deadline: number): Promise<string> {
  const name = delayQueueName(queue, bucketMs)
  return connection
    .declare(`queue:${name}`, deadline, (channel) =>
      channel.assertQueue(name, {
        durable: true,
        arguments: {
          'x-queue-type': 'quorum',
          'x-message-ttl': bucketMs,
          'x-dead-letter-exchange': '',
          'x-dead-letter-routing-key': queue,
          // At-least-once dead-lettering (RabbitMQ 3.10+) needs reject-publish overflow; a retry is never dropped in transit.
          'x-dead-letter-strategy': 'at-least-once',
          'x-overflow': 'reject-publish',
        },
      }),
    )
    .then(() => name)
}

import { randomUUID } from 'node:crypto'
import type { ConfirmChannel, ConsumeMessage, Options } from 'amqplib'
import { ErrorCodes, OptionsError, SepalError } from '../../errors.js'
import type { CloudEvent } from '../../event/cloud-event.js'
import type { PublishOptions, SubscribeOptions, Subscription, Transport, TransportFeatures } from '../contract.js'
import { PullSubscription } from '../memory/pull-subscription.js'
import { checkGroup, checkTopic, checkVisibility, closedError, resolveMaxInFlight } from '../memory/transport-options.js'
import { toRabbitmqMessage, type RabbitmqMessageOut, type RabbitmqMode } from './rabbitmq-binding.js'
import { PUBLISH_ID_HEADER, RabbitmqConnection } from './rabbitmq-connection.js'
import { ATTEMPTS_HEADER, RabbitmqGroupSource } from './rabbitmq-group-source.js'
import { declareDelay, declareTopic, exchangeName, queueName } from './rabbitmq-topology.js'
import { DEFAULT_RABBITMQ_URL, describe, parseRabbitmqUrl, unavailable } from './rabbitmq-url.js'

export interface RabbitmqTransportOptions {
  /** `amqp[s]://user:pass@host:port[/vhost]`. Default `amqp://guest:guest@127.0.0.1:5672`. */
  readonly url?: string
  /** How events are written: `binary` (`cloudEvents:` headers, the default) or `structured` (JSON body). Both are read. */
  readonly mode?: RabbitmqMode
  /** Put before every exchange and queue name sepal declares. Default none: topic `orders` is exchange `orders`. */
  readonly namePrefix?: string
  /** How long a delivery may stay unsettled before it goes back to the group. Default 30 000 ms. */
  readonly visibilityTimeoutMs?: number
  /** How long a publish waits for the broker (reconnects included) before it rejects. Default 30 000 ms. */
  readonly publishTimeoutMs?: number
  /** How long the first connection may take. Default 5 000 ms. */
  readonly connectTimeoutMs?: number
  /** Longest pause between reconnect attempts. Default 5 000 ms. */
  readonly reconnectMaxDelayMs?: number
  /** Connection name shown by the broker's management tools. Default `sepal`. */
  readonly name?: string
  /** Told about a message that is not a CloudEvent; it has been rejected. Default: a process warning. */
  readonly onInvalidMessage?: (error: unknown, queue: string) => void
}

export const RABBITMQ_FEATURES: TransportFeatures = Object.freeze({
  consumerGroups: true,
  persistent: true,
  // Members of a group share one queue; RabbitMQ hands its messages to whichever consumer has room.
  orderedPerKey: false,
  nativeDelay: true,
  deliveryCount: true,
  // A group's queue exists from its first subscribe on; earlier events were routed to no queue of it.
  replayFromStart: false,
})

// Headers the broker adds on returns and dead-lettering; a retry's copy starts without them.
const BROKER_HEADERS = /^x-(delivery-count|death|first-death-|last-death-|sepal-publish-id)/
// Message properties a retry's copy keeps (the rest are the broker's or describe the old delivery).
const KEPT_PROPERTIES = ['contentType', 'contentEncoding', 'messageId', 'correlationId', 'type', 'appId', 'timestamp', 'userId'] as const

/**
 * A transport on RabbitMQ (AMQP 0-9-1, amqplib): a durable fanout exchange per topic, a quorum queue
 * per consumer group, publisher confirms, delivery counts from the quorum queue, delayed retries
 * through TTL queues that dead-letter back to the group, and the CloudEvents AMQP binding's
 * `cloudEvents:` headers. Connects before it resolves, so a wrong URL or an absent broker fails here.
 */
export async function createRabbitmqTransport(options: RabbitmqTransportOptions = {}): Promise<Transport> {
  const address = parseRabbitmqUrl(options.url ?? DEFAULT_RABBITMQ_URL)
  const settings = readSettings(options)
  const connection = await RabbitmqConnection.open(address, {
    connectTimeoutMs: settings.connectTimeoutMs,
    reconnectMaxDelayMs: settings.reconnectMaxDelayMs,
    name: options.name ?? 'sepal',
  })
  const publishes = new Set<Promise<void>>()
  const subscriptions = new Set<PullSubscription>()
  const onInvalidMessage = options.onInvalidMessage ?? warnInvalid
  let closing: Promise<void> | undefined

  /** Publishes until the broker confirmed every message, on a new channel after a failure, until the deadline. */
  async function confirmAll(exchange: string, routingKey: string, messages: readonly Outgoing[], deadline: number): Promise<void> {
    let pending = messages
    let lastError: unknown
    for (let wait = 50; ; wait = Math.min(wait * 2, 1_000)) {
      try {
        if (exchange !== '') await declareTopic(connection, exchange, deadline)
        const channel = await connection.publishChannel(deadline)
        const outcomes = await byDeadline(Promise.allSettled(pending.map((message) => publishOne(channel, exchange, routingKey, message))), deadline)
        const failed = pending.filter((_, i) => outcomes[i]?.status === 'rejected')
        if (failed.length === 0) return
        lastError = outcomes.find((outcome) => outcome.status === 'rejected')?.reason
        pending = failed
      } catch (error) {
        if (error instanceof SepalError && error.code !== ErrorCodes.TRANSPORT_UNAVAILABLE) throw error
        if (isRefusal(error)) {
          throw unavailable(address, `refused ${exchange === '' ? `the queue ${JSON.stringify(routingKey)}` : `the exchange ${JSON.stringify(exchange)}`} (${describe(error)}); it exists with other settings or the user may not use it`, error)
        }
        lastError = error
      }
      // The exchange may have been deleted under us (the broker then closes the channel): declare it again.
      if (exchange !== '') connection.forget(`exchange:${exchange}`)
      if (Date.now() + wait > deadline) {
        throw unavailable(address, `did not confirm ${pending.length} event(s) in time (${describe(lastError)}); retry the publish`, lastError)
      }
      await new Promise((resolve) => setTimeout(resolve, wait))
    }
  }

  /** A nacked delivery's copy goes to its group's delay queue, counting the deliveries it had. */
  async function park(queue: string, message: ConsumeMessage, attempt: number, bucketMs: number): Promise<void> {
    const deadline = Date.now() + settings.publishTimeoutMs
    const delayQueue = await declareDelay(connection, queue, bucketMs, deadline)
    const headers: Record<string, unknown> = {}
    for (const [name, value] of Object.entries(message.properties.headers ?? {})) {
      if (!BROKER_HEADERS.test(name)) headers[name] = value
    }
    headers[ATTEMPTS_HEADER] = attempt
    // Mandatory: if the delay queue is gone, the copy comes back instead of vanishing, and the nack falls back to a requeue.
    const publishId = randomUUID()
    headers[PUBLISH_ID_HEADER] = publishId
    const properties: Record<string, unknown> = { headers, mandatory: true }
    for (const name of KEPT_PROPERTIES) {
      const value: unknown = message.properties[name]
      if (value !== undefined && value !== null) properties[name] = value
    }
    let returned = false
    try {
      await confirmAll('', delayQueue, [{ content: message.content, properties: properties as Options.Publish }], deadline)
    } finally {
      returned = connection.returned.delete(publishId)
    }
    if (returned) {
      connection.forget(`queue:${delayQueue}`)
      throw new Error(`the delay queue ${delayQueue} took no message (it was deleted?)`)
    }
  }

  function track<T>(task: Promise<T>): Promise<T> {
    const settled = task.then(
      () => undefined,
      () => undefined,
    )
    publishes.add(settled)
    void settled.then(() => publishes.delete(settled))
    return task
  }

  return {
    name: 'rabbitmq',
    features: RABBITMQ_FEATURES,

    async publish(topic: string, events: readonly CloudEvent[], publishOptions?: PublishOptions) {
      if (closing !== undefined) throw closedError('rabbitmq transport')
      checkTopic(topic)
      const exchange = exchangeName(settings.namePrefix, topic)
      const key = publishOptions?.key
      const messages = events.map((event) => outgoing(toRabbitmqMessage(event, settings.mode, key)))
      if (messages.length === 0) return
      await track(confirmAll(exchange, key ?? '', messages, Date.now() + settings.publishTimeoutMs))
    },

    async subscribe(topic: string, subscribeOptions: SubscribeOptions): Promise<Subscription> {
      if (closing !== undefined) throw closedError('rabbitmq transport')
      checkTopic(topic)
      checkGroup(subscribeOptions.group)
      const maxInFlight = resolveMaxInFlight(subscribeOptions.maxInFlight)
      const visibilityTimeoutMs = checkVisibility(subscribeOptions.visibilityTimeoutMs) ?? settings.visibilityTimeoutMs
      const exchange = exchangeName(settings.namePrefix, topic)
      const queue = queueName(settings.namePrefix, topic, subscribeOptions.group)
      const source = new RabbitmqGroupSource({
        connection,
        exchange,
        queue,
        maxInFlight,
        visibilityTimeoutMs,
        setupTimeoutMs: settings.publishTimeoutMs,
        park: (message, attempt, bucketMs) => park(queue, message, attempt, bucketMs),
        onInvalidMessage,
      })
      try {
        await source.start()
      } catch (error) {
        if (error instanceof SepalError) throw error
        throw unavailable(address, `could not set up the subscription to ${JSON.stringify(topic)} (${describe(error)})`, error)
      }
      const subscription: PullSubscription = new PullSubscription(source, {
        maxInFlight,
        signal: subscribeOptions.signal,
        onClose: () => subscriptions.delete(subscription),
      })
      source.wake = () => subscription.wake()
      subscriptions.add(subscription)
      if (closing !== undefined || subscription.closed) await subscription.close()
      return subscription
    },

    close() {
      closing ??= (async () => {
        await Promise.allSettled([...publishes])
        await Promise.allSettled([...subscriptions].map((subscription) => subscription.close()))
        await connection.close()
      })()
      return closing
    },
  }
}

/** AMQP 403 ACCESS_REFUSED and 406 PRECONDITION_FAILED (e.g. an exchange of another type): retrying cannot help. */
function isRefusal(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code
  return code === 403 || code === 406
}

interface Outgoing {
  readonly content: Buffer
  readonly properties: Options.Publish
}

function outgoing(message: RabbitmqMessageOut): Outgoing {
  const properties: Options.Publish = { persistent: true, headers: message.headers }
  if (message.contentType !== undefined) properties.contentType = message.contentType
  return { content: message.content, properties }
}

/** Resolves on the broker's confirm; rejects on its nack or a closed channel. */
function publishOne(channel: ConfirmChannel, exchange: string, routingKey: string, message: Outgoing): Promise<void> {
  return new Promise((resolve, reject) => {
    try {
      channel.publish(exchange, routingKey, message.content, { persistent: true, ...message.properties }, (error: unknown) =>
        error === null || error === undefined ? resolve() : reject(error instanceof Error ? error : new Error(String(error))),
      )
    } catch (error) {
      reject(error)
    }
  })
}

/** The outcome of `work`, or a rejection at the deadline (a blocked broker may never confirm). */
async function byDeadline<T>(work: Promise<T>, deadline: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('no confirm from the broker before the deadline')), Math.max(0, deadline - Date.now()))
  })
  try {
    return await Promise.race([work, late])
  } finally {
    clearTimeout(timer)
  }
}

interface Settings {
  readonly mode: RabbitmqMode
  readonly namePrefix: string
  readonly visibilityTimeoutMs: number
  readonly publishTimeoutMs: number
  readonly connectTimeoutMs: number
  readonly reconnectMaxDelayMs: number
}

function readSettings(options: RabbitmqTransportOptions): Settings {
  const mode = options.mode ?? 'binary'
  if (mode !== 'binary' && mode !== 'structured') {
    throw new OptionsError(`mode must be "binary" or "structured", got ${JSON.stringify(mode)}`)
  }
  const namePrefix = options.namePrefix ?? ''
  if (typeof namePrefix !== 'string') throw new OptionsError(`namePrefix must be a string, got ${JSON.stringify(namePrefix)}`)
  return {
    mode,
    namePrefix,
    visibilityTimeoutMs: checkVisibility(options.visibilityTimeoutMs) ?? 30_000,
    publishTimeoutMs: positive('publishTimeoutMs', options.publishTimeoutMs ?? 30_000),
    connectTimeoutMs: positive('connectTimeoutMs', options.connectTimeoutMs ?? 5_000),
    reconnectMaxDelayMs: positive('reconnectMaxDelayMs', options.reconnectMaxDelayMs ?? 5_000),
  }
}

function positive(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) {
    throw new OptionsError(`${name} must be a positive whole number of milliseconds, got ${JSON.stringify(value)}`)
  }
  return value
}

function warnInvalid(error: unknown, queue: string): void {
  process.emitWarning(`rabbitmq transport rejected a message of queue ${queue} that is not a CloudEvent: ${describe(error)}`)
}

import { jetstream, type JetStreamClient } from '@nats-io/jetstream'
import { MsgHdrsImpl, createInbox, type NatsConnection } from '@nats-io/transport-node'
import { OptionsError, SepalError } from '../../errors.js'
import type { CloudEvent } from '../../event/cloud-event.js'
import type { PublishOptions, SubscribeOptions, Subscription, Transport, TransportFeatures } from '../contract.js'
import { PullSubscription } from '../memory/pull-subscription.js'
import { checkGroup, checkTopic, checkVisibility, closedError, resolveMaxInFlight } from '../memory/transport-options.js'
import { toNatsMessage, type NatsMessageOut, type NatsMode } from './nats-binding.js'
import { DEFAULT_NATS_URL, connectToNats, describe, parseNatsUrl, unavailable, type NatsAddress } from './nats-connect.js'
import { NatsGroupSource } from './nats-group-source.js'
import { checkStreamPrefix, checkSubjectPrefix } from './nats-names.js'
import { Topology, type TopicPlace } from './nats-topology.js'

export interface NatsTransportOptions {
  /** `nats://[user:pass@]host:port`. Default `nats://127.0.0.1:4222`. */
  readonly url?: string
  /** How events are written: `binary` (`ce-` headers, the default) or `structured` (JSON payload). Both are read. */
  readonly mode?: NatsMode
  /** Events of topic `t` are published on subject `<subjectPrefix>.t`. Default `sepal`. */
  readonly subjectPrefix?: string
  /** Streams sepal creates are named `<streamPrefix><topic>`. Default `SEPAL_`. */
  readonly streamPrefix?: string
  /** Storage of the streams sepal creates. Default `file`. */
  readonly storage?: 'file' | 'memory'
  /** Replicas of the streams sepal creates (a clustered JetStream). Default 1. */
  readonly replicas?: number
  /** How long streams sepal creates keep events; 0 (the default) keeps them. */
  readonly maxAgeMs?: number
  /** Ack wait of consumers a subscription that names none creates. Default 30 000 ms. */
  readonly visibilityTimeoutMs?: number
  /**
   * Keep deliveries leased (JetStream `+WPI`, "working") while they are unsettled and their subscription
   * is open, for handlers that outlast the visibility timeout. Off by default: a hung consumer then
   * loses its lease after the visibility timeout, as the transport contract says. A single delivery
   * can also be extended by hand with `NatsDelivery.working()`.
   */
  readonly extendWhileUnsettled?: boolean
  /** How long a publish keeps retrying while the broker is away before it rejects. Default 30 000 ms. */
  readonly publishTimeoutMs?: number
  /** How long the first connection may take. Default 5 000 ms. */
  readonly connectTimeoutMs?: number
  /** How long one pull request waits at the server. Default 30 000 ms. */
  readonly pullExpiresMs?: number
  /** Connection name shown by the server's monitoring. Default `sepal`. */
  readonly name?: string
  /** Told about a message that is not a CloudEvent; it has been terminated. Default: a process warning. */
  readonly onInvalidMessage?: (error: unknown, subject: string) => void
}

export const NATS_FEATURES: TransportFeatures = Object.freeze({
  consumerGroups: true,
  persistent: true,
  // A durable consumer hands a group's events to whichever member pulls; JetStream has no per-key partitions.
  orderedPerKey: false,
  nativeDelay: true,
  deliveryCount: true,
  replayFromStart: true,
})

/**
 * A transport on NATS JetStream: a stream per topic, a durable pull consumer per group, acks, nacks
 * with the broker's own delay, delivery counts from the broker, and the CloudEvents NATS binding.
 * Connects before it resolves, so a wrong URL or an absent broker fails here.
 */
export async function createNatsTransport(options: NatsTransportOptions = {}): Promise<Transport> {
  const address = parseNatsUrl(options.url ?? DEFAULT_NATS_URL)
  const settings = readSettings(options)
  const { nc, jsm } = await connectToNats(address, { connectTimeoutMs: settings.connectTimeoutMs, name: options.name ?? 'sepal' })
  const js = jetstream(nc)
  const topology = new Topology(jsm, settings)
  const publishes = new Set<Promise<void>>()
  const subscriptions = new Set<PullSubscription>()
  const sources = new Set<NatsGroupSource>()
  const releasing = new Set<Promise<void>>()
  const onInvalidMessage = options.onInvalidMessage ?? warnInvalid
  let closing: Promise<void> | undefined

  void watchReconnects(nc, () => {
    topology.forget()
    for (const source of sources) source.forgetRequests()
  })

  async function publishAll(topic: string, events: readonly CloudEvent[], key: string | undefined): Promise<void> {
    const messages = events.map((event) => toNatsMessage(event, settings.mode, key))
    const deadline = Date.now() + settings.publishTimeoutMs
    const send = async (message: NatsMessageOut): Promise<void> => {
      const place = await topology.place(topic)
      try {
        await publishOne(js, place, message, deadline)
      } catch (error) {
        // Perhaps the stream is gone (deleted, or a broker that lost its state): look again next time.
        topology.forget()
        throw error
      }
    }
    // The common case in one pass (one lookup of the stream for the batch); then what failed, with retries.
    const place = await retrying(nc, address, deadline, () => topology.place(topic))
    const outcomes = await Promise.allSettled(messages.map((message) => publishOne(js, place, message, deadline)))
    const failed = messages.filter((_, i) => outcomes[i]!.status === 'rejected')
    if (failed.length === 0) return
    topology.forget()
    await Promise.all(failed.map((message) => retrying(nc, address, deadline, () => send(message))))
  }

  return {
    name: 'nats',
    features: NATS_FEATURES,

    async publish(topic: string, events: readonly CloudEvent[], publishOptions?: PublishOptions) {
      if (closing !== undefined) throw closedError('nats transport')
      checkTopic(topic)
      const task = publishAll(topic, events, publishOptions?.key)
      publishes.add(task)
      void task.then(
        () => publishes.delete(task),
        () => publishes.delete(task),
      )
      return task
    },

    async subscribe(topic: string, subscribeOptions: SubscribeOptions): Promise<Subscription> {
      if (closing !== undefined) throw closedError('nats transport')
      checkTopic(topic)
      checkGroup(subscribeOptions.group)
      const maxInFlight = resolveMaxInFlight(subscribeOptions.maxInFlight)
      const ackWaitMs = checkVisibility(subscribeOptions.visibilityTimeoutMs) ?? settings.visibilityTimeoutMs
      const { place, consumer } = await reachable(address, async () => {
        const found = await topology.place(topic)
        return { place: found, consumer: await topology.consumer(found, topic, subscribeOptions.group, subscribeOptions.from ?? 'latest', ackWaitMs) }
      })
      if (closing !== undefined) throw closedError('nats transport')
      const source = new NatsGroupSource(
        {
          connection: nc,
          stream: place.stream,
          consumer,
          ackWaitMs,
          extendWhileUnsettled: options.extendWhileUnsettled ?? false,
          pullExpiresMs: settings.pullExpiresMs,
          repair: async () => {
            topology.forget()
            const again = await topology.place(topic)
            await topology.consumer(again, topic, subscribeOptions.group, subscribeOptions.from ?? 'latest', ackWaitMs)
          },
          onInvalidMessage: (error, message) => onInvalidMessage(error, message.subject),
        },
        createInbox(),
      )
      const subscription: PullSubscription = new PullSubscription(source, {
        maxInFlight,
        signal: subscribeOptions.signal,
        onClose: () => {
          subscriptions.delete(subscription)
          sources.delete(source)
          // A closed subscription gives back what its pull requests still bring; close() waits for that.
          const released = source.release()
          releasing.add(released)
          void released.then(() => releasing.delete(released))
        },
      })
      source.wake = () => subscription.wake()
      subscriptions.add(subscription)
      sources.add(source)
      if (subscription.closed) await subscription.close()
      return subscription
    },

    close() {
      closing ??= (async () => {
        await Promise.allSettled([...publishes])
        await Promise.allSettled([...subscriptions].map((subscription) => subscription.close()))
        await Promise.allSettled([...releasing])
        await closeConnection(nc)
      })()
      return closing
    },
  }
}

interface Settings {
  readonly mode: NatsMode
  readonly subjectPrefix: string
  readonly streamPrefix: string
  readonly storage: 'file' | 'memory'
  readonly replicas: number
  readonly maxAgeMs: number
  readonly visibilityTimeoutMs: number
  readonly publishTimeoutMs: number
  readonly connectTimeoutMs: number
  readonly pullExpiresMs: number
}

function readSettings(options: NatsTransportOptions): Settings {
  const mode = options.mode ?? 'binary'
  if (mode !== 'binary' && mode !== 'structured') {
    throw new OptionsError(`mode must be "binary" or "structured", got ${JSON.stringify(mode)}`)
  }
  const storage = options.storage ?? 'file'
  if (storage !== 'file' && storage !== 'memory') {
    throw new OptionsError(`storage must be "file" or "memory", got ${JSON.stringify(storage)}`)
  }
  return {
    mode,
    storage,
    subjectPrefix: checkSubjectPrefix(options.subjectPrefix ?? 'sepal'),
    streamPrefix: checkStreamPrefix(options.streamPrefix ?? 'SEPAL_'),
    replicas: positive('replicas', options.replicas ?? 1, 1),
    maxAgeMs: positive('maxAgeMs', options.maxAgeMs ?? 0, 0),
    visibilityTimeoutMs: checkVisibility(options.visibilityTimeoutMs) ?? 30_000,
    publishTimeoutMs: positive('publishTimeoutMs', options.publishTimeoutMs ?? 30_000, 1),
    connectTimeoutMs: positive('connectTimeoutMs', options.connectTimeoutMs ?? 5_000, 1),
    pullExpiresMs: positive('pullExpiresMs', options.pullExpiresMs ?? 30_000, 1_000),
  }
}

function positive(name: string, value: number, least: number): number {
  if (!Number.isInteger(value) || value < least) {
    throw new OptionsError(`${name} must be an integer of at least ${least}, got ${JSON.stringify(value)}`)
  }
  return value
}

async function publishOne(js: JetStreamClient, place: TopicPlace, message: NatsMessageOut, deadline: number): Promise<void> {
  const timeout = Math.max(250, Math.min(5_000, deadline - Date.now()))
  const ack = await js.publish(place.subject, message.body, { headers: natsHeaders(message.headers), timeout })
  if (ack.stream !== place.stream) {
    throw new Error(`stream ${JSON.stringify(ack.stream)} took the event instead of ${JSON.stringify(place.stream)}`)
  }
}

function natsHeaders(record: Record<string, string>): ReturnType<typeof MsgHdrsImpl.fromRecord> {
  const lists: Record<string, string[]> = {}
  for (const name in record) lists[name] = [record[name]!]
  return MsgHdrsImpl.fromRecord(lists)
}

/**
 * Runs `attempt` until it succeeds, retrying broker failures (timeouts, JetStream not answering yet
 * after a restart, a reconnect in progress) with backoff until the deadline. Errors of sepal (a bad
 * topic, an invalid event) and a closed connection are not retried.
 */
async function retrying<T>(nc: NatsConnection, address: NatsAddress, deadline: number, attempt: () => Promise<T>): Promise<T> {
  for (let wait = 50; ; wait = Math.min(wait * 2, 1_000)) {
    try {
      return await attempt()
    } catch (error) {
      if (error instanceof SepalError) throw error
      if (nc.isClosed()) throw closedError('nats transport')
      if (Date.now() + wait > deadline) {
        throw unavailable(address, `did not take the publish before its deadline (${describe(error)}); retry it later`, error)
      }
      await new Promise((resolve) => setTimeout(resolve, wait))
    }
  }
}

/** Runs broker requests of `subscribe`, turning broker failures into SEPAL_ERR_TRANSPORT_UNAVAILABLE. */
async function reachable<T>(address: NatsAddress, work: () => Promise<T>): Promise<T> {
  try {
    return await work()
  } catch (error) {
    if (error instanceof SepalError) throw error
    throw unavailable(address, `could not set up the subscription (${describe(error)})`, error)
  }
}

async function watchReconnects(nc: NatsConnection, onReconnect: () => void): Promise<void> {
  try {
    for await (const status of nc.status()) {
      if (status.type === 'reconnect') onReconnect()
    }
  } catch {
    // The status stream ends with the connection; nothing is left to watch.
  }
}

/** Drains (pending acks are flushed), or closes outright when the broker is away. */
async function closeConnection(nc: NatsConnection): Promise<void> {
  if (nc.isClosed()) return
  let timer: NodeJS.Timeout | undefined
  const gaveUp = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, 5_000)
  })
  await Promise.race([nc.drain().catch(() => undefined), gaveUp])
  clearTimeout(timer)
  if (!nc.isClosed()) await nc.close().catch(() => undefined)
}

function warnInvalid(error: unknown, subject: string): void {
  process.emitWarning(`nats transport terminated a message on ${subject} that is not a CloudEvent: ${describe(error)}`)
}

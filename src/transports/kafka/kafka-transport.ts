import { Admin } from '@platformatic/kafka'
import { OptionsError } from '../../errors.js'
import type { CloudEvent } from '../../event/cloud-event.js'
import type { PublishOptions, SubscribeOptions, Subscription, Transport, TransportFeatures } from '../contract.js'
import { PullSubscription } from '../memory/pull-subscription.js'
import { checkGroup, checkTopic, checkVisibility, closedError, resolveMaxInFlight } from '../memory/transport-options.js'
import { toKafkaRecord, type KafkaMode, type KafkaRecordOut } from './kafka-binding.js'
import type { Entry } from './kafka-delivery.js'
import { ATTEMPT_HEADER, KafkaGroup, NOT_BEFORE_HEADER } from './kafka-group.js'
import { KafkaPublisher, type KafkaMessage } from './kafka-publisher.js'
import { KafkaTopics, retryTopicName } from './kafka-topics.js'
import { DEFAULT_KAFKA_URL, checkKafkaName, describe, parseKafkaUrl, unavailable, type KafkaAddress } from './kafka-url.js'

export interface KafkaTransportOptions {
  /** `kafka://host:port[,host:port...]`. Default `kafka://127.0.0.1:9092`. */
  readonly url?: string
  /** How events are written: `binary` (`ce_` headers, the default) or `structured` (JSON value). Both are read. */
  readonly mode?: KafkaMode
  /** Partitions of the topics sepal creates. Default 3. */
  readonly partitions?: number
  /** Replication factor of the topics sepal creates. Default 1. */
  readonly replicas?: number
  /** The Kafka consumer group of sepal group `group` on `topic`. Default `<group>.<topic>`. */
  readonly groupIdFor?: (topic: string, group: string) => string
  /** How long a delivery stays leased to a subscription before another one of this client gets it. Default 30 000 ms. */
  readonly visibilityTimeoutMs?: number
  /** Kafka session timeout: how soon the group notices a member that died. Default 10 000 ms. */
  readonly sessionTimeoutMs?: number
  /** How long a publish keeps retrying while the broker is away before it rejects. Default 30 000 ms. */
  readonly publishTimeoutMs?: number
  /** How long one fetch waits at the broker for new records. Default 500 ms. */
  readonly maxWaitMs?: number
  /** Client id shown by the broker. Default `sepal`. */
  readonly clientId?: string
  /** Told about a record that is not a CloudEvent; it is skipped. Default: a process warning. */
  readonly onInvalidRecord?: (error: unknown, topic: string) => void
  /** Told about background failures (commits, reconnects) that sepal retries by itself. Default: ignored. */
  readonly onError?: (error: unknown) => void
}

export const KAFKA_FEATURES: TransportFeatures = Object.freeze({
  consumerGroups: true,
  persistent: true,
  orderedPerKey: true,
  // Kafka has no delay of its own: sepal re-publishes a nacked event to the group's retry topic with
  // a not-before header and holds it until then, without holding anything else back.
  nativeDelay: true,
  // The attempt travels in a header of the retried record; a crash before the settle is not counted.
  deliveryCount: false,
  replayFromStart: true,
})

interface GroupSlot {
  readonly group: Promise<KafkaGroup>
  members: number
}

/**
 * A transport on Apache Kafka: topics created on demand, an idempotent producer with acks=all, one
 * consumer-group member per topic and group shared by that group's subscriptions, commits of
 * contiguous settled offsets only, nacks through a per-group retry topic, and the CloudEvents Kafka
 * binding. Checks the broker before it resolves, so a wrong URL or an absent broker fails here.
 */
export async function createKafkaTransport(options: KafkaTransportOptions = {}): Promise<Transport> {
  const address = parseKafkaUrl(options.url ?? DEFAULT_KAFKA_URL)
  const settings = readSettings(options)
  const client = { clientId: settings.clientId, bootstrapBrokers: [...address.brokers], retryDelay: 250, connectTimeout: 5000 }
  const admin = new Admin({ ...client, retries: 2 })
  const swallow = (): void => undefined
  admin.on('error', swallow)
  try {
    await admin.metadata({ topics: [] })
  } catch (error) {
    await admin.close().catch(swallow)
    throw unavailable(address, `cannot be reached (${describe(error)}); start it (scripts/services.sh up kafka) or check the URL`, error)
  }
  const publisher = new KafkaPublisher({
    clientId: settings.clientId,
    bootstrapBrokers: address.brokers,
    publishTimeoutMs: settings.publishTimeoutMs,
    failure: (error) => unavailable(address, `did not take the publish (${describe(error)})`, error),
  })
  const send = (messages: Message[]): Promise<void> => publisher.send(messages)
  const topics = new KafkaTopics(admin, settings.partitions, settings.replicas)
  const groups = new Map<string, GroupSlot>()
  const subscriptions = new Set<PullSubscription>()
  const publishes = new Set<Promise<void>>()
  const onError = options.onError ?? swallow
  const onInvalidRecord = options.onInvalidRecord ?? warnInvalid
  let closing: Promise<void> | undefined

  async function publishAll(topic: string, events: readonly CloudEvent[], key: string | undefined): Promise<void> {
    const messages = events.map((event) => {
      return toMessage(topic, toKafkaRecord(event, settings.mode, key))
    })
    await reachable(address, () => topics.ensure(topic))
    if (messages.length > 0) await send(messages)
  }

  async function republish(retryTopic: string, entry: Entry, attempt: number, notBefore: number | undefined): Promise<void> {
    const record = toKafkaRecord(entry.event, settings.mode, entry.key)
    record.headers.set(Buffer.from(ATTEMPT_HEADER), Buffer.from(String(attempt)))
    if (notBefore !== undefined) record.headers.set(Buffer.from(NOT_BEFORE_HEADER), Buffer.from(String(notBefore)))
    await send([{ ...toMessage(retryTopic, record), partition: entry.partition }])
  }

  async function openGroup(topic: string, group: string, from: 'latest' | 'earliest'): Promise<KafkaGroup> {
    const retryTopic = retryTopicName(topic, group)
    const partitions = await reachable(address, () => topics.ensure(topic))
    await reachable(address, () => topics.ensure(retryTopic, partitions))
    return reachable(address, () =>
      KafkaGroup.open({
        clientId: settings.clientId,
        bootstrapBrokers: address.brokers,
        groupId: settings.groupIdFor(topic, group),
        topic,
        retryTopic,
        from,
        sessionTimeoutMs: settings.sessionTimeoutMs,
        maxWaitMs: settings.maxWaitMs,
        republish: (entry, attempt, notBefore) => republish(retryTopic, entry, attempt, notBefore),
        onInvalidRecord,
        onError,
      }),
    )
  }

  async function leave(slotKey: string, slot: GroupSlot): Promise<void> {
    slot.members--
    if (slot.members > 0) return
    if (groups.get(slotKey) === slot) groups.delete(slotKey)
    const group = await slot.group.catch(() => undefined)
    await group?.close()
  }

  return {
    name: 'kafka',
    features: KAFKA_FEATURES,

    publish(topic: string, events: readonly CloudEvent[], publishOptions?: PublishOptions): Promise<void> {
      if (closing !== undefined) return Promise.reject(closedError('kafka transport'))
      try {
        checkTopic(topic)
        checkKafkaName('topic', topic)
      } catch (error) {
        return Promise.reject(error)
      }
      const task = publishAll(topic, events, publishOptions?.key)
      publishes.add(task)
      const forget = (): boolean => publishes.delete(task)
      task.then(forget, forget)
      return task
    },

    async subscribe(topic: string, subscribeOptions: SubscribeOptions): Promise<Subscription> {
      if (closing !== undefined) throw closedError('kafka transport')
      checkTopic(topic)
      checkKafkaName('topic', topic)
      checkGroup(subscribeOptions.group)
      checkKafkaName('group', subscribeOptions.group)
      const maxInFlight = resolveMaxInFlight(subscribeOptions.maxInFlight)
      const visibilityTimeoutMs = checkVisibility(subscribeOptions.visibilityTimeoutMs) ?? settings.visibilityTimeoutMs
      const slotKey = `${topic}\0${subscribeOptions.group}`
      let slot = groups.get(slotKey)
      if (slot === undefined) {
        const created: GroupSlot = { group: openGroup(topic, subscribeOptions.group, subscribeOptions.from ?? 'latest'), members: 0 }
        created.group.catch(() => {
          if (groups.get(slotKey) === created) groups.delete(slotKey)
        })
        groups.set(slotKey, created)
        slot = created
      }
      slot.members++
      const joined = slot
      let group: KafkaGroup
      try {
        group = await joined.group
      } catch (error) {
        joined.members--
        throw error
      }
      let stopWaking = (): void => undefined
      const subscription = new PullSubscription(
        {
          take: (_room, onSettle) => group.take(onSettle, visibilityTimeoutMs),
          release: () => {
            stopWaking()
            return leave(slotKey, joined)
          },
        },
        { maxInFlight, signal: subscribeOptions.signal, onClose: () => subscriptions.delete(subscription) },
      )
      subscriptions.add(subscription)
      const stop = group.addWaker(() => subscription.wake())
      stopWaking = () => void stop()
      if (closing !== undefined || subscribeOptions.signal?.aborted === true) {
        await subscription.close()
        if (closing === undefined) return subscription
        throw closedError('kafka transport')
      }
      return subscription
    },

    close(): Promise<void> {
      closing ??= (async () => {
        await Promise.allSettled([...publishes])
        // Open iterations end; what they hold unsettled comes back to the group from the last commit.
        await Promise.allSettled([...subscriptions].map((subscription) => subscription.close()))
        const slots = [...groups.values()]
        groups.clear()
        await Promise.allSettled(slots.map(async (slot) => (await slot.group).close()))
        await Promise.allSettled([publisher.close(), admin.close()])
      })()
      return closing
    },
  }
}

interface Settings {
  readonly mode: KafkaMode
  readonly partitions: number
  readonly replicas: number
  readonly groupIdFor: (topic: string, group: string) => string
  readonly visibilityTimeoutMs: number
  readonly sessionTimeoutMs: number
  readonly publishTimeoutMs: number
  readonly maxWaitMs: number
  readonly clientId: string
}

function readSettings(options: KafkaTransportOptions): Settings {
  const mode = options.mode ?? 'binary'
  if (mode !== 'binary' && mode !== 'structured') {
    throw new OptionsError(`kafka mode must be "binary" or "structured", got ${JSON.stringify(mode)}`)
  }
  return {
    mode,
    partitions: positiveInteger('partitions', options.partitions, 3),
    replicas: positiveInteger('replicas', options.replicas, 1),
    groupIdFor: options.groupIdFor ?? ((topic, group) => `${group}.${topic}`),
    visibilityTimeoutMs: checkVisibility(options.visibilityTimeoutMs) ?? 30_000,
    sessionTimeoutMs: positiveInteger('sessionTimeoutMs', options.sessionTimeoutMs, 10_000),
    publishTimeoutMs: positiveInteger('publishTimeoutMs', options.publishTimeoutMs, 30_000),
    maxWaitMs: positiveInteger('maxWaitMs', options.maxWaitMs, 500),
    clientId: options.clientId ?? 'sepal',
  }
}

function positiveInteger(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback
  if (!Number.isInteger(value) || value < 1) {
    throw new OptionsError(`kafka ${name} must be a positive integer, got ${JSON.stringify(value)}`)
  }
  return value
}

/** Runs a broker operation; a failure becomes SEPAL_ERR_TRANSPORT_UNAVAILABLE naming the broker. */
async function reachable<T>(address: KafkaAddress, operation: () => Promise<T>): Promise<T> {
  try {
    return await operation()
  } catch (error) {
    if (error instanceof Error && 'code' in error && String(error.code).startsWith('SEPAL_ERR_')) throw error
    throw unavailable(address, `failed (${describe(error)}); check that it runs (scripts/services.sh up kafka)`, error)
  }
}

type Message = KafkaMessage

function toMessage(topic: string, record: KafkaRecordOut): Message {
  const message: Message = { topic, headers: record.headers }
  if (record.key !== undefined) message.key = record.key
  if (record.value !== undefined) message.value = record.value
  return message
}

function warnInvalid(error: unknown, topic: string): void {
  process.emitWarning(`sepal kafka transport skipped a record of topic ${JSON.stringify(topic)} that is not a CloudEvent: ${describe(error)}`)
}

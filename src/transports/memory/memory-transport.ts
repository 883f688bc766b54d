import type { CloudEvent } from '../../event/cloud-event.js'
import type {
  PublishOptions,
  SubscribeOptions,
  Subscription,
  Transport,
  TransportFeatures,
} from '../contract.js'
import { MemoryGroup, type LogEntry } from './memory-group.js'
import { PullSubscription } from './pull-subscription.js'
import { checkGroup, checkTopic, checkVisibility, closedError, resolveMaxInFlight } from './transport-options.js'

export interface MemoryTransportOptions {
  /** Default visibility timeout of a subscription that names none. Default 30 000 ms. */
  readonly visibilityTimeoutMs?: number
}

export const MEMORY_FEATURES: TransportFeatures = Object.freeze({
  consumerGroups: true,
  persistent: false,
  orderedPerKey: true,
  nativeDelay: true,
  deliveryCount: true,
  replayFromStart: true,
})

interface Topic {
  readonly log: LogEntry[]
  readonly groups: Map<string, { group: MemoryGroup; members: Set<PullSubscription> }>
}

/**
 * The reference transport: a log per topic in this process, consumer groups with their own cursor,
 * order per key, nack with delay on timers, a visibility timeout for unsettled deliveries. Nothing
 * survives the process; use it for tests and for single-process pipelines that may lose events.
 */
export function createMemoryTransport(options: MemoryTransportOptions = {}): Transport {
  const defaultVisibilityMs = checkVisibility(options.visibilityTimeoutMs) ?? 30_000
  const topics = new Map<string, Topic>()
  const subscriptions = new Set<PullSubscription>()
  let closed = false

  function topicNamed(name: string): Topic {
    let topic = topics.get(name)
    if (topic === undefined) {
      topic = { log: [], groups: new Map() }
      topics.set(name, topic)
    }
    return topic
  }

  function wakeAll(topic: Topic): void {
    for (const { members } of topic.groups.values()) for (const member of members) member.wake()
  }

  return {
    name: 'memory',
    features: MEMORY_FEATURES,

    async publish(topicName: string, events: readonly CloudEvent[], publishOptions?: PublishOptions) {
      if (closed) throw closedError('memory transport')
      checkTopic(topicName)
      const topic = topicNamed(topicName)
      const key = publishOptions?.key
      for (const event of events) {
        topic.log.push({ seq: topic.log.length, event: frozenCopy(event), key })
      }
      if (events.length > 0) wakeAll(topic)
    },

    async subscribe(topicName: string, subscribeOptions: SubscribeOptions): Promise<Subscription> {
      if (closed) throw closedError('memory transport')
      checkTopic(topicName)
      checkGroup(subscribeOptions.group)
      const maxInFlight = resolveMaxInFlight(subscribeOptions.maxInFlight)
      const visibilityMs = checkVisibility(subscribeOptions.visibilityTimeoutMs) ?? defaultVisibilityMs
      const topic = topicNamed(topicName)
      let slot = topic.groups.get(subscribeOptions.group)
      if (slot === undefined) {
        const members = new Set<PullSubscription>()
        const group = new MemoryGroup(topic.log, subscribeOptions.from ?? 'latest', () => {
          for (const member of members) member.wake()
        })
        slot = { group, members }
        topic.groups.set(subscribeOptions.group, slot)
      }
      const { group, members } = slot
      const subscription: PullSubscription = new PullSubscription(
        { take: (_room, onSettle) => group.take(visibilityMs, onSettle), release: () => undefined },
        {
          maxInFlight,
          signal: subscribeOptions.signal,
          onClose: () => {
            members.delete(subscription)
            subscriptions.delete(subscription)
          },
        },
      )
      if (!subscription.closed) {
        members.add(subscription)
        subscriptions.add(subscription)
      }
      return subscription
    },

    async close() {
      if (closed) return
      closed = true
      await Promise.all([...subscriptions].map((subscription) => subscription.close()))
      for (const topic of topics.values()) for (const { group } of topic.groups.values()) group.dispose()
      topics.clear()
    },
  }
}

// Kept here too for transports that import them from this module.
export { checkGroup, checkTopic, checkVisibility } from './transport-options.js'

/**
 * A deeply frozen copy, as a serialising transport would deliver: plain JSON data only (a Date becomes
 * its string, undefined members vanish). An event that is already deeply frozen — what createEvent and
 * parseEvent return — is kept as it is.
 */
function frozenCopy(event: CloudEvent): CloudEvent {
  return isDeeplyFrozen(event) ? event : deepFreeze(JSON.parse(JSON.stringify(event)) as CloudEvent)
}

function isDeeplyFrozen(value: unknown): boolean {
  if (value === null || typeof value !== 'object') return true
  if (!Object.isFrozen(value)) return false
  for (const member of Object.values(value)) if (!isDeeplyFrozen(member)) return false
  return true
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    for (const member of Object.values(value)) deepFreeze(member)
    Object.freeze(value)
  }
  return value
}

import type { CloudEvent } from '../event/cloud-event.js'

/**
 * What a transport can promise. The engine reads it to choose how to retry (native delay or the
 * durable delay store); the conformance suite reads it to choose which scenarios apply.
 */
export interface TransportFeatures {
  /** Several groups on one topic each receive the whole stream; members of one group share it. */
  readonly consumerGroups: boolean
  /** Published events survive a restart of the process (and of the broker). */
  readonly persistent: boolean
  /** Events published with the same key are delivered in publish order within a group. */
  readonly orderedPerKey: boolean
  /** `nack({ delayMs })` is honoured by the transport itself without blocking other events. */
  readonly nativeDelay: boolean
  /** `Delivery.attempt` is counted by the broker (it survives a consumer crash). */
  readonly deliveryCount: boolean
  /** A new group can start from the beginning of the topic (`from: 'earliest'`). */
  readonly replayFromStart: boolean
}

export interface PublishOptions {
  /** Ordering / partition key: events with the same key keep their order where the transport can. */
  readonly key?: string
}

export interface SubscribeOptions {
  /** Consumer group: members of one group share the events; each group gets every event. */
  readonly group: string
  /** Most deliveries handed out and not yet settled at once (back-pressure). */
  readonly maxInFlight?: number
  /** Where a group that has never consumed this topic starts. Default `latest`. */
  readonly from?: 'latest' | 'earliest'
  /** How long an unsettled delivery stays invisible to other consumers before it is handed out again. */
  readonly visibilityTimeoutMs?: number
  /** Aborting ends the iteration, as `close()` does. */
  readonly signal?: AbortSignal
}

export interface NackOptions {
  /** Redeliver no sooner than this. 0 or absent: as soon as the transport can. */
  readonly delayMs?: number
}

export interface Delivery {
  readonly event: CloudEvent
  /** 1 for the first delivery, then counts redeliveries (by the broker where `features.deliveryCount`). */
  readonly attempt: number
  /** The key the event was published with, when the transport keeps it. */
  readonly key?: string
  /** Settle as done. The first settle wins; later calls are no-ops. */
  ack(): Promise<void>
  /** Settle as failed: the event will be delivered again. The first settle wins. */
  nack(options?: NackOptions): Promise<void>
}

export interface Subscription extends AsyncIterable<Delivery>, AsyncDisposable {
  /** Stops fetching; unsettled deliveries come back later (to this group). Idempotent. */
  close(): Promise<void>
}

export interface Transport {
  readonly name: string
  readonly features: TransportFeatures
  /** Resolves once every event is durable (as durable as the transport can make it). */
  publish(topic: string, events: readonly CloudEvent[], options?: PublishOptions): Promise<void>
  subscribe(topic: string, options: SubscribeOptions): Promise<Subscription>
  /** Flushes pending publishes and releases connections. Idempotent. */
  close(): Promise<void>
}

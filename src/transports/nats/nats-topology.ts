import {
  AckPolicy,
  DeliverPolicy,
  ReplayPolicy,
  RetentionPolicy,
  JetStreamApiCodes,
  JetStreamApiError,
  StorageType,
  type JetStreamManager,
} from '@nats-io/jetstream'
import { OptionsError } from '../../errors.js'
import { encodeName, subjectOf } from './nats-names.js'

export interface TopologyOptions {
  readonly subjectPrefix: string
  readonly streamPrefix: string
  readonly storage: 'file' | 'memory'
  readonly replicas: number
  /** How long a stream keeps events; 0 keeps them until the stream's other limits say otherwise. */
  readonly maxAgeMs: number
}

/** Where a topic's events live: the stream that captures its subject. */
export interface TopicPlace {
  readonly subject: string
  readonly stream: string
  /** True when the stream is sepal's own stream for this topic (so consumer names need no topic). */
  readonly own: boolean
}

const NANOS_PER_MS = 1_000_000

/**
 * Creates or checks streams and durable consumers. Each topic gets its own stream
 * (`<streamPrefix><topic>`, capturing `<subjectPrefix>.<topic>`) unless a stream made by someone
 * else already captures that subject (say one `sepal.>` stream set up by operators): then that one
 * is used, and consumer names carry the topic as well as the group.
 */
export class Topology {
  readonly #jsm: JetStreamManager
  readonly #options: TopologyOptions
  readonly #places = new Map<string, Promise<TopicPlace>>()
  readonly #consumers = new Map<string, Promise<string>>()

  constructor(jsm: JetStreamManager, options: TopologyOptions) {
    this.#jsm = jsm
    this.#options = options
  }

  /** The stream of a topic, created when missing. Failures are not remembered, so a retry asks again. */
  place(topic: string): Promise<TopicPlace> {
    const known = this.#places.get(topic)
    if (known !== undefined) return known
    const subject = subjectOf(this.#options.subjectPrefix, topic)
    const place = this.#findOrCreateStream(topic, subject)
    this.#places.set(topic, place)
    place.catch(() => this.#places.delete(topic))
    return place
  }

  /** The durable consumer of a group on a topic, created when missing; returns its name. */
  consumer(place: TopicPlace, topic: string, group: string, from: 'latest' | 'earliest', ackWaitMs: number): Promise<string> {
    const name = place.own ? encodeName(group) : `${encodeName(group)}__${encodeName(topic)}`
    const key = `${place.stream}\u0000${name}\u0000${ackWaitMs}`
    const known = this.#consumers.get(key)
    if (known !== undefined) return known
    const made = this.#ensureConsumer(place, name, from, ackWaitMs).then(() => name)
    this.#consumers.set(key, made)
    made.catch(() => this.#consumers.delete(key))
    return made
  }

  /** Forgets what was checked, e.g. after the broker lost its state. */
  forget(): void {
    this.#places.clear()
    this.#consumers.clear()
  }

  async #findOrCreateStream(topic: string, subject: string): Promise<TopicPlace> {
    const own = `${this.#options.streamPrefix}${encodeName(topic)}`
    const found = await this.#streamCapturing(subject)
    if (found !== undefined) return { subject, stream: found, own: found === own }
    const { storage, replicas, maxAgeMs } = this.#options
    try {
      await this.#jsm.streams.add({
        name: own,
        subjects: [subject],
        retention: RetentionPolicy.Limits,
        storage: storage === 'memory' ? StorageType.Memory : StorageType.File,
        num_replicas: replicas,
        max_age: maxAgeMs * NANOS_PER_MS,
      })
    } catch (error) {
      // Another client may have created it at the same moment (with other limits): use whatever captures the subject.
      const raced = await this.#streamCapturing(subject)
      if (raced === undefined) throw error
      return { subject, stream: raced, own: raced === own }
    }
    return { subject, stream: own, own: true }
  }

  async #streamCapturing(subject: string): Promise<string | undefined> {
    try {
      return await this.#jsm.streams.find(subject)
    } catch (error) {
      if (isApiError(error, JetStreamApiCodes.StreamNotFound) || /no stream matches/i.test(String(error))) return undefined
      throw error
    }
  }

  async #ensureConsumer(place: TopicPlace, name: string, from: 'latest' | 'earliest', ackWaitMs: number): Promise<void> {
    const ackWait = ackWaitMs * NANOS_PER_MS
    const existing = await this.#jsm.consumers.info(place.stream, name).catch((error: unknown) => {
      if (isApiError(error, JetStreamApiCodes.ConsumerNotFound) || /consumer not found/i.test(String(error))) return undefined
      throw error
    })
    if (existing !== undefined) {
      if (existing.config.ack_policy !== AckPolicy.Explicit) {
        throw new OptionsError(
          `consumer ${JSON.stringify(name)} of stream ${JSON.stringify(place.stream)} does not use explicit acks; delete it or pick another group`,
        )
      }
      // The group's members share one ack wait: the latest subscription's visibility timeout wins.
      if (existing.config.ack_wait !== ackWait) await this.#jsm.consumers.update(place.stream, name, { ack_wait: ackWait })
      return
    }
    try {
      await this.#jsm.consumers.add(place.stream, {
        durable_name: name,
        ack_policy: AckPolicy.Explicit,
        deliver_policy: from === 'earliest' ? DeliverPolicy.All : DeliverPolicy.New,
        replay_policy: ReplayPolicy.Instant,
        // A filter costs the server a subject match per message; sepal's own streams hold one subject.
        ...(place.own ? {} : { filter_subject: place.subject }),
        ack_wait: ackWait,
        // Retries and dead letters belong to the engine; the broker never gives up on an event, and
        // events waiting out a nack delay must not stop the group from getting new ones.
        max_deliver: -1,
        max_ack_pending: -1,
      })
    } catch (error) {
      // Created by another member meanwhile: fine when it exists now.
      await this.#jsm.consumers.info(place.stream, name).catch(() => {
        throw error
      })
    }
  }
}

function isApiError(error: unknown, code: number): boolean {
  return error instanceof JetStreamApiError && error.code === code
}

import { Consumer, type ConsumerGroupJoinPayload, type Message, type MessagesStream } from '@platformatic/kafka'
import type { Delivery } from '../contract.js'
import { coPartitionAssigner } from './co-partition-assigner.js'
import { fromKafkaRecord } from './kafka-binding.js'
import { KafkaDelivery, type Entry, type Settler } from './kafka-delivery.js'
import { OffsetTracker } from './offset-tracker.js'
import { ReadyQueue } from './ready-queue.js'

/** Headers sepal keeps on a retried record: the attempt it will be, and when it may be delivered. */
export const ATTEMPT_HEADER = 'sepal_attempt'
export const NOT_BEFORE_HEADER = 'sepal_notbefore'

export interface KafkaGroupOptions {
  readonly clientId: string
  readonly bootstrapBrokers: readonly string[]
  readonly groupId: string
  readonly topic: string
  readonly retryTopic: string
  readonly from: 'latest' | 'earliest'
  readonly sessionTimeoutMs: number
  /** How long one fetch waits at the broker for records; also bounds how long a close waits. */
  readonly maxWaitMs: number
  /** Writes a nacked record to the retry topic, same partition number; resolves when durable. */
  readonly republish: (entry: Entry, attempt: number, notBefore: number | undefined) => Promise<void>
  readonly onInvalidRecord: (error: unknown, topic: string) => void
  readonly onError: (error: unknown) => void
}

interface Partition {
  readonly topic: string
  readonly partition: number
  readonly tracker: OffsetTracker
}

const HIGH_WATER = 2048
const LOW_WATER = 1024
const LEASE_CHECK_MS = 100
const RESTART_DELAY_MS = 1000

/**
 * One Kafka consumer-group member reading a topic and the group's retry topic, shared by every
 * subscription of that group in this transport. It keeps, per partition, the offsets in flight and
 * commits only up to the oldest unsettled one; holds back later events of a key while an earlier one
 * is unsettled or parked for retry; holds delayed retries in memory until they are due; hands an
 * unsettled record to another local subscription when its lease ends. Partitions taken away by a
 * rebalance are dropped: their undelivered records are forgotten and late settles do nothing.
 */
export class KafkaGroup implements Settler {
  readonly #options: KafkaGroupOptions
  readonly #consumer: Consumer
  readonly #partitions = new Map<string, Partition>()
  #assigned = new Set<string>()
  readonly #queue: ReadyQueue
  readonly #inFlight = new Set<Entry>()
  readonly #wakers = new Set<() => void>()
  readonly #leaseTimer: NodeJS.Timeout
  #stream: MessagesStream<Buffer, Buffer, Buffer, Buffer> | undefined
  #pausedForPositions = false
  #pausedForBuffer = false
  #commits: Promise<void> = Promise.resolve()
  #commitQueued = false
  #closing: Promise<void> | undefined
  #firstPositions: { resolve: () => void; reject: (error: unknown) => void } | undefined

  private constructor(options: KafkaGroupOptions) {
    this.#options = options
    this.#queue = new ReadyQueue(
      (entry) => this.#owns(entry),
      () => this.#wake(),
    )
    this.#consumer = new Consumer({
      clientId: options.clientId,
      bootstrapBrokers: [...options.bootstrapBrokers],
      groupId: options.groupId,
      sessionTimeout: options.sessionTimeoutMs,
      heartbeatInterval: Math.max(500, Math.floor(options.sessionTimeoutMs / 10)),
      rebalanceTimeout: Math.max(options.sessionTimeoutMs, 30_000),
      protocols: [{ name: 'sepal-copartition', version: 1 }],
      partitionAssigner: coPartitionAssigner,
      maxWaitTime: options.maxWaitMs,
      autocommit: false,
      retries: 3,
      retryDelay: 500,
    })
    this.#consumer.on('error', (error: unknown) => options.onError(error))
    this.#consumer.on('consumer:group:join', (payload: ConsumerGroupJoinPayload) => this.#onJoin(payload))
    this.#consumer.on('consumer:group:rebalance', () => this.#scheduleCommit())
    this.#leaseTimer = setInterval(() => this.#expireLeases(), LEASE_CHECK_MS)
    this.#leaseTimer.unref()
  }

  /** Joins the group and resolves once its starting positions are fixed (and committed when new). */
  static async open(options: KafkaGroupOptions): Promise<KafkaGroup> {
    const group = new KafkaGroup(options)
    try {
      await group.#start()
      return group
    } catch (error) {
      await group.close().catch(() => undefined)
      throw error
    }
  }

  /** `wake` is called whenever a record may be ready; returns the function that stops it. */
  addWaker(wake: () => void): () => void {
    this.#wakers.add(wake)
    return () => this.#wakers.delete(wake)
  }

  take(onSettle: () => void, visibilityTimeoutMs: number): Delivery | undefined {
    const entry = this.#queue.shift()
    if (entry !== undefined) {
      entry.leaseUntil = Date.now() + visibilityTimeoutMs
      this.#inFlight.add(entry)
      this.#updateFlow()
      return new KafkaDelivery(this, entry, onSettle)
    }
    this.#updateFlow()
    return undefined
  }

  async settle(entry: Entry, lease: number, nackDelayMs: number | undefined): Promise<void> {
    if (entry.lease !== lease || !this.#inFlight.delete(entry)) return
    entry.lease++
    if (!this.#owns(entry)) return
    if (nackDelayMs === undefined) {
      entry.tracker.settle(entry.offset)
      this.#queue.release(entry)
      this.#scheduleCommit()
      return
    }
    const notBefore = nackDelayMs > 0 ? Date.now() + nackDelayMs : undefined
    try {
      await this.#options.republish(entry, entry.attempt + 1, notBefore)
    } catch (error) {
      // The retry topic cannot be written now: keep the record here (its offset stays uncommitted).
      this.#options.onError(error)
      entry.attempt++
      if (this.#owns(entry)) this.#queue.retry(entry, notBefore)
      return
    }
    if (!this.#owns(entry)) return
    entry.tracker.settle(entry.offset)
    this.#scheduleCommit()
  }

  /** Stops fetching, commits what is contiguous, leaves the group. Unsettled records come back to the group. */
  close(): Promise<void> {
    this.#closing ??= this.#close()
    return this.#closing
  }

  async #close(): Promise<void> {
    clearInterval(this.#leaseTimer)
    this.#queue.clear()
    this.#firstPositions?.reject(new Error('closed'))
    this.#scheduleCommit()
    await this.#commits
    const stream = this.#stream
    this.#stream = undefined
    if (stream !== undefined) await Promise.resolve(stream.close()).catch(() => undefined)
    // `close(true)` also leaves the group, so its partitions move to the other members at once.
    await new Promise<void>((resolve) => this.#consumer.close(true, () => resolve()))
  }

  async #start(): Promise<void> {
    const positioned = new Promise<void>((resolve, reject) => {
      this.#firstPositions = { resolve, reject }
    })
    await this.#consume()
    await positioned
  }

  async #consume(): Promise<void> {
    const { topic, retryTopic, from, maxWaitMs } = this.#options
    const stream = await this.#consumer.consume({
      topics: [topic, retryTopic],
      mode: 'committed',
      fallbackMode: from,
      autocommit: false,
      maxWaitTime: maxWaitMs,
    })
    if (this.#closing !== undefined) {
      await Promise.resolve(stream.close()).catch(() => undefined)
      return
    }
    this.#stream = stream
    stream.on('offsets', () => this.#onPositions(stream))
    stream.on('data', (message: Message<Buffer, Buffer, Buffer, Buffer>) => this.#receive(message))
    stream.on('error', (error: unknown) => this.#options.onError(error))
    stream.on('close', () => this.#onStreamClosed(stream))
  }

  /** The broker went away or the group had to be rejoined: read again from the committed positions. */
  #onStreamClosed(stream: MessagesStream<Buffer, Buffer, Buffer, Buffer>): void {
    if (this.#stream !== stream || this.#closing !== undefined) return
    this.#stream = undefined
    const retry = (): void => {
      if (this.#closing !== undefined) return
      this.#consume().catch((error: unknown) => {
        this.#options.onError(error)
        setTimeout(retry, RESTART_DELAY_MS).unref()
      })
    }
    setTimeout(retry, RESTART_DELAY_MS).unref()
  }

  /**
   * A new group (or a partition nobody committed) starts at `from`; that position is committed at
   * once, so events published after `subscribe` resolved are not skipped by a later member that
   * would otherwise resolve `latest` again.
   */
  #onPositions(stream: MessagesStream<Buffer, Buffer, Buffer, Buffer>): void {
    this.#pausedForPositions = true
    this.#updateFlow()
    const done = (): void => {
      this.#pausedForPositions = false
      this.#updateFlow()
    }
    this.#commitStartPositions(stream).then(
      () => {
        done()
        this.#firstPositions?.resolve()
        this.#firstPositions = undefined
      },
      (error: unknown) => {
        done()
        if (this.#firstPositions === undefined) this.#options.onError(error)
        this.#firstPositions?.reject(error)
        this.#firstPositions = undefined
      },
    )
  }

  async #commitStartPositions(stream: MessagesStream<Buffer, Buffer, Buffer, Buffer>): Promise<void> {
    const assignments = this.#consumer.assignments ?? []
    if (assignments.length === 0) return
    const committed = await this.#consumer.listCommittedOffsets({ topics: assignments })
    const offsets = []
    for (const { topic, partitions } of assignments) {
      for (const partition of partitions) {
        const current = committed.get(topic)?.[partition]
        const start = stream.offsetsToFetch.get(`${topic}:${partition}`)
        if (start !== undefined) this.#place(topic, partition).tracker.startAt(start)
        if ((current === undefined || current < 0n) && start !== undefined) {
          offsets.push({ topic, partition, offset: start, leaderEpoch: -1 })
        }
      }
    }
    if (offsets.length > 0) await this.#consumer.commit({ offsets })
  }

  #onJoin(payload: ConsumerGroupJoinPayload): void {
    const assigned = new Set<string>()
    for (const { topic, partitions } of payload.assignments ?? []) {
      for (const partition of partitions) assigned.add(`${topic}:${partition}`)
    }
    this.#assigned = assigned
    for (const id of this.#partitions.keys()) if (!assigned.has(id)) this.#partitions.delete(id)
    for (const entry of this.#inFlight) if (!this.#owns(entry)) this.#inFlight.delete(entry)
    const { topic } = this.#options
    this.#queue.dropRevoked((partition) => assigned.has(`${topic}:${partition}`))
  }

  #receive(message: Message<Buffer, Buffer, Buffer, Buffer>): void {
    const id = `${message.topic}:${message.partition}`
    if (!this.#assigned.has(id)) return
    const place = this.#place(message.topic, message.partition)
    if (!place.tracker.receive(message.offset)) return
    let event
    try {
      event = fromKafkaRecord(message)
    } catch (error) {
      place.tracker.settle(message.offset)
      this.#scheduleCommit()
      this.#options.onInvalidRecord(error, message.topic)
      return
    }
    const original = message.topic === this.#options.topic
    const key = message.key !== undefined && message.key !== null && message.key.length > 0 ? message.key.toString('utf8') : undefined
    const entry: Entry = {
      topic: message.topic,
      partition: message.partition,
      offset: message.offset,
      tracker: place.tracker,
      event,
      key,
      original,
      attempt: original ? 1 : (readNumber(message.headers, ATTEMPT_HEADER) ?? 2),
      lease: 0,
      leaseUntil: 0,
    }
    this.#queue.receive(entry, original ? undefined : readNumber(message.headers, NOT_BEFORE_HEADER))
    this.#updateFlow()
  }

  #place(topic: string, partition: number): Partition {
    const id = `${topic}:${partition}`
    let place = this.#partitions.get(id)
    if (place === undefined) {
      place = { topic, partition, tracker: new OffsetTracker() }
      this.#partitions.set(id, place)
    }
    return place
  }

  #expireLeases(): void {
    const now = Date.now()
    for (const entry of this.#inFlight) {
      if (entry.leaseUntil > now) continue
      this.#inFlight.delete(entry)
      entry.lease++
      entry.attempt++
      this.#queue.unshift(entry)
    }
  }

  #owns(entry: Entry): boolean {
    return this.#partitions.get(`${entry.topic}:${entry.partition}`)?.tracker === entry.tracker
  }

  #wake(): void {
    for (const wake of this.#wakers) wake()
  }

  #updateFlow(): void {
    const buffered = this.#queue.length
    if (buffered >= HIGH_WATER) this.#pausedForBuffer = true
    else if (buffered <= LOW_WATER) this.#pausedForBuffer = false
    const stream = this.#stream
    if (stream === undefined) return
    const pause = this.#pausedForBuffer || this.#pausedForPositions
    if (pause && !stream.isPaused()) stream.pause()
    else if (!pause && stream.isPaused()) stream.resume()
  }

  #scheduleCommit(): void {
    if (this.#commitQueued) return
    this.#commitQueued = true
    this.#commits = this.#commits
      .then(() => new Promise<void>((resolve) => setImmediate(resolve)))
      .then(() => {
        this.#commitQueued = false
        return this.#commitNow()
      })
  }

  async #commitNow(): Promise<void> {
    const offsets = []
    const points: Array<[OffsetTracker, bigint]> = []
    for (const { topic, partition, tracker } of this.#partitions.values()) {
      const point = tracker.commitPoint()
      if (point === undefined) continue
      offsets.push({ topic, partition, offset: point, leaderEpoch: -1 })
      points.push([tracker, point])
    }
    if (offsets.length === 0) return
    try {
      await this.#consumer.commit({ offsets })
      for (const [tracker, point] of points) tracker.committed(point)
    } catch (error) {
      this.#options.onError(error)
      // Try again a little later; the positions are still there to commit.
      if (this.#closing === undefined) setTimeout(() => this.#scheduleCommit(), RESTART_DELAY_MS).unref()
    }
  }
}

function readNumber(headers: Map<Buffer, Buffer> | undefined, name: string): number | undefined {
  for (const [key, value] of headers ?? []) {
    if (key.toString('utf8') !== name) continue
    const number = Number(value.toString('utf8'))
    return Number.isFinite(number) ? number : undefined
  }
  return undefined
}

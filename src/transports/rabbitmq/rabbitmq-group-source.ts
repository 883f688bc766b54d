import type { Channel, ConsumeMessage } from 'amqplib'
import type { Delivery } from '../contract.js'
import { SettleOnce, type DeliverySource } from '../memory/pull-subscription.js'
import { fromRabbitmqMessage } from './rabbitmq-binding.js'
import type { RabbitmqConnection } from './rabbitmq-connection.js'
import { declareGroup, delayBucket } from './rabbitmq-topology.js'

/** Header of a retry's copy: how many deliveries the event had before it was parked for a delay. */
export const ATTEMPTS_HEADER = 'x-sepal-attempts'

export interface GroupSourceOptions {
  readonly connection: RabbitmqConnection
  readonly exchange: string
  readonly queue: string
  readonly maxInFlight: number
  readonly visibilityTimeoutMs: number
  /** How long one attempt to (re)open the consumer may wait for the broker. */
  readonly setupTimeoutMs: number
  /** Parks a copy of the message in the group's delay queue for `bucketMs`; resolves once the broker confirmed it. */
  readonly park: (message: ConsumeMessage, attempt: number, bucketMs: number) => Promise<void>
  /** A message that is not a CloudEvent; it has been rejected (dropped, or dead-lettered by a broker policy). */
  readonly onInvalidMessage: (error: unknown, queue: string) => void
}

/**
 * One subscription's consumer on its group's quorum queue, on a channel of its own with
 * `prefetch = maxInFlight`. Messages wait in a small buffer until the subscription takes them. A
 * delivery not settled within the visibility timeout is returned to the queue (another member gets
 * it, with the broker's delivery count one higher), and its late settle does nothing. When the
 * channel or the connection goes away, the broker returns every unacked message by itself; the
 * source forgets them and opens a new consumer as soon as the broker is back.
 */
export class RabbitmqGroupSource implements DeliverySource {
  readonly #options: GroupSourceOptions
  #channel: Channel | undefined
  #generation = 0
  #consumerTag: string | undefined
  #buffer: Array<{ readonly message: ConsumeMessage; readonly generation: number }> = []
  readonly #outstanding = new Set<RabbitmqDelivery>()
  #released = false
  #resuming: Promise<void> | undefined
  /** Returns deliveries whose visibility timeout ran out; runs while any is outstanding. */
  #sweeper: NodeJS.Timeout | undefined
  /** Set by the subscription that owns this source: wakes its waiting `next()` calls. */
  wake: () => void = () => undefined

  constructor(options: GroupSourceOptions) {
    this.#options = options
  }

  /** Declares the group's queue and starts consuming; rejects when the broker cannot be reached in time. */
  async start(): Promise<void> {
    const { connection, exchange, queue, maxInFlight } = this.#options
    const deadline = Date.now() + this.#options.setupTimeoutMs
    await declareGroup(connection, exchange, queue, deadline)
    const model = await connection.model(deadline)
    const channel = await model.createChannel()
    channel.on('error', () => undefined)
    try {
      await channel.prefetch(maxInFlight)
      const generation = ++this.#generation
      this.#channel = channel
      channel.once('close', () => this.#lost(channel))
      const { consumerTag } = await channel.consume(queue, (message) => this.#receive(message, generation))
      this.#consumerTag = consumerTag
      if (this.#released) await this.#stopConsuming()
    } catch (error) {
      // Forgotten first, so that its close is not taken for a lost connection.
      if (this.#channel === channel) this.#channel = undefined
      await channel.close().catch(() => undefined)
      throw error
    }
  }

  take(_room: number, onSettle: () => void): Delivery | undefined {
    for (let entry = this.#buffer.shift(); entry !== undefined; entry = this.#buffer.shift()) {
      if (entry.generation !== this.#generation || this.#channel === undefined) continue
      const channel = this.#channel
      let decoded
      try {
        decoded = fromRabbitmqMessage({ content: entry.message.content, contentType: entry.message.properties.contentType, headers: entry.message.properties.headers })
      } catch (error) {
        settleQuietly(() => channel.nack(entry.message, false, false))
        // The caller's hook; whatever it throws must not stop the subscription.
        settleQuietly(() => this.#options.onInvalidMessage(error, this.#options.queue))
        continue
      }
      const delivery = new RabbitmqDelivery(this, entry.message, entry.generation, attemptOf(entry.message), decoded, onSettle)
      delivery.leaseEndsAt = Date.now() + this.#options.visibilityTimeoutMs
      this.#outstanding.add(delivery)
      this.#sweeper ??= this.#startSweeping()
      return delivery
    }
    return undefined
  }

  async release(): Promise<void> {
    if (this.#released) return
    this.#released = true
    await this.#stopConsuming()
  }

  /** Acks, requeues at once, or parks for a delay; nothing when the delivery's channel is gone or its lease ran out. */
  async settle(delivery: RabbitmqDelivery, nackDelayMs: number | undefined): Promise<void> {
    if (!this.#outstanding.has(delivery)) return
    delivery.settling = true
    const channel = this.#channel
    try {
      if (channel === undefined || delivery.generation !== this.#generation) return
      if (nackDelayMs === undefined) settleQuietly(() => channel.ack(delivery.message))
      else if (nackDelayMs === 0) settleQuietly(() => channel.nack(delivery.message, false, true))
      else {
        try {
          await this.#options.park(delivery.message, delivery.attempt, delayBucket(nackDelayMs))
          if (delivery.generation === this.#generation) settleQuietly(() => channel.ack(delivery.message))
        } catch {
          // The delay queue did not take the copy: redeliver now rather than risk losing the event.
          if (delivery.generation === this.#generation) settleQuietly(() => channel.nack(delivery.message, false, true))
        }
      }
    } finally {
      // Counted as outstanding until here, so a closing subscription keeps its channel while a retry is parked.
      this.#outstanding.delete(delivery)
      this.#closeWhenIdle()
    }
  }

  /**
   * One timer per subscription rather than one per delivery: deliveries are outstanding in the order
   * they were handed out and share one timeout, so the sweep stops at the first that has time left.
   * A lease ends at most a quarter of the timeout late (and never early).
   */
  #startSweeping(): NodeJS.Timeout {
    const tick = Math.max(10, Math.min(1_000, Math.floor(this.#options.visibilityTimeoutMs / 4)))
    const timer = setInterval(() => {
      const now = Date.now()
      for (const delivery of this.#outstanding) {
        if (delivery.settling) continue
        if (delivery.leaseEndsAt > now) break
        this.#expire(delivery)
      }
      if (this.#outstanding.size === 0) {
        clearInterval(timer)
        this.#sweeper = undefined
      }
    }, tick)
    timer.unref()
    return timer
  }

  /** The lease ran out: the event goes back to the queue for any member; the late settle will do nothing. */
  #expire(delivery: RabbitmqDelivery): void {
    if (!this.#outstanding.delete(delivery)) return
    const channel = this.#channel
    if (channel !== undefined && delivery.generation === this.#generation) settleQuietly(() => channel.nack(delivery.message, false, true))
    this.#closeWhenIdle()
  }

  #receive(message: ConsumeMessage | null, generation: number): void {
    if (message === null) {
      // The broker cancelled the consumer (its queue was deleted): start over on a new channel.
      void this.#channel?.close().catch(() => undefined)
      return
    }
    this.#buffer.push({ message, generation })
    this.wake()
  }

  /** Stops the consumer and returns what it buffered; the channel stays open until handed-out deliveries are settled. */
  async #stopConsuming(): Promise<void> {
    const channel = this.#channel
    const tag = this.#consumerTag
    if (channel === undefined || tag === undefined) return
    this.#consumerTag = undefined
    await channel.cancel(tag).catch(() => undefined)
    const buffered = this.#buffer
    this.#buffer = []
    for (const entry of buffered) {
      if (entry.generation === this.#generation) settleQuietly(() => channel.nack(entry.message, false, true))
    }
    this.#closeWhenIdle()
  }

  #closeWhenIdle(): void {
    if (!this.#released || this.#outstanding.size > 0 || this.#consumerTag !== undefined) return
    const channel = this.#channel
    this.#channel = undefined
    this.#generation++
    void channel?.close().catch(() => undefined)
  }

  #lost(channel: Channel): void {
    if (this.#channel !== channel) return
    this.#channel = undefined
    this.#consumerTag = undefined
    this.#generation++
    this.#buffer = []
    this.#outstanding.clear()
    if (!this.#released) this.#resume()
  }

  /** Opens the consumer again, retrying with backoff until it works or the subscription is closed. */
  #resume(): void {
    this.#resuming ??= (async () => {
      for (let wait = 100; !this.#released; wait = Math.min(wait * 2, 2_000)) {
        try {
          await this.start()
          this.wake()
          return
        } catch {
          this.#options.connection.forget(`queue:${this.#options.queue}`)
          await new Promise((resolve) => setTimeout(resolve, wait))
        }
      }
    })().finally(() => (this.#resuming = undefined))
  }
}

class RabbitmqDelivery extends SettleOnce {
  readonly #source: RabbitmqGroupSource
  /** When the visibility timeout runs out (epoch ms). */
  leaseEndsAt = 0
  /** Set at the first settle: the lease no longer applies. */
  settling = false

  constructor(
    source: RabbitmqGroupSource,
    readonly message: ConsumeMessage,
    readonly generation: number,
    attempt: number,
    decoded: { readonly event: Delivery['event']; readonly key?: string },
    onSettle: () => void,
  ) {
    super(decoded.event, attempt, decoded.key, onSettle)
    this.#source = source
  }

  protected settle(nackDelayMs: number | undefined): Promise<void> {
    return this.#source.settle(this, nackDelayMs)
  }
}

/** 1 on the first delivery: the broker's count of returns plus the deliveries before a delayed retry. */
function attemptOf(message: ConsumeMessage): number {
  const headers = message.properties.headers ?? {}
  const returned = Number(headers['x-delivery-count'] ?? 0)
  const before = Number(headers[ATTEMPTS_HEADER] ?? 0)
  return (Number.isFinite(returned) ? returned : 0) + (Number.isFinite(before) ? before : 0) + 1
}

/** amqplib throws when the channel closed meanwhile (the broker has then returned the message itself); hooks may throw too. */
function settleQuietly(settle: () => void): void {
  try {
    settle()
  } catch {
    // nothing to do: see above
  }
}

import { Producer, type MessageToProduce } from '@platformatic/kafka'
import { mentions, retriable } from './kafka-topics.js'

export type KafkaMessage = MessageToProduce<Buffer, Buffer, Buffer, Buffer>

export interface KafkaPublisherOptions {
  readonly clientId: string
  readonly bootstrapBrokers: readonly string[]
  /** How long a batch keeps being retried while the broker is away. */
  readonly publishTimeoutMs: number
  /** Turns the last failure into the error the publish rejects with. */
  readonly failure: (error: unknown) => Error
}

interface Waiting {
  readonly messages: readonly KafkaMessage[]
  readonly deadline: number
  readonly resolve: () => void
  readonly reject: (error: unknown) => void
}

/** Most messages sent in one produce request. */
const MAX_BATCH = 2000
const RETRY_DELAY_MS = 250

/**
 * Group commit for an idempotent producer with acks=all: publishes that arrive while a produce
 * request is under way wait and go together in the next one, so there is never more than one
 * request in flight. That keeps the producer's sequence numbers in order (concurrent requests to
 * one partition make the broker answer OUT_OF_ORDER_SEQUENCE_NUMBER) and turns many small publishes
 * into few requests. A batch that fails with a retriable error (the broker is away, a leader moves)
 * is sent again until its deadline; a producer whose sequence or epoch the broker no longer accepts
 * is replaced by a new one.
 */
export class KafkaPublisher {
  readonly #options: KafkaPublisherOptions
  #producer: Producer<Buffer, Buffer, Buffer, Buffer>
  readonly #queue: Waiting[] = []
  #running: Promise<void> | undefined

  constructor(options: KafkaPublisherOptions) {
    this.#options = options
    this.#producer = this.#createProducer()
  }

  /** Resolves once the broker has every message (acks=all). */
  send(messages: readonly KafkaMessage[]): Promise<void> {
    if (messages.length === 0) return Promise.resolve()
    return new Promise<void>((resolve, reject) => {
      this.#queue.push({ messages, deadline: Date.now() + this.#options.publishTimeoutMs, resolve, reject })
      this.#running ??= this.#drain().finally(() => {
        this.#running = undefined
      })
    })
  }

  /** Waits for queued publishes, then closes the producer. */
  async close(): Promise<void> {
    while (this.#running !== undefined) await this.#running
    await this.#producer.close().catch(() => undefined)
  }

  async #drain(): Promise<void> {
    while (this.#queue.length > 0) {
      const batch: Waiting[] = []
      let size = 0
      while (this.#queue.length > 0 && (batch.length === 0 || size + this.#queue[0]!.messages.length <= MAX_BATCH)) {
        const next = this.#queue.shift()!
        batch.push(next)
        size += next.messages.length
      }
      await this.#sendBatch(batch)
    }
  }

  async #sendBatch(batch: Waiting[]): Promise<void> {
    const messages = batch.length === 1 ? [...batch[0]!.messages] : batch.flatMap((waiting) => waiting.messages)
    for (;;) {
      try {
        await this.#producer.send({ messages })
        for (const waiting of batch) waiting.resolve()
        return
      } catch (error) {
        const outOfOrder = mentions(error, 'OUT_OF_ORDER_SEQUENCE_NUMBER') || mentions(error, 'INVALID_PRODUCER_EPOCH') ||
          mentions(error, 'UNKNOWN_PRODUCER_ID')
        if (outOfOrder) await this.#replaceProducer()
        const now = Date.now()
        const expired = batch.filter((waiting) => now >= waiting.deadline || (!outOfOrder && !retriable(error)))
        if (expired.length > 0) {
          const failure = this.#options.failure(error)
          for (const waiting of expired) waiting.reject(failure)
          batch = batch.filter((waiting) => !expired.includes(waiting))
          if (batch.length === 0) return
          return this.#sendBatch(batch)
        }
        await new Promise((resolve) => setTimeout(resolve, RETRY_DELAY_MS))
      }
    }
  }

  async #replaceProducer(): Promise<void> {
    const old = this.#producer
    this.#producer = this.#createProducer()
    await old.close().catch(() => undefined)
  }

  #createProducer(): Producer<Buffer, Buffer, Buffer, Buffer> {
    const producer = new Producer<Buffer, Buffer, Buffer, Buffer>({
      clientId: this.#options.clientId,
      bootstrapBrokers: [...this.#options.bootstrapBrokers],
      idempotent: true,
      acks: -1,
      autocreateTopics: false,
      retries: 3,
      retryDelay: RETRY_DELAY_MS,
      connectTimeout: 5000,
    })
    producer.on('error', () => undefined)
    return producer
  }
}

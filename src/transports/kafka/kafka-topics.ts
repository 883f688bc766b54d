import { createHash } from 'node:crypto'
import type { Admin } from '@platformatic/kafka'

/** Creates topics on demand and remembers their partition counts. */
export class KafkaTopics {
  readonly #admin: Admin
  readonly #partitions: number
  readonly #replicas: number
  readonly #known = new Map<string, Promise<number>>()

  constructor(admin: Admin, partitions: number, replicas: number) {
    this.#admin = admin
    this.#partitions = partitions
    this.#replicas = replicas
  }

  /** The topic's partition count, creating it (with `partitions`, or the default) when it is missing. */
  ensure(topic: string, partitions = this.#partitions): Promise<number> {
    let known = this.#known.get(topic)
    if (known === undefined) {
      known = this.#ensure(topic, partitions)
      this.#known.set(topic, known)
      // A failure (broker away) is not remembered: the next call asks again.
      known.catch(() => this.#known.delete(topic))
    }
    return known
  }

  async #ensure(topic: string, partitions: number): Promise<number> {
    try {
      const [created] = await this.#admin.createTopics({ topics: [topic], partitions, replicas: this.#replicas })
      if (created !== undefined && created.partitions > 0) return created.partitions
    } catch (error) {
      if (!mentions(error, 'TOPIC_ALREADY_EXISTS')) throw error
    }
    const metadata = await this.#admin.metadata({ topics: [topic], forceUpdate: true })
    return metadata.topics.get(topic)?.partitionsCount ?? partitions
  }
}

/**
 * The topic a group's nacked events go to: `<topic>.sepal-retry.<group>`, or with a hash of the
 * group when that would pass Kafka's 249-character limit.
 */
export function retryTopicName(topic: string, group: string): string {
  const plain = `${topic}.sepal-retry.${group}`
  if (plain.length <= 249) return plain
  const hash = createHash('sha256').update(group).digest('hex').slice(0, 16)
  return `${topic.slice(0, 200)}.sepal-retry.${hash}`
}

/** Whether a client error, or one of the errors it wraps, carries this Kafka error name. */
export function mentions(error: unknown, apiId: string): boolean {
  if (typeof error !== 'object' || error === null) return false
  const record = error as { apiId?: unknown; errors?: unknown; cause?: unknown; message?: unknown }
  if (record.apiId === apiId) return true
  if (typeof record.message === 'string' && record.message.includes(apiId)) return true
  if (Array.isArray(record.errors) && record.errors.some((inner) => mentions(inner, apiId))) return true
  return record.cause !== undefined && mentions(record.cause, apiId)
}

/** Whether the client says the operation may succeed if tried again (a broker away, a leader moving). */
export function retriable(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false
  const record = error as { canRetry?: unknown; errors?: unknown; cause?: unknown }
  if (record.canRetry === false) return false
  if (Array.isArray(record.errors)) return record.errors.every((inner) => retriable(inner))
  if (record.cause !== undefined) return retriable(record.cause)
  return record.canRetry === true
}

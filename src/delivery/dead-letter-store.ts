import type { CloudEvent } from '../event/cloud-event.js'

/** One dead-lettered event as stored: the copy with its `sepal*` attributes, and where it came from. */
export interface DeadLetterEntry {
  /** The store's own id of this entry: increasing, unique per store. */
  readonly seq: number
  /** The topic the event was consumed from; a redrive publishes it there unless told otherwise. */
  readonly topic: string
  readonly rule: string
  readonly target: string
  readonly error: string
  /** ms since epoch */
  readonly deadLetteredAt: number
  readonly event: CloudEvent
}

export interface DeadLetterFilter {
  readonly rule?: string
  /** Case-insensitive substring of the error message. */
  readonly error?: string
  /** Only entries dead-lettered at or after this time (ms since epoch). */
  readonly since?: number
  /** An entry's seq, or the id of its event. */
  readonly id?: string
  readonly limit?: number
}

export interface NewDeadLetter {
  readonly topic: string
  readonly rule: string
  readonly target: string
  readonly error: string
  readonly deadLetteredAt: number
  readonly event: CloudEvent
}

/** Where the engine writes dead letters. `put` resolves only once the entry is durable. */
export interface DeadLetterSink {
  put(entry: NewDeadLetter): Promise<void>
}

/**
 * Where dead letters wait for a human: listed, inspected, redriven or purged. `put` resolves only once
 * the entry is durable, because the engine acks the original event only after that (fail closed).
 */
export interface DeadLetterStore extends DeadLetterSink {
  list(filter?: DeadLetterFilter): Promise<DeadLetterEntry[]>
  /** Removes one entry; false if it was already gone (another redrive or purge took it). */
  remove(seq: number): Promise<boolean>
  close(): Promise<void>
}

/** Applies a filter to one entry; shared by stores that filter in memory. */
export function matchesDeadLetterFilter(entry: DeadLetterEntry, filter: DeadLetterFilter): boolean {
  if (filter.rule !== undefined && entry.rule !== filter.rule) return false
  if (filter.since !== undefined && entry.deadLetteredAt < filter.since) return false
  if (filter.error !== undefined && !entry.error.toLowerCase().includes(filter.error.toLowerCase())) return false
  if (filter.id !== undefined && String(entry.seq) !== filter.id && entry.event.id !== filter.id) return false
  return true
}

export function createMemoryDeadLetterStore(): DeadLetterStore {
  const entries: DeadLetterEntry[] = []
  let seq = 0
  return {
    async put(entry) {
      entries.push({ ...entry, seq: ++seq })
    },
    async list(filter = {}) {
      const found = entries.filter((e) => matchesDeadLetterFilter(e, filter))
      return filter.limit === undefined ? found : found.slice(0, filter.limit)
    },
    async remove(target) {
      const index = entries.findIndex((e) => e.seq === target)
      if (index < 0) return false
      entries.splice(index, 1)
      return true
    },
    async close() {},
  }
}

/**
 * The default sink: dead letters published to a topic of the engine's own transport, so every
 * transport has one without further set-up.
 */
export function createTopicDeadLetterSink(
  transport: { publish(topic: string, events: readonly CloudEvent[]): Promise<void> },
  topic: string,
): DeadLetterSink {
  return {
    put: (entry) => transport.publish(topic, [entry.event]),
  }
}

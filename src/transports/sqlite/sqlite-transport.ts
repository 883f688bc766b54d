import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { ErrorCodes, OptionsError, SepalError } from '../../errors.js'
import type { CloudEvent } from '../../event/cloud-event.js'
import type { PublishOptions, SubscribeOptions, Subscription, Transport, TransportFeatures } from '../contract.js'
import { PullSubscription } from '../memory/pull-subscription.js'
import { checkGroup, checkTopic, checkVisibility, closedError, resolveMaxInFlight } from '../memory/transport-options.js'
import { compactConsumed } from './compaction.js'
import { SqliteGroupSource } from './sqlite-group-source.js'
import { openLogDatabase, prepareStatements, type SqliteSynchronous } from './sqlite-schema.js'
import { TopicTables } from './topic-tables.js'
import { WriteBatcher } from './write-batcher.js'

export interface SqliteTransportOptions {
  /** The database file. Give this or `directory`. */
  readonly path?: string
  /** A directory (created when missing) that holds `sepal.db`. */
  readonly directory?: string
  /** Durability of a resolved publish or settle; see docs/transports.md. Default `normal`. */
  readonly synchronous?: SqliteSynchronous
  /** Default visibility timeout of a subscription that names none. Default 30 000 ms. */
  readonly visibilityTimeoutMs?: number
  /** How often an idle subscription looks for work from other processes and for due retries. Default 25 ms. */
  readonly pollIntervalMs?: number
  /** Most events one fetch leases at once. Default 256. */
  readonly fetchBatch?: number
  /** Delete entries every group has acked this often; 0 turns it off. Default 60 000 ms. */
  readonly compactIntervalMs?: number
  /** How long a write waits for another process's lock before it fails. Default 5 000 ms. */
  readonly busyTimeoutMs?: number
}

export interface SqliteTransport extends Transport {
  /** The database file in use. */
  readonly path: string
  /** Deletes entries every group of their topic has acked now; returns how many. */
  compact(): number
}

export const SQLITE_FEATURES: TransportFeatures = Object.freeze({
  consumerGroups: true,
  persistent: true,
  orderedPerKey: true,
  nativeDelay: true,
  deliveryCount: true,
  replayFromStart: true,
})

/**
 * The embedded durable log: one SQLite file in WAL mode, an append-only log per topic, a cursor per
 * group and a lease per event in flight. Processes that open the same file share topics and groups.
 */
export function createSqliteTransport(options: SqliteTransportOptions): SqliteTransport {
  const path = resolvePath(options)
  const visibilityMs = checkVisibility(options.visibilityTimeoutMs) ?? 30_000
  const pollIntervalMs = positive('pollIntervalMs', options.pollIntervalMs) ?? 25
  const fetchBatch = positive('fetchBatch', options.fetchBatch) ?? 256
  let db: ReturnType<typeof openLogDatabase>
  try {
    db = openLogDatabase(path, options.synchronous ?? 'normal', options.busyTimeoutMs ?? 5_000)
  } catch (cause) {
    throw new SepalError(
      ErrorCodes.TRANSPORT_UNAVAILABLE,
      `cannot open the event log "${path}": ${(cause as Error).message}; check the path and its permissions`,
      { cause },
    )
  }
  const statements = prepareStatements(db)
  const tables = new TopicTables(db)
  const batcher = new WriteBatcher(db, `event log "${path}"`)
  const members = new Map<string, Set<PullSubscription>>()
  const wakeTopic = (topic: string): void => {
    for (const member of members.get(topic) ?? []) member.wake()
  }
  const compactEvery = options.compactIntervalMs ?? 60_000
  const compactTimer = compactEvery > 0 ? setInterval(() => void compactSoon(), compactEvery).unref() : undefined
  let closed = false

  async function compactSoon(): Promise<void> {
    await batcher.run(() => void compactConsumed(db, tables)).catch(() => undefined)
  }

  return {
    name: 'sqlite',
    features: SQLITE_FEATURES,
    path,

    async publish(topic: string, events: readonly CloudEvent[], publishOptions?: PublishOptions) {
      if (closed) throw closedError('sqlite transport')
      checkTopic(topic)
      if (events.length === 0) return
      const key = publishOptions?.key ?? null
      const rows = events.map((event) => JSON.stringify(event))
      const log = tables.get(topic)
      await batcher.run(() => {
        for (const row of rows) log.append.run(key, row)
      })
      wakeTopic(topic)
    },

    async subscribe(topic: string, subscribeOptions: SubscribeOptions): Promise<Subscription> {
      if (closed) throw closedError('sqlite transport')
      checkTopic(topic)
      checkGroup(subscribeOptions.group)
      const maxInFlight = resolveMaxInFlight(subscribeOptions.maxInFlight)
      const visibilityTimeoutMs = checkVisibility(subscribeOptions.visibilityTimeoutMs) ?? visibilityMs
      const { group } = subscribeOptions
      const log = tables.get(topic)
      await batcher.run(() => {
        const start = subscribeOptions.from === 'earliest' ? 0 : (log.newestId.get()?.id ?? 0) + 1
        statements.createGroup.run(topic, group, start)
      })
      const source = new SqliteGroupSource({
        statements, log, batcher, topic, group, visibilityTimeoutMs, fetchBatch,
        onSettled: () => wakeTopic(topic),
      })
      let topicMembers = members.get(topic)
      if (topicMembers === undefined) members.set(topic, (topicMembers = new Set()))
      const subscription: PullSubscription = new PullSubscription(source, {
        maxInFlight,
        signal: subscribeOptions.signal,
        pollIntervalMs,
        onClose: () => topicMembers.delete(subscription),
      })
      if (!subscription.closed) topicMembers.add(subscription)
      return subscription
    },

    compact() {
      if (closed) throw closedError('sqlite transport')
      return db.transaction(() => compactConsumed(db, tables)).immediate()
    },

    async close() {
      if (closed) return
      closed = true
      if (compactTimer !== undefined) clearInterval(compactTimer)
      const subscriptions = [...members.values()].flatMap((set) => [...set])
      await Promise.allSettled(subscriptions.map((subscription) => subscription.close()))
      batcher.close()
      db.close()
    },
  }
}

function resolvePath(options: SqliteTransportOptions): string {
  if (options.path !== undefined && options.directory === undefined) return options.path
  if (options.directory !== undefined && options.path === undefined) {
    mkdirSync(options.directory, { recursive: true })
    return join(options.directory, 'sepal.db')
  }
  throw new OptionsError('give the sqlite transport exactly one of `path` (a file) or `directory` (for sepal.db)')
}

function positive(name: string, value: number | undefined): number | undefined {
  if (value === undefined) return undefined
  if (!Number.isInteger(value) || value < 1) {
    throw new OptionsError(`${name} must be a positive integer, got ${JSON.stringify(value)}`)
  }
  return value
}

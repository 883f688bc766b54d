import { randomUUID } from 'node:crypto'
import type { CloudEvent } from '../../event/cloud-event.js'
import type { Delivery } from '../contract.js'
import { SettleOnce, type DeliverySource } from '../memory/pull-subscription.js'
import { HELD_BACK, type LogStatements } from './sqlite-schema.js'
import type { TopicStatements } from './topic-tables.js'
import type { WriteBatcher } from './write-batcher.js'

/** A leased event fetched ahead of being handed out. */
interface Fetched {
  readonly id: number
  readonly key: string | null
  readonly attempt: number
  readonly event: string
  readonly leaseUntil: number
}

export interface GroupSourceOptions {
  readonly statements: LogStatements
  readonly log: TopicStatements
  readonly batcher: WriteBatcher
  readonly topic: string
  readonly group: string
  readonly visibilityTimeoutMs: number
  /** Most events fetched in one transaction. */
  readonly fetchBatch: number
  /** Called after a settle commits, so waiting members of the group look again. */
  readonly onSettled: () => void
}

/** A fetch reads at most this many batches of new entries looking for one it may hand out. */
const MAX_READ_BATCHES = 16

/** A buffered event whose lease ends sooner than this is left for the next claim instead. */
const LEASE_MARGIN_MS = 50

/**
 * One subscription's view of a group in the database. Leases live in the database, so members in
 * other processes never get the same event at once, and a lease of a crashed process simply runs
 * out. An event with a key is not handed out while an earlier event of that key is leased or
 * parked, which keeps order per key across every member and process.
 */
export class SqliteGroupSource implements DeliverySource {
  readonly #owner = randomUUID()
  readonly #options: GroupSourceOptions
  #buffer: Fetched[] = []

  constructor(options: GroupSourceOptions) {
    this.#options = options
  }

  take(room: number, onSettle: () => void): Delivery | undefined {
    const now = Date.now()
    for (let next = this.#buffer.shift(); next !== undefined; next = this.#buffer.shift()) {
      if (next.leaseUntil - now > LEASE_MARGIN_MS) return new SqliteDelivery(this, next, onSettle)
    }
    if (this.#options.batcher.closed) return undefined
    const limit = Math.max(1, Math.min(room, this.#options.fetchBatch))
    try {
      if (!this.#hasWork(now)) return undefined
      this.#buffer = this.#options.batcher.flushWith(() => this.#claim(limit))
    } catch {
      // Busy past the timeout or a failing disk: nothing was leased; the next poll tries again.
      return undefined
    }
    const first = this.#buffer.shift()
    return first === undefined ? undefined : new SqliteDelivery(this, first, onSettle)
  }

  /** Gives back what was fetched but never handed out, without counting it as an attempt. */
  async release(): Promise<void> {
    const unseen = this.#buffer
    this.#buffer = []
    if (unseen.length === 0 || this.#options.batcher.closed) return
    const { statements: s, topic, group } = this.#options
    await this.#options.batcher.run(() => {
      for (const row of unseen) s.unclaim.run(topic, group, row.id, this.#owner, row.attempt)
    })
    this.#options.onSettled()
  }

  #hasWork(now: number): boolean {
    const { statements: s, log, topic, group } = this.#options
    if (s.hasVisible.get(topic, group, now) !== undefined) return true
    const cursor = s.cursor.get(topic, group)
    return cursor !== undefined && log.hasNew.get(cursor.next_id) !== undefined
  }

  /**
   * Runs inside one immediate transaction (with the settles waiting for a group commit): reclaims
   * visible leases first, then reads new entries.
   */
  #claim(limit: number): Fetched[] {
    const { statements: s, log, topic, group, visibilityTimeoutMs } = this.#options
    const now = Date.now()
    const leaseUntil = now + visibilityTimeoutMs
    const out: Fetched[] = []
    for (const row of log.visibleLeases.all(topic, group, now, limit * 4)) {
      if (out.length >= limit) break
      if (row.key !== null && s.keyHeld.get(topic, group, row.key, row.id) !== undefined) continue
      s.claim.run(leaseUntil, this.#owner, topic, group, row.id)
      out.push({ id: row.id, key: row.key, attempt: row.attempt + 1, event: row.event, leaseUntil })
    }
    if (out.length >= limit) return out
    const cursor = s.cursor.get(topic, group)
    if (cursor === undefined) return out
    // Entries held back behind their key hand out nothing: read on (bounded) so that one busy key
    // does not make the others wait for the next poll.
    let nextId = cursor.next_id
    for (let read = 0; out.length < limit && read < limit * MAX_READ_BATCHES; ) {
      const fresh = log.newEntries.all(nextId, limit - out.length)
      for (const row of fresh) {
        if (row.key !== null && s.keyHeld.get(topic, group, row.key, row.id) !== undefined) {
          // Held back behind an earlier event of its key: the ack of that one makes it visible.
          s.insertLease.run(topic, group, row.id, row.key, 0, HELD_BACK, null)
          continue
        }
        s.insertLease.run(topic, group, row.id, row.key, 1, leaseUntil, this.#owner)
        out.push({ id: row.id, key: row.key, attempt: 1, event: row.event, leaseUntil })
      }
      const last = fresh.at(-1)
      if (last === undefined) break
      nextId = last.id + 1
      read += fresh.length
    }
    if (nextId !== cursor.next_id) s.advance.run(nextId, topic, group)
    return out
  }

  /** Acks (`nackDelayMs` undefined) or nacks the lease; resolves once the change is committed. */
  settle(row: Fetched, nackDelayMs: number | undefined): Promise<void> {
    const { statements: s, topic, group, batcher, onSettled } = this.#options
    const owner = this.#owner
    if (nackDelayMs === undefined) {
      const key = row.key
      if (key === null) return batcher.run(() => s.ack.run(topic, group, row.id, owner, row.attempt))
      // A keyed ack lets the next event of the key go, perhaps to another member: wake them.
      return batcher
        .run(() => {
          if (s.ack.run(topic, group, row.id, owner, row.attempt).changes > 0) s.unblockNext.run(topic, group, topic, group, key)
        })
        .then(onSettled)
    }
    const visibleAt = Date.now() + nackDelayMs
    return batcher.run(() => s.nack.run(visibleAt, topic, group, row.id, owner, row.attempt)).then(onSettled)
  }
}

class SqliteDelivery extends SettleOnce {
  readonly #source: SqliteGroupSource
  readonly #row: Fetched

  constructor(source: SqliteGroupSource, row: Fetched, onSettle: () => void) {
    super(JSON.parse(row.event) as CloudEvent, row.attempt, row.key ?? undefined, onSettle)
    this.#source = source
    this.#row = row
  }

  protected override settle(nackDelayMs: number | undefined): Promise<void> {
    return this.#source.settle(this.#row, nackDelayMs)
  }
}

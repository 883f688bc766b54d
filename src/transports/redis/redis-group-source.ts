import type { Redis } from 'ioredis'
import type { Delivery } from '../contract.js'
import type { DeliverySource } from '../memory/pull-subscription.js'
import { fromStreamFields } from './redis-binding.js'
import { atMost } from './redis-connect.js'
import { RedisDelivery, requeueEntry, type FetchedEntry, type SettleTarget } from './redis-delivery.js'
import { DELETE_IDLE_CONSUMER, MOVE_DUE } from './redis-scripts.js'

export interface GroupSourceSettings {
  readonly commands: Redis
  /** This subscription's own connection: XREADGROUP blocks it. */
  readonly blocking: Redis
  readonly stream: string
  readonly retryStream: string
  readonly delayedSet: string
  readonly group: string
  /** Unique per process and subscription, so the pending-entries list tells holders apart. */
  readonly consumer: string
  readonly maxInFlight: number
  readonly visibilityTimeoutMs: number
  /** The longest one XREADGROUP waits at the server. */
  readonly blockMs: number
  /** How often due delayed events are moved to the retry stream. */
  readonly delayPollMs: number
  /** Creates the group on both streams (again, if the server lost it). */
  readonly ensureGroup: () => Promise<void>
  readonly onInvalidEntry: (error: unknown, stream: string, id: string) => void
  readonly onError: (error: unknown) => void
}

/** Consumers silent this long hold no connection any more (a live one reads at least every blockMs). */
const DEAD_CONSUMER_IDLE_MS = 10 * 60_000
const SWEEP_EVERY_MS = 60_000

/** How long each clean-up step of a closing subscription waits for the server. */
const CLOSE_BUDGET_MS = 2_000

type StreamReply = Array<[Buffer, Array<[Buffer, Buffer[] | null]>]> | null

/**
 * Fetches a group's entries for one subscription: new ones with XREADGROUP on the topic's stream and
 * the group's retry stream at once, stale ones (idle longer than the visibility timeout, their
 * consumer gone or hung) with XPENDING + XCLAIM. Fetched entries wait in a buffer no larger than the
 * free slots, so back-pressure reaches the server.
 */
export class RedisGroupSource implements DeliverySource {
  readonly #s: GroupSourceSettings
  readonly #target: SettleTarget
  readonly #buffer: FetchedEntry[] = []
  /** `stream id` of entries buffered or handed out and not yet settled: never reclaimed by ourselves. */
  readonly #held = new Set<string>()
  #inFlight = 0
  #stopped = false
  #loop: Promise<void> = Promise.resolve()
  #mover: NodeJS.Timeout | undefined
  #moving: Promise<void> = Promise.resolve()
  #roomWaiter: (() => void) | undefined
  #wake: () => void = () => undefined
  #nextSweep = Date.now() + SWEEP_EVERY_MS

  constructor(settings: GroupSourceSettings) {
    this.#s = settings
    this.#target = {
      commands: settings.commands,
      group: settings.group,
      retryStream: settings.retryStream,
      delayedSet: settings.delayedSet,
      consumer: settings.consumer,
    }
  }

  /** Starts fetching; `wake` tells the subscription that entries are ready. */
  start(wake: () => void): void {
    this.#wake = wake
    this.#loop = this.#run()
    this.#scheduleMove(0)
  }

  take(_room: number, onSettle: () => void): Delivery | undefined {
    const entry = this.#buffer.shift()
    if (entry === undefined) return undefined
    this.#inFlight++
    const tag = `${entry.stream} ${entry.id}`
    const freed = (): void => {
      this.#inFlight--
      onSettle()
      this.#roomFreed()
    }
    return new RedisDelivery(entry, this.#target, freed, () => this.#held.delete(tag))
  }

  async release(): Promise<void> {
    this.#stopped = true
    clearTimeout(this.#mover)
    this.#roomFreed()
    // The read may be on its way to the server while the first unblock runs: unblock until the loop
    // ends. With the server away nothing answers; the read is then dropped with its connection.
    let ended = false
    const loopEnded = this.#loop.finally(() => (ended = true))
    for (const giveUpAt = Date.now() + CLOSE_BUDGET_MS; !ended && Date.now() < giveUpAt; ) {
      await atMost(this.#unblock(), 200)
      await atMost(loopEnded, 50)
    }
    if (!ended) this.#s.blocking.disconnect()
    await atMost(Promise.all([loopEnded, this.#moving]), CLOSE_BUDGET_MS)
    // Fetched but never handed out: back to the group at once, without counting an attempt. If the
    // server is away they stay pending and come back after the visibility timeout instead.
    const untaken = this.#buffer.splice(0)
    await atMost(Promise.allSettled(untaken.map((entry) => requeueEntry(this.#target, entry, 0, entry.attempt - 1))), CLOSE_BUDGET_MS)
    await atMost(DELETE_IDLE_CONSUMER.run(this.#s.commands, [this.#s.stream, this.#s.retryStream], [this.#s.group, this.#s.consumer]), CLOSE_BUDGET_MS)
    this.#s.blocking.disconnect()
  }

  #room(): number {
    return this.#s.maxInFlight - this.#inFlight - this.#buffer.length
  }

  async #run(): Promise<void> {
    const reclaimEveryMs = Math.min(5_000, Math.max(50, this.#s.visibilityTimeoutMs / 2))
    let nextReclaim = 0
    let backoffMs = 0
    while (!this.#stopped) {
      try {
        if (Date.now() >= nextReclaim) {
          await this.#reclaim()
          nextReclaim = Date.now() + reclaimEveryMs
          if (Date.now() >= this.#nextSweep) await this.#sweepDeadConsumers()
        }
        const room = this.#room()
        if (room <= 0) {
          await this.#waitForRoom(nextReclaim - Date.now())
          continue
        }
        const block = Math.max(1, Math.min(this.#s.blockMs, nextReclaim - Date.now()))
        if (this.#stopped) break
        const reply = (await this.#s.blocking.xreadgroupBuffer(
          'GROUP', this.#s.group, this.#s.consumer, 'COUNT', room, 'BLOCK', block,
          'STREAMS', this.#s.stream, this.#s.retryStream, '>', '>',
        )) as StreamReply
        for (const [key, entries] of reply ?? []) {
          const stream = key.toString()
          for (const [id, fields] of entries) await this.#accept(stream, id.toString(), fields, 1)
        }
        backoffMs = 0
      } catch (error) {
        if (this.#stopped) break
        if (error instanceof Error && error.message.startsWith('NOGROUP')) {
          await this.#s.ensureGroup().catch(() => undefined)
        } else {
          this.#s.onError(error)
        }
        backoffMs = Math.min(1_000, Math.max(50, backoffMs * 2))
        await new Promise((resolve) => setTimeout(resolve, backoffMs))
      }
    }
  }

  /** Claims entries of the group idle longer than the visibility timeout, with their delivery counts. */
  async #reclaim(): Promise<void> {
    for (const stream of [this.#s.stream, this.#s.retryStream]) {
      const room = this.#room()
      if (room <= 0 || this.#stopped) return
      const pending = (await this.#s.commands.xpending(
        stream, this.#s.group, 'IDLE', this.#s.visibilityTimeoutMs, '-', '+', room + this.#held.size,
      )) as Array<[string, string, number, number]>
      const counts = new Map<string, number>()
      for (const [id, , , count] of pending) {
        if (counts.size < room && !this.#held.has(`${stream} ${id}`)) counts.set(id, count)
      }
      if (counts.size === 0) continue
      // On the reading connection (free between reads): ioredis's auto-pipelining drops callBuffer's command name.
      const claimed = (await this.#s.blocking.callBuffer(
        'XCLAIM', stream, this.#s.group, this.#s.consumer, this.#s.visibilityTimeoutMs, ...counts.keys(),
      )) as Array<[Buffer, Buffer[] | null] | null>
      for (const item of claimed) {
        if (item === null) continue
        const id = item[0].toString()
        await this.#accept(stream, id, item[1], (counts.get(id) ?? 0) + 1)
      }
    }
  }

  /**
   * Removes consumers of crashed processes once their pending entries were claimed by others, so the
   * group's consumer list does not grow with every restart. The script deletes only consumers that
   * hold nothing, atomically, so a consumer that comes back loses nothing (it is made again on its
   * next read).
   */
  async #sweepDeadConsumers(): Promise<void> {
    this.#nextSweep = Date.now() + SWEEP_EVERY_MS
    const consumers = (await this.#s.commands.xinfo('CONSUMERS', this.#s.stream, this.#s.group)) as unknown[][]
    for (const fields of consumers) {
      const info = new Map<string, unknown>()
      for (let i = 0; i + 1 < fields.length; i += 2) info.set(String(fields[i]), fields[i + 1])
      const name = String(info.get('name'))
      if (name === this.#s.consumer || Number(info.get('pending')) > 0 || Number(info.get('idle')) < DEAD_CONSUMER_IDLE_MS) continue
      await DELETE_IDLE_CONSUMER.run(this.#s.commands, [this.#s.stream, this.#s.retryStream], [this.#s.group, name])
    }
  }

  async #accept(stream: string, id: string, fields: Buffer[] | null, deliveryCount: number): Promise<void> {
    const fromRetry = stream === this.#s.retryStream
    if (fields === null) {
      // Deleted (trimmed) while pending: nothing to deliver, so it leaves the pending list.
      await this.#s.commands.xack(stream, this.#s.group, id)
      return
    }
    let decoded
    try {
      decoded = fromStreamFields(fields)
    } catch (error) {
      // Not a CloudEvent: it can never be handled, so it is acked and reported rather than redelivered for ever.
      this.#s.onInvalidEntry(error, stream, id)
      await this.#s.commands.xack(stream, this.#s.group, id)
      if (fromRetry) await this.#s.commands.xdel(stream, id)
      return
    }
    this.#held.add(`${stream} ${id}`)
    this.#buffer.push({ stream, fromRetry, id, fields, event: decoded.event, key: decoded.key, attempt: decoded.priorAttempts + deliveryCount })
    this.#wake()
  }

  #waitForRoom(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, Math.max(1, ms))
      function done(): void {
        clearTimeout(timer)
        resolve()
      }
      this.#roomWaiter = done
    })
  }

  #roomFreed(): void {
    const waiter = this.#roomWaiter
    this.#roomWaiter = undefined
    waiter?.()
  }

  #scheduleMove(ms: number): void {
    if (this.#stopped) return
    this.#mover = setTimeout(() => {
      this.#moving = this.#moveDue().then((nextDueMs) => {
        const wait = nextDueMs >= 0 ? Math.min(this.#s.delayPollMs, nextDueMs) : this.#s.delayPollMs
        this.#scheduleMove(wait)
      })
    }, ms)
  }

  /** Moves due delayed events to the retry stream (where the blocked XREADGROUP sees them at once). */
  async #moveDue(): Promise<number> {
    try {
      const [, nextDueMs] = (await MOVE_DUE.run(this.#s.commands, [this.#s.delayedSet, this.#s.retryStream], [100])) as [number, number]
      return nextDueMs
    } catch (error) {
      if (!this.#stopped) this.#s.onError(error)
      return -1
    }
  }

  /** Ends a blocked XREADGROUP of this subscription now, as if it had timed out (nothing is lost). */
  async #unblock(): Promise<void> {
    try {
      const list = (await this.#s.commands.client('LIST', 'TYPE', 'NORMAL')) as string
      const name = this.#s.blocking.options.connectionName
      for (const line of list.split('\n')) {
        if (!line.includes(` name=${name} `)) continue
        const id = /(?:^|\s)id=(\d+)/.exec(line)?.[1]
        if (id !== undefined) await this.#s.commands.client('UNBLOCK', id)
      }
    } catch {
      // The read ends by itself within blockMs.
    }
  }
}

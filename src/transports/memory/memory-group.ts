import type { CloudEvent } from '../../event/cloud-event.js'
import type { Delivery } from '../contract.js'
import { SettleOnce } from './pull-subscription.js'

/**
 * One published event as the memory log keeps it: a deeply frozen copy taken at publish, which every
 * delivery shares. Frozen, nobody can change what another group or a redelivery sees, so no copy per
 * delivery is needed (the cost a serialising transport pays on each receive).
 */
export interface LogEntry {
  readonly seq: number
  readonly event: CloudEvent
  readonly key: string | undefined
}

/** An event a group has pulled from the log and not yet acked. */
export interface Pending {
  readonly entry: LogEntry
  state: 'ready' | 'leased' | 'parked'
  /** Deliveries so far; also the token that tells a stale settle from the current one. */
  attempt: number
  timer: WallClockTimer | undefined
}

/** Pull at most this many log entries per look, so a scan stays short. */
const PULL_CHUNK = 64

/**
 * A consumer group on one topic: a cursor into the log plus the events it has pulled and not acked.
 * An event with a key is not handed out while an earlier event with the same key is unacked, so
 * order per key holds within the group; events without a key never wait for each other.
 */
export class MemoryGroup {
  #cursor: number
  readonly #pending: Pending[] = []
  readonly #log: readonly LogEntry[]
  readonly #wakeMembers: () => void

  constructor(log: readonly LogEntry[], from: 'latest' | 'earliest', wakeMembers: () => void) {
    this.#log = log
    this.#cursor = from === 'earliest' ? 0 : log.length
    this.#wakeMembers = wakeMembers
  }

  /** Hands out the first event that is ready and not held back by an earlier one with its key. */
  take(visibilityTimeoutMs: number, onSettle: () => void): Delivery | undefined {
    let pending = this.#firstReady(0)
    while (pending === undefined && this.#cursor < this.#log.length) {
      const scannedUpTo = this.#pending.length
      const until = Math.min(this.#log.length, this.#cursor + PULL_CHUNK)
      for (; this.#cursor < until; this.#cursor++) {
        const entry = this.#log[this.#cursor]
        if (entry !== undefined) this.#pending.push({ entry, state: 'ready', attempt: 0, timer: undefined })
      }
      pending = this.#firstReady(scannedUpTo)
    }
    if (pending === undefined) return undefined
    return this.#lease(pending, visibilityTimeoutMs, onSettle)
  }

  /** Stops every timer; the group is dropped with its transport. */
  dispose(): void {
    for (const pending of this.#pending) pending.timer?.cancel()
  }

  #firstReady(startAt: number): Pending | undefined {
    let heldKeys: Set<string> | undefined
    for (let i = 0; i < this.#pending.length; i++) {
      const pending = this.#pending[i] as Pending
      const key = pending.entry.key
      let held = false
      if (key !== undefined) {
        held = heldKeys?.has(key) === true
        if (!held) (heldKeys ??= new Set()).add(key)
      }
      if (i >= startAt && pending.state === 'ready' && !held) return pending
    }
    return undefined
  }

  #lease(pending: Pending, visibilityTimeoutMs: number, onSettle: () => void): Delivery {
    pending.state = 'leased'
    pending.attempt++
    pending.timer = new WallClockTimer(visibilityTimeoutMs, () => this.#makeReady(pending))
    return new MemoryDelivery(this, pending, onSettle)
  }

  /** Settles the lease `attempt` of `pending`, unless it ran out and was handed out again. */
  settle(pending: Pending, attempt: number, nackDelayMs: number | undefined): void {
    if (pending.attempt !== attempt || pending.state !== 'leased') return
    pending.timer?.cancel()
    if (nackDelayMs === undefined) {
      this.#pending.splice(this.#pending.indexOf(pending), 1)
      if (pending.entry.key !== undefined) this.#wakeMembers()
    } else if (nackDelayMs === 0) {
      this.#makeReady(pending)
    } else {
      pending.state = 'parked'
      pending.timer = new WallClockTimer(nackDelayMs, () => this.#makeReady(pending))
    }
  }

  #makeReady(pending: Pending): void {
    pending.state = 'ready'
    pending.timer = undefined
    this.#wakeMembers()
  }
}

class MemoryDelivery extends SettleOnce {
  readonly #group: MemoryGroup
  readonly #pending: Pending

  constructor(group: MemoryGroup, pending: Pending, onSettle: () => void) {
    super(pending.entry.event, pending.attempt, pending.entry.key, onSettle)
    this.#group = group
    this.#pending = pending
  }

  protected override async settle(nackDelayMs: number | undefined): Promise<void> {
    this.#group.settle(this.#pending, this.attempt, nackDelayMs)
  }
}

/** Runs `fn` once `ms` have passed by the wall clock (a Node timer may fire a millisecond early). */
class WallClockTimer {
  #handle: NodeJS.Timeout

  constructor(ms: number, fn: () => void) {
    const due = Date.now() + ms
    const check = (): void => {
      const left = due - Date.now()
      if (left > 0) this.#handle = setTimeout(check, left)
      else fn()
    }
    this.#handle = setTimeout(check, ms)
  }

  cancel(): void {
    clearTimeout(this.#handle)
  }
}

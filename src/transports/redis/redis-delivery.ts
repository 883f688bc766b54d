import type { Redis } from 'ioredis'
import type { CloudEvent } from '../../event/cloud-event.js'
import { SettleOnce } from '../memory/pull-subscription.js'
import { ATTEMPTS_FIELD } from './redis-binding.js'
import { ACK, NACK } from './redis-scripts.js'

/** Where a fetched entry lives and what it takes to settle it. */
export interface FetchedEntry {
  /** The stream it was read from: the topic's stream, or the group's retry stream. */
  readonly stream: string
  readonly fromRetry: boolean
  readonly id: string
  /** The fields as read, written again (with a new attempt count) when the entry is nacked. */
  readonly fields: readonly Buffer[]
  readonly event: CloudEvent
  readonly key: string | undefined
  readonly attempt: number
}

/** What settling needs to know about the group. */
export interface SettleTarget {
  readonly commands: Redis
  readonly group: string
  readonly retryStream: string
  readonly delayedSet: string
  /** This subscription's consumer name: only its own pending entries are settled. */
  readonly consumer: string
}

export class RedisDelivery extends SettleOnce {
  readonly #entry: FetchedEntry
  readonly #target: SettleTarget
  readonly #settled: () => void

  constructor(entry: FetchedEntry, target: SettleTarget, onSettle: () => void, settled: () => void) {
    super(entry.event, entry.attempt, entry.key, onSettle)
    this.#entry = entry
    this.#target = target
    this.#settled = settled
  }

  protected override async settle(nackDelayMs: number | undefined): Promise<void> {
    try {
      if (nackDelayMs === undefined) await ackEntry(this.#target, this.#entry)
      else await requeueEntry(this.#target, this.#entry, nackDelayMs, this.#entry.attempt)
    } finally {
      this.#settled()
    }
  }
}

export async function ackEntry(target: SettleTarget, entry: FetchedEntry): Promise<void> {
  await ACK.run(target.commands, [entry.stream], [target.group, entry.id, target.consumer, entry.fromRetry ? '1' : '0'])
}

/**
 * Acks the entry and writes it again to the group's retry stream (now, or via the delayed set), with
 * `attemptsSoFar` recorded so the next delivery counts on from there. Used by nack, and on close to
 * give back fetched entries nobody took (then with the attempt that never happened taken off).
 */
export async function requeueEntry(target: SettleTarget, entry: FetchedEntry, delayMs: number, attemptsSoFar: number): Promise<void> {
  const fields: Array<Buffer | string> = []
  for (let i = 0; i + 1 < entry.fields.length; i += 2) {
    const name = entry.fields[i]!
    if (name.toString('latin1') === ATTEMPTS_FIELD) continue
    fields.push(name, entry.fields[i + 1]!)
  }
  fields.push(ATTEMPTS_FIELD, String(attemptsSoFar))
  await NACK.run(
    target.commands,
    [entry.stream, target.retryStream, target.delayedSet],
    [target.group, entry.id, target.consumer, entry.fromRetry ? '1' : '0', Math.max(0, Math.round(delayMs)), ...fields],
  )
}

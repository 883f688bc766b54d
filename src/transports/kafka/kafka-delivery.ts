import type { CloudEvent } from '../../event/cloud-event.js'
import { SettleOnce } from '../memory/pull-subscription.js'
import type { OffsetTracker } from './offset-tracker.js'

/** One record a group consumer received, from the moment it arrives until its offset is settled. */
export interface Entry {
  readonly topic: string
  readonly partition: number
  readonly offset: bigint
  readonly tracker: OffsetTracker
  readonly event: CloudEvent
  /** The record key (the publish key, or the event's `partitionkey`). */
  readonly key: string | undefined
  /** Read from the main topic (false: from the group's retry topic). */
  readonly original: boolean
  attempt: number
  /** Bumped whenever a lease ends, so a late settle of an older delivery is ignored. */
  lease: number
  leaseUntil: number
}

/** What a delivery asks of its group when it is settled first. */
export interface Settler {
  settle(entry: Entry, lease: number, nackDelayMs: number | undefined): Promise<void>
}

/** A record handed out; the first settle wins and goes to the group, which checks the lease is still current. */
export class KafkaDelivery extends SettleOnce {
  readonly #settler: Settler
  readonly #entry: Entry
  readonly #lease: number

  constructor(settler: Settler, entry: Entry, onSettle: () => void) {
    super(entry.event, entry.attempt, entry.key, onSettle)
    this.#settler = settler
    this.#entry = entry
    this.#lease = entry.lease
  }

  protected override settle(nackDelayMs: number | undefined): Promise<void> {
    return this.#settler.settle(this.#entry, this.#lease, nackDelayMs)
  }
}

import type { CloudEvent } from '../event/cloud-event.js'

/** What `claim` found: the caller may run the side effect only on `claimed`. */
export type ClaimResult = 'claimed' | 'in-progress' | 'completed'

/**
 * Leases, not marks. A worker claims a key for `leaseMs`, runs the side effect, then completes the key.
 * If the worker crashes, its lease expires and another worker may claim; if the side effect fails, the
 * worker releases the key so a retry can claim at once. Marking an event done *before* the work (a
 * common shortcut) loses the event when the process dies in between; a lease cannot.
 */
export interface IdempotencyStore {
  /**
   * Atomically: an absent key, or one whose lease or completion has expired, becomes a lease held for
   * `leaseMs` → `claimed`. A live lease → `in-progress`. A live completion → `completed`.
   */
  claim(key: string, leaseMs: number): Promise<ClaimResult>
  /** Marks the key completed for `ttlMs`, also when the caller's lease had already run out. */
  complete(key: string, ttlMs: number): Promise<void>
  /** Drops a lease (never a completion) so a retry can claim the key again. */
  release(key: string): Promise<void>
  close(): Promise<void>
}

/**
 * The default idempotency key: CloudEvents `source` + `id`, which producers must keep unique per
 * distinct event. The source is length-prefixed so that no two (source, id) pairs share a key
 * (a plain separator would let "a|b" + "c" collide with "a" + "b|c").
 */
export function defaultIdempotencyKey(event: Pick<CloudEvent, 'source' | 'id'>): string {
  return `${event.source.length}:${event.source}${event.id}`
}

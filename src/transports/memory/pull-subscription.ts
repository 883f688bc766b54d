import type { CloudEvent } from '../../event/cloud-event.js'
import type { Delivery, NackOptions, Subscription } from '../contract.js'

/**
 * Where a pull subscription gets its deliveries from. `take` hands out one delivery that is ready
 * now, or undefined; it must be synchronous so that a delivery is never taken by a subscription that
 * closed in the meantime. `room` says how many more the subscription may hold now (for batching);
 * the delivery calls `onSettle` at its first settle (see `SettleOnce`), which frees a slot.
 * Transports with storage (memory, sqlite) implement it; the subscription adds what they share:
 * back-pressure, waiting, abort and close.
 */
export interface DeliverySource {
  take(room: number, onSettle: () => void): Delivery | undefined
  /** Called once when the subscription closes; deliveries taken but unsettled stay with the source. */
  release(): void | Promise<void>
}

export interface PullSubscriptionOptions {
  readonly maxInFlight: number
  readonly signal?: AbortSignal | undefined
  /** Look again this often while idle, for work that arrives without a wake (other processes, clocks). */
  readonly pollIntervalMs?: number | undefined
  readonly onClose?: (() => void) | undefined
}

/** A subscription that pulls from a source, at most `maxInFlight` unsettled deliveries at a time. */
export class PullSubscription implements Subscription, AsyncIterator<Delivery> {
  #inFlight = 0
  #closed = false
  #closing: Promise<void> | undefined
  #wakeCount = 0
  #wakers = new Set<() => void>()
  readonly #source: DeliverySource
  readonly #options: PullSubscriptionOptions
  readonly #onAbort = (): void => void this.close()
  readonly #onSettle = (): void => {
    this.#inFlight--
    this.wake()
  }

  constructor(source: DeliverySource, options: PullSubscriptionOptions) {
    this.#source = source
    this.#options = options
    if (options.signal?.aborted === true) this.#closed = true
    options.signal?.addEventListener('abort', this.#onAbort, { once: true })
  }

  get closed(): boolean {
    return this.#closed
  }

  /** Something may be ready now: waiting `next()` calls look again. */
  wake(): void {
    this.#wakeCount++
    if (this.#wakers.size === 0) return
    const wakers = [...this.#wakers]
    this.#wakers.clear()
    for (const wakeUp of wakers) wakeUp()
  }

  async next(): Promise<IteratorResult<Delivery>> {
    for (;;) {
      if (this.#closed) return { done: true, value: undefined }
      const seen = this.#wakeCount
      if (this.#inFlight < this.#options.maxInFlight) {
        const taken = this.#source.take(this.#options.maxInFlight - this.#inFlight, this.#onSettle)
        if (taken !== undefined) {
          this.#inFlight++
          return { done: false, value: taken }
        }
      }
      if (seen === this.#wakeCount) await this.#waitForWake()
    }
  }

  async return(): Promise<IteratorResult<Delivery>> {
    await this.close()
    return { done: true, value: undefined }
  }

  [Symbol.asyncIterator](): AsyncIterator<Delivery> {
    return this
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close()
  }

  close(): Promise<void> {
    if (this.#closing !== undefined) return this.#closing
    this.#closed = true
    this.#options.signal?.removeEventListener('abort', this.#onAbort)
    this.wake()
    this.#options.onClose?.()
    this.#closing = Promise.resolve().then(() => this.#source.release())
    return this.#closing
  }

  #waitForWake(): Promise<void> {
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout | undefined
      const wakeUp = (): void => {
        this.#wakers.delete(wakeUp)
        if (timer !== undefined) clearTimeout(timer)
        resolve()
      }
      this.#wakers.add(wakeUp)
      const poll = this.#options.pollIntervalMs
      if (poll !== undefined) timer = setTimeout(wakeUp, poll)
    })
  }
}

const SETTLED = Promise.resolve()

/**
 * The settle rules every delivery shares: the first `ack` or `nack` wins and frees the
 * subscription's slot at once; later calls resolve and do nothing.
 */
export abstract class SettleOnce implements Delivery {
  declare readonly key?: string
  #onSettle: (() => void) | undefined

  constructor(
    readonly event: CloudEvent,
    readonly attempt: number,
    key: string | undefined,
    onSettle: () => void,
  ) {
    if (key !== undefined) Object.defineProperty(this, 'key', { value: key, enumerable: true })
    this.#onSettle = onSettle
  }

  ack(): Promise<void> {
    return this.#first() ? this.settle(undefined) : SETTLED
  }

  nack(options?: NackOptions): Promise<void> {
    return this.#first() ? this.settle(Math.max(0, options?.delayMs ?? 0)) : SETTLED
  }

  /** Acks (`nackDelayMs` undefined) or nacks with that delay; runs once per delivery. */
  protected abstract settle(nackDelayMs: number | undefined): Promise<void>

  #first(): boolean {
    const onSettle = this.#onSettle
    if (onSettle === undefined) return false
    this.#onSettle = undefined
    onSettle()
    return true
  }
}

// Kept here too for transports that import them from this module.
export { DEFAULT_MAX_IN_FLIGHT, closedError, resolveMaxInFlight } from './transport-options.js'

import type { Delivery, Subscription } from '../transports/contract.js'

export interface ConsumeLoop {
  /** Deliveries being handled right now. */
  readonly inFlight: number
  /** Resolves when the iteration has ended (after `stopFetching` and the subscription's close). */
  readonly done: Promise<void>
  /** Takes no new deliveries from now on. */
  stopFetching(): void
  /** Resolves once no delivery is in flight. */
  idle(): Promise<void>
}

/**
 * Pulls deliveries and hands each to `handle` without waiting for it, keeping at most `maxInFlight`
 * under way. `handle` must never reject. A delivery that arrives after `stopFetching` is nacked
 * at once, unhandled, so the group gets it back without waiting for a visibility timeout.
 */
export function startConsumeLoop(
  subscription: Subscription,
  maxInFlight: number,
  handle: (delivery: Delivery) => Promise<void>,
  onIterationError: (error: unknown) => void,
): ConsumeLoop {
  const iterator = subscription[Symbol.asyncIterator]()
  let inFlight = 0
  let fetching = true
  let wakeForSlot: (() => void) | undefined
  let idleWaiters: Array<() => void> = []

  const release = (): void => {
    inFlight--
    if (wakeForSlot !== undefined) {
      const wake = wakeForSlot
      wakeForSlot = undefined
      wake()
    }
    if (inFlight === 0 && idleWaiters.length > 0) {
      const waiters = idleWaiters
      idleWaiters = []
      for (const resolve of waiters) resolve()
    }
  }

  async function run(): Promise<void> {
    try {
      while (fetching) {
        if (inFlight >= maxInFlight) {
          await new Promise<void>((resolve) => (wakeForSlot = resolve))
          continue
        }
        const next = await iterator.next()
        if (next.done === true) return
        if (!fetching) {
          // Taken while stopping: hand it straight back rather than let it sit out a visibility timeout.
          next.value.nack().then(undefined, ignoreSettleFailure)
          return
        }
        inFlight++
        handle(next.value).then(release, release)
      }
    } catch (error) {
      if (fetching) onIterationError(error)
    }
  }

  return {
    get inFlight() {
      return inFlight
    },
    done: run(),
    stopFetching() {
      fetching = false
      // A loop parked waiting for a free slot would otherwise wait for work that is not coming.
      if (wakeForSlot !== undefined) {
        const wake = wakeForSlot
        wakeForSlot = undefined
        wake()
      }
    },
    idle() {
      return inFlight === 0 ? Promise.resolve() : new Promise<void>((resolve) => idleWaiters.push(resolve))
    },
  }
}

/** A failed nack while stopping costs only time: the transport hands the delivery out again after its visibility timeout. */
function ignoreSettleFailure(): void {}

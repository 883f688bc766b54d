import { ErrorCodes, SepalError } from '../errors.js'
import type { PendingAttempts } from '../targets/await-target.js'
import type { Delivery, SubscribeOptions, Subscription, Transport } from '../transports/contract.js'
import { startConsumeLoop, type ConsumeLoop } from './consume-loop.js'
import { describeError } from './run-targets.js'
import type { Logger } from './types.js'

export interface ConsumerOptions {
  readonly transport: Transport
  readonly topic: string
  readonly group: string
  readonly maxInFlight: number
  readonly from: 'latest' | 'earliest' | undefined
  readonly visibilityTimeoutMs: number | undefined
  readonly logger: Logger
  /** Handles one delivery, settling it; never rejects. */
  readonly handle: (delivery: Delivery) => Promise<void>
  /** Attempts still running, which a stop past its budget cuts loose. */
  readonly pending: PendingAttempts
}

export interface Consumer {
  start(): Promise<void>
  stop(drainTimeoutMs: number): Promise<void>
}

/** Waits between resubscribe attempts: 100 ms doubling up to 5 s. */
function resubscribeDelayMs(failures: number): number {
  return Math.min(5_000, 100 * 2 ** Math.max(0, failures - 1))
}

/**
 * Owns the subscription: subscribes on start, consumes through a bounded loop, and when the
 * subscription fails or ends while it should still run, subscribes again with backoff (a broker
 * restart must not silently stop consumption). Stop drains every loop, old ones included.
 */
export function createConsumer(options: ConsumerOptions): Consumer {
  const { transport, topic, group, maxInFlight, logger } = options
  const subscribeOptions: SubscribeOptions = {
    group,
    maxInFlight,
    ...(options.from !== undefined && { from: options.from }),
    ...(options.visibilityTimeoutMs !== undefined && { visibilityTimeoutMs: options.visibilityTimeoutMs }),
  }
  const loops = new Set<ConsumeLoop>()
  let state: 'idle' | 'running' | 'stopping' | 'stopped' = 'idle'
  let starting: Promise<void> | undefined
  let stopping: Promise<void> | undefined
  let subscription: Subscription | undefined
  let supervising: Promise<void> | undefined
  let wakeSleeper: (() => void) | undefined

  function consume(from: Subscription): ConsumeLoop {
    const loop = startConsumeLoop(from, maxInFlight, options.handle, (error) => {
      logger.error({ topic, group, err: describeError(error) }, 'the subscription failed')
    })
    loops.add(loop)
    // A finished loop leaves the set once its last delivery settled.
    void loop.done.then(() => loop.idle()).then(() => loops.delete(loop))
    return loop
  }

  function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms)
      function done(): void {
        clearTimeout(timer)
        wakeSleeper = undefined
        resolve()
      }
      wakeSleeper = done
    })
  }

  async function supervise(first: ConsumeLoop): Promise<void> {
    let loop = first
    let failures = 0
    for (;;) {
      await loop.done
      if (state !== 'running') return
      const ended = subscription
      subscription = undefined
      await ended?.close().catch(() => undefined)
      for (;;) {
        failures++
        logger.warn({ topic, group, failures }, 'the subscription ended while the engine runs; subscribing again')
        await sleep(resubscribeDelayMs(failures))
        if (state !== 'running') return
        try {
          subscription = await transport.subscribe(topic, subscribeOptions)
          break
        } catch (error) {
          if (error instanceof SepalError && error.code === ErrorCodes.CLOSED) {
            logger.error({ topic, group }, 'the transport was closed under a running engine; consuming stopped')
            return
          }
          logger.error({ topic, group, err: describeError(error) }, 'subscribing again failed')
        }
      }
      if (state !== 'running') {
        await subscription.close()
        return
      }
      failures = 0
      loop = consume(subscription)
    }
  }

  async function drain(drainTimeoutMs: number): Promise<void> {
    for (const loop of loops) loop.stopFetching()
    const allIdle = (): Promise<unknown> => Promise.all([...loops].map((loop) => loop.idle()))
    if (await finishesWithin(allIdle(), drainTimeoutMs)) return
    const inFlight = [...loops].reduce((sum, loop) => sum + loop.inFlight, 0)
    logger.warn({ inFlight, drainTimeoutMs }, 'drain budget spent; aborting handlers, their events will be redelivered')
    for (const cutLoose of [...options.pending]) cutLoose()
    await allIdle()
  }

  return {
    start() {
      if (state === 'stopping' || state === 'stopped') {
        return Promise.reject(new SepalError(ErrorCodes.CLOSED, 'the engine was stopped; create a new engine to consume again'))
      }
      starting ??= (async () => {
        let first: Subscription
        try {
          first = await transport.subscribe(topic, subscribeOptions)
        } catch (error) {
          // Let a later start() try again (the broker may come back).
          starting = undefined
          throw error
        }
        subscription = first
        if (state === 'idle') state = 'running'
        supervising = supervise(consume(first))
        logger.info({ topic, group, maxInFlight, transport: transport.name }, 'engine started')
      })()
      return starting
    },

    stop(drainTimeoutMs) {
      stopping ??= (async () => {
        state = 'stopping'
        wakeSleeper?.()
        await starting?.catch(() => undefined)
        await drain(drainTimeoutMs)
        await subscription?.close()
        await supervising
        state = 'stopped'
        logger.info({ topic, group }, 'engine stopped')
      })()
      return stopping
    },
  }
}

/** True when `work` settles within `ms`; the timer never outlives the wait. */
function finishesWithin(work: Promise<unknown>, ms: number): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => resolve(false), ms)
    void work.then(() => {
      clearTimeout(timer)
      resolve(true)
    })
  })
}

import { randomUUID } from 'node:crypto'
import type { CloudEvent } from '../event/cloud-event.js'
import type { Delivery, Subscription, Transport, TransportFeatures } from '../transports/contract.js'

export interface TransportSuiteOptions {
  /** A new client of the same storage or broker each call (persistent scenarios reopen with it). */
  readonly createTransport: () => Transport | Promise<Transport>
  /** Restarts the broker process; enables the reconnect scenario. */
  readonly restartBroker?: () => Promise<void>
  /** Overrides of the transport's declared features, e.g. to switch a scenario off. */
  readonly features?: Partial<TransportFeatures>
  /** Visibility timeout the crash scenarios use; raise it for brokers with a minimum. Default 400 ms. */
  readonly visibilityTimeoutMs?: number
  /** Scales every wait for slow brokers. Default 1. */
  readonly timeoutFactor?: number
}

/** What one scenario gets: transports it opens are closed after it, whatever the outcome. */
export interface SuiteContext {
  readonly options: TransportSuiteOptions
  readonly topic: string
  readonly runId: string
  readonly visibilityTimeoutMs: number
  /** The longest a scenario waits for events before it fails. */
  readonly waitMs: number
  open(): Promise<Transport>
  features(transport: Transport): TransportFeatures
}

export function createSuiteContext(options: TransportSuiteOptions, opened: Transport[]): SuiteContext {
  const runId = randomUUID().slice(0, 8)
  return {
    options,
    topic: `sepal-suite-${runId}`,
    runId,
    visibilityTimeoutMs: options.visibilityTimeoutMs ?? 400,
    waitMs: 10_000 * (options.timeoutFactor ?? 1),
    async open() {
      const transport = await options.createTransport()
      opened.push(transport)
      return transport
    },
    features(transport) {
      return { ...transport.features, ...options.features }
    },
  }
}

/** Events with ids `<runId>-<i>`, so leftovers of earlier runs on a shared broker are told apart. */
export function makeEvents(runId: string, count: number, from = 0): CloudEvent[] {
  return Array.from({ length: count }, (_, n) => {
    const i = from + n
    return { specversion: '1.0', id: `${runId}-${i}`, source: 'sepal.suite', type: 'suite.event', data: { i } }
  })
}

export function idsOf(runId: string, count: number, from = 0): string[] {
  return makeEvents(runId, count, from).map((event) => event.id)
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

const TICK = Symbol('tick')

/**
 * Reads deliveries and hands each to `onDelivery` (not awaited, so handlers may settle later) until
 * `until()` holds. Fails with `describe()` after `waitMs`. A delivery that arrives after the reading
 * stopped is nacked at once, so it goes back to the group instead of waiting for its lease to end.
 */
export async function consume(
  subscription: Subscription,
  onDelivery: (delivery: Delivery) => unknown,
  until: () => boolean,
  waitMs: number,
  describe: () => string,
): Promise<void> {
  const iterator = subscription[Symbol.asyncIterator]()
  const deadline = Date.now() + waitMs
  const failures: unknown[] = []
  let pending: Promise<IteratorResult<Delivery>> | undefined
  try {
    while (!until()) {
      if (failures.length > 0) throw failures[0]
      if (Date.now() > deadline) throw new Error(`timed out after ${waitMs} ms: ${describe()}`)
      pending ??= iterator.next()
      const result = await raceTick(pending, 25)
      if (result === TICK) continue
      pending = undefined
      if (result.done === true) break
      try {
        await Promise.resolve(onDelivery(result.value)).catch((error: unknown) => failures.push(error))
      } catch (error) {
        failures.push(error)
      }
    }
    if (failures.length > 0) throw failures[0]
  } finally {
    if (pending !== undefined) {
      void pending.then((late) => (late.done === true ? undefined : late.value.nack()), () => undefined)
    }
  }
}

async function raceTick<T>(promise: Promise<T>, ms: number): Promise<T | typeof TICK> {
  let timer: NodeJS.Timeout | undefined
  const tick = new Promise<typeof TICK>((resolve) => {
    timer = setTimeout(() => resolve(TICK), ms)
  })
  try {
    return await Promise.race([promise, tick])
  } finally {
    clearTimeout(timer)
  }
}

/** The next delivery, or undefined if none comes within `ms` (the pending read is cancelled by nack). */
export async function nextWithin(subscription: Subscription, ms: number): Promise<Delivery | undefined> {
  const pending = subscription[Symbol.asyncIterator]().next()
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms)
  })
  const result = await Promise.race([pending, timeout])
  clearTimeout(timer)
  if (result === undefined) {
    void pending.then((late) => (late.done === true ? undefined : late.value.nack()), () => undefined)
    return undefined
  }
  return result.done === true ? undefined : result.value
}

/** Ack every delivery and collect the ids, duplicates counted, until every expected id arrived. */
export async function receiveAll(
  subscription: Subscription,
  expected: readonly string[],
  waitMs: number,
  received = new Map<string, number>(),
): Promise<Map<string, number>> {
  const wanted = new Set(expected)
  const missing = new Set(expected.filter((id) => !received.has(id)))
  await consume(
    subscription,
    async (delivery) => {
      if (wanted.has(delivery.event.id)) {
        received.set(delivery.event.id, (received.get(delivery.event.id) ?? 0) + 1)
        missing.delete(delivery.event.id)
      }
      await delivery.ack()
    },
    () => missing.size === 0,
    waitMs,
    () => `${missing.size} of ${wanted.size} events missing, e.g. ${[...missing].slice(0, 5).join(', ')}`,
  )
  return received
}

/** A small seeded generator (mulberry32), so a failing scenario replays the same choices. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

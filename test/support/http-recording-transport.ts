// Helpers for the http tests: a transport that records appends and can be told to fail or to hold them.
import type { CloudEvent } from '../../src/event/cloud-event.js'
import type { Subscription, Transport } from '../../src/transports/contract.js'

export interface RecordingTransport extends Transport {
  /** One entry per publish call, in order. */
  readonly appends: { topic: string; events: readonly CloudEvent[] }[]
  /** Make later publishes reject with this error (undefined: succeed again). */
  failWith(error: unknown): void
  /** Make later publishes wait until the returned function is called. */
  hold(): () => void
  /** Resolves when publish has been called `n` times in all. */
  publishedCalls(n: number): Promise<void>
}

export function createRecordingTransport(): RecordingTransport {
  const appends: { topic: string; events: readonly CloudEvent[] }[] = []
  let failure: unknown
  let gate: Promise<void> | undefined
  let calls = 0
  const waiters: { n: number; resolve: () => void }[] = []
  return {
    name: 'recording',
    features: {
      consumerGroups: false,
      persistent: false,
      orderedPerKey: false,
      nativeDelay: false,
      deliveryCount: false,
      replayFromStart: false,
    },
    appends,
    failWith(error) {
      failure = error
    },
    hold() {
      let release!: () => void
      gate = new Promise<void>((resolve) => (release = resolve))
      return () => {
        gate = undefined
        release()
      }
    },
    publishedCalls(n) {
      if (calls >= n) return Promise.resolve()
      return new Promise((resolve) => waiters.push({ n, resolve }))
    },
    async publish(topic, events) {
      calls++
      for (const waiter of waiters.filter((w) => w.n <= calls)) waiter.resolve()
      if (gate !== undefined) await gate
      if (failure !== undefined) throw failure
      appends.push({ topic, events })
    },
    subscribe(): Promise<Subscription> {
      return Promise.reject(new Error('the recording transport cannot subscribe'))
    },
    async close() {},
  }
}

export const sampleEvent = {
  specversion: '1.0',
  id: 'evt-1',
  source: 'app.orders',
  type: 'OrderPlaced',
  datacontenttype: 'application/json',
  data: { orderId: 'o-1', amount: 12 },
} as const

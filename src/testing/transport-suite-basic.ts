import { expect } from 'vitest'
import type { CloudEvent } from '../event/cloud-event.js'
import { SepalError } from '../errors.js'
import type { Delivery } from '../transports/contract.js'
import { consume, idsOf, makeEvents, nextWithin, receiveAll, sleep, type SuiteContext } from './transport-suite-helpers.js'

/** Every attribute, string extensions, and the three kinds of data travel unchanged. */
export async function roundTripsEveryAttribute(ctx: SuiteContext): Promise<void> {
  const transport = await ctx.open()
  const subscription = await transport.subscribe(ctx.topic, { group: 'g' })
  const sent: CloudEvent[] = [
    {
      specversion: '1.0',
      id: `${ctx.runId}-json`,
      source: 'https://example.com/orders',
      type: 'com.example.order.placed',
      subject: 'order/42',
      time: '2026-12-04T10:00:00.123Z',
      datacontenttype: 'application/json',
      dataschema: 'https://example.com/schemas/order.json',
      traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
      partitionkey: 'customer-7',
      data: { total: 12.5, items: [{ sku: 'a', qty: 2 }], note: 'ünïcødé ✓', nothing: null },
    },
    {
      specversion: '1.0',
      id: `${ctx.runId}-text`,
      source: 'sepal.suite',
      type: 'suite.text',
      datacontenttype: 'text/plain',
      data: 'line one\nline "two"',
    },
    {
      specversion: '1.0',
      id: `${ctx.runId}-binary`,
      source: 'sepal.suite',
      type: 'suite.binary',
      datacontenttype: 'application/octet-stream',
      data_base64: Buffer.from([0, 1, 2, 254, 255]).toString('base64'),
    },
  ]
  await transport.publish(ctx.topic, sent)
  const received = new Map<string, Delivery>()
  await consume(
    subscription,
    async (delivery) => {
      received.set(delivery.event.id, delivery)
      await delivery.ack()
    },
    () => received.size === sent.length,
    ctx.waitMs,
    () => `received ${received.size} of ${sent.length}`,
  )
  for (const event of sent) {
    const delivery = received.get(event.id)
    expect(delivery?.event).toEqual(event)
    expect(delivery?.attempt).toBe(1)
  }
  await subscription.close()
}

/** An event published to one topic never reaches a subscriber of another. */
export async function isolatesTopics(ctx: SuiteContext): Promise<void> {
  const transport = await ctx.open()
  const topics = [`${ctx.topic}-a`, `${ctx.topic}-b`]
  const subscriptions = await Promise.all(topics.map((topic) => transport.subscribe(topic, { group: 'g' })))
  await Promise.all(topics.map((topic, i) => transport.publish(topic, makeEvents(ctx.runId, 5, i * 100))))
  for (const [i, subscription] of subscriptions.entries()) {
    const seen: string[] = []
    await consume(
      subscription,
      async (delivery) => {
        seen.push(delivery.event.id)
        await delivery.ack()
      },
      () => seen.length >= 5,
      ctx.waitMs,
      () => `topic ${i} received ${seen.length} of 5`,
    )
    expect(await nextWithin(subscription, 100)).toBeUndefined()
    expect(seen.sort()).toEqual(idsOf(ctx.runId, 5, i * 100).sort())
  }
  await Promise.all(subscriptions.map((subscription) => subscription.close()))
}

/** Many publishers at once: every event arrives. */
export async function receivesFromConcurrentPublishers(ctx: SuiteContext): Promise<void> {
  const transport = await ctx.open()
  const subscription = await transport.subscribe(ctx.topic, { group: 'g', maxInFlight: 50 })
  const publishers = 20
  const perPublisher = 50
  const publishing = Array.from({ length: publishers }, async (_, p) => {
    for (let i = 0; i < perPublisher; i += 5) {
      await transport.publish(ctx.topic, makeEvents(ctx.runId, 5, p * perPublisher + i))
    }
  })
  const expected = idsOf(ctx.runId, publishers * perPublisher)
  const [received] = await Promise.all([receiveAll(subscription, expected, ctx.waitMs), Promise.all(publishing)])
  expect(received.size).toBe(expected.length)
  await subscription.close()
}

/** `close()` waits for publishes under way; they resolve, and later calls fail with SEPAL_ERR_CLOSED. */
export async function closeFlushesPublishes(ctx: SuiteContext): Promise<void> {
  const transport = await ctx.open()
  const persistent = ctx.features(transport).persistent
  const early = await transport.subscribe(ctx.topic, { group: 'g' })
  await early.close()
  const publishing = Array.from({ length: 20 }, (_, p) => transport.publish(ctx.topic, makeEvents(ctx.runId, 25, p * 25)))
  await transport.close()
  const outcomes = await Promise.allSettled(publishing)
  expect(outcomes.filter((outcome) => outcome.status === 'rejected')).toEqual([])
  await expect(transport.publish(ctx.topic, makeEvents(ctx.runId, 1, 9999))).rejects.toSatisfy(isClosedError)
  await expect(transport.subscribe(ctx.topic, { group: 'g' })).rejects.toSatisfy(isClosedError)
  await transport.close()
  if (!persistent) return
  const reopened = await ctx.open()
  const subscription = await reopened.subscribe(ctx.topic, { group: 'g' })
  const received = await receiveAll(subscription, idsOf(ctx.runId, 500), ctx.waitMs)
  expect(received.size).toBe(500)
  await subscription.close()
}

function isClosedError(error: unknown): boolean {
  return error instanceof SepalError && error.code === 'SEPAL_ERR_CLOSED'
}

/** Ten subscriptions opened and closed at once leave the group working. */
export async function survivesConcurrentSubscribeAndClose(ctx: SuiteContext): Promise<void> {
  const transport = await ctx.open()
  await Promise.all(
    Array.from({ length: 10 }, async () => {
      const subscription = await transport.subscribe(ctx.topic, { group: 'g' })
      await subscription.close()
    }),
  )
  await transport.publish(ctx.topic, makeEvents(ctx.runId, 50))
  const subscription = await transport.subscribe(ctx.topic, { group: 'g' })
  const received = await receiveAll(subscription, idsOf(ctx.runId, 50), ctx.waitMs)
  expect(received.size).toBe(50)
  await subscription.close()
}

/** Aborting the signal ends a waiting iteration, and closing twice is harmless. */
export async function endsIterationOnAbort(ctx: SuiteContext): Promise<void> {
  const transport = await ctx.open()
  const controller = new AbortController()
  const subscription = await transport.subscribe(ctx.topic, { group: 'g', signal: controller.signal })
  const seen: string[] = []
  const loop = (async () => {
    for await (const delivery of subscription) {
      seen.push(delivery.event.id)
      await delivery.ack()
    }
    return 'ended'
  })()
  await transport.publish(ctx.topic, makeEvents(ctx.runId, 3))
  for (let waited = 0; seen.length < 3 && waited < ctx.waitMs; waited += 10) await sleep(10)
  controller.abort()
  expect(await loop).toBe('ended')
  expect(seen).toHaveLength(3)
  await subscription.close()
  await subscription[Symbol.asyncDispose]()
  const aborted = await transport.subscribe(ctx.topic, { group: 'g', signal: AbortSignal.abort() })
  expect(await aborted[Symbol.asyncIterator]().next()).toEqual({ done: true, value: undefined })
}

/** Closing one subscription leaves another on a different topic of the same client working. */
export async function keepsOtherSubscriptionsWorking(ctx: SuiteContext): Promise<void> {
  const transport = await ctx.open()
  const [first, second] = [`${ctx.topic}-1`, `${ctx.topic}-2`]
  const stopped = await transport.subscribe(first, { group: 'g' })
  const running = await transport.subscribe(second, { group: 'g' })
  await transport.publish(second, makeEvents(ctx.runId, 5))
  await receiveAll(running, idsOf(ctx.runId, 5), ctx.waitMs)
  await stopped.close()
  await transport.publish(first, makeEvents(ctx.runId, 5, 100))
  await transport.publish(second, makeEvents(ctx.runId, 5, 5))
  const received = await receiveAll(running, idsOf(ctx.runId, 5, 5), ctx.waitMs)
  expect([...received.keys()].sort()).toEqual(idsOf(ctx.runId, 5, 5).sort())
  expect(await stopped[Symbol.asyncIterator]().next()).toEqual({ done: true, value: undefined })
  await running.close()
}

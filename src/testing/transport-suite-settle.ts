import { expect } from 'vitest'
import type { Delivery } from '../transports/contract.js'
import { consume, idsOf, makeEvents, nextWithin, receiveAll, type SuiteContext } from './transport-suite-helpers.js'

/** Nacked events come back with a higher attempt, and nothing is lost. */
export async function redeliversNackedEvents(ctx: SuiteContext): Promise<void> {
  const transport = await ctx.open()
  const subscription = await transport.subscribe(ctx.topic, { group: 'g', maxInFlight: 10 })
  await transport.publish(ctx.topic, makeEvents(ctx.runId, 100))
  const nacked = new Set<string>()
  const acked = new Map<string, number>()
  await consume(
    subscription,
    async (delivery) => {
      const { id } = delivery.event
      const index = Number(id.split('-').at(-1))
      if (!nacked.has(id) && (nacked.size < 2 || index % 10 === 3)) {
        nacked.add(id)
        await delivery.nack()
        return
      }
      if (nacked.has(id)) expect(delivery.attempt).toBeGreaterThanOrEqual(2)
      acked.set(id, delivery.attempt)
      await delivery.ack()
    },
    () => acked.size === 100,
    ctx.waitMs,
    () => `acked ${acked.size} of 100`,
  )
  expect([...acked.keys()].sort()).toEqual(idsOf(ctx.runId, 100).sort())
  expect(nacked.size).toBeGreaterThanOrEqual(11)
  await subscription.close()
}

/** The attempt of one event goes 1, 2, 3, 4 across nacks, then an ack ends it. */
export async function countsAttempts(ctx: SuiteContext): Promise<void> {
  const transport = await ctx.open()
  const subscription = await transport.subscribe(ctx.topic, { group: 'g' })
  await transport.publish(ctx.topic, makeEvents(ctx.runId, 1))
  const attempts: number[] = []
  await consume(
    subscription,
    async (delivery) => {
      attempts.push(delivery.attempt)
      await (attempts.length < 4 ? delivery.nack() : delivery.ack())
    },
    () => attempts.length === 4,
    ctx.waitMs,
    () => `saw attempts ${attempts.join(',')}`,
  )
  expect(attempts).toEqual([1, 2, 3, 4])
  expect(await nextWithin(subscription, 150)).toBeUndefined()
  await subscription.close()
}

/** Many nacks in a row neither lose nor stall events. */
export async function continuesAfterRepeatedNacks(ctx: SuiteContext): Promise<void> {
  const transport = await ctx.open()
  const subscription = await transport.subscribe(ctx.topic, { group: 'g', maxInFlight: 20 })
  await transport.publish(ctx.topic, makeEvents(ctx.runId, 20))
  let nacks = 0
  await consume(
    subscription,
    async (delivery) => {
      nacks++
      await delivery.nack()
    },
    () => nacks >= 60,
    ctx.waitMs,
    () => `nacked ${nacks} of 60`,
  )
  const received = await receiveAll(subscription, idsOf(ctx.runId, 20), ctx.waitMs)
  expect(received.size).toBe(20)
  await subscription.close()
}

/** A nack with a delay is not redelivered before the delay and does not hold other events back. */
export async function delaysNackWithoutBlocking(ctx: SuiteContext): Promise<void> {
  const transport = await ctx.open()
  const subscription = await transport.subscribe(ctx.topic, { group: 'g', maxInFlight: 5 })
  await transport.publish(ctx.topic, makeEvents(ctx.runId, 1))
  const first = await nextWithin(subscription, ctx.waitMs)
  expect(first?.event.id).toBe(`${ctx.runId}-0`)
  const delayMs = 500
  const nackedAt = Date.now()
  await first?.nack({ delayMs })
  await transport.publish(ctx.topic, makeEvents(ctx.runId, 5, 1))
  const timeline: Array<{ id: string; at: number; attempt: number }> = []
  await consume(
    subscription,
    async (delivery) => {
      timeline.push({ id: delivery.event.id, at: Date.now(), attempt: delivery.attempt })
      await delivery.ack()
    },
    () => timeline.length === 6,
    ctx.waitMs,
    () => `received ${timeline.map((entry) => entry.id).join(',')}`,
  )
  const redelivered = timeline.find((entry) => entry.id === `${ctx.runId}-0`)
  expect(redelivered?.attempt).toBe(2)
  expect((redelivered?.at ?? 0) - nackedAt).toBeGreaterThanOrEqual(delayMs)
  expect(timeline.at(-1)?.id).toBe(`${ctx.runId}-0`)
  await subscription.close()
}

/** With `maxInFlight` unsettled deliveries nothing more is handed out; settling one frees a slot. */
export async function appliesBackPressure(ctx: SuiteContext): Promise<void> {
  const transport = await ctx.open()
  const subscription = await transport.subscribe(ctx.topic, { group: 'g', maxInFlight: 3 })
  await transport.publish(ctx.topic, makeEvents(ctx.runId, 6))
  const held: Delivery[] = []
  for (let i = 0; i < 3; i++) {
    const delivery = await nextWithin(subscription, ctx.waitMs)
    expect(delivery).toBeDefined()
    if (delivery !== undefined) held.push(delivery)
  }
  const fourth = subscription[Symbol.asyncIterator]().next()
  let handedOut = false
  void fourth.then(() => (handedOut = true))
  await new Promise((resolve) => setTimeout(resolve, 200))
  expect(handedOut).toBe(false)
  await held[0]?.ack()
  const result = await fourth
  expect(result.done).toBe(false)
  if (result.done !== true) held.push(result.value)
  expect(new Set(held.map((delivery) => delivery.event.id)).size).toBe(4)
  await Promise.all(held.map((delivery) => delivery.ack()))
  await subscription.close()
}

/** A delivery left unsettled by a consumer that went away comes back to its group. */
export async function redeliversAfterVisibilityTimeout(ctx: SuiteContext): Promise<void> {
  const crashed = await ctx.open()
  const persistent = ctx.features(crashed).persistent
  const options = { group: 'g', visibilityTimeoutMs: ctx.visibilityTimeoutMs }
  const first = await crashed.subscribe(ctx.topic, options)
  await crashed.publish(ctx.topic, makeEvents(ctx.runId, 1))
  const lost = await nextWithin(first, ctx.waitMs)
  expect(lost?.attempt).toBe(1)
  await first.close()
  const survivor = persistent ? await ctx.open() : crashed
  if (persistent) await crashed.close()
  const second = await survivor.subscribe(ctx.topic, options)
  const again = await nextWithin(second, ctx.waitMs)
  expect(again?.event.id).toBe(`${ctx.runId}-0`)
  if (ctx.features(survivor).deliveryCount) expect(again?.attempt).toBe(2)
  await again?.ack()
  await second.close()
}

/** The first settle wins: a nack after an ack changes nothing, an ack after a nack does not stop the redelivery. */
export async function keepsTheFirstSettle(ctx: SuiteContext): Promise<void> {
  const transport = await ctx.open()
  const subscription = await transport.subscribe(ctx.topic, { group: 'g' })
  await transport.publish(ctx.topic, makeEvents(ctx.runId, 2))
  const first = await nextWithin(subscription, ctx.waitMs)
  const second = await nextWithin(subscription, ctx.waitMs)
  await first?.ack()
  await first?.nack()
  await second?.nack()
  await second?.ack()
  const again = await nextWithin(subscription, ctx.waitMs)
  expect(again?.event.id).toBe(second?.event.id)
  expect(again?.attempt).toBe(2)
  await again?.ack()
  expect(await nextWithin(subscription, 150)).toBeUndefined()
  await subscription.close()
}

/** A hung consumer loses its lease: another member gets the event, and the late settle changes nothing. */
export async function movesExpiredLeasesToAnotherMember(ctx: SuiteContext): Promise<void> {
  const transport = await ctx.open()
  const options = { group: 'g', visibilityTimeoutMs: ctx.visibilityTimeoutMs }
  const hung = await transport.subscribe(ctx.topic, options)
  const healthy = await transport.subscribe(ctx.topic, options)
  await transport.publish(ctx.topic, makeEvents(ctx.runId, 1))
  const stale = await nextWithin(hung, ctx.waitMs)
  expect(stale?.attempt).toBe(1)
  const taken = await nextWithin(healthy, ctx.waitMs)
  expect(taken?.event.id).toBe(`${ctx.runId}-0`)
  if (ctx.features(transport).deliveryCount) expect(taken?.attempt).toBe(2)
  await stale?.nack()
  await taken?.ack()
  expect(await nextWithin(hung, 2 * ctx.visibilityTimeoutMs)).toBeUndefined()
  await Promise.all([hung.close(), healthy.close()])
}

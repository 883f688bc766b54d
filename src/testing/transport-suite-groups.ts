import { expect } from 'vitest'
import type { Delivery, Transport } from '../transports/contract.js'
import {
  consume,
  idsOf,
  makeEvents,
  nextWithin,
  receiveAll,
  seededRandom,
  sleep,
  type SuiteContext,
} from './transport-suite-helpers.js'

/** Two groups on one topic each receive every event. */
export async function givesEveryGroupTheWholeStream(ctx: SuiteContext): Promise<void> {
  const transport = await ctx.open()
  const groups = await Promise.all(['one', 'two'].map((group) => transport.subscribe(ctx.topic, { group })))
  await transport.publish(ctx.topic, makeEvents(ctx.runId, 50))
  for (const subscription of groups) {
    const received = await receiveAll(subscription, idsOf(ctx.runId, 50), ctx.waitMs)
    expect(received.size).toBe(50)
    await subscription.close()
  }
}

/** Two members of one group share the work: what one holds the other does not get, and none is lost. */
export async function sharesWorkWithinAGroup(ctx: SuiteContext): Promise<void> {
  const transport = await ctx.open()
  const options = { group: 'g', maxInFlight: 5 }
  const holder = await transport.subscribe(ctx.topic, options)
  const worker = await transport.subscribe(ctx.topic, options)
  await transport.publish(ctx.topic, makeEvents(ctx.runId, 50))
  const held: Delivery[] = []
  for (let i = 0; i < 5; i++) {
    const delivery = await nextWithin(holder, ctx.waitMs)
    if (delivery !== undefined) held.push(delivery)
  }
  expect(held).toHaveLength(5)
  const heldIds = new Set(held.map((delivery) => delivery.event.id))
  const rest = idsOf(ctx.runId, 50).filter((id) => !heldIds.has(id))
  const received = await receiveAll(worker, rest, ctx.waitMs)
  expect([...received.keys()].filter((id) => heldIds.has(id))).toEqual([])
  expect(received.size).toBe(45)
  await Promise.all(held.map((delivery) => delivery.ack()))
  await Promise.all([holder.close(), worker.close()])
}

/** A new group starts at the end by default, and at the beginning with `from: 'earliest'`. */
export async function startsWhereAsked(ctx: SuiteContext): Promise<void> {
  const transport = await ctx.open()
  const replay = ctx.features(transport).replayFromStart
  await transport.publish(ctx.topic, makeEvents(ctx.runId, 10))
  const latest = await transport.subscribe(ctx.topic, { group: 'latest', from: 'latest' })
  const earliest = replay ? await transport.subscribe(ctx.topic, { group: 'earliest', from: 'earliest' }) : undefined
  await transport.publish(ctx.topic, makeEvents(ctx.runId, 5, 10))
  const fromLatest = await receiveAll(latest, idsOf(ctx.runId, 5, 10), ctx.waitMs)
  expect(await nextWithin(latest, 150)).toBeUndefined()
  expect([...fromLatest.keys()].sort()).toEqual(idsOf(ctx.runId, 5, 10).sort())
  if (earliest !== undefined) {
    const fromStart = await receiveAll(earliest, idsOf(ctx.runId, 15), ctx.waitMs)
    expect(fromStart.size).toBe(15)
    await earliest.close()
  }
  await latest.close()
}

/** Within a group, events of one key are acked in publish order, across members, nacks and delays. */
export async function keepsOrderPerKey(ctx: SuiteContext): Promise<void> {
  const transport = await ctx.open()
  const keys = 8
  const perKey = 25
  const options = { group: 'g', maxInFlight: 8 }
  const members = [await transport.subscribe(ctx.topic, options), await transport.subscribe(ctx.topic, options)]
  await Promise.all(
    Array.from({ length: keys }, async (_, k) => {
      for (let i = 0; i < perKey; i++) {
        await transport.publish(ctx.topic, makeEvents(ctx.runId, 1, k * 1000 + i), { key: `key-${k}` })
      }
    }),
  )
  const random = seededRandom(42)
  const ackedPerKey = new Map<string, number[]>()
  const nackedOnce = new Set<string>()
  let acked = 0
  const onDelivery = async (delivery: Delivery): Promise<void> => {
    const index = Number(delivery.event.id.split('-').at(-1))
    await sleep(Math.floor(random() * 3))
    if (index % 7 === 3 && !nackedOnce.has(delivery.event.id)) {
      nackedOnce.add(delivery.event.id)
      await delivery.nack({ delayMs: index % 2 === 0 ? 0 : 20 })
      return
    }
    const key = delivery.key ?? `key-${Math.floor(index / 1000)}`
    const list = ackedPerKey.get(key) ?? []
    if (!list.includes(index)) {
      list.push(index)
      acked++
    }
    ackedPerKey.set(key, list)
    await delivery.ack()
  }
  await Promise.all(
    members.map((member) =>
      consume(member, onDelivery, () => acked === keys * perKey, ctx.waitMs, () => `acked ${acked} of ${keys * perKey}`),
    ),
  )
  for (let k = 0; k < keys; k++) {
    const expected = Array.from({ length: perKey }, (_, i) => k * 1000 + i)
    expect(ackedPerKey.get(`key-${k}`)).toEqual(expected)
  }
  await Promise.all(members.map((member) => member.close()))
}

/** Rounds of subscribe, read a part, close (on a new client when persistent) lose nothing. */
export async function continuesAfterSubscriptionClose(ctx: SuiteContext): Promise<void> {
  const first = await ctx.open()
  const persistent = ctx.features(first).persistent
  const total = 500
  await (await first.subscribe(ctx.topic, { group: 'g' })).close()
  await first.publish(ctx.topic, makeEvents(ctx.runId, total))
  const received = new Map<string, number>()
  let transport: Transport = first
  for (let round = 0; round < 4; round++) {
    if (persistent && round > 0) {
      await transport.close()
      transport = await ctx.open()
    }
    const subscription = await transport.subscribe(ctx.topic, { group: 'g', maxInFlight: 20 })
    const target = received.size + total / 5
    await consume(
      subscription,
      async (delivery) => {
        received.set(delivery.event.id, (received.get(delivery.event.id) ?? 0) + 1)
        await delivery.ack()
      },
      () => received.size >= target,
      ctx.waitMs,
      () => `round ${round}: ${received.size} of ${target}`,
    )
    await subscription.close()
  }
  const last = await transport.subscribe(ctx.topic, { group: 'g', maxInFlight: 20 })
  await receiveAll(last, idsOf(ctx.runId, total), ctx.waitMs, received)
  expect(received.size).toBe(total)
  await last.close()
}

/** Publishing and consuming carry on across broker restarts (publishers retry), losing nothing. */
export async function reconnectsAfterBrokerRestart(ctx: SuiteContext): Promise<void> {
  const restart = ctx.options.restartBroker
  if (restart === undefined) return
  const transport = await ctx.open()
  const subscription = await transport.subscribe(ctx.topic, { group: 'g', maxInFlight: 20 })
  const total = 300
  const publishing = (async () => {
    for (let i = 0; i < total; i += 10) {
      if (i === 100 || i === 200) await restart()
      for (let tries = 0; ; tries++) {
        try {
          await transport.publish(ctx.topic, makeEvents(ctx.runId, 10, i))
          break
        } catch (error) {
          if (tries >= 50) throw error
          await sleep(200)
        }
      }
    }
  })()
  const [received] = await Promise.all([receiveAll(subscription, idsOf(ctx.runId, total), ctx.waitMs * 6), publishing])
  expect(received.size).toBe(total)
  await subscription.close()
}

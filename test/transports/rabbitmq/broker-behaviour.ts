import { randomUUID } from 'node:crypto'
import amqp from 'amqplib'
import { afterAll, describe, expect, it } from 'vitest'
import { createTransportFromUrl } from '../../../src/config/transport-registry.js'
import { nextWithin } from '../../../src/testing/transport-suite-helpers.js'
import type { Transport } from '../../../src/transports/contract.js'
import { createRabbitmqTransport } from '../../../src/transports/rabbitmq/rabbitmq-transport.js'
import { namePrefix, url } from './support.js'

/** What the shared suite does not cover: the URL registry, refused logins, other AMQP clients, delay queues. */
export function describeBrokerBehaviour(): void {
  describe('rabbitmq transport on the broker', () => {
    const opened: Transport[] = []
    afterAll(async () => {
      await Promise.all(opened.map((transport) => transport.close()))
    })
    async function open(): Promise<Transport> {
      const transport = await createRabbitmqTransport({ url, namePrefix })
      opened.push(transport)
      return transport
    }
    const event = (id: string) => ({ specversion: '1.0' as const, id, source: 'sepal.rabbitmq.test', type: 'test.event', data: { id } })

    it('is opened from an amqp:// URL through the transport registry', async () => {
      const transport = await createTransportFromUrl(url, { baseDirectory: '.', dataDirectory: '.' })
      opened.push(transport)
      expect(transport.name).toBe('rabbitmq')
      expect(transport.features).toMatchObject({ consumerGroups: true, nativeDelay: true, deliveryCount: true })
    })

    it('names the broker without the password when the login is refused', async () => {
      const refused = createRabbitmqTransport({ url: url.replace(/\/\/[^@]*@/, '//nobody:wrong-password@') })
      await expect(refused).rejects.toMatchObject({ code: 'SEPAL_ERR_TRANSPORT_UNAVAILABLE' })
      await expect(refused).rejects.toThrow(/rabbitmq broker at amqp:\/\/nobody:\*\*\*@/)
    })

    it('reads events a plain AMQP client sent in binary mode with cloudEvents_ headers and in structured mode', async () => {
      const transport = await open()
      const topic = `interop-${randomUUID().slice(0, 8)}`
      const subscription = await transport.subscribe(topic, { group: 'g' })
      const client = await amqp.connect(url)
      const channel = await client.createConfirmChannel()
      const headers = { cloudEvents_specversion: '1.0', cloudEvents_id: 'bin-1', cloudEvents_source: '/plain', cloudEvents_type: 'plain.binary', cloudEvents_count: 3 }
      channel.publish(`${namePrefix}${topic}`, '', Buffer.from('{"n":1}'), { contentType: 'application/json', headers, persistent: true })
      const structured = { specversion: '1.0', id: 'str-1', source: '/plain', type: 'plain.structured', data: 'hi', datacontenttype: 'text/plain' }
      channel.publish(`${namePrefix}${topic}`, '', Buffer.from(JSON.stringify(structured)), { contentType: 'application/cloudevents+json' })
      await channel.waitForConfirms()
      await client.close()
      const got = new Map<string, unknown>()
      for (let i = 0; i < 2; i++) {
        const delivery = await nextWithin(subscription, 10_000)
        got.set(delivery?.event.id ?? 'none', delivery?.event)
        await delivery?.ack()
      }
      expect(got.get('bin-1')).toEqual({ specversion: '1.0', id: 'bin-1', source: '/plain', type: 'plain.binary', count: 3, datacontenttype: 'application/json', data: { n: 1 } })
      expect(got.get('str-1')).toEqual(structured)
      await subscription.close()
    })

    it('redelivers at once instead of losing the event when its delay queue was deleted behind its back', async () => {
      const transport = await open()
      const topic = `gone-${randomUUID().slice(0, 8)}`
      const subscription = await transport.subscribe(topic, { group: 'g' })
      await transport.publish(topic, [event('gone-1')])
      await (await nextWithin(subscription, 10_000))?.nack({ delayMs: 100 })
      const second = await nextWithin(subscription, 10_000)
      expect(second?.attempt).toBe(2)
      const client = await amqp.connect(url)
      await (await client.createChannel()).deleteQueue(`${namePrefix}${topic}.g.delay-128`)
      await client.close()
      await second?.nack({ delayMs: 100 })
      const third = await nextWithin(subscription, 10_000)
      expect(third).toMatchObject({ attempt: 3, event: event('gone-1') })
      await third?.ack()
      await subscription.close()
    })

    it('rejects a publish at once when the topic exchange exists with another type, naming it', async () => {
      const transport = await open()
      const topic = `clash-${randomUUID().slice(0, 8)}`
      const client = await amqp.connect(url)
      await (await client.createChannel()).assertExchange(`${namePrefix}${topic}`, 'topic', { durable: false })
      await client.close()
      const publishing = transport.publish(topic, [event('clash-1')])
      await expect(publishing).rejects.toMatchObject({ code: 'SEPAL_ERR_TRANSPORT_UNAVAILABLE' })
      await expect(publishing).rejects.toThrow(/refused the exchange ".*clash-.*" \(.*PRECONDITION_FAILED/)
    })

    it('rejects a message that is no CloudEvent, reports it, and goes on with the next', async () => {
      const invalid: string[] = []
      const transport = await createRabbitmqTransport({ url, namePrefix, onInvalidMessage: (error, queue) => invalid.push(`${queue}: ${String(error)}`) })
      opened.push(transport)
      const topic = `invalid-${randomUUID().slice(0, 8)}`
      const subscription = await transport.subscribe(topic, { group: 'g' })
      const client = await amqp.connect(url)
      const channel = await client.createConfirmChannel()
      channel.publish(`${namePrefix}${topic}`, '', Buffer.from('just some text'), { contentType: 'text/plain' })
      await channel.waitForConfirms()
      await client.close()
      await transport.publish(topic, [event('after-invalid')])
      const next = await nextWithin(subscription, 10_000)
      expect(next?.event.id).toBe('after-invalid')
      await next?.ack()
      expect(invalid).toHaveLength(1)
      expect(invalid[0]).toContain(`${namePrefix}${topic}.g`)
      expect(await nextWithin(subscription, 300)).toBeUndefined()
      await subscription.close()
    })

    it('sends a delayed retry back to its own group only, counting attempts on', async () => {
      const transport = await open()
      const topic = `delay-${randomUUID().slice(0, 8)}`
      const retrying = await transport.subscribe(topic, { group: 'retrying' })
      const other = await transport.subscribe(topic, { group: 'other' })
      await transport.publish(topic, [event('d-1')], { key: 'k-1' })
      const first = await nextWithin(retrying, 10_000)
      expect(first?.attempt).toBe(1)
      await first?.nack()
      const second = await nextWithin(retrying, 10_000)
      expect(second?.attempt).toBe(2)
      await second?.nack({ delayMs: 100 })
      const third = await nextWithin(retrying, 10_000)
      expect(third).toMatchObject({ attempt: 3, key: 'k-1', event: event('d-1') })
      await third?.nack({ delayMs: 50 })
      const fourth = await nextWithin(retrying, 10_000)
      expect(fourth?.attempt).toBe(4)
      await fourth?.ack()
      const once = await nextWithin(other, 10_000)
      expect(once?.event.id).toBe('d-1')
      await once?.ack()
      expect(await nextWithin(other, 500)).toBeUndefined()
      await Promise.all([retrying.close(), other.close()])
    })
  })
}

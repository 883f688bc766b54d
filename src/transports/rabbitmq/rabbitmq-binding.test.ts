import { describe, expect, it } from 'vitest'
import type { CloudEvent } from '../../event/cloud-event.js'
import { fromRabbitmqMessage, toRabbitmqMessage, type RabbitmqMessageOut } from './rabbitmq-binding.js'

const full: CloudEvent = {
  specversion: '1.0',
  id: 'evt-1',
  source: 'https://example.com/orders',
  type: 'com.example.order.placed',
  subject: 'order/42',
  time: '2026-12-04T10:00:00.123+01:00',
  datacontenttype: 'application/json',
  dataschema: 'https://example.com/schemas/order.json',
  traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
  priority: 7,
  urgent: true,
  data: { total: 12.5, note: 'ünïcødé ✓' },
}

function received(message: RabbitmqMessageOut): CloudEvent {
  return fromRabbitmqMessage({ content: message.content, contentType: message.contentType, headers: message.headers }).event
}

describe('rabbitmq CloudEvents binding', () => {
  it('writes binary mode with cloudEvents: headers and the data content type as the content-type property', () => {
    const message = toRabbitmqMessage(full, 'binary', 'customer-7')
    expect(message.contentType).toBe('application/json')
    expect(message.headers).toMatchObject({
      'cloudEvents:specversion': '1.0',
      'cloudEvents:id': 'evt-1',
      'cloudEvents:time': '2026-12-04T10:00:00.123+01:00',
      'cloudEvents:urgent': true,
      'cloudEvents:priority': { '!': 'long', value: 7 },
      'sepal-key': 'customer-7',
    })
    expect(message.headers).not.toHaveProperty('cloudEvents:datacontenttype')
    expect(JSON.parse(message.content.toString())).toEqual(full.data)
  })

  it('keeps every attribute and extension, with its type, through binary and structured mode', () => {
    expect(received(toRabbitmqMessage(full, 'binary'))).toEqual(full)
    expect(received(toRabbitmqMessage(full, 'structured'))).toEqual(full)
  })

  it('keeps JSON data without a datacontenttype, text, and bytes without a type', () => {
    const events: CloudEvent[] = [
      { specversion: '1.0', id: 'a', source: 's', type: 't', data: [1, 'two', null] },
      { specversion: '1.0', id: 'b', source: 's', type: 't', datacontenttype: 'text/plain', data: 'line "one"\n' },
      { specversion: '1.0', id: 'c', source: 's', type: 't', data_base64: Buffer.from('{"looks":"like json"}').toString('base64') },
      { specversion: '1.0', id: 'd', source: 's', type: 't' },
    ]
    for (const event of events) expect(received(toRabbitmqMessage(event, 'binary'))).toEqual(event)
  })

  it('reads the cloudEvents_ separator of binding 1.0.3 and native AMQP timestamps and bytes', () => {
    const event = fromRabbitmqMessage({
      content: Buffer.from('hello'),
      contentType: 'text/plain',
      headers: {
        cloudEvents_specversion: '1.0',
        cloudEvents_id: 'x-1',
        cloudEvents_source: '/sensors/1',
        cloudEvents_type: 'reading',
        cloudEvents_time: { '!': 'timestamp', value: 1_796_400_000 },
        cloudEvents_signature: Buffer.from([1, 2, 3]),
      },
    }).event
    expect(event).toEqual({
      specversion: '1.0',
      id: 'x-1',
      source: '/sensors/1',
      type: 'reading',
      time: '2026-12-04T16:00:00Z',
      signature: 'AQID',
      datacontenttype: 'text/plain',
      data: 'hello',
    })
  })

  it('reads a structured event sent without any content type, as a plain JSON message', () => {
    const body = { specversion: '1.0', id: 'p-1', source: 'plain', type: 'plain.json', data: { ok: true } }
    expect(fromRabbitmqMessage({ content: Buffer.from(JSON.stringify(body)) }).event).toEqual(body)
  })

  it('rejects headers that do not name an attribute and messages that are no CloudEvent', () => {
    const headers = { 'cloudEvents:specversion': '1.0', 'cloudEvents:id': '1', 'cloudEvents:source': 's', 'cloudEvents:type': 't' }
    expect(() => fromRabbitmqMessage({ content: Buffer.alloc(0), headers: { ...headers, 'cloudEvents:Bad-Name': 'x' } })).toThrow(/does not name an attribute/)
    expect(() => fromRabbitmqMessage({ content: Buffer.from('not json') })).toThrowError(expect.objectContaining({ code: 'SEPAL_ERR_EVENT_INVALID' }))
    expect(() => fromRabbitmqMessage({ content: Buffer.from('{}'), contentType: 'application/cloudevents-batch+json' })).toThrowError(
      expect.objectContaining({ code: 'SEPAL_ERR_UNSUPPORTED_MEDIA_TYPE' }),
    )
  })

  it('hands back the ordering key it was published with', () => {
    const message = toRabbitmqMessage(full, 'structured', 'k-9')
    expect(fromRabbitmqMessage({ content: message.content, contentType: message.contentType, headers: message.headers }).key).toBe('k-9')
  })
})

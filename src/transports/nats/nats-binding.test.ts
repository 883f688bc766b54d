import { describe, expect, it } from 'vitest'
import type { CloudEvent } from '../../event/cloud-event.js'
import { parseEvent } from '../../event/parse-event.js'
import { fromNatsMessage, toNatsMessage, type NatsMessageOut } from './nats-binding.js'

/** A written message as a reader gets it: headers with value lists, the payload as bytes. */
function received(message: NatsMessageOut): { headers: Array<[string, string[]]>; body: Uint8Array } {
  const body = typeof message.body === 'string' ? Buffer.from(message.body, 'utf8') : message.body
  return { headers: Object.entries(message.headers).map(([name, value]) => [name, [value]]), body }
}

const full: CloudEvent = {
  specversion: '1.0',
  id: 'order-42',
  source: 'https://example.com/orders',
  type: 'com.example.order.placed',
  subject: 'order/42',
  time: '2026-12-04T10:00:00.123Z',
  datacontenttype: 'application/json',
  dataschema: 'https://example.com/schemas/order.json',
  traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
  note: 'ünïcødé "quoted" 100%',
  data: { total: 12.5, items: [{ sku: 'a', qty: 2 }] },
}

describe('CloudEvents NATS binding', () => {
  it('writes every attribute, datacontenttype included, as a percent-encoded ce- header in binary mode', () => {
    const message = toNatsMessage(full, 'binary')
    expect(message.headers['ce-datacontenttype']).toBe('application/json')
    expect(message.headers['ce-id']).toBe('order-42')
    expect(message.headers['ce-note']).toBe('%C3%BCn%C3%AFc%C3%B8d%C3%A9%20%22quoted%22%20100%25')
    expect(message.headers['content-type']).toBeUndefined()
    expect(JSON.parse(String(message.body))).toEqual(full.data)
  })

  it('round-trips JSON, text, binary and absent data in binary and structured mode', () => {
    const events: CloudEvent[] = [
      full,
      { specversion: '1.0', id: 't', source: 's', type: 'x', datacontenttype: 'text/plain', data: 'line one\nline "two"' },
      { specversion: '1.0', id: 'b', source: 's', type: 'x', datacontenttype: 'application/octet-stream', data_base64: 'AAEC/v8=' },
      { specversion: '1.0', id: 'n', source: 's', type: 'x' },
      { specversion: '1.0', id: 'j', source: 's', type: 'x', data: { implied: 'json' } },
    ]
    for (const mode of ['binary', 'structured'] as const) {
      for (const event of events) expect(fromNatsMessage(received(toNatsMessage(event, mode))).event).toEqual(event)
    }
  })

  it('marks JSON data of an event without datacontenttype with a plain content-type header only', () => {
    const message = toNatsMessage({ specversion: '1.0', id: 'j', source: 's', type: 'x', data: [1, 2] }, 'binary')
    expect(message.headers['content-type']).toBe('application/json')
    expect(message.headers['ce-datacontenttype']).toBeUndefined()
  })

  it('keeps the ordering key in its own header and gives it back', () => {
    const decoded = fromNatsMessage(received(toNatsMessage(full, 'binary', 'customer 7')))
    expect(decoded.key).toBe('customer 7')
    expect(decoded.event).toEqual(full)
  })

  it('reads a structured message by its content type, and a headerless payload as the 1.0.2 binding sent it', () => {
    const text = JSON.stringify(full)
    const typed = { headers: [['Content-Type', ['application/cloudevents+json; charset=utf-8']]] as Array<[string, string[]]>, body: Buffer.from(text) }
    expect(fromNatsMessage(typed).event).toEqual(full)
    expect(fromNatsMessage({ headers: undefined, body: Buffer.from(text) }).event).toEqual(full)
  })

  it('reads ce- headers in any case, as other clients may write them', () => {
    const headers: Array<[string, string[]]> = [
      ['Ce-Specversion', ['1.0']],
      ['CE-ID', ['1']],
      ['ce-source', ['s']],
      ['ce-type', ['x']],
      ['Ce-Datacontenttype', ['text/plain']],
    ]
    expect(fromNatsMessage({ headers, body: Buffer.from('hi') }).event).toEqual(
      parseEvent({ specversion: '1.0', id: '1', source: 's', type: 'x', datacontenttype: 'text/plain', data: 'hi' }),
    )
  })

  it('refuses a message that is not a valid CloudEvent with the problems listed', () => {
    const missingType = { headers: [['ce-specversion', ['1.0']], ['ce-id', ['1']], ['ce-source', ['s']]] as Array<[string, string[]]>, body: new Uint8Array() }
    expect(() => fromNatsMessage(missingType)).toThrow(/type/)
    expect(() => fromNatsMessage({ headers: [['ce-__proto__', ['x']]], body: new Uint8Array() })).toThrow(/does not name an attribute/)
    expect(() => fromNatsMessage({ headers: undefined, body: Buffer.from('not json') })).toThrow(expect.objectContaining({ code: 'SEPAL_ERR_EVENT_INVALID' }))
    const xml = { headers: [['content-type', ['application/cloudevents+xml']]] as Array<[string, string[]]>, body: Buffer.from('<e/>') }
    expect(() => fromNatsMessage(xml)).toThrow(expect.objectContaining({ code: 'SEPAL_ERR_UNSUPPORTED_MEDIA_TYPE' }))
  })

  it('validates events before writing them', () => {
    expect(() => toNatsMessage({ specversion: '1.0', id: '', source: 's', type: 'x' }, 'binary')).toThrow(
      expect.objectContaining({ code: 'SEPAL_ERR_EVENT_INVALID' }),
    )
  })
})

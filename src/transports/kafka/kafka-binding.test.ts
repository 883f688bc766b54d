import { CloudEvent as SdkEvent, Kafka } from 'cloudevents'
import { describe, expect, it } from 'vitest'
import type { CloudEvent } from '../../event/cloud-event.js'
import { fromKafkaRecord, toKafkaRecord } from './kafka-binding.js'

const full: CloudEvent = {
  specversion: '1.0',
  id: 'e-1',
  source: 'https://example.com/orders',
  type: 'com.example.order.placed',
  subject: 'order/42',
  time: '2026-12-04T10:00:00.123Z',
  datacontenttype: 'application/json',
  dataschema: 'https://example.com/schemas/order.json',
  traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
  partitionkey: 'customer-7',
  data: { total: 12.5, note: 'ünïcødé ✓' },
}

function headerObject(headers: Map<Buffer, Buffer>): Record<string, string> {
  return Object.fromEntries([...headers].map(([name, value]) => [name.toString(), value.toString()]))
}

function headerMap(headers: Record<string, unknown>): Map<Buffer, Buffer> {
  const entries = Object.entries(headers).filter(([, value]) => value !== undefined)
  return new Map(entries.map(([name, value]) => [Buffer.from(name), Buffer.from(String(value))]))
}

describe('CloudEvents Kafka binding', () => {
  it('writes binary mode with ce_ headers, content-type for datacontenttype and the data as the value', () => {
    const record = toKafkaRecord(full, 'binary')
    const headers = headerObject(record.headers)
    expect(headers['content-type']).toBe('application/json')
    expect(headers['ce_id']).toBe('e-1')
    expect(headers['ce_traceparent']).toBe(full['traceparent'])
    expect(headers['ce_datacontenttype']).toBeUndefined()
    expect(JSON.parse(record.value!.toString())).toEqual(full.data)
    expect(record.key?.toString()).toBe('customer-7')
  })

  it('round-trips every attribute and each kind of data in both modes', () => {
    const events: CloudEvent[] = [
      full,
      { specversion: '1.0', id: 't', source: 's', type: 'x', datacontenttype: 'text/plain', data: 'line "two"\nünï' },
      { specversion: '1.0', id: 'b', source: 's', type: 'x', datacontenttype: 'application/octet-stream', data_base64: 'AAEC/v8=' },
      { specversion: '1.0', id: 'raw', source: 's', type: 'x', data_base64: 'MTIz' },
      { specversion: '1.0', id: 'implied', source: 's', type: 'x', data: { i: 1 } },
      { specversion: '1.0', id: 'none', source: 's', type: 'x' },
    ]
    for (const mode of ['binary', 'structured'] as const) {
      for (const event of events) {
        const record = toKafkaRecord(event, mode)
        expect(fromKafkaRecord({ headers: record.headers, value: record.value })).toEqual(event)
      }
    }
  })

  it('writes an event without data as a record without a value, and takes the publish key over partitionkey', () => {
    const record = toKafkaRecord({ specversion: '1.0', id: 'n', source: 's', type: 'x', partitionkey: 'p' }, 'binary', 'chosen')
    expect(record.value).toBeUndefined()
    expect(record.key?.toString()).toBe('chosen')
  })

  it('reads what the CloudEvents JS SDK writes, in binary and structured mode', () => {
    const sdkEvent = new SdkEvent({ id: 'sdk-1', source: 'sdk', type: 't', datacontenttype: 'application/json', data: { a: 1 }, ext1: 'v' })
    for (const message of [Kafka.binary(sdkEvent), Kafka.structured(sdkEvent)]) {
      const value = typeof message.value === 'string' ? message.value : JSON.stringify(message.value)
      const event = fromKafkaRecord({ headers: headerMap(message.headers), value: Buffer.from(value) })
      expect(event).toMatchObject({ id: 'sdk-1', source: 'sdk', type: 't', datacontenttype: 'application/json', data: { a: 1 }, ext1: 'v' })
    }
  })

  it('writes what the CloudEvents JS SDK reads', () => {
    const record = toKafkaRecord(full, 'binary')
    const sdkEvent = Kafka.toEvent({ headers: headerObject(record.headers), value: record.value!, key: 'customer-7' } as never) as SdkEvent
    expect(sdkEvent.id).toBe('e-1')
    expect(sdkEvent.subject).toBe('order/42')
    expect(sdkEvent['traceparent']).toBe(full['traceparent'])
    expect(sdkEvent.data).toEqual(full.data)
  })

  it('rejects a record whose headers are not attributes or whose structured type it cannot read', () => {
    const badName = new Map([[Buffer.from('ce_Bad-Name'), Buffer.from('x')], [Buffer.from('ce_id'), Buffer.from('1')]])
    expect(() => fromKafkaRecord({ headers: badName, value: undefined })).toThrow(/ce_bad-name/)
    const xml = new Map([[Buffer.from('content-type'), Buffer.from('application/cloudevents+xml')]])
    expect(() => fromKafkaRecord({ headers: xml, value: Buffer.from('<e/>') })).toThrow(/application\/cloudevents\+xml/)
  })
})

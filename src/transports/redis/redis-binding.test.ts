import { describe, expect, it } from 'vitest'
import type { CloudEvent } from '../../event/cloud-event.js'
import { fromStreamFields, toStreamFields } from './redis-binding.js'
import { parseRedisUrl } from './redis-connect.js'
import { compareIds } from './redis-trim.js'

/** Fields as XREADGROUP returns them: every name and value a buffer. */
function asRead(fields: ReadonlyArray<string | Buffer>): Buffer[] {
  return fields.map((field) => (typeof field === 'string' ? Buffer.from(field, 'utf8') : field))
}

function fieldMap(fields: ReadonlyArray<string | Buffer>): Map<string, string> {
  const map = new Map<string, string>()
  for (let i = 0; i + 1 < fields.length; i += 2) map.set(String(fields[i]), String(fields[i + 1]))
  return map
}

const events: CloudEvent[] = [
  {
    specversion: '1.0', id: 'json', source: 'https://example.com/orders', type: 'order.placed', subject: 'order/42',
    time: '2026-12-04T10:00:00Z', datacontenttype: 'application/json', traceparent: '00-abc-01', data: { total: 12.5, note: 'ünï ✓' },
  },
  { specversion: '1.0', id: 'implied', source: 's', type: 't', data: [1, 'two', null] },
  { specversion: '1.0', id: 'text', source: 's', type: 't', datacontenttype: 'text/plain', data: 'line one\nline "two"' },
  { specversion: '1.0', id: 'bytes', source: 's', type: 't', datacontenttype: 'application/octet-stream', data_base64: Buffer.from([0, 1, 254, 255]).toString('base64') },
  { specversion: '1.0', id: 'none', source: 's', type: 't', partitionkey: 'k' },
]

describe('the redis stream entry binding', () => {
  it('writes attributes to ce_ fields, datacontenttype to content-type and the data bytes to data', () => {
    const fields = fieldMap(toStreamFields(events[0]!, 'binary', 'customer-7'))
    expect(fields.get('ce_id')).toBe('json')
    expect(fields.get('ce_traceparent')).toBe('00-abc-01')
    expect(fields.get('content-type')).toBe('application/json')
    expect(fields.has('ce_datacontenttype')).toBe(false)
    expect(JSON.parse(fields.get('data')!)).toEqual({ total: 12.5, note: 'ünï ✓' })
    expect(fields.get('sepal_key')).toBe('customer-7')
  })

  it.each(['binary', 'structured'] as const)('reads back every kind of event written in %s mode unchanged', (mode) => {
    for (const event of events) {
      const decoded = fromStreamFields(asRead(toStreamFields(event, mode, 'k')))
      expect(decoded.event).toEqual(event)
      expect(decoded.key).toBe('k')
      expect(decoded.priorAttempts).toBe(0)
    }
  })

  it('keeps binary data byte for byte', () => {
    const fields = toStreamFields(events[3]!, 'binary')
    expect(fieldMap(fields).has('data')).toBe(true)
    const data = fields[fields.indexOf('data') + 1]
    expect(Buffer.isBuffer(data) && [...data]).toEqual([0, 1, 254, 255])
  })

  it('reads an entry of JSON alone, as another producer might write it, as a structured event', () => {
    const json = JSON.stringify({ specversion: '1.0', id: 'x', source: 's', type: 't', data: { a: 1 } })
    expect(fromStreamFields(asRead(['data', json])).event).toEqual({ specversion: '1.0', id: 'x', source: 's', type: 't', data: { a: 1 } })
  })

  it('counts the attempts recorded in the entry', () => {
    const fields = [...toStreamFields(events[1]!, 'binary'), 'sepal_attempts', '3']
    expect(fromStreamFields(asRead(fields)).priorAttempts).toBe(3)
  })

  it('rejects fields that do not name an attribute and entries that are not CloudEvents', () => {
    expect(() => fromStreamFields(asRead(['ce_id', 'a', 'ce_source', 's', 'ce_type', 't', 'ce_specversion', '1.0', 'ce___proto__', 'x']))).toThrow(
      expect.objectContaining({ code: 'SEPAL_ERR_EVENT_INVALID' }),
    )
    expect(() => fromStreamFields(asRead(['data', '{"id":1}']))).toThrow(expect.objectContaining({ code: 'SEPAL_ERR_EVENT_INVALID' }))
    expect(() => fromStreamFields(asRead(['content-type', 'application/cloudevents+xml', 'data', '<e/>']))).toThrow(
      expect.objectContaining({ code: 'SEPAL_ERR_UNSUPPORTED_MEDIA_TYPE' }),
    )
  })
})

describe('redis URLs', () => {
  it('reads host, port, database and credentials, and hides the password when shown', () => {
    const address = parseRedisUrl('redis://app:s3cret@cache.internal:6380/2')
    expect(address).toMatchObject({ host: 'cache.internal', port: 6380, db: 2, username: 'app', password: 's3cret', tls: false })
    expect(address.shown).toBe('redis://app:***@cache.internal:6380/2')
    expect(parseRedisUrl('rediss://127.0.0.1')).toMatchObject({ port: 6379, db: 0, tls: true })
  })

  it('rejects URLs it cannot use with SEPAL_ERR_TRANSPORT_URL_INVALID, naming the URL without its password', () => {
    for (const url of ['http://127.0.0.1:6379', 'redis://127.0.0.1:6379/cache', 'redis://127.0.0.1:6379?db=1', 'not a url']) {
      expect(() => parseRedisUrl(url)).toThrow(expect.objectContaining({ code: 'SEPAL_ERR_TRANSPORT_URL_INVALID' }))
    }
    expect(() => parseRedisUrl('redis://u:hunter2@h/x')).toThrow(/redis:\/\/\*\*\*@h\/x/)
  })
})

describe('stream ids', () => {
  it('are ordered by time, then by sequence, as numbers', () => {
    expect(compareIds('1700000000000-0', '999999999999-5')).toBe(1)
    expect(compareIds('5-2', '5-10')).toBe(-1)
    expect(compareIds('5-2', '5-2')).toBe(0)
  })
})

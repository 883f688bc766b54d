import { describe, expect, it } from 'vitest'
import { createEvent } from './create-event.js'
import { EventValidationError } from './event-errors.js'
import { eventWireSize } from './event-size.js'

describe('createEvent', () => {
  it('fills specversion, a UUID id and the current time, and freezes the event', () => {
    const before = Date.now()
    const event = createEvent({ source: '/orders', type: 'com.example.order.placed', data: { id: 42 } })
    expect(event.specversion).toBe('1.0')
    expect(event.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
    expect(Date.parse(event.time!)).toBeGreaterThanOrEqual(before - 1000)
    expect(Object.isFrozen(event)).toBe(true)
    expect(Object.isFrozen(event.data)).toBe(true)
  })

  it('keeps an id and time the producer gives', () => {
    const event = createEvent({ id: 'x-1', time: '2018-04-05T17:31:00Z', source: '/s', type: 't' })
    expect(event.id).toBe('x-1')
    expect(event.time).toBe('2018-04-05T17:31:00Z')
  })

  it('converts a Date to its RFC 3339 string and bytes to base64, as the type system says', () => {
    const event = createEvent({
      source: '/s',
      type: 't',
      time: new Date('2018-04-05T17:31:00Z'),
      datacontenttype: 'application/octet-stream',
      data: new Uint8Array([1, 2, 3]),
      signature: new Uint8Array([255]),
    })
    expect(event.time).toBe('2018-04-05T17:31:00.000Z')
    expect(event.data_base64).toBe('AQID')
    expect('data' in event).toBe(false)
    expect(event['signature']).toBe('/w==')
  })

  it('throws EventValidationError listing every problem', () => {
    let error: unknown
    try {
      createEvent({ source: '', type: 't', time: new Date(Number.NaN), BadName: 1 })
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(EventValidationError)
    expect((error as EventValidationError).problems.map((p) => p.attribute)).toEqual(['source', 'time', 'BadName'])
  })

  it('rejects a specversion other than 1.0 even when given explicitly', () => {
    expect(() => createEvent({ specversion: '0.3' as '1.0', source: '/s', type: 't' })).toThrow(/specversion: must be "1.0"/)
  })
})

describe('eventWireSize', () => {
  it('counts the UTF-8 bytes of the JSON format, multi-byte characters included', () => {
    const event = createEvent({ id: '1', time: '2018-04-05T17:31:00Z', source: '/s', type: 't', data: '€' })
    const json = JSON.stringify(event)
    expect(eventWireSize(event)).toBe(json.length + 2) // '€' is one UTF-16 unit and three UTF-8 bytes
    expect(eventWireSize(json)).toBe(eventWireSize(event))
  })
})

import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { isCloudEventsString } from './attribute-formats.js'
import type { CloudEvent } from './cloud-event.js'
import { createEvent, type EventInit } from './create-event.js'
import { EventValidationError } from './event-errors.js'
import { fromHttp } from './http-read.js'
import { toHttp, toHttpBatch } from './http-write.js'
import { parseEvent } from './parse-event.js'

const CORE = new Set(['specversion', 'id', 'source', 'type', 'subject', 'time', 'datacontenttype', 'dataschema', 'data'])

const ceString = fc.string({ unit: 'grapheme', minLength: 1 }).filter(isCloudEventsString)
const extensionName = fc.stringMatching(/^[a-z0-9]{1,20}$/).filter((name) => !CORE.has(name))
const extensionValue = fc.oneof(ceString, fc.boolean(), fc.integer({ min: -2147483648, max: 2147483647 }))
const timestamp = fc.date({ min: new Date('0001-01-01T00:00:00Z'), max: new Date('9999-12-31T23:59:59Z'), noInvalidDate: true }).map((d) => d.toISOString())
const payload = fc.oneof(
  fc.record({ datacontenttype: fc.constant('application/json'), data: fc.jsonValue() }),
  fc.record({ data: fc.jsonValue() }),
  fc.record({ datacontenttype: fc.constant('text/plain; charset=utf-8'), data: ceString }),
  fc.record({ datacontenttype: fc.constant('application/octet-stream'), data: fc.uint8Array({ minLength: 1 }) }),
  fc.constant({}),
)

/** Any valid event: every optional attribute, extension type and kind of data that can ride on HTTP. */
const validEvent = fc
  .tuple(
    fc.record(
      {
        id: ceString,
        source: fc.constantFrom('https://example.com/orders', '/orders', 'urn:uuid:6e8bc430-9c3a-11d9-9669-0800200c9a66', 'app.orders', '1-555-123-4567'),
        type: ceString,
        subject: ceString,
        time: timestamp,
        dataschema: fc.constantFrom('https://example.com/schema.json', 'urn:example:schema'),
      },
      { requiredKeys: ['id', 'source', 'type'] },
    ),
    fc.dictionary(extensionName, extensionValue, { maxKeys: 5 }),
    payload,
  )
  .map(([core, extensions, data]) => createEvent({ ...extensions, ...core, ...data } as EventInit))

/** What binary mode can say: every header is a string, and an implied JSON content type becomes explicit. */
function asBinaryModeSeesIt(event: CloudEvent): Record<string, unknown> {
  const expected: Record<string, unknown> = {}
  for (const [name, value] of Object.entries(event)) expected[name] = name === 'data' || typeof value === 'string' ? value : String(value)
  if ('data' in event && event.datacontenttype === undefined) expected['datacontenttype'] = 'application/json'
  if ('data' in event) expected['data'] = JSON.parse(JSON.stringify(event.data)) as unknown
  return expected
}

describe('round trips of valid events', () => {
  it('structured mode and parseEvent give back the same event', () => {
    fc.assert(
      fc.property(validEvent, (event) => {
        const json = JSON.parse(JSON.stringify(event)) as unknown // what JSON can carry (no -0)
        expect(fromHttp(toHttp(event, 'structured'))).toEqual([json])
        expect(parseEvent(JSON.stringify(event))).toEqual(json)
      }),
      { numRuns: 300 },
    )
  })

  it('binary mode gives back the same attributes, extensions as their canonical strings, and the same data', () => {
    fc.assert(
      fc.property(validEvent, (event) => {
        expect(fromHttp(toHttp(event, 'binary'))[0]).toEqual(asBinaryModeSeesIt(event))
      }),
      { numRuns: 300 },
    )
  })

  it('batch mode gives back the same events in order', () => {
    fc.assert(
      fc.property(fc.array(validEvent, { maxLength: 5 }), (events) => {
        expect(fromHttp(toHttpBatch(events))).toEqual(JSON.parse(JSON.stringify(events)))
      }),
      { numRuns: 100 },
    )
  })

  it('createEvent on any record either builds an event or throws EventValidationError', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.oneof(fc.string(), fc.constantFrom(...CORE)), fc.jsonValue()), (init) => {
        try {
          const event = createEvent(init as { source: string; type: string })
          expect(Object.isFrozen(event)).toBe(true)
        } catch (error) {
          expect(error).toBeInstanceOf(EventValidationError)
        }
      }),
      { numRuns: 500 },
    )
  })
})

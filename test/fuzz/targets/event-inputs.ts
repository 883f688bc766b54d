import fc from 'fast-check'
import { anyText, perturbed } from '../harness/mutate.js'

/** Attribute values that are valid, and, separately, nearly valid or plainly wrong. */
const goodTime = fc.date({ min: new Date('0001-01-01T00:00:00Z'), max: new Date('9999-12-31T23:59:59Z'), noInvalidDate: true }).map((d) => d.toISOString())
const badTime = fc.constantFrom('2024-02-30T00:00:00Z', '2024-01-01T24:00:00Z', '2024-01-01T00:00:60Z', '2024-01-01T00:00:00+25:00', '2024-01-01', '2024-01-01t00:00:00z', '2024-01-01T00:00:00.123456789Z', '')
const goodUri = fc.oneof(fc.webUrl(), fc.constantFrom('urn:x:y', 'mailto:a@b'))
const badUri = fc.constantFrom('/relative', '%', 'http://[::1', ' ', '', 'http://x/#frag')
const goodMediaType = fc.constantFrom('application/json', 'application/json; charset=utf-8', 'text/plain', 'text/plain; charset=latin1', 'application/octet-stream', 'application/xml', 'application/vnd.x+json')
const badMediaType = fc.constantFrom('text/plain; charset=nope', 'bogus', '', 'application/', '/json')
const goodExtensionName = fc.stringMatching(/^[a-z0-9]{1,20}$/).filter((n) => !['specversion', 'id', 'source', 'type', 'time', 'subject', 'datacontenttype', 'dataschema', 'data'].includes(n))
const badExtensionName = fc.constantFrom('__proto__', 'constructor', 'Upper', 'a-b', 'data_base64', 'x'.repeat(30))
const goodExtensionValue = fc.oneof(fc.string({ maxLength: 20 }), fc.integer({ min: -2147483648, max: 2147483647 }), fc.boolean())
const badExtensionValue = fc.oneof(fc.double(), fc.constant(null), fc.jsonValue({ maxDepth: 1 }), fc.constant(2 ** 31))

const data = fc.oneof(
  fc.record({ data: fc.jsonValue({ maxDepth: 3 }) }),
  fc.record({ data_base64: fc.base64String({ maxLength: 40 }) }),
  fc.constant({}),
)

/** A CloudEvent object built to be valid, with extensions and data of every kind. */
export const validEventObject: fc.Arbitrary<Record<string, unknown>> = fc
  .tuple(
    fc.record(
      {
        specversion: fc.constant('1.0'),
        id: fc.string({ minLength: 1, maxLength: 20 }),
        source: fc.oneof(fc.constantFrom('app.orders', '/sensors/1', 'urn:x'), goodUri),
        type: fc.string({ minLength: 1, maxLength: 20 }),
        time: goodTime,
        subject: fc.string({ minLength: 1, maxLength: 20 }),
        datacontenttype: goodMediaType,
        dataschema: goodUri,
      },
      { requiredKeys: ['specversion', 'id', 'source', 'type'] },
    ),
    data,
    fc.dictionary(goodExtensionName, goodExtensionValue, { maxKeys: 3 }),
  )
  .map(([event, payload, extensions]) => ({ ...extensions, ...event, ...payload }))

/** One attribute set to a value that is nearly right: the edge cases of each rule. */
const edgyEventObject = fc
  .tuple(
    validEventObject,
    fc.oneof(
      badTime.map((v) => ['time', v] as const),
      badUri.map((v) => ['dataschema', v] as const),
      badUri.map((v) => ['source', v] as const),
      badMediaType.map((v) => ['datacontenttype', v] as const),
      fc.constantFrom('', '0.3', '1', '1.0 ').map((v) => ['specversion', v] as const),
      fc.tuple(badExtensionName, goodExtensionValue),
      fc.tuple(goodExtensionName, badExtensionValue),
      fc.base64String({ maxLength: 8 }).map((v) => ['data_base64', v] as const),
      fc.constantFrom('', '====', 'a', 'QQ', 'QQ=', '!!!!').map((v) => ['data_base64', v] as const),
    ),
  )
  .map(([event, [key, value]]) => {
    const copy: Record<string, unknown> = { ...event }
    Object.defineProperty(copy, key, { value, enumerable: true, writable: true, configurable: true })
    return copy
  })

const attributeNames = ['specversion', 'id', 'source', 'type', 'time', 'subject', 'datacontenttype', 'dataschema', 'data', 'data_base64']

/** Valid events and events wrong in exactly one attribute. */
export const eventObject: fc.Arbitrary<Record<string, unknown>> = fc.oneof(validEventObject, edgyEventObject, perturbed(validEventObject, attributeNames))

/** Any JSON value, with a bias towards objects that look like events. */
export const eventValue: fc.Arbitrary<unknown> = fc.oneof({ arbitrary: eventObject, weight: 4 }, { arbitrary: fc.jsonValue({ maxDepth: 3 }), weight: 1 })

export const eventJsonText = eventValue.map((value) => JSON.stringify(value))

export const batchJsonText = fc
  .oneof(fc.array(eventValue, { maxLength: 5 }), fc.array(validEventObject, { maxLength: 5 }))
  .map((events) => JSON.stringify(events))

export { anyText }

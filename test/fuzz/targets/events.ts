import fc from 'fast-check'
import { fromHttp, type HttpMessage } from '../../../src/event/http-read.js'
import { parseBatch, parseEvent } from '../../../src/event/parse-event.js'
import { deepJson, textInput } from '../harness/mutate.js'
import { outcomeOf } from '../harness/outcome.js'
import type { FuzzTarget } from '../harness/runner.js'
import { anyText, batchJsonText, eventJsonText, eventObject, eventValue, validEventObject } from './event-inputs.js'

function stateless<T>(name: string, input: fc.Arbitrary<T>, call: (input: T) => unknown): FuzzTarget<T> {
  return {
    name,
    input,
    open: async () => ({ check: (value) => outcomeOf(() => call(value)), close: async () => {} }),
  }
}

/** `parseEvent` on text (valid, mutated, any) and on already parsed values. */
export const structuredEventTarget = stateless(
  'cloudevents-structured',
  fc.oneof({ arbitrary: textInput(eventJsonText), weight: 4 }, { arbitrary: deepJson, weight: 1 }, { arbitrary: eventValue, weight: 2 }),
  (input: unknown) => parseEvent(input as string | object),
)

/** `parseBatch` on batch text and arrays. */
export const batchTarget = stateless(
  'cloudevents-batch',
  fc.oneof(
    { arbitrary: textInput(batchJsonText), weight: 4 },
    { arbitrary: deepJson, weight: 1 },
    { arbitrary: fc.array(eventValue, { maxLength: 5 }), weight: 2 },
  ),
  (input: unknown) => parseBatch(input as string | readonly unknown[]),
)

const charset = fc.constantFrom('', '; charset=utf-8', '; charset=UTF-8', '; charset="utf-8"', '; charset=latin1', '; charset=iso-8859-1', '; charset=utf-16', '; charset=utf-16le', '; charset=ascii', '; charset=bogus', '; charset=', ';charset', '; a=b; charset=utf-8')
const contentTypeBase = fc.constantFrom(
  'application/cloudevents+json', 'application/cloudevents-batch+json', 'APPLICATION/CloudEvents+JSON', 'application/cloudevents', 'application/cloudevents+xml',
  'application/cloudevents-batch', 'application/json', 'text/plain', 'text/json', 'application/octet-stream', 'application/xml', 'multipart/form-data', 'application/vnd.a+json', '*/*', '',
)
const contentType = fc.option(
  fc.oneof({ arbitrary: fc.tuple(contentTypeBase, charset).map(([t, c]) => t + c), weight: 5 }, { arbitrary: textInput(contentTypeBase), weight: 2 }),
  { nil: undefined },
)

const ceName = fc.oneof(
  fc.constantFrom('ce-specversion', 'ce-id', 'ce-source', 'ce-type', 'ce-time', 'ce-subject', 'ce-dataschema', 'ce-datacontenttype', 'ce-data', 'ce-myext', 'CE-ID', 'Ce-Source', 'ce-', 'ce-__proto__', 'ce-constructor', 'ce-Upper-Case', 'ce-a_b'),
  fc.string({ maxLength: 12 }).map((s) => `ce-${s}`),
)
const headerText = fc.oneof(
  fc.constantFrom('1.0', '0.3', '', '%', '%2', '%zz', '%C3%A9', '%C3', '%ED%A0%80', '%F0%9F%98%80', '2024-01-01T00:00:00Z', 'app.orders', 'a%20b', ' 1.0 '),
  fc.string({ maxLength: 30 }),
  anyText,
)
const headerValue: fc.Arbitrary<string | readonly string[] | undefined> = fc.oneof(
  { arbitrary: headerText, weight: 8 },
  { arbitrary: fc.array(headerText, { maxLength: 3 }), weight: 1 },
  { arbitrary: fc.constant(undefined), weight: 1 },
)

/** The four required headers made valid, then arbitrary ones on top (which may replace them). */
const validCeHeaders = validEventObject.map((event) => {
  const headers: Record<string, string> = {}
  for (const [key, value] of Object.entries(event)) {
    if (key === 'data' || key === 'data_base64' || key === 'datacontenttype') continue
    headers[`ce-${key}`] = encodeURIComponent(typeof value === 'string' ? value : JSON.stringify(value) ?? '')
  }
  return headers
})

const body: fc.Arbitrary<string | Uint8Array> = fc.oneof(
  fc.constant(''),
  textInput(eventJsonText),
  textInput(batchJsonText),
  fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
  fc.uint8Array({ maxLength: 200 }),
  fc.string({ unit: 'binary', maxLength: 100 }).map((s) => new TextEncoder().encode(s)),
  // Latin-1 and UTF-16 bytes, and UTF-8 cut in the middle of a character.
  fc.string({ maxLength: 40 }).map((s) => Buffer.from(s, 'latin1')),
  fc.string({ maxLength: 40 }).map((s) => Buffer.from(s, 'utf16le')),
  fc.constant(Buffer.from([0xe2, 0x82])),
)

const httpMessage: fc.Arbitrary<HttpMessage> = fc
  .tuple(fc.option(validCeHeaders, { nil: undefined, freq: 3 }), fc.oneof(fc.constant({}), fc.dictionary(ceName, headerValue, { maxKeys: 3 })), contentType, body, fc.dictionary(fc.constantFrom('x-other', 'content-length', 'host'), fc.string(), { maxKeys: 2 }))
  .map(([valid, extra, type, payload, other]) => {
    const headers: Record<string, string | readonly string[] | undefined> = { ...other, ...(valid ?? {}), ...extra }
    if (type !== undefined) headers['content-type'] = type
    return { headers, body: payload }
  })

/** `fromHttp` (binary, structured and batch by content type) with arbitrary headers and bodies. */
export const binaryHttpTarget = stateless('cloudevents-http', httpMessage, (message: HttpMessage) => fromHttp(message))

export { eventObject }

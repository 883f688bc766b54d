import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { EventValidationError, UnsupportedMediaTypeError } from './event-errors.js'
import { fromHttp } from './http-read.js'
import { parseBatch, parseEvent } from './parse-event.js'

function onlyExpectedErrors(run: () => unknown): void {
  try {
    run()
  } catch (error) {
    if (!(error instanceof EventValidationError) && !(error instanceof UnsupportedMediaTypeError)) throw error
    expect(error.message.length).toBeGreaterThan(0)
  }
}

// Values shaped like events half of the time, so the validator's deeper branches are reached too.
const attributeValue = fc.oneof(fc.jsonValue(), fc.constantFrom('1.0', '/s', '2018-04-05T17:31:00Z', 'text/plain', 'AQID', 'https://x/y'))
const eventLike = fc.dictionary(
  fc.oneof(fc.constantFrom('specversion', 'id', 'source', 'type', 'time', 'subject', 'datacontenttype', 'dataschema', 'data', 'data_base64', '__proto__'), fc.string()),
  attributeValue,
)

describe('no input makes the event readers throw anything but their own errors', () => {
  it('holds for parseEvent on any JSON value and any text', () => {
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue(), eventLike), (value) => {
        onlyExpectedErrors(() => parseEvent(value as object))
        onlyExpectedErrors(() => parseEvent(JSON.stringify(value) ?? ''))
      }),
      { numRuns: 500 },
    )
    fc.assert(fc.property(fc.string(), (text) => onlyExpectedErrors(() => parseEvent(text))), { numRuns: 500 })
  })

  it('holds for parseBatch on any array of values and any text', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.jsonValue(), eventLike)), fc.string(), (values, text) => {
        onlyExpectedErrors(() => parseBatch(JSON.stringify(values)))
        onlyExpectedErrors(() => parseBatch(text))
      }),
      { numRuns: 300 },
    )
  })

  it('holds for fromHttp on any headers and body', () => {
    const headerName = fc.oneof(fc.constantFrom('content-type', 'ce-specversion', 'ce-id', 'ce-source', 'ce-type', 'ce-time', 'ce-data', 'ce-__proto__'), fc.string().map((s) => `ce-${s}`), fc.string())
    const headerValue = fc.oneof(fc.constant(undefined), fc.string(), fc.array(fc.string()), fc.constantFrom('application/cloudevents+json', 'application/cloudevents-batch+json; charset=utf-16', 'application/json', 'text/plain; charset=latin1', '1.0'))
    const body = fc.oneof(fc.string(), fc.uint8Array(), fc.jsonValue().map((v) => JSON.stringify(v) ?? ''))
    fc.assert(
      fc.property(fc.dictionary(headerName, headerValue), body, (headers, payload) => {
        onlyExpectedErrors(() => fromHttp({ headers, body: payload }))
      }),
      { numRuns: 1000 },
    )
  })
})

import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  isAbsoluteUri,
  isAttributeName,
  isBase64,
  isCloudEventsInteger,
  isCloudEventsString,
  isTimestamp,
  isUriReference,
} from './attribute-formats.js'

describe('CloudEvents type system checks', () => {
  it.each([
    '2018-04-05T17:31:00Z',
    '2018-04-05T17:31:00.123456789Z',
    '2018-04-05t17:31:00z',
    '2018-04-05T17:31:00+02:00',
    '2018-04-05T17:31:00-23:59',
    '2024-02-29T00:00:00Z',
    '2016-12-31T23:59:60Z',
    '2018-04-05T17:31:00.5+05:30',
  ])('accepts the RFC 3339 timestamp %s', (value) => {
    expect(isTimestamp(value)).toBe(true)
  })

  it.each([
    'lunchtime',
    '2018-04-05',
    '2018-04-05 17:31:00Z',
    '2018-04-05T17:31:00',
    '2018-04-05T17:31Z',
    '2018-13-05T17:31:00Z',
    '2023-02-29T00:00:00Z',
    '1900-02-29T00:00:00Z',
    '2018-04-31T00:00:00Z',
    '2018-04-05T24:00:00Z',
    '2018-04-05T17:60:00Z',
    '2018-04-05T17:31:00+2:00',
    '2018-04-05T17:31:00.Z',
    '2018-04-05T17:31:00Zjunk',
    '2018-04-05T17:31:00+05:30x',
    '2018-04-05T17:31:00+05:3',
    '+2018-04-05T17:31:00Z',
    '2018-04-05X17:31:00Z',
  ])('rejects %s as a timestamp', (value) => {
    expect(isTimestamp(value)).toBe(false)
  })

  it('agrees with a regular-expression reading of RFC 3339 on timestamp-like strings', () => {
    const oracle = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(?:[Zz]|[+-](\d{2}):(\d{2}))$/
    const days = [0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
    const reference = (value: string): boolean => {
      const m = oracle.exec(value)
      if (m === null) return false
      const [y, mo, d, h, mi, s, oh, om] = m.slice(1).map((x) => (x === undefined ? 0 : Number(x))) as number[]
      const leap = y! % 4 === 0 && (y! % 100 !== 0 || y! % 400 === 0)
      if (mo! < 1 || mo! > 12 || d! < 1 || d! > (mo === 2 && !leap ? 28 : days[mo!]!)) return false
      return h! <= 23 && mi! <= 59 && s! <= 60 && oh! <= 23 && om! <= 59
    }
    const part = (n: number) => fc.integer({ min: 0, max: 10 ** n + 5 }).map((x) => String(x).padStart(n, '0'))
    const timestampLike = fc
      .tuple(part(4), part(2), part(2), fc.constantFrom('T', 't', ' '), part(2), part(2), part(2), fc.constantFrom('', '.1', '.123456', '.'), fc.constantFrom('Z', 'z', '+01:30', '-23:59', '+24:00', '+1:00', ''))
      .map(([y, mo, d, t, h, mi, s, f, z]) => `${y}-${mo}-${d}${t}${h}:${mi}:${s}${f}${z}`)
    fc.assert(fc.property(fc.oneof(timestampLike, fc.string()), (value) => {
      expect(isTimestamp(value)).toBe(reference(value))
    }), { numRuns: 2000 })
  })

  it.each(['https://example.com/orders', '/orders', '#fragment', '1-555-123-4567', 'urn:uuid:6e8bc430', 'http://[::1]:8080/a?b=c#d', 'a%2Fb', '//host/path'])(
    'accepts the URI-reference %s',
    (value) => {
      expect(isUriReference(value)).toBe(true)
    },
  )

  it.each(['a b', 'http://example.com/ä', '%zz', '1:b/c', ':no-scheme', '/a#b#c', '/path[1]', 'a"b'])(
    'rejects %s as a URI-reference',
    (value) => {
      expect(isUriReference(value)).toBe(false)
    },
  )

  it('requires a scheme and no fragment for an absolute URI', () => {
    expect(isAbsoluteUri('https://example.com/schema.json')).toBe(true)
    expect(isAbsoluteUri('urn:example:schema')).toBe(true)
    expect(isAbsoluteUri('/schema.json')).toBe(false)
    expect(isAbsoluteUri('https://example.com/schema.json#/defs/a')).toBe(false)
  })

  it('accepts padded standard base64 and rejects everything else', () => {
    expect(isBase64('')).toBe(true)
    expect(isBase64('AQID')).toBe(true)
    expect(isBase64('AQI=')).toBe(true)
    expect(isBase64('AQ==')).toBe(true)
    expect(isBase64('AQ')).toBe(false)
    expect(isBase64('AQ-_')).toBe(false)
    expect(isBase64('AQ ID')).toBe(false)
    expect(isBase64('A===')).toBe(false)
  })

  it('agrees with a regular expression for padded base64 on any base64-like string', () => {
    const oracle = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/
    const base64Like = fc.string({ unit: fc.constantFrom('A', 'z', '0', '+', '/', '=', '-', ' ') })
    const encoded = fc.uint8Array().map((bytes) => Buffer.from(bytes).toString('base64'))
    fc.assert(
      fc.property(fc.oneof(base64Like, encoded, fc.string()), (value) => {
        expect(isBase64(value)).toBe(oracle.test(value))
      }),
      { numRuns: 2000 },
    )
  })

  it('takes lower-case ASCII letters and digits as attribute names, nothing else', () => {
    expect(isAttributeName('traceparent')).toBe(true)
    expect(isAttributeName('v2')).toBe(true)
    expect(isAttributeName('')).toBe(false)
    expect(isAttributeName('Upper')).toBe(false)
    expect(isAttributeName('snake_case')).toBe(false)
    expect(isAttributeName('dash-ed')).toBe(false)
    expect(isAttributeName('ümlaut')).toBe(false)
  })

  it('bounds integers to the signed 32-bit range', () => {
    expect(isCloudEventsInteger(2147483647)).toBe(true)
    expect(isCloudEventsInteger(-2147483648)).toBe(true)
    expect(isCloudEventsInteger(2147483648)).toBe(false)
    expect(isCloudEventsInteger(-2147483649)).toBe(false)
    expect(isCloudEventsInteger(1.5)).toBe(false)
    expect(isCloudEventsInteger(Number.NaN)).toBe(false)
  })

  it('rejects control characters, noncharacters and lone surrogates but keeps surrogate pairs', () => {
    expect(isCloudEventsString('Euro € 😀')).toBe(true)
    expect(isCloudEventsString('tab\there')).toBe(false)
    expect(isCloudEventsString('c1\u0085')).toBe(false)
    expect(isCloudEventsString('del\u007f')).toBe(false)
    expect(isCloudEventsString('non\uFFFE')).toBe(false)
    expect(isCloudEventsString('non\uFDD0')).toBe(false)
    expect(isCloudEventsString('plane1\u{1FFFF}')).toBe(false)
    expect(isCloudEventsString('lone\uD800')).toBe(false)
    expect(isCloudEventsString('lone\uDC00x')).toBe(false)
  })
})

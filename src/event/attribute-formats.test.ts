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
  ])('rejects %s as a timestamp', (value) => {
    expect(isTimestamp(value)).toBe(false)
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

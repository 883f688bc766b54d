import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { decodeHeaderValue, encodeHeaderValue } from './percent-encoding.js'

describe('percent-encoding of ce- header values', () => {
  it('encodes the spec example "Euro € 😀" exactly as the HTTP binding shows', () => {
    expect(encodeHeaderValue('Euro € 😀')).toBe('Euro%20%E2%82%AC%20%F0%9F%98%80')
  })

  it('encodes space, double quote, percent and control characters with upper-case hex', () => {
    expect(encodeHeaderValue('a "b" 100%\u0001\u007f')).toBe('a%20%22b%22%20100%25%01%7F')
  })

  it('leaves printable ASCII other than space, quote and percent alone', () => {
    const printable = "!#$&'()*+,-./0123456789:;<=>?@ABCXYZ[\\]^_`abcxyz{|}~"
    expect(encodeHeaderValue(printable)).toBe(printable)
  })

  it('decodes lower-case hex and needlessly encoded characters', () => {
    expect(decodeHeaderValue('Euro%20%e2%82%ac')).toBe('Euro €')
    expect(decodeHeaderValue('%41%42C')).toBe('ABC')
  })

  it('undoes an RFC 7230 quoted-string before percent-decoding, exactly once', () => {
    expect(decodeHeaderValue('"say \\"hi\\"%20there"')).toBe('say "hi" there')
    expect(decodeHeaderValue('100%2525')).toBe('100%25')
  })

  it('rejects broken escapes and byte sequences that are not UTF-8, such as the overlong %C0%A0', () => {
    expect(decodeHeaderValue('%C0%A0')).toBeUndefined()
    expect(decodeHeaderValue('%E2%82')).toBeUndefined()
    expect(decodeHeaderValue('100%')).toBeUndefined()
    expect(decodeHeaderValue('%zz')).toBeUndefined()
  })

  it('reads raw UTF-8 that a server handed over as latin1 characters, and raw Unicode as itself', () => {
    const latin1 = Buffer.from('Euro €', 'utf8').toString('latin1')
    expect(decodeHeaderValue(latin1)).toBe('Euro €')
    expect(decodeHeaderValue('Euro € 😀')).toBe('Euro € 😀')
    expect(decodeHeaderValue('café')).toBe('café')
  })

  it('round-trips any well-formed string, non-ASCII and % included', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (value) => {
        const encoded = encodeHeaderValue(value)
        expect(encoded).toMatch(/^[\x21-\x7e]*$/)
        expect(decodeHeaderValue(encoded)).toBe(value)
      }),
    )
  })
})

import { describe, expect, it } from 'vitest'
import { isJsonEssence, isMediaType, isTextual, parseMediaType } from './media-type.js'

describe('media types', () => {
  it('parses type, subtype and parameters case-insensitively', () => {
    expect(parseMediaType('TEXT/Plain; CharSet=utf-8')).toEqual({ essence: 'text/plain', parameters: { charset: 'utf-8' } })
    expect(parseMediaType('application/json;a="quoted \\"value\\"" ; b=2')).toEqual({
      essence: 'application/json',
      parameters: { a: 'quoted "value"', b: '2' },
    })
  })

  it.each(['json', 'application/', '/json', 'application/json;', 'application/json; a', 'application/json; a=', 'text/plain; a="open', 'a b/c', 'text/plain; a = b'])(
    'rejects %j',
    (value) => {
      expect(isMediaType(value)).toBe(false)
    },
  )

  it('treats */json and */*+json as JSON and nothing else', () => {
    expect(isJsonEssence('application/json')).toBe(true)
    expect(isJsonEssence('application/vnd.api+json')).toBe(true)
    expect(isJsonEssence('text/json')).toBe(true)
    expect(isJsonEssence('application/jsonx')).toBe(false)
    expect(isJsonEssence('text/plain')).toBe(false)
  })

  it('calls text/*, XML and anything with a charset textual, and octet streams not', () => {
    expect(isTextual(parseMediaType('text/csv')!)).toBe(true)
    expect(isTextual(parseMediaType('application/atom+xml')!)).toBe(true)
    expect(isTextual(parseMediaType('application/foo; charset=utf-8')!)).toBe(true)
    expect(isTextual(parseMediaType('application/octet-stream')!)).toBe(false)
    expect(isTextual(parseMediaType('image/png')!)).toBe(false)
  })

  it('keeps a parameter named __proto__ as an ordinary key', () => {
    const parsed = parseMediaType('text/plain; __proto__=x')!
    expect(Object.getPrototypeOf(parsed.parameters)).toBe(Object.prototype)
    expect(parsed.parameters['__proto__']).toBe('x')
  })
})

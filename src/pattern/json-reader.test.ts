import { describe, expect, it } from 'vitest'
import { JsonMembers, readJson } from './json-reader.js'
import { PatternError } from './pattern-error.js'

const read = (text: string) => readJson(text, { maxDepth: 8 })

describe('readJson', () => {
  it('keeps duplicate keys in order', () => {
    const value = read('{"a": [1], "b": true, "a": [2]}')
    expect(value).toBeInstanceOf(JsonMembers)
    expect((value as JsonMembers).entries).toEqual([['a', [1]], ['b', true], ['a', [2]]])
  })
  it('reads escapes, unicode, numbers and literals as JSON.parse does', () => {
    const text = '["a\\"b\\\\c\\/\\n\\u00e9\\ud83d\\ude00", -0.5e2, 0, 12, true, false, null]'
    expect(read(text)).toEqual(JSON.parse(text))
  })
  it('refuses what JSON refuses, with line and column', () => {
    for (const bad of ['{a: 1}', '[1,]', '01', '"\\x"', '"a', '{"a" 1}', '[1] 2', 'tru', '"\u0001"']) {
      expect(() => read(bad), bad).toThrow(PatternError)
    }
    expect(() => read('{\n  "a": [1,,]\n}')).toThrow(/line 2 column 11/)
  })
  it('gives the pointer of the value being read', () => {
    try {
      read('{"detail": {"a~b/c": [1, }]}}')
      expect.unreachable()
    } catch (error) {
      expect((error as PatternError).pointer).toBe('/detail/a~0b~1c/1')
    }
  })
  it('refuses nesting beyond the limit', () => {
    expect(() => read('[[[[[[[[[1]]]]]]]]]')).toThrow(/deeper than 8/)
    expect(read('[[[[[[[[1]]]]]]]]')).toEqual([[[[[[[[1]]]]]]]])
  })
})

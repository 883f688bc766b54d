import { describe, expect, it } from 'vitest'
import { compilePattern } from './compile-pattern.js'
import { PatternError, quote } from './pattern-error.js'

function nestedArray(depth: number): unknown {
  let value: unknown = []
  for (let i = 0; i < depth; i++) value = [value]
  return value
}

describe('quote', () => {
  it('describes a value too deep for JSON.stringify instead of overflowing the stack', () => {
    expect(quote(nestedArray(20_000))).toBe('[an array nested too deep to show]')
  })
})

describe('compilePattern on a pattern object nested thousands of levels deep', () => {
  it('rejects it with a PatternError, not a RangeError', () => {
    expect(() => compilePattern({ detail: nestedArray(20_000) })).toThrow(PatternError)
    expect(() => compilePattern(nestedArray(20_000))).toThrow(PatternError)
  })
})

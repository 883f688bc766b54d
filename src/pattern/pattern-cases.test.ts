import { describe, expect, it } from 'vitest'
import { compileMatcher } from './compiled-matcher.js'
import { compilePattern } from './compile-pattern.js'
import { invalidCases, matchCases } from './pattern-cases.js'
import { PatternError } from './pattern-error.js'
import { referenceMatcher } from './reference-matcher.js'

const matchers = { compileMatcher, referenceMatcher } as const

for (const [label, build] of Object.entries(matchers)) {
  describe(`${label} on the documented examples`, () => {
    for (const c of matchCases) {
      it(`${c.name} (${c.matches ? 'match' : 'no match'})`, () => {
        expect(build([['rule', c.pattern]]).match(c.event)).toEqual(c.matches ? ['rule'] : [])
      })
    }
    it('matches the whole table at once, each id once and in insertion order', () => {
      const matcher = build(matchCases.map((c, i) => [i, c.pattern] as const))
      for (const c of matchCases) {
        const expected = matchCases.flatMap((other, i) => (build([[i, other.pattern]]).match(c.event).length > 0 ? [i] : []))
        expect(matcher.match(c.event)).toEqual(expected)
      }
    })
    for (const c of invalidCases) {
      it(`rejects ${c.name} with the pointer ${JSON.stringify(c.pointer)}`, () => {
        let thrown: unknown
        try {
          build([['rule', c.pattern]])
        } catch (error) {
          thrown = error
        }
        expect(thrown).toBeInstanceOf(PatternError)
        expect((thrown as PatternError).pointer).toBe(c.pointer)
        expect((thrown as PatternError).code).toBe('SEPAL_ERR_PATTERN_INVALID')
      })
    }
  })
}

describe('compilePattern', () => {
  it('gives the same answer as the matchers on every documented example', () => {
    for (const c of matchCases) expect(compilePattern(c.pattern).matches(c.event), c.name).toBe(c.matches)
  })
  it('reports the pointer at the start of the message', () => {
    expect(() => compilePattern({ detail: { amount: [{ numeric: 5 }] } })).toThrow(/^\/detail\/amount\/0: 'numeric' needs an array of operator\/value pairs/)
  })
  it('refuses pattern text over the size limit', () => {
    const text = JSON.stringify({ a: ['x'.repeat(200)] })
    expect(() => compilePattern(text, { maxPatternBytes: 100 })).toThrow(/over the limit of 100/)
    expect(compilePattern(text, { maxPatternBytes: 1000 }).matches({ a: 'x'.repeat(200) })).toBe(true)
  })
  it('refuses nesting deeper than the limit, in text and in objects', () => {
    const deep = (n: number): unknown => (n === 0 ? ['x'] : { a: deep(n - 1) })
    expect(() => compilePattern(JSON.stringify(deep(10)), { maxDepth: 5 })).toThrow(PatternError)
    expect(() => compilePattern(deep(10) as object, { maxDepth: 5 })).toThrow(/deeper than 5/)
    expect(compilePattern(deep(4) as object, { maxDepth: 5 }).matches({ a: { a: { a: { a: 'x' } } } })).toBe(true)
  })
  it('refuses $or groups that multiply out beyond the limit', () => {
    const group = { $or: [{ a: ['1'] }, { b: ['2'] }, { c: ['3'] }, { d: ['4'] }] }
    const pattern = { x: group, y: group, z: group, w: group }
    expect(() => compilePattern(pattern, { maxAlternatives: 100 })).toThrow(/more than 100 alternatives/)
  })
})

describe('compileMatcher with several patterns under one id', () => {
  it('returns the id once, at its first position, when either pattern matches', () => {
    const matcher = compileMatcher<string>([
      ['first', { a: ['1'] }],
      ['second', { b: ['2'] }],
      ['first', { b: ['2'] }],
    ])
    expect(matcher.match({ b: '2' })).toEqual(['first', 'second'])
    expect(referenceMatcher<string>([['first', { a: ['1'] }], ['second', { b: ['2'] }], ['first', { b: ['2'] }]]).match({ b: '2' })).toEqual(['first', 'second'])
  })
})

describe('compileMatcher over a long life', () => {
  it('keeps matching after its per-event counter wraps around', () => {
    const rules = Array.from({ length: 50 }, (_, i) => [i, { source: [`s${i % 5}`], type: [`t${i}`] }] as const)
    const matcher = compileMatcher(rules)
    const event = { source: 's3', type: 't13' }
    expect(matcher.match(event)).toEqual([13])
    // Jump to the end of the counter, see another event, then the first again just after the wrap.
    ;(matcher as unknown as { generation: number }).generation = 0x7fffffff - 1
    expect(matcher.match({ source: 's4', type: 't4' })).toEqual([4])
    for (let i = 0; i < 3; i++) expect(matcher.match(event)).toEqual([13])
  })
})

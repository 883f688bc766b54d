import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { compileMatcher } from './compiled-matcher.js'
import { compilePattern } from './compile-pattern.js'
import { explain } from './explain.js'
import { matchCases } from './pattern-cases.js'
import { valueEntry } from './pattern-arbitraries.js'
import { PatternError } from './pattern-error.js'
import { referenceMatcher } from './reference-matcher.js'

const seed = Number(process.env['PATTERN_SEED'] ?? Date.now() % 2_147_483_647)
const rules = matchCases.map((c, i) => [i, c.pattern] as const)
const compiled = compileMatcher(rules)
const reference = referenceMatcher(rules)

/** Pattern-shaped JSON: operator names and value lists in random, often wrong, places. */
const patternish: fc.Arbitrary<unknown> = fc.letrec<{ node: unknown }>((tie) => ({
  node: fc.oneof(
    { maxDepth: 4, depthIdentifier: 'patternish' },
    fc.jsonValue({ maxDepth: 2 }),
    valueEntry,
    fc.array(tie('node'), { maxLength: 3 }),
    fc.dictionary(
      fc.oneof(fc.constantFrom('$or', 'prefix', 'numeric', 'anything-but', 'exists', 'a', 'a.b', 'Prefix', 'wildcard', 'cidr'), fc.string({ maxLength: 3 })),
      tie('node'),
      { maxKeys: 3 },
    ),
  ),
})).node

describe('matching never throws', () => {
  it('on arbitrary JSON values as events', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (event) => {
        expect(Array.isArray(compiled.match(event))).toBe(true)
        expect(compiled.match(event)).toEqual(reference.match(event))
      }),
      { seed, numRuns: 2_000 },
    )
  })
  it('on arbitrary text as events', () => {
    fc.assert(
      fc.property(fc.oneof(fc.json(), fc.string()), (text) => {
        expect(compiled.match(text)).toEqual(reference.match(text))
        expect(typeof compilePattern({ a: [{ exists: false }] }).matches(text)).toBe('boolean')
      }),
      { seed, numRuns: 2_000 },
    )
  })
  it('on very deep events', () => {
    let deep: unknown = 'x'
    for (let i = 0; i < 5_000; i++) deep = { a: deep }
    expect(compiled.match(deep)).toEqual(reference.match(deep))
    expect(compilePattern({ a: { a: ['x'] } }).matches(deep)).toBe(false)
    expect(explain({ a: ['x'] }, deep).matches).toBe(false)
  })
})

describe('compiling arbitrary patterns', () => {
  const compileOrPatternError = (pattern: unknown): void => {
    try {
      compilePattern(pattern)
    } catch (error) {
      expect(error).toBeInstanceOf(PatternError)
      expect(typeof (error as PatternError).pointer).toBe('string')
    }
  }
  it('either succeeds or throws PatternError, for JSON values', () => {
    fc.assert(fc.property(fc.jsonValue(), compileOrPatternError), { seed, numRuns: 2_000 })
  })
  it('either succeeds or throws PatternError, for pattern-shaped values and their text', () => {
    fc.assert(
      fc.property(patternish, (pattern) => {
        compileOrPatternError(pattern)
        compileOrPatternError(JSON.stringify(pattern))
      }),
      { seed, numRuns: 3_000 },
    )
  })
  it('either succeeds or throws PatternError, for arbitrary text', () => {
    fc.assert(fc.property(fc.oneof(fc.json(), fc.string()), compileOrPatternError), { seed, numRuns: 2_000 })
  })
  it('accepts text and object forms alike: same verdict, same pointer', () => {
    fc.assert(
      fc.property(patternish, (pattern) => {
        // A string is pattern text by definition, so it has no separate object form.
        fc.pre(typeof pattern !== 'string')
        const outcome = (p: unknown): string => {
          try {
            compilePattern(p)
            return 'ok'
          } catch (error) {
            return (error as PatternError).pointer
          }
        }
        expect(outcome(JSON.stringify(pattern))).toBe(outcome(JSON.parse(JSON.stringify(pattern)) as unknown))
      }),
      { seed, numRuns: 2_000 },
    )
  })
})

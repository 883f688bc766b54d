import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { compileMatcher } from './compiled-matcher.js'
import { eventObject, ruleSet } from './pattern-arbitraries.js'
import { referenceMatcher } from './reference-matcher.js'

// A fixed seed per run unless PATTERN_SEED is given; fast-check prints the seed and the shrunk case on failure.
const seed = Number(process.env['PATTERN_SEED'] ?? Date.now() % 2_147_483_647)

describe('compiled matcher against the reference matcher', () => {
  it('agrees on 10,000 generated (rules, event) pairs', () => {
    let matched = 0
    fc.assert(
      fc.property(ruleSet, eventObject, (rules, event) => {
        const expected = referenceMatcher(rules).match(event)
        if (expected.length > 0) matched++
        const compiled = compileMatcher(rules)
        expect(compiled.match(event)).toEqual(expected)
        expect(compiled.match(JSON.stringify(event))).toEqual(expected)
      }),
      { seed, numRuns: 10_000, endOnFailure: false },
    )
    // The generators must make matches common, or the comparison proves little.
    expect(matched).toBeGreaterThan(1_500)
    // 10,000 compilations take 10-20 s alone and more beside other suites on a busy machine.
  }, 120_000)

  it('agrees when one matcher holds many rules and sees many events', () => {
    fc.assert(
      fc.property(fc.array(ruleSet, { minLength: 5, maxLength: 10 }), fc.array(eventObject, { minLength: 10, maxLength: 20 }), (sets, events) => {
        const rules = sets.flat().map(([, pattern], i) => [i, pattern] as const)
        const compiled = compileMatcher(rules)
        const reference = referenceMatcher(rules)
        for (const event of events) expect(compiled.match(event)).toEqual(reference.match(event))
      }),
      { seed, numRuns: 50 },
    )
  })
})

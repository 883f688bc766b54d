import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { compileMatcher } from './compiled-matcher.js'
import { eventObject, ruleSet } from './pattern-arbitraries.js'
import { referenceMatcher } from './reference-matcher.js'

const seed = Number(process.env['PATTERN_SEED'] ?? Date.now() % 2_147_483_647)
const rules = [
  ['a', { a: ['x', 1, null, true] }],
  ['ab', { a: { b: [{ prefix: 'x' }] } }],
  ['absent', { c: [{ exists: false }] }],
  ['any-b', { b: [{ exists: true }] }],
] as const
const compiled = compileMatcher(rules)
const reference = referenceMatcher(rules)

/** Event text: the answer must be the one JSON.parse would give, valid text or not. */
describe('matching event text', () => {
  it('agrees with JSON.parse on text with whitespace, escapes and unicode', () => {
    const texts = [
      ' \n\t{ "a" : "x" , "b" : [ 1 , { "z" : [] } ] }\r\n',
      '{"a":"\\u0078","b":"\\"q\\\\"}',
      '{"a\\u002eb":"xy"}',
      '{"a.b":"x1","c":{"d":[[[[["deep"]]]]]}}',
      '{"z":"é😀","a":[1e0,-0.0,2E+1]}',
    ]
    for (const text of texts) expect(compiled.match(text), text).toEqual(reference.match(text))
  })
  it('keeps the last of a repeated key, as JSON.parse does', () => {
    expect(compiled.match('{"a":"x","a":"y"}')).toEqual(reference.match('{"a":"x","a":"y"}'))
    expect(compiled.match('{"a":"y","a":"x"}')).toEqual(['a', 'absent'])
    expect(compiled.match('{"c":1,"c":2,"b":0}')).toEqual(['any-b'])
  })
  it('refuses invalid text that only a full parse would notice, even in fields no rule mentions', () => {
    for (const text of ['{"a":"x","q":[1,]}', '{"a":"x","q":"\u0001"}', '{"a":"x","q":01}', '{"a":"x","q":"\\x"}', '{"a":"x"} x', '{"a":"x","q":{"r" 1}}', '{"a":"x","q":tru}']) {
      expect(compiled.match(text), text).toEqual([])
    }
  })
  it('survives very deep nesting in skipped and in mentioned fields', () => {
    const deep = (n: number): string => '['.repeat(n) + '1' + ']'.repeat(n)
    expect(compiled.match(`{"q":${deep(100_000)},"a":"x"}`)).toEqual(['a', 'absent'])
    expect(compiled.match(`{"a":${deep(10_000)}}`)).toEqual(reference.match(`{"a":${deep(10_000)}}`))
  })
  it('agrees with JSON.parse on generated events, valid and with one character broken', () => {
    fc.assert(
      fc.property(ruleSet, eventObject, fc.nat(), fc.constantFrom('delete', 'insert', 'replace'), fc.constantFrom(...'{}[]",:\\ 0a-.e\u0001'), (set, event, at, how, char) => {
        const matcher = compileMatcher(set)
        const oracle = referenceMatcher(set)
        const text = JSON.stringify(event, null, at % 3 === 0 ? 1 : undefined)
        expect(matcher.match(text)).toEqual(oracle.match(text))
        const i = at % (text.length + 1)
        const broken = how === 'delete' ? text.slice(0, i) + text.slice(i + 1) : how === 'insert' ? text.slice(0, i) + char + text.slice(i) : text.slice(0, i) + char + text.slice(i + 1)
        expect(matcher.match(broken)).toEqual(oracle.match(broken))
      }),
      { seed, numRuns: 3_000 },
    )
  })
})

import fc from 'fast-check'

/**
 * Generators for the differential and property tests. Paths and values come from small vocabularies so
 * that generated rules and events meet often: a random test where nothing matches proves little.
 */
const keys = ['a', 'b', 'c', 'a.b', 'b.c'] as const
const strings = ['x', 'y', 'X', 'xy', 'yx', 'xyx', '', 'x*y', '10.0.0.1', '10.1.0.9', '::1', '2001:db8::7', '1', 'null'] as const
const numbers = [0, 1, 1.5, -1, 100, 1e9, -0.25] as const

export const leafValue = fc.oneof(
  fc.constantFrom(...strings),
  fc.constantFrom(...numbers),
  fc.constantFrom(null, true, false),
)

const eventValue: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown; object: Record<string, unknown> }>((tie) => ({
  value: fc.oneof(
    { maxDepth: 3, depthIdentifier: 'event', withCrossShrink: true },
    leafValue,
    fc.array(fc.oneof(leafValue, tie('object')), { maxLength: 3 }),
    tie('object'),
  ),
  object: fc.dictionary(fc.constantFrom(...keys), tie('value'), { maxKeys: 4 }),
})).value

/** Event objects over the shared key vocabulary, nested and with arrays. */
export const eventObject = fc.dictionary(fc.constantFrom(...keys), eventValue, { minKeys: 1, maxKeys: 5 })

const text = fc.constantFrom(...strings)
const nonEmptyText = fc.constantFrom('x', 'y', 'X', 'xy', '10.')
const wildcard = fc.constantFrom('x*', '*y', 'x*y', '*', '*x*', 'x\\*y', 'y*x*')
const bound = fc.constantFrom(...numbers)

export const valueEntry: fc.Arbitrary<unknown> = fc.oneof(
  leafValue,
  text.map((t) => ({ prefix: t })),
  text.map((t) => ({ suffix: t })),
  text.map((t) => ({ prefix: { 'equals-ignore-case': t } })),
  text.map((t) => ({ suffix: { 'equals-ignore-case': t } })),
  text.map((t) => ({ 'equals-ignore-case': t })),
  text.map((t) => ({ exactly: t })),
  wildcard.map((w) => ({ wildcard: w })),
  fc.oneof(text, bound, fc.array(text, { minLength: 1, maxLength: 3 }), fc.array(bound, { minLength: 1, maxLength: 3 })).map((v) => ({ 'anything-but': v })),
  fc.constantFrom('prefix', 'suffix', 'equals-ignore-case').chain((op) =>
    fc.array(nonEmptyText, { minLength: 1, maxLength: 2 }).map((v) => ({ 'anything-but': { [op]: v.length === 1 ? v[0] : v } })),
  ),
  wildcard.map((w) => ({ 'anything-but': { wildcard: w } })),
  fc.tuple(fc.constantFrom('<', '<=', '=', '>', '>='), bound).map(([op, n]) => ({ numeric: [op, n] })),
  fc.tuple(fc.constantFrom('>', '>='), bound, fc.constantFrom('<', '<='), bound)
    .filter(([, low, , high]) => low < high)
    .map(([lo, low, hi, high]) => ({ numeric: [lo, low, hi, high] })),
  fc.boolean().map((b) => ({ exists: b })),
  fc.constantFrom('10.0.0.0/8', '10.0.0.0/31', '::/0', '2001:db8::/32', '0.0.0.0/0').map((c) => ({ cidr: c })),
)

/** Valid patterns: fields with value lists, nested objects and `$or` groups. */
export const patternObject: fc.Arbitrary<Record<string, unknown>> = fc.letrec<{ object: Record<string, unknown>; value: unknown }>((tie) => ({
  object: fc.oneof(
    { maxDepth: 3, depthIdentifier: 'pattern', withCrossShrink: true },
    fc.dictionary(fc.constantFrom(...keys), tie('value'), { minKeys: 1, maxKeys: 2 }),
    fc.tuple(fc.dictionary(fc.constantFrom(...keys), tie('value'), { maxKeys: 1 }), fc.array(tie('object'), { minLength: 2, maxLength: 2 }))
      .map(([fields, alternatives]) => ({ ...fields, $or: alternatives })),
  ),
  value: fc.oneof({ maxDepth: 3, depthIdentifier: 'pattern' }, fc.array(valueEntry, { minLength: 1, maxLength: 3 }), tie('object')),
})).object

/** A few rules with string ids. */
export const ruleSet = fc.array(patternObject, { minLength: 1, maxLength: 4 }).map((patterns) => patterns.map((p, i) => [`r${i}`, p] as const))

import fc from 'fast-check'

/**
 * Pieces that tend to break parsers: JSON and YAML syntax, escapes, lone surrogates, a BOM, control
 * characters, percent signs, huge and odd numbers, prototype keys.
 */
const splinters = [
  '{', '}', '[', ']', '"', ':', ',', '\\', '\\u', '\\ud800', '\u0000', '\ud800', '\udfff', '\ufeff', '\u2028', '%', '%zz', '%C3',
  'null', 'true', '1e999', '-0', '0x10', 'NaN', '\n', '\r\n', '\t', ' ', '#', '&a', '*a', '!!str', '!!binary', '<<', '---', '...',
  '? ', '- ', '|', '>', "'", '__proto__', 'constructor', 'prototype', '=', ';', 'charset=', '\u00ff', '\u{1F600}', '9'.repeat(40),
]

const edit = fc.oneof(
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 12 }) }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), text: fc.oneof(fc.constantFrom(...splinters), fc.string({ maxLength: 6, unit: 'binary' })) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('duplicate' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 40 }) }),
  fc.record({ kind: fc.constant('swap' as const), at: fc.nat(), other: fc.nat() }),
)

type Edit = typeof edit extends fc.Arbitrary<infer T> ? T : never

function apply(text: string, change: Edit): string {
  const at = change.at % (text.length + 1)
  switch (change.kind) {
    case 'delete':
      return text.slice(0, at) + text.slice(at + change.length)
    case 'insert':
      return text.slice(0, at) + change.text + text.slice(at)
    case 'truncate':
      return text.slice(0, at)
    case 'duplicate':
      return text.slice(0, at) + text.slice(at, at + change.length) + text.slice(at)
    case 'swap': {
      const other = change.other % (text.length + 1)
      const [a, b] = at < other ? [at, other] : [other, at]
      return text.slice(0, a) + text.charAt(b) + text.slice(a + 1, b) + text.charAt(a) + text.slice(b + 1)
    }
  }
}

/** The texts of `base`, each with one to four edits applied: close to valid, so parsers get deep before failing. */
export function mutated(base: fc.Arbitrary<string>): fc.Arbitrary<string> {
  return fc.tuple(base, fc.array(edit, { minLength: 1, maxLength: 4 })).map(([text, edits]) => edits.reduce(apply, text))
}

/** Any text: short strings over all of Unicode (lone surrogates included), and splinters glued together. */
export const anyText: fc.Arbitrary<string> = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 60 }),
  fc.string({ maxLength: 60 }),
  fc.array(fc.constantFrom(...splinters), { maxLength: 12 }).map((parts) => parts.join('')),
)

/** Valid texts, their mutations and anything at all, weighted towards the first two. */
export function textInput(valid: fc.Arbitrary<string>): fc.Arbitrary<string> {
  return fc.oneof({ arbitrary: valid, weight: 3 }, { arbitrary: mutated(valid), weight: 5 }, { arbitrary: anyText, weight: 1 })
}

/** Nesting `depth` levels deep, for the depth limits: `[[[…]]]` or `{"a":{"a":…}}`. */
export const deepJson: fc.Arbitrary<string> = fc
  .tuple(fc.integer({ min: 50, max: 5000 }), fc.boolean())
  .map(([depth, arrays]) => (arrays ? '['.repeat(depth) + ']'.repeat(depth) : '{"a":'.repeat(depth) + '1' + '}'.repeat(depth)))

/** Replaces one member of an object with any JSON value, or deletes it: structured inputs that are wrong in one place. */
export function perturbed<T extends Record<string, unknown>>(base: fc.Arbitrary<T>, keys: readonly string[]): fc.Arbitrary<Record<string, unknown>> {
  return fc
    .tuple(base, fc.constantFrom(...keys), fc.option(fc.oneof(fc.jsonValue({ maxDepth: 2 }), anyText), { nil: undefined }))
    .map(([object, key, value]) => {
      const copy: Record<string, unknown> = { ...object }
      if (value === undefined) delete copy[key]
      else copy[key] = value
      return copy
    })
}

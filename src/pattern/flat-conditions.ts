import type { KeyNumbers } from './field-keys.js'
import type { ValueMatcher } from './pattern-ast.js'
import { membersOf } from './value-matchers.js'
import { parseWildcard } from './wildcard.js'

/** How a test is run: most operators are one comparison against an operand, the rest call the matcher. */
export const TestKind = { equal: 0, range: 1, prefix: 2, suffix: 3, always: 4, call: 5, wildcard: 6, notIn: 7, notPrefix: 8, notSuffix: 9 } as const
// An `equal` test's operand is a key number (see KeyNumbers), not an index into `operands`.

/** One condition of a conjunction as the matcher checks it, in the order it is checked. */
export interface ConditionToCheck {
  readonly field: number
  /** Its bit in the proven-by-the-tree sets (0: never proven, always checked). */
  readonly bit: number
  readonly allowsAbsent: boolean
  readonly matchers: readonly ValueMatcher[]
}

/**
 * Offsets inside a conjunction's run of `FlatConditions.program`: the generation that last made it a
 * candidate, its rule, its condition count; then per condition its field, bit, allows-absent (0/1) and
 * test count, each followed by (test kind, operand number) pairs.
 */
export const ConjunctionSlot = { seen: 0, rule: 1, conditionCount: 2, firstCondition: 3 } as const
export const conditionHeader = 4

/**
 * The full checks of every conjunction, packed for the same reason as the tree (flat-tree.ts): checking a
 * candidate reads one contiguous run of integers, usually one or two cache lines, rather than following
 * conjunction, condition, test closure and its captured state, each a cache miss at 10,000 rules.
 */
export interface FlatConditions {
  readonly program: Int32Array
  /** Where each conjunction's run starts, by conjunction number. */
  readonly offsets: Int32Array
  /** Per operand number: the value to compare with, the prefix or suffix, or the matcher's test function. */
  readonly operands: readonly unknown[]
  /** Per operand number of a range test, at 3 × number: low, high, flags (1 = low open, 2 = high open). */
  readonly ranges: Float64Array
}

export function flattenConditions(
  conjunctions: ReadonlyArray<{ readonly rule: number; readonly conditions: readonly ConditionToCheck[] }>,
  keyNumbers: KeyNumbers,
): FlatConditions {
  const program: number[] = []
  const offsets: number[] = []
  const operands: unknown[] = []
  const ranges: number[] = []
  for (const { rule, conditions } of conjunctions) {
    offsets.push(program.length)
    program.push(0, rule, conditions.length)
    for (const condition of conditions) {
      program.push(condition.field, condition.bit, condition.allowsAbsent ? 1 : 0, condition.matchers.length)
      for (const matcher of condition.matchers) {
        const { kind, operand } = testOf(matcher)
        program.push(kind, kind === TestKind.equal ? keyNumbers.numberOf(condition.field, { kind: 'exact', key: operand as string | number | boolean | null }) : operands.length)
        operands.push(operand)
        const range = matcher.index?.kind === 'numeric' ? matcher.index.range : undefined
        ranges.push(range?.low ?? 0, range?.high ?? 0, (range?.lowOpen ? 1 : 0) | (range?.highOpen ? 2 : 0))
      }
    }
  }
  return { program: Int32Array.from(program), offsets: Int32Array.from(offsets), operands, ranges: Float64Array.from(ranges) }
}

/** Only operators whose test is exactly one comparison get a kind of their own (see value-matchers.ts). */
function testOf(matcher: ValueMatcher): { kind: number; operand: unknown } {
  const index = matcher.index
  switch (matcher.operator) {
    case 'exact':
    case 'exactly':
      if (index?.kind === 'exact') return { kind: TestKind.equal, operand: index.key }
      break
    case 'numeric':
      if (index?.kind === 'numeric') return { kind: TestKind.range, operand: undefined }
      break
    case 'prefix':
    case 'suffix':
      if ((index?.kind === 'prefix' || index?.kind === 'suffix') && !index.ignoreCase) {
        return { kind: index.kind === 'prefix' ? TestKind.prefix : TestKind.suffix, operand: index.key }
      }
      break
    case 'exists':
      return { kind: TestKind.always, operand: undefined }
    case 'anything-but': {
      // Already validated by buildValueMatcher: a value or a list of only strings or only numbers (a Set of
      // them never holds a value of the other type), or one inner operator.
      const argument = membersOf(matcher.source)?.[0]?.[1]
      const inner = membersOf(argument)
      if (inner === undefined) return { kind: TestKind.notIn, operand: new Set(Array.isArray(argument) ? (argument as unknown[]) : [argument]) }
      const [name, value] = inner[0] ?? ['', undefined]
      const texts = Array.isArray(value) ? (value as unknown[]) : [value]
      if (inner.length === 1 && (name === 'prefix' || name === 'suffix') && texts.every((t) => typeof t === 'string')) {
        return { kind: name === 'prefix' ? TestKind.notPrefix : TestKind.notSuffix, operand: texts }
      }
      break
    }
    case 'wildcard': {
      // The parsed wildcard itself, one object nearer than the matcher's closure over it.
      const argument = membersOf(matcher.source)?.[0]?.[1]
      const wildcard = typeof argument === 'string' ? parseWildcard(argument) : undefined
      if (wildcard !== undefined && typeof wildcard !== 'string') return { kind: TestKind.wildcard, operand: wildcard }
      break
    }
  }
  return { kind: TestKind.call, operand: matcher.test }
}

import type { ValueMatcher } from './pattern-ast.js'

/** How a test is run: most operators are one comparison against an operand, the rest call the matcher. */
export const TestKind = { equal: 0, range: 1, prefix: 2, suffix: 3, always: 4, call: 5 } as const

/** One condition of a conjunction as the matcher checks it, in the order it is checked. */
export interface ConditionToCheck {
  readonly field: number
  /** Its bit in the proven-by-the-tree sets (0: never proven, always checked). */
  readonly bit: number
  readonly allowsAbsent: boolean
  readonly matchers: readonly ValueMatcher[]
}

/**
 * The full checks of every conjunction, packed into typed arrays for the same reason as the tree
 * (flat-tree.ts): a candidate is checked by reading a few rows of integers rather than following
 * conjunction, condition, test closure and its captured state, each a cache miss at 10,000 rules.
 */
export interface FlatConditions {
  /** Per conjunction: rule, first condition row, condition count. */
  readonly conjunctions: Int32Array
  /** Per condition: field, bit, allows absent (0/1), first test, test count. */
  readonly conditions: Int32Array
  readonly testKind: Int32Array
  /** Per test: the value to compare with, the prefix or suffix, or the matcher's test function. */
  readonly testOperand: readonly unknown[]
  /** Per test of kind range: low, high, flags (1 = low open, 2 = high open). */
  readonly testRange: Float64Array
}

export const conjunctionStride = 3
export const conditionStride = 5

export function flattenConditions(conjunctions: ReadonlyArray<{ readonly rule: number; readonly conditions: readonly ConditionToCheck[] }>): FlatConditions {
  const rows: number[] = []
  const conditions: number[] = []
  const kinds: number[] = []
  const operands: unknown[] = []
  const ranges: number[] = []
  for (const { rule, conditions: list } of conjunctions) {
    rows.push(rule, conditions.length / conditionStride, list.length)
    for (const condition of list) {
      conditions.push(condition.field, condition.bit, condition.allowsAbsent ? 1 : 0, kinds.length, condition.matchers.length)
      for (const matcher of condition.matchers) {
        const { kind, operand } = testOf(matcher)
        kinds.push(kind)
        operands.push(operand)
        const range = matcher.index?.kind === 'numeric' ? matcher.index.range : undefined
        ranges.push(range?.low ?? 0, range?.high ?? 0, (range?.lowOpen ? 1 : 0) | (range?.highOpen ? 2 : 0))
      }
    }
  }
  return {
    conjunctions: Int32Array.from(rows), conditions: Int32Array.from(conditions), testKind: Int32Array.from(kinds),
    testOperand: operands, testRange: Float64Array.from(ranges),
  }
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
  }
  return { kind: TestKind.call, operand: matcher.test }
}

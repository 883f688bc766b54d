import { PatternError, childPointer, quote } from './pattern-error.js'

/** A numeric condition: one comparison, or a lower and an upper bound (infinite when not given). */
export interface NumericRange {
  readonly low: number
  readonly lowOpen: boolean
  readonly high: number
  readonly highOpen: boolean
  contains(value: number): boolean
}

const lowerOps = new Set(['>', '>='])
const upperOps = new Set(['<', '<='])

/**
 * Parses `["<", 10]`, `[">=", 0, "<", 5]`, `["=", 3.5]`. As in event-ruler, a range is a lower bound
 * (`>` / `>=`) followed by an upper bound (`<` / `<=`), and the lower bound must be below the upper one.
 */
export function parseNumericRange(argument: unknown, pointer: string, entryPointer: string = pointer): NumericRange {
  const shape = "'numeric' needs an array of operator/value pairs, e.g. [\">=\", 0, \"<\", 10]"
  if (!Array.isArray(argument) || (argument.length !== 2 && argument.length !== 4)) throw new PatternError(entryPointer, shape)
  const items = argument as unknown[]
  const pairs: Array<{ op: string; value: number }> = []
  for (let i = 0; i < items.length; i += 2) {
    const op = items[i]
    const value = items[i + 1]
    if (typeof op !== 'string' || !['<', '<=', '=', '>', '>='].includes(op)) {
      throw new PatternError(childPointer(pointer, i), `${quote(op)} is not a numeric operator; use <, <=, =, > or >=`)
    }
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      throw new PatternError(childPointer(pointer, i + 1), `the value after ${quote(op)} must be a number, got ${quote(value)}`)
    }
    pairs.push({ op, value })
  }
  const [first, second] = pairs as [{ op: string; value: number }, { op: string; value: number } | undefined]
  if (second === undefined) return single(first.op, first.value)
  if (!lowerOps.has(first.op) || !upperOps.has(second.op)) {
    throw new PatternError(pointer, `a numeric range is a lower bound (> or >=) then an upper bound (< or <=), got ${quote(argument)}`)
  }
  if (!(first.value < second.value)) {
    throw new PatternError(pointer, `the lower bound ${first.value} must be below the upper bound ${second.value}`)
  }
  return range(first.value, first.op === '>', second.value, second.op === '<')
}

function single(op: string, bound: number): NumericRange {
  switch (op) {
    case '<':
    case '<=':
      return range(-Infinity, true, bound, op === '<')
    case '>':
    case '>=':
      return range(bound, op === '>', Infinity, true)
    default:
      return range(bound, false, bound, false)
  }
}

export function range(low: number, lowOpen: boolean, high: number, highOpen: boolean): NumericRange {
  return {
    low,
    lowOpen,
    high,
    highOpen,
    contains: (v) => (lowOpen ? v > low : v >= low) && (highOpen ? v < high : v <= high),
  }
}

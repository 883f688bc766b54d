import { PatternError, childPointer, quote } from './pattern-error.js'

/** A numeric condition: one comparison, or a lower and an upper bound. */
export interface NumericRange {
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
  const low = single(first.op, first.value)
  const high = single(second.op, second.value)
  return { contains: (v) => low.contains(v) && high.contains(v) }
}

function single(op: string, bound: number): NumericRange {
  switch (op) {
    case '<':
      return { contains: (v) => v < bound }
    case '<=':
      return { contains: (v) => v <= bound }
    case '>':
      return { contains: (v) => v > bound }
    case '>=':
      return { contains: (v) => v >= bound }
    default:
      return { contains: (v) => v === bound }
  }
}

import { readJson } from './json-reader.js'
import {
  defaultPatternLimits,
  type Conjunction,
  type FieldCondition,
  type ParsedPattern,
  type PatternLimits,
  type PatternNode,
  type ValueMatcher,
} from './pattern-ast.js'
import { PatternError, childPointer, quote } from './pattern-error.js'
import { buildValueMatcher, membersOf, reservedNames } from './value-matchers.js'

/**
 * Validates a pattern (an object, or its JSON text) and returns its parsed form. Every problem is a
 * PatternError whose pointer names the bad part; nothing about a pattern is left to be found at match time.
 */
export function parsePattern(pattern: unknown, limits: PatternLimits = {}): ParsedPattern {
  const max = { ...defaultPatternLimits, ...limits }
  let input = pattern
  if (typeof pattern === 'string') {
    const bytes = Buffer.byteLength(pattern, 'utf8')
    if (bytes > max.maxPatternBytes) {
      throw new PatternError('', `pattern text is ${bytes} bytes, over the limit of ${max.maxPatternBytes}; shorten it or raise maxPatternBytes`)
    }
    input = readJson(pattern, { maxDepth: max.maxDepth })
  }
  if (membersOf(input) === undefined) {
    throw new PatternError('', `a pattern must be a JSON object such as {"source": ["app.orders"]}, got ${quote(input)}`)
  }
  const root = parseObject(input, '', [], false, 1, max.maxDepth)
  const conjunctions = expand(root, max.maxAlternatives)
  return { root, conjunctions }
}

function parseObject(value: unknown, pointer: string, prefix: readonly string[], insideOr: boolean, depth: number, maxDepth: number): PatternNode {
  if (depth > maxDepth) throw new PatternError(pointer, `nesting deeper than ${maxDepth} levels; flatten the pattern or raise maxDepth`)
  const members = membersOf(value) ?? []
  if (members.length === 0) throw new PatternError(pointer, 'an empty object matches nothing; give it at least one field')
  const conditions: FieldCondition[] = []
  const anyOf: Array<PatternNode['anyOf'][number]> = []
  for (const [key, child] of members) {
    const at = childPointer(pointer, key)
    if (key === '$or') {
      anyOf.push({ pointer: at, alternatives: parseOr(child, at, prefix, depth, maxDepth) })
      continue
    }
    if (insideOr && reservedNames.has(key)) {
      throw new PatternError(at, `${quote(key)} is an operator name and cannot be a field name inside $or`)
    }
    const segments = [...prefix, ...key.split('.')]
    if (segments.length > maxDepth) throw new PatternError(at, `field path has more than ${maxDepth} segments`)
    if (Array.isArray(child)) {
      conditions.push(parseField(child, at, segments))
    } else if (membersOf(child) !== undefined) {
      const nested = parseObject(child, at, segments, insideOr, depth + 1, maxDepth)
      conditions.push(...nested.conditions)
      anyOf.push(...nested.anyOf)
    } else {
      throw new PatternError(at, `a field needs an array of values, e.g. [${quote(child)}], or a nested object; got ${quote(child)}`)
    }
  }
  return { conditions, anyOf }
}

function parseOr(value: unknown, pointer: string, prefix: readonly string[], depth: number, maxDepth: number): PatternNode[] {
  if (!Array.isArray(value) || value.length < 2) {
    throw new PatternError(pointer, '$or needs an array of at least two pattern objects')
  }
  return (value as unknown[]).map((alternative, i) => {
    const at = childPointer(pointer, i)
    if (membersOf(alternative) === undefined) throw new PatternError(at, `each $or alternative must be an object, got ${quote(alternative)}`)
    return parseObject(alternative, at, prefix, true, depth + 2, maxDepth)
  })
}

function parseField(list: readonly unknown[], pointer: string, segments: string[]): FieldCondition {
  if (list.length === 0) throw new PatternError(pointer, 'an empty array matches nothing; list at least one value')
  const matchers: ValueMatcher[] = []
  let allowsAbsent = false
  list.forEach((entry, i) => {
    const built = buildValueMatcher(entry, childPointer(pointer, i))
    if (built === 'absent') allowsAbsent = true
    else matchers.push(built)
  })
  return { path: segments.join('.'), segments, matchers, allowsAbsent, pointer, source: list }
}

/** Multiplies out the `$or` groups: the result has one conjunction per way of choosing an alternative. */
function expand(node: PatternNode, maxAlternatives: number): Conjunction[] {
  let result: FieldCondition[][] = [[...node.conditions]]
  for (const group of node.anyOf) {
    const options = group.alternatives.flatMap((alternative) => expand(alternative, maxAlternatives))
    const next: FieldCondition[][] = []
    for (const base of result) {
      for (const option of options) {
        next.push([...base, ...option])
        if (next.length > maxAlternatives) {
          throw new PatternError(group.pointer, `the $or groups expand to more than ${maxAlternatives} alternatives; split the rule or raise maxAlternatives`)
        }
      }
    }
    result = next
  }
  return result
}

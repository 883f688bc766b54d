import { cidrContains, parseCidr } from './cidr.js'
import { JsonMembers } from './json-reader.js'
import { parseNumericRange } from './numeric.js'
import type { IndexKey, ValueMatcher } from './pattern-ast.js'
import { PatternError, childPointer, quote } from './pattern-error.js'
import { parseWildcard, wildcardHead, wildcardMatches, type Wildcard } from './wildcard.js'

/** Operator names, exactly as EventBridge spells them (they are case-sensitive). */
export const operatorNames = [
  'prefix', 'suffix', 'equals-ignore-case', 'wildcard', 'anything-but', 'numeric', 'exists', 'cidr', 'exactly',
] as const

/** Names event-ruler reserves: they may not be field names inside `$or`. */
export const reservedNames: ReadonlySet<string> = new Set([
  ...operatorNames, '=', '<', '<=', '>', '>=', 'regex', 'not-wildcard', 'not-equals-ignore-case', 'date-after',
  'date-on-or-after', 'date-before', 'date-on-or-before', 'in-date-range', 'ip-address-in-range', 'ip-address-not-in-range',
])

const lower = (s: string): string => s.toLowerCase()
const isString = (v: unknown): v is string => typeof v === 'string'

/** The members of a pattern object, whether it came from JSON text (duplicates kept) or from code. */
export function membersOf(value: unknown): ReadonlyArray<readonly [string, unknown]> | undefined {
  if (value instanceof JsonMembers) return value.entries
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) return Object.entries(value)
  return undefined
}

/** Builds the matcher for one entry of a field's value list, or throws PatternError. */
export function buildValueMatcher(entry: unknown, pointer: string): ValueMatcher | 'absent' {
  if (typeof entry === 'string') {
    return matcher('exact', entry, pointer, { kind: 'exact', key: entry }, (v) => v === entry)
  }
  if (typeof entry === 'number') {
    if (!Number.isFinite(entry)) throw new PatternError(pointer, `number ${quote(entry)} is out of range`)
    // Numbers compare numerically on both sides: 101 in a pattern matches 101.0 in an event.
    return matcher('exact', entry, pointer, { kind: 'exact', key: entry }, (v) => v === entry)
  }
  if (typeof entry === 'boolean' || entry === null) {
    return matcher('exact', entry, pointer, { kind: 'exact', key: entry }, (v) => v === entry)
  }
  const members = membersOf(entry)
  if (members === undefined) {
    throw new PatternError(pointer, `${quote(entry)} is not a valid value; use a string, number, true, false, null or an operator object such as {"prefix": "ab"}`)
  }
  if (members.length !== 1) {
    throw new PatternError(pointer, `an operator object needs exactly one operator, found ${members.length}`)
  }
  const [operator, argument] = members[0] as readonly [string, unknown]
  const at = childPointer(pointer, operator)
  switch (operator) {
    case 'exactly':
      return matcher(operator, entry, pointer, { kind: 'exact', key: needString(argument, at, operator) }, (v) => v === argument)
    case 'prefix':
    case 'suffix':
      return affixMatcher(operator, argument, entry, pointer, at)
    case 'equals-ignore-case': {
      const key = lower(needString(argument, at, operator))
      return matcher(operator, entry, pointer, { kind: 'exact-ci', key }, (v) => isString(v) && lower(v) === key)
    }
    case 'wildcard': {
      const wildcard = needWildcard(argument, at)
      return matcher(operator, entry, pointer, wildcardIndex(wildcard), (v) => isString(v) && wildcardMatches(wildcard, v))
    }
    case 'numeric': {
      const range = parseNumericRange(argument, at, pointer)
      const key = `${range.lowOpen ? '(' : '['}${range.low},${range.high}${range.highOpen ? ')' : ']'}`
      return matcher(operator, entry, pointer, { kind: 'numeric', key, range }, (v) => typeof v === 'number' && range.contains(v))
    }
    case 'exists':
      if (argument === false) return 'absent'
      if (argument !== true) throw new PatternError(at, `'exists' takes true or false, got ${quote(argument)}`)
      return matcher(operator, entry, pointer, undefined, () => true)
    case 'cidr': {
      const block = parseCidr(needString(argument, at, operator))
      if (typeof block === 'string') throw new PatternError(at, block)
      return matcher(operator, entry, pointer, undefined, (v) => isString(v) && cidrContains(block, v))
    }
    case 'anything-but': {
      const excluded = anythingButExcludes(argument, at)
      return matcher(operator, entry, pointer, undefined, (v) => !excluded(v))
    }
    default:
      throw new PatternError(at, unknownOperator(operator))
  }
}

function matcher(operator: string, source: unknown, pointer: string, index: IndexKey | undefined, test: (v: unknown) => boolean): ValueMatcher {
  return { operator, source, pointer, index, test }
}

export function unknownOperator(name: string): string {
  const near = operatorNames.find((known) => known === name.toLowerCase())
  if (near !== undefined) return `unknown operator ${quote(name)}; operator names are case-sensitive, write ${quote(near)}`
  return `unknown operator ${quote(name)}; use one of ${operatorNames.join(', ')}`
}

function needString(value: unknown, pointer: string, operator: string): string {
  if (typeof value !== 'string') throw new PatternError(pointer, `'${operator}' needs a string, got ${quote(value)}`)
  return value
}

function needWildcard(value: unknown, pointer: string): Wildcard {
  const parsed = parseWildcard(needString(value, pointer, 'wildcard'))
  if (typeof parsed === 'string') throw new PatternError(pointer, `bad wildcard ${quote(value)}: ${parsed}`)
  return parsed
}

function wildcardIndex(wildcard: Wildcard): IndexKey | undefined {
  const head = wildcardHead(wildcard)
  if (wildcard.pieces.length === 1) return { kind: 'exact', key: wildcard.pieces[0] ?? '' }
  if (head !== '') return { kind: 'prefix', key: head, ignoreCase: false }
  const tail = wildcard.pieces[wildcard.pieces.length - 1] ?? ''
  return tail === '' ? undefined : { kind: 'suffix', key: tail, ignoreCase: false }
}

/** `prefix` / `suffix`, plain or with `equals-ignore-case` inside. */
function affixMatcher(operator: 'prefix' | 'suffix', argument: unknown, source: unknown, pointer: string, at: string): ValueMatcher {
  let ignoreCase = false
  let text: string
  const inner = membersOf(argument)
  if (inner !== undefined) {
    const [name, value] = inner.length === 1 ? (inner[0] as readonly [string, unknown]) : ['', undefined]
    if (name !== 'equals-ignore-case') {
      throw new PatternError(at, `'${operator}' takes a string or {"equals-ignore-case": "..."}, got ${quote(argument)}`)
    }
    text = lower(needString(value, childPointer(at, name), name))
    ignoreCase = true
  } else {
    text = needString(argument, at, operator)
  }
  const key = text
  const test =
    operator === 'prefix'
      ? ignoreCase ? (v: unknown) => isString(v) && lower(v).startsWith(key) : (v: unknown) => isString(v) && v.startsWith(key)
      : ignoreCase ? (v: unknown) => isString(v) && lower(v).endsWith(key) : (v: unknown) => isString(v) && v.endsWith(key)
  return matcher(operator, source, pointer, { kind: operator, key, ignoreCase }, test)
}

/** Returns the predicate for the values `anything-but` excludes. */
function anythingButExcludes(argument: unknown, pointer: string): (v: unknown) => boolean {
  const inner = membersOf(argument)
  if (inner !== undefined) {
    if (inner.length !== 1) throw new PatternError(pointer, `'anything-but' takes one operator inside, found ${inner.length}`)
    const [name, value] = inner[0] as readonly [string, unknown]
    const at = childPointer(pointer, name)
    if (!['prefix', 'suffix', 'equals-ignore-case', 'wildcard'].includes(name)) {
      throw new PatternError(at, `'anything-but' cannot hold ${quote(name)}; use a value, a list, prefix, suffix, equals-ignore-case or wildcard`)
    }
    const texts = stringList(value, at, name)
    switch (name) {
      case 'prefix':
      case 'suffix':
        if (texts.includes('')) throw new PatternError(at, `'anything-but' with an empty ${name} would exclude every string; remove it`)
        return name === 'prefix' ? (v) => isString(v) && startsWithAny(v, texts) : (v) => isString(v) && endsWithAny(v, texts)
      case 'equals-ignore-case': {
        const set = new Set(texts.map(lower))
        return (v) => isString(v) && set.has(lower(v))
      }
      default: {
        const wildcards = texts.map((t, i) => needWildcard(t, Array.isArray(value) ? childPointer(at, i) : at))
        return (v) => {
          if (!isString(v)) return false
          for (let i = 0; i < wildcards.length; i++) if (wildcardMatches(wildcards[i] as Wildcard, v)) return true
          return false
        }
      }
    }
  }
  const values = Array.isArray(argument) ? (argument as unknown[]) : [argument]
  if (values.length === 0) throw new PatternError(pointer, "'anything-but' needs at least one value")
  const allStrings = values.every(isString)
  const allNumbers = values.every((v) => typeof v === 'number' && Number.isFinite(v))
  if (!allStrings && !allNumbers) {
    throw new PatternError(pointer, `'anything-but' takes a string, a number, or a list of only strings or only numbers, got ${quote(argument)}`)
  }
  const set = new Set<unknown>(values)
  return allStrings ? (v) => isString(v) && set.has(v) : (v) => typeof v === 'number' && set.has(v)
}

function stringList(value: unknown, pointer: string, name: string): string[] {
  const list = Array.isArray(value) ? (value as unknown[]) : [value]
  if (list.length === 0) throw new PatternError(pointer, `'${name}' inside 'anything-but' needs at least one string`)
  return list.map((item, i) => needString(item, Array.isArray(value) ? childPointer(pointer, i) : pointer, name))
}

// Loops rather than Array.some: these run per event value, and a callback would allocate each time.
function startsWithAny(value: string, texts: readonly string[]): boolean {
  for (let i = 0; i < texts.length; i++) if (value.startsWith(texts[i] as string)) return true
  return false
}

function endsWithAny(value: string, texts: readonly string[]): boolean {
  for (let i = 0; i < texts.length; i++) if (value.endsWith(texts[i] as string)) return true
  return false
}

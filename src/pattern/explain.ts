import { flattenEvent, type FlatEvent } from './flatten-event.js'
import { parsePattern } from './parse-pattern.js'
import type { PatternLimits, PatternNode } from './pattern-ast.js'
import { quote } from './pattern-error.js'
import { conditionHolds, nodeHolds } from './reference-matcher.js'

/** One condition of the pattern that the event does not meet. */
export interface PatternFailure {
  /** JSON pointer of the condition inside the pattern. */
  readonly pointer: string
  /** Flattened event path the condition looks at, e.g. `detail.amount`. */
  readonly path: string
  /** The value list as written in the pattern. */
  readonly condition: unknown
  /** The event's values at that path; empty when the field is absent. */
  readonly actual: readonly unknown[]
  /** One line for humans. */
  readonly message: string
}

export interface Explanation {
  readonly matches: boolean
  /** Why it does not match; empty when it does. Failures inside `$or` are listed for every alternative. */
  readonly failures: readonly PatternFailure[]
}

/** Says whether the event matches the pattern and, if not, which conditions failed. Throws PatternError. */
export function explain(pattern: unknown, event: unknown, limits: PatternLimits = {}): Explanation {
  const { root } = parsePattern(pattern, limits)
  const flat = flattenEvent(event)
  if (flat === undefined) {
    const failure: PatternFailure = { pointer: '', path: '', condition: pattern, actual: [], message: 'the event is not a JSON object' }
    return { matches: false, failures: [failure] }
  }
  const failures: PatternFailure[] = []
  collect(root, flat, failures)
  return { matches: failures.length === 0, failures }
}

function collect(node: PatternNode, event: FlatEvent, out: PatternFailure[]): void {
  for (const condition of node.conditions) {
    if (conditionHolds(condition, event)) continue
    const actual = event.get(condition.path) ?? []
    const got = actual.length === 0 ? 'the field is absent' : `got ${actual.map((v) => quote(v)).join(', ')}`
    out.push({
      pointer: condition.pointer,
      path: condition.path,
      condition: JSON.parse(JSON.stringify(condition.source)) as unknown,
      actual,
      message: `${condition.path}: expected ${quote(condition.source)}, ${got}`,
    })
  }
  for (const group of node.anyOf) {
    if (group.alternatives.some((alternative) => nodeHolds(alternative, event))) continue
    for (const alternative of group.alternatives) collect(alternative, event, out)
  }
}

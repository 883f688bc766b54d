import type { FlatEvent } from './flatten-event.js'
import { flattenEvent } from './flatten-event.js'
import { parsePattern } from './parse-pattern.js'
import type { FieldCondition, PatternLimits, PatternNode } from './pattern-ast.js'
import type { Matcher, PatternRules } from './types.js'

/** Does one field condition hold on the flattened event? */
export function conditionHolds(condition: FieldCondition, event: FlatEvent): boolean {
  const values = event.get(condition.path)
  if (values === undefined || values.length === 0) return condition.allowsAbsent
  return values.some((value) => condition.matchers.some((m) => m.test(value)))
}

/** Does a pattern object hold: all its fields, and one alternative of each `$or`? */
export function nodeHolds(node: PatternNode, event: FlatEvent): boolean {
  return (
    node.conditions.every((condition) => conditionHolds(condition, event)) &&
    node.anyOf.every((group) => group.alternatives.some((alternative) => nodeHolds(alternative, event)))
  )
}

/**
 * The obvious matcher: flatten the event, then walk every rule's pattern tree. Slow on many rules and
 * kept that way on purpose: it is the oracle the compiled matcher is tested against.
 */
export function referenceMatcher<R>(rules: PatternRules<R>, limits: PatternLimits = {}): Matcher<R> {
  // An id given more than once matches when any of its patterns does; ids keep their first position.
  const byId = new Map<R, PatternNode[]>()
  for (const [id, pattern] of rules) {
    const root = parsePattern(pattern, limits).root
    const roots = byId.get(id)
    if (roots === undefined) byId.set(id, [root])
    else roots.push(root)
  }
  return {
    match(event: unknown): R[] {
      const flat = flattenEvent(event)
      if (flat === undefined) return []
      const out: R[] = []
      for (const [id, roots] of byId) {
        if (roots.some((root) => nodeHolds(root, flat))) out.push(id)
      }
      return out
    },
  }
}

import type { FieldIndex } from './field-index.js'
import type { IndexKey } from './pattern-ast.js'

/** What the anchoring needs to know of one condition. */
export interface AnchorCondition {
  readonly field: number
  /** The index keys of all its matchers, or undefined when some matcher cannot be indexed. */
  readonly keys: readonly IndexKey[] | undefined
  readonly allowsAbsent: boolean
}

export interface Anchoring {
  /** Conjunctions with nothing to anchor on: checked for every event. */
  readonly always: number[]
  /** Per conjunction, the conditions its anchor already proves (exact keys): not checked again. */
  readonly proven: ReadonlyArray<ReadonlySet<number>>
}

const exactOnly = (keys: readonly IndexKey[] | undefined): keys is ReadonlyArray<IndexKey & { kind: 'exact' }> =>
  keys !== undefined && keys.every((k) => k.kind === 'exact')

/**
 * Registers every conjunction in the field indexes under its most selective anchor: a pair of exact
 * conditions on two fields when it has one (e.g. source + detail-type), else one keyed condition
 * (exact, prefix, suffix, ignore-case), else "the field is present". Selectivity is estimated from how
 * many conjunctions share the same key or pair of keys.
 */
export function anchorConjunctions(conjunctions: ReadonlyArray<readonly AnchorCondition[]>, fields: readonly FieldIndex[]): Anchoring {
  const keyText = (field: number, key: IndexKey): string =>
    `${field}\u0001${key.kind}${'ignoreCase' in key && key.ignoreCase ? 'i' : ''}\u0001${typeof key.key}\u0001${String(key.key)}`
  const single = new Map<string, number>()
  const pairs = new Map<string, number>()
  const perField = new Map<number, number>()
  const count = (map: Map<string, number>, key: string): void => void map.set(key, (map.get(key) ?? 0) + 1)
  const pairTexts = (a: AnchorCondition, b: AnchorCondition): string[] =>
    (a.keys ?? []).flatMap((ka) => (b.keys ?? []).map((kb) => `${keyText(a.field, ka)}\u0002${keyText(b.field, kb)}`))

  const exactPairs = (conditions: readonly AnchorCondition[]): Array<[number, number]> => {
    const out: Array<[number, number]> = []
    for (let i = 0; i < conditions.length; i++) {
      for (let j = 0; j < conditions.length; j++) {
        const a = conditions[i] as AnchorCondition
        const b = conditions[j] as AnchorCondition
        if (a.field < b.field && !a.allowsAbsent && !b.allowsAbsent && exactOnly(a.keys) && exactOnly(b.keys)) out.push([i, j])
      }
    }
    return out
  }

  for (const conditions of conjunctions) {
    for (const condition of conditions) {
      perField.set(condition.field, (perField.get(condition.field) ?? 0) + 1)
      for (const key of condition.keys ?? []) count(single, keyText(condition.field, key))
    }
    for (const [i, j] of exactPairs(conditions)) {
      for (const text of pairTexts(conditions[i] as AnchorCondition, conditions[j] as AnchorCondition)) count(pairs, text)
    }
  }

  const always: number[] = []
  const proven: Array<Set<number>> = []
  conjunctions.forEach((conditions, c) => {
    const done = new Set<number>()
    proven.push(done)
    let bestPair: { cost: number; i: number; j: number } | undefined
    for (const [i, j] of exactPairs(conditions)) {
      const cost = pairTexts(conditions[i] as AnchorCondition, conditions[j] as AnchorCondition).reduce((sum, t) => sum + (pairs.get(t) ?? 0), 0)
      if (bestPair === undefined || cost < bestPair.cost) bestPair = { cost, i, j }
    }
    let best: { cost: number; i: number } | undefined
    conditions.forEach((condition, i) => {
      if (condition.allowsAbsent) return
      const cost =
        condition.keys !== undefined
          ? condition.keys.reduce((sum, key) => sum + (single.get(keyText(condition.field, key)) ?? 0) + (key.kind === 'exact' ? 0 : 1), 0)
          : 2 * (perField.get(condition.field) ?? 0) + 2
      if (best === undefined || cost < best.cost) best = { cost, i }
    })
    if (bestPair !== undefined && (best === undefined || bestPair.cost <= best.cost)) {
      // The first level is the rarer field, so fewer events reach the bucket at all.
      let first = conditions[bestPair.i] as AnchorCondition
      let second = conditions[bestPair.j] as AnchorCondition
      const rarity = (x: AnchorCondition): number => (x.keys ?? []).reduce((s, k) => s + (single.get(keyText(x.field, k)) ?? 0), 0)
      if (rarity(second) < rarity(first)) [first, second] = [second, first]
      for (const a of first.keys ?? []) {
        for (const b of second.keys ?? []) (fields[first.field] as FieldIndex).bucket(a.key).addSecond(second.field, b.key, c)
      }
      done.add(bestPair.i).add(bestPair.j)
      return
    }
    if (best === undefined) return void always.push(c)
    const condition = conditions[best.i] as AnchorCondition
    const index = fields[condition.field] as FieldIndex
    if (condition.keys === undefined) return index.addPresence(c)
    for (const key of condition.keys) index.add(key, c)
    if (exactOnly(condition.keys)) done.add(best.i)
  })
  return { always, proven }
}

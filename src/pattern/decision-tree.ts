import type { IndexKey } from './pattern-ast.js'

/** What the tree needs to know of one condition of a conjunction. */
export interface TreeCondition {
  readonly field: number
  /** Index keys of all its matchers, or undefined when some matcher cannot be indexed (numeric, anything-but ...). */
  readonly keys: readonly IndexKey[] | undefined
  readonly allowsAbsent: boolean
}

/**
 * A node of the decision tree. Reaching it makes `direct` candidates; `presence` lists become candidates
 * when the event has any value at their field; each edge leads to a child node when one of the event's
 * values at its field satisfies its key (see flat-tree.ts for how the matcher looks edges up). Like event-ruler's automaton, it goes field by field, so an event
 * only reaches the conjunctions whose keyed conditions it satisfies so far.
 */
export class DecisionNode {
  direct: number[] = []
  /** Per direct conjunction, a bit set of its conditions the path to this node proves (exact keys). */
  directProven: number[] = []
  presence: Array<{ readonly field: number; readonly conjunctions: number[]; readonly proven: number[] }> = []
  /** At most one edge per field and key. */
  edges: Array<{ readonly field: number; readonly key: IndexKey; readonly child: DecisionNode }> = []
}

/**
 * A node with at most this many conjunctions stops branching: with the packed layout, checking a few
 * candidates in a row costs less than visiting one more node for each (measured: 4 and 8 beat 1, 2 and 16).
 */
const leafSize = 4

/** Identifies a key at a field: groups in the tree and key numbers in the flat tree use it. */
export const keyText = (field: number, key: IndexKey): string =>
  `${field}\u0001${key.kind}${'ignoreCase' in key && key.ignoreCase ? 'i' : ''}\u0001${typeof key.key}\u0001${String(key.key)}`

/**
 * Builds the tree over all conjunctions. At each node every conjunction picks, among its keyed conditions
 * not used higher up, the one whose key is rarest within the node, and conjunctions that picked the same
 * field and key share a child. Conjunctions left with no keyed condition wait on the presence of a field,
 * or are checked whenever the node is reached.
 */
export function buildDecisionTree(conjunctions: ReadonlyArray<readonly TreeCondition[]>): { root: DecisionNode; nodes: DecisionNode[] } {
  const all = conjunctions.map((_, c) => c)
  const none = new Map(all.map((c) => [c, 0]))
  const nodes: DecisionNode[] = []
  const root = build(all, none, none, conjunctions, nodes)
  return { root, nodes }
}

/**
 * `used` holds, per conjunction, a bit set of the conditions already used on the way to this node;
 * `proven` the subset that reaching the node proves (exact keys: a hash hit is equality).
 */
function build(
  members: readonly number[],
  used: ReadonlyMap<number, number>,
  proven: ReadonlyMap<number, number>,
  conjunctions: ReadonlyArray<readonly TreeCondition[]>,
  nodes: DecisionNode[],
): DecisionNode {
  const node = new DecisionNode()
  nodes.push(node)
  const unused = (c: number, i: number): boolean => i >= 30 || ((used.get(c) ?? 0) & (1 << i)) === 0
  const keyed = (c: number): Array<{ i: number; condition: TreeCondition }> =>
    (conjunctions[c] ?? []).flatMap((condition, i) =>
      unused(c, i) && !condition.allowsAbsent && condition.keys !== undefined && i < 30 ? [{ i, condition }] : [],
    )
  if (members.length <= leafSize) {
    node.direct = [...members]
    node.directProven = members.map((c) => proven.get(c) ?? 0)
    return node
  }
  const frequency = new Map<string, number>()
  const rangesPerField = new Map<number, Set<string>>()
  for (const c of members) {
    for (const { condition } of keyed(c)) {
      for (const key of condition.keys ?? []) {
        frequency.set(keyText(condition.field, key), (frequency.get(keyText(condition.field, key)) ?? 0) + 1)
        if (key.kind === 'numeric') {
          let set = rangesPerField.get(condition.field)
          if (set === undefined) rangesPerField.set(condition.field, (set = new Set()))
          set.add(key.key)
        }
      }
    }
  }
  // What a key costs an event: the conjunctions it lets through, plus, for ranges, the scan over them.
  // A one-sided range (`> 0`) lets most values through, so it counts as if half the node shared it.
  const keyCost = (field: number, key: IndexKey): number =>
    (frequency.get(keyText(field, key)) ?? 0) +
    (key.kind === 'numeric'
      ? (rangesPerField.get(field)?.size ?? 0) + (Number.isFinite(key.range.low) && Number.isFinite(key.range.high) ? 0 : members.length / 2)
      : 0)
  const groups = new Map<string, { field: number; key: IndexKey; members: number[]; used: Map<number, number>; proven: Map<number, number> }>()
  const presence = new Map<number, { conjunctions: number[]; proven: number[] }>()
  for (const c of members) {
    let best: { cost: number; i: number; condition: TreeCondition } | undefined
    for (const { i, condition } of keyed(c)) {
      const cost = (condition.keys ?? []).reduce((sum, key) => sum + keyCost(condition.field, key), 0)
      if (best === undefined || cost < best.cost) best = { cost, i, condition }
    }
    if (best === undefined) {
      const waiting = (conjunctions[c] ?? []).find((condition, i) => unused(c, i) && !condition.allowsAbsent)
      if (waiting === undefined) {
        node.direct.push(c)
        node.directProven.push(proven.get(c) ?? 0)
      } else {
        let entry = presence.get(waiting.field)
        if (entry === undefined) presence.set(waiting.field, (entry = { conjunctions: [], proven: [] }))
        entry.conjunctions.push(c)
        entry.proven.push(proven.get(c) ?? 0)
      }
      continue
    }
    for (const key of best.condition.keys ?? []) {
      const text = keyText(best.condition.field, key)
      let group = groups.get(text)
      if (group === undefined) groups.set(text, (group = { field: best.condition.field, key, members: [], used: new Map(), proven: new Map() }))
      group.members.push(c)
      group.used.set(c, (used.get(c) ?? 0) | (1 << best.i))
      // A hash hit is equality and a range hit is containment: either proves the whole condition.
      const exact = (best.condition.keys ?? []).every((k) => k.kind === 'exact' || k.kind === 'numeric')
      group.proven.set(c, (proven.get(c) ?? 0) | (exact ? 1 << best.i : 0))
    }
  }
  for (const [field, entry] of presence) node.presence.push({ field, ...entry })
  for (const group of groups.values()) {
    node.edges.push({ field: group.field, key: group.key, child: build(group.members, group.used, group.proven, conjunctions, nodes) })
  }
  return node
}

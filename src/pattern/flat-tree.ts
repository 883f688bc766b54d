import { keyText, type DecisionNode } from './decision-tree.js'
import { FieldKeys, type HashedKey } from './field-keys.js'

/** Slots per node in `FlatTree.nodes`. */
export const nodeStride = 8
export const NodeSlot = {
  keyedStart: 0, keyedCount: 1, directStart: 2, directCount: 3, presenceStart: 4, presenceCount: 5, rangeStart: 6, rangeCount: 7,
} as const

/** Slots per numeric edge in `FlatTree.ranges`: field, low, high, flags (1 = low open, 2 = high open), child. */
export const rangeStride = 5

/**
 * The decision tree packed into typed arrays, because at thousands of rules an event visits tree nodes
 * scattered over the heap and pays a cache miss for every object it touches: a node is one row of
 * integers, its candidates one run of another array, and an edge one slot of a hash table keyed by
 * (node, key number). The keys themselves live in one dictionary per field (FieldKeys).
 */
export interface FlatTree {
  /** Per node, `nodeStride` integers at `NodeSlot` offsets; node 0 is the root. */
  readonly nodes: Int32Array
  /** Fields on which a node has hashed edges (runs of keyedStart/keyedCount). */
  readonly keyedFields: Int32Array
  /** Pairs (conjunction, proven bits): a node's direct candidates, then presence lists. */
  readonly candidates: Int32Array
  /** Triples (field, candidatesStart, count): conjunctions that wait for a value at the field. */
  readonly presence: Int32Array
  readonly ranges: Float64Array
  /** Open addressing, four integers a slot: node + 1 (0 = empty), key number, child, unused. */
  readonly edges: Int32Array
  readonly edgeMask: number
  /** Per field, its key dictionary, or undefined when no edge uses a hashed key there. */
  readonly fieldKeys: ReadonlyArray<FieldKeys | undefined>
}

export function edgeSlot(node: number, key: number, mask: number): number {
  let h = Math.imul(node, 0x9e3779b1) ^ Math.imul(key, 0x85ebca77)
  h ^= h >>> 15
  return h & mask
}

export function flattenTree(nodes: readonly DecisionNode[], fieldCount: number): FlatTree {
  const number = new Map(nodes.map((node, i) => [node, i]))
  const keyNumbers = new Map<string, number>()
  const fieldKeys: Array<FieldKeys | undefined> = new Array<FieldKeys | undefined>(fieldCount).fill(undefined)
  const info = new Int32Array(nodes.length * nodeStride)
  const keyedFields: number[] = []
  const candidates: number[] = []
  const presence: number[] = []
  const ranges: number[] = []
  const hashed: Array<[node: number, key: number, child: number]> = []

  nodes.forEach((node, n) => {
    const row = n * nodeStride
    info[row + NodeSlot.directStart] = candidates.length / 2
    info[row + NodeSlot.directCount] = node.direct.length
    node.direct.forEach((c, i) => candidates.push(c, node.directProven[i] ?? 0))
    info[row + NodeSlot.presenceStart] = presence.length / 3
    info[row + NodeSlot.presenceCount] = node.presence.length
    for (const entry of node.presence) {
      presence.push(entry.field, candidates.length / 2, entry.conjunctions.length)
      entry.conjunctions.forEach((c, i) => candidates.push(c, entry.proven[i] ?? 0))
    }
    const fields = new Set<number>()
    const numeric = node.edges.filter((edge) => edge.key.kind === 'numeric').sort((a, b) => a.field - b.field)
    info[row + NodeSlot.rangeStart] = ranges.length / rangeStride
    info[row + NodeSlot.rangeCount] = numeric.length
    for (const { field, key, child } of numeric) {
      if (key.kind !== 'numeric') continue
      const { low, high, lowOpen, highOpen } = key.range
      ranges.push(field, low, high, (lowOpen ? 1 : 0) | (highOpen ? 2 : 0), number.get(child) ?? 0)
    }
    for (const { field, key, child } of node.edges) {
      if (key.kind === 'numeric') continue
      const text = keyText(field, key)
      let id = keyNumbers.get(text)
      if (id === undefined) {
        keyNumbers.set(text, (id = keyNumbers.size))
        ;(fieldKeys[field] ??= new FieldKeys()).add(key as HashedKey, id)
      }
      fields.add(field)
      hashed.push([n, id, number.get(child) ?? 0])
    }
    info[row + NodeSlot.keyedStart] = keyedFields.length
    info[row + NodeSlot.keyedCount] = fields.size
    keyedFields.push(...fields)
  })

  let capacity = 16
  while (capacity < hashed.length * 2) capacity *= 2
  const edges = new Int32Array(capacity * 4)
  const mask = capacity - 1
  for (const [node, key, child] of hashed) {
    let slot = edgeSlot(node, key, mask)
    while (edges[slot * 4] !== 0) slot = (slot + 1) & mask
    edges[slot * 4] = node + 1
    edges[slot * 4 + 1] = key
    edges[slot * 4 + 2] = child
  }
  return {
    nodes: info, keyedFields: Int32Array.from(keyedFields), candidates: Int32Array.from(candidates),
    presence: Int32Array.from(presence), ranges: Float64Array.from(ranges), edges, edgeMask: mask, fieldKeys,
  }
}

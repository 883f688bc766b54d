import type { DecisionNode } from './decision-tree.js'
import type { FieldKeys, HashedKey, KeyNumbers } from './field-keys.js'

/**
 * Offsets inside a node's run of `FlatTree.program`: the generation that last reached it, counts, then the
 * body: (candidate, proven bits) pairs, (field, pairs offset, count) presence triples, per field with
 * hashed edges (field, edge count, then (key, child) pairs, or -1 and none when the edges are many and sit
 * in the shared hash table), and last the pairs of the presence lists. Candidates are offsets in
 * FlatConditions.
 */
export const NodeSlot = { seen: 0, directCount: 1, presenceCount: 2, keyedCount: 3, rangeStart: 4, rangeCount: 5, body: 6 } as const

/** Slots per numeric edge in `FlatTree.ranges`: field, low, high, flags (1 = low open, 2 = high open), child. */
export const rangeStride = 5

/**
 * The decision tree packed into typed arrays, because at thousands of rules an event visits tree nodes
 * scattered over the heap and pays a cache miss for every object it touches: a node is one contiguous run
 * of integers, an edge one slot of a hash table keyed by (node, key number). The keys themselves live in
 * one dictionary per field (FieldKeys), shared by all nodes and so warm in the cache.
 */
export interface FlatTree {
  /** Node runs; the root starts at 0. */
  readonly program: Int32Array
  /** Where each node's run starts. */
  readonly offsets: Int32Array
  readonly ranges: Float64Array
  /** Open addressing, four integers a slot: node offset + 1 (0 = empty), key number, child offset, unused. */
  readonly edges: Int32Array
  readonly edgeMask: number
  /** Per field, its key dictionary, or undefined when no edge uses a hashed key there. */
  readonly fieldKeys: ReadonlyArray<FieldKeys | undefined>
}

/**
 * Up to this many edges of a node at one field are listed in the node's own run, which is in the cache
 * once the node is reached; scanning a few cache lines of it is cheaper than one probe of the shared table.
 */
export const inlineEdges = 64

export function edgeSlot(node: number, key: number, mask: number): number {
  let h = Math.imul(node, 0x9e3779b1) ^ Math.imul(key, 0x85ebca77)
  h ^= h >>> 15
  return h & mask
}

/** `candidateOffset` turns a conjunction number into its offset in FlatConditions. */
export function flattenTree(nodes: readonly DecisionNode[], keyNumbers: KeyNumbers, candidateOffset: ArrayLike<number>): FlatTree {
  const keyedFieldsOf = nodes.map((node) => {
    const byField = new Map<number, Array<DecisionNode['edges'][number]>>()
    for (const edge of node.edges) {
      if (edge.key.kind === 'numeric') continue
      let list = byField.get(edge.field)
      if (list === undefined) byField.set(edge.field, (list = []))
      list.push(edge)
    }
    return [...byField].map(([field, edges]) => ({ field, edges, inline: edges.length <= inlineEdges }))
  })
  const offsets = new Int32Array(nodes.length)
  let size = 0
  nodes.forEach((node, n) => {
    offsets[n] = size
    const presencePairs = node.presence.reduce((sum, entry) => sum + entry.conjunctions.length, 0)
    const keyedSize = (keyedFieldsOf[n] ?? []).reduce((sum, k) => sum + 2 + (k.inline ? 2 * k.edges.length : 0), 0)
    size += NodeSlot.body + 2 * node.direct.length + 3 * node.presence.length + keyedSize + 2 * presencePairs
  })
  const program = new Int32Array(size)
  const offsetOf = new Map(nodes.map((node, n) => [node, offsets[n] as number]))
  const ranges: number[] = []
  const hashed: Array<[node: number, key: number, child: number]> = []

  nodes.forEach((node, n) => {
    const at = offsets[n] as number
    const keyed = keyedFieldsOf[n] ?? []
    program[at + NodeSlot.directCount] = node.direct.length
    program[at + NodeSlot.presenceCount] = node.presence.length
    program[at + NodeSlot.keyedCount] = keyed.length
    let w = at + NodeSlot.body
    node.direct.forEach((c, i) => {
      program[w++] = candidateOffset[c] as number
      program[w++] = node.directProven[i] ?? 0
    })
    let pairs = w + 3 * node.presence.length + keyed.reduce((sum, k) => sum + 2 + (k.inline ? 2 * k.edges.length : 0), 0)
    for (const entry of node.presence) {
      program[w++] = entry.field
      program[w++] = pairs
      program[w++] = entry.conjunctions.length
      entry.conjunctions.forEach((c, i) => {
        program[pairs++] = candidateOffset[c] as number
        program[pairs++] = entry.proven[i] ?? 0
      })
    }
    for (const { field, edges, inline } of keyed) {
      program[w++] = field
      program[w++] = inline ? edges.length : -1
      const numbered = edges.map((edge) => ({ id: keyNumbers.numberOf(field, edge.key as HashedKey), child: offsetOf.get(edge.child) ?? 0 }))
      // Sorted by key number, so a scan for an absent key stops early.
      if (inline) {
        for (const { id, child } of numbered.sort((a, b) => a.id - b.id)) {
          program[w++] = id
          program[w++] = child
        }
      } else {
        for (const { id, child } of numbered) hashed.push([at, id, child])
      }
    }
    const numeric = node.edges.filter((edge) => edge.key.kind === 'numeric').sort((a, b) => a.field - b.field)
    program[at + NodeSlot.rangeStart] = ranges.length / rangeStride
    program[at + NodeSlot.rangeCount] = numeric.length
    for (const { field, key, child } of numeric) {
      if (key.kind !== 'numeric') continue
      const { low, high, lowOpen, highOpen } = key.range
      ranges.push(field, low, high, (lowOpen ? 1 : 0) | (highOpen ? 2 : 0), offsetOf.get(child) ?? 0)
    }
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
  return { program, offsets, ranges: Float64Array.from(ranges), edges, edgeMask: mask, fieldKeys: keyNumbers.byField }
}

import { buildDecisionTree } from './decision-tree.js'
import { KeyNumbers } from './field-keys.js'
import { conditionHeader, ConjunctionSlot, flattenConditions, TestKind, type FlatConditions } from './flat-conditions.js'
import { edgeSlot, flattenTree, NodeSlot, rangeStride, type FlatTree } from './flat-tree.js'
import { parsePattern } from './parse-pattern.js'
import type { FieldCondition, IndexKey, PatternLimits } from './pattern-ast.js'
import type { Matcher, PatternRules } from './types.js'
import { wildcardMatches, type Wildcard } from './wildcard.js'

/** A node of the trie of field paths that some rule mentions, one level per dot-separated segment. */
interface PathNode {
  children: Map<string, PathNode> | undefined
  /** Index into the field tables, or -1 when no condition names exactly this path. */
  field: number
}

/** Leaves deeper than this cannot meet any pattern path (see maxDepth in PatternLimits). */
const maxEventDepth = 256

/**
 * Compiles all rules into one structure, in the spirit of event-ruler: the event is walked once along a
 * trie of the paths rules mention (fields no rule mentions are never visited), then a decision tree keyed
 * on exact values, prefixes, suffixes and numeric ranges (see decision-tree.ts) yields the few conjunctions
 * the event can satisfy, and only those are checked in full. `$or` is multiplied out at compile time, so a
 * rule is one or more conjunctions.
 */
export function compileMatcher<R>(rules: PatternRules<R>, limits: PatternLimits = {}): Matcher<R> {
  const ids: R[] = []
  const ruleOf = new Map<R, number>()
  const root: PathNode = { children: undefined, field: -1 }
  let fieldCount = 0
  const parsed: Array<{ rule: number; conditions: readonly FieldCondition[] }> = []

  const fieldFor = (segments: readonly string[]): number => {
    let node = root
    for (const segment of segments) {
      node.children ??= new Map()
      let child = node.children.get(segment)
      if (child === undefined) node.children.set(segment, (child = { children: undefined, field: -1 }))
      node = child
    }
    if (node.field < 0) node.field = fieldCount++
    return node.field
  }

  for (const [id, pattern] of rules) {
    const { conjunctions } = parsePattern(pattern, limits)
    let rule = ruleOf.get(id)
    if (rule === undefined) {
      rule = ids.length
      ids.push(id)
      ruleOf.set(id, rule)
    }
    for (const conditions of conjunctions) parsed.push({ rule, conditions })
  }

  const described = parsed.map(({ conditions }) =>
    conditions.map((c) => ({
      field: fieldFor(c.segments),
      keys: c.matchers.every((m) => m.index !== undefined) ? c.matchers.map((m) => m.index as IndexKey) : undefined,
      allowsAbsent: c.allowsAbsent,
    })),
  )
  const { nodes } = buildDecisionTree(described)
  const conjunctions = parsed.map(({ rule, conditions }, c) => ({
    rule,
    conditions: conditions
      .map((condition, i) => ({ condition, field: described[c]?.[i]?.field ?? -1, bit: i < 30 ? 1 << i : 0 }))
      .sort((a, b) => checkOrder(a.condition) - checkOrder(b.condition))
      .map(({ condition, field, bit }) => ({ field, bit, matchers: condition.matchers, allowsAbsent: condition.allowsAbsent })),
  }))
  const keyNumbers = new KeyNumbers(fieldCount)
  const checks = flattenConditions(conjunctions, keyNumbers)
  return new IndexedMatcher(ids, root, fieldCount, flattenTree(nodes, keyNumbers, checks.offsets), checks)
}

/** Cheap and selective checks first, so a candidate that fails usually fails on its first test. */
function checkOrder(condition: FieldCondition): number {
  const rank: Readonly<Record<string, number>> = { exact: 0, exactly: 0, prefix: 1, suffix: 1, 'equals-ignore-case': 1, numeric: 2, wildcard: 2, cidr: 3, 'anything-but': 4, exists: 5 }
  const worst = condition.matchers.reduce((max, m) => Math.max(max, rank[m.operator] ?? 5), 0)
  return condition.allowsAbsent ? 6 : worst
}

class IndexedMatcher<R> implements Matcher<R> {
  private generation = 0
  // Per-event scratch state, stamped with the generation instead of cleared between events (nodes and
  // conjunctions carry their stamps in their own runs of the packed arrays).
  private readonly fieldSeen: Int32Array
  private readonly fieldHead: Int32Array
  private readonly ruleSeen: Int32Array
  private readonly values: unknown[] = []
  private readonly nextValue: number[] = []
  private valueCount = 0
  /** Offsets of the candidate conjunctions in `checks.program`. */
  private readonly candidates: number[] = []
  /** Per candidate, the conditions the decision tree already proved. */
  private readonly candidateProven: number[] = []
  /** Per field, the generation in which its key numbers were collected into `keys`, and where they sit. */
  private readonly keysStamp: Int32Array
  private readonly keysStart: Int32Array
  private readonly keysEnd: Int32Array
  private readonly keys: number[] = []

  constructor(
    private readonly ids: readonly R[],
    private readonly root: PathNode,
    fieldCount: number,
    private readonly tree: FlatTree,
    private readonly checks: FlatConditions,
  ) {
    this.fieldSeen = new Int32Array(fieldCount)
    this.fieldHead = new Int32Array(fieldCount)
    this.ruleSeen = new Int32Array(ids.length)
    this.keysStamp = new Int32Array(fieldCount)
    this.keysStart = new Int32Array(fieldCount)
    this.keysEnd = new Int32Array(fieldCount)
  }

  /** Adds `count` (conjunction offset, proven bits) pairs of the tree's program, from `at`. */
  private addCandidates(at: number, count: number): void {
    const generation = this.generation
    const pairs = this.tree.program
    const checks = this.checks.program
    for (let i = at, end = at + count * 2; i < end; i += 2) {
      const c = pairs[i] as number
      if (checks[c + ConjunctionSlot.seen] !== generation) {
        checks[c + ConjunctionSlot.seen] = generation
        this.candidateProven[this.candidates.length] = pairs[i + 1] as number
        this.candidates.push(c)
      }
    }
  }

  match(event: unknown): R[] {
    let value = event
    if (typeof event === 'string') {
      try {
        value = JSON.parse(event)
      } catch {
        return []
      }
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return []
    this.begin()
    if (this.root.children !== undefined) this.walkObject(value as Record<string, unknown>, this.root, 1)
    this.resolve(0)
    return this.settle()
  }

  private begin(): void {
    if (this.generation >= 0x7fffffff) {
      this.generation = 0
      this.fieldSeen.fill(0)
      this.ruleSeen.fill(0)
      this.keysStamp.fill(0)
      for (const at of this.tree.offsets) this.tree.program[at + NodeSlot.seen] = 0
      for (const at of this.checks.offsets) this.checks.program[at + ConjunctionSlot.seen] = 0
    }
    this.generation++
    this.valueCount = 0
    this.candidates.length = 0
    this.keys.length = 0
  }

  /** Follows the decision tree with the values the walk recorded, collecting candidate conjunctions. */
  private resolve(node: number): void {
    const generation = this.generation
    const tree = this.tree
    const program = tree.program
    if (program[node + NodeSlot.seen] === generation) return
    program[node + NodeSlot.seen] = generation
    const directCount = program[node + NodeSlot.directCount] as number
    let at = node + NodeSlot.body
    if (directCount > 0) this.addCandidates(at, directCount)
    at += 2 * directCount
    for (let end = at + 3 * (program[node + NodeSlot.presenceCount] as number); at < end; at += 3) {
      if (this.fieldSeen[program[at] as number] === generation) this.addCandidates(program[at + 1] as number, program[at + 2] as number)
    }
    for (let fields = program[node + NodeSlot.keyedCount] as number; fields > 0; fields--) {
      const field = program[at] as number
      const inline = program[at + 1] as number
      const edgesAt = at + 2
      at = inline > 0 ? edgesAt + 2 * inline : edgesAt
      if (this.fieldSeen[field] !== generation) continue
      if (this.keysStamp[field] !== generation) this.collectKeys(field)
      for (let i = this.keysStart[field] as number, last = this.keysEnd[field] as number; i < last; i++) {
        const key = this.keys[i] as number
        if (inline > 0) {
          for (let e = edgesAt; e < at; e += 2) {
            const listed = program[e] as number
            if (listed < key) continue
            if (listed === key) this.resolve(program[e + 1] as number)
            break
          }
          continue
        }
        const edges = tree.edges
        for (let slot = edgeSlot(node, key, tree.edgeMask); edges[slot * 4] !== 0; slot = (slot + 1) & tree.edgeMask) {
          if (edges[slot * 4] === node + 1 && edges[slot * 4 + 1] === key) {
            this.resolve(edges[slot * 4 + 2] as number)
            break
          }
        }
      }
    }
    const ranges = tree.ranges
    for (let r = (program[node + NodeSlot.rangeStart] as number) * rangeStride, end = r + (program[node + NodeSlot.rangeCount] as number) * rangeStride; r < end; r += rangeStride) {
      const field = ranges[r] as number
      if (this.fieldSeen[field] !== generation) continue
      const low = ranges[r + 1] as number
      const high = ranges[r + 2] as number
      const flags = ranges[r + 3] as number
      for (let n = this.fieldHead[field] as number; n >= 0; n = this.nextValue[n] as number) {
        const value = this.values[n]
        if (typeof value !== 'number') continue
        if ((flags & 1 ? value > low : value >= low) && (flags & 2 ? value < high : value <= high)) {
          this.resolve(ranges[r + 4] as number)
          break
        }
      }
    }
  }

  /** Looks each of the event's values at `field` up once in the field's key dictionary. */
  private collectKeys(field: number): void {
    this.keysStamp[field] = this.generation
    const keys = this.keys
    this.keysStart[field] = keys.length
    const dictionary = this.tree.fieldKeys[field]
    if (dictionary !== undefined) {
      for (let n = this.fieldHead[field] as number; n >= 0; n = this.nextValue[n] as number) dictionary.collect(this.values[n], keys)
    }
    this.keysEnd[field] = keys.length
  }

  private walkObject(object: Record<string, unknown>, node: PathNode, depth: number): void {
    const children = node.children as Map<string, PathNode>
    for (const key of Object.keys(object)) {
      let child = children.get(key)
      if (child === undefined) {
        if (!key.includes('.')) continue
        child = this.walkDotted(node, key)
        if (child === undefined) continue
      }
      this.visit(object[key], child, depth)
    }
  }

  /** An event key with dots in it meets the pattern path it spells: `{"a.b": 1}` is at `a.b`. */
  private walkDotted(node: PathNode, key: string): PathNode | undefined {
    let at: PathNode | undefined = node
    for (const segment of key.split('.')) {
      at = at.children?.get(segment)
      if (at === undefined) return undefined
    }
    return at
  }

  private visit(value: unknown, node: PathNode, depth: number): void {
    if (depth > maxEventDepth) return
    if (typeof value === 'object') {
      if (value === null) {
        if (node.field >= 0) this.record(node.field, value)
      } else if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) this.visit(value[i], node, depth + 1)
      } else if (node.children !== undefined) {
        this.walkObject(value as Record<string, unknown>, node, depth + 1)
      }
    } else if (node.field >= 0 && (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')) {
      this.record(node.field, value)
    }
  }

  private record(field: number, value: unknown): void {
    const n = this.valueCount++
    this.values[n] = value
    if (this.fieldSeen[field] === this.generation) {
      this.nextValue[n] = this.fieldHead[field] as number
    } else {
      this.fieldSeen[field] = this.generation
      this.nextValue[n] = -1
    }
    this.fieldHead[field] = n
  }

  private holds(conjunction: number, proven: number): boolean {
    const program = this.checks.program
    let k = conjunction + ConjunctionSlot.firstCondition
    for (let c = program[conjunction + ConjunctionSlot.conditionCount] as number; c > 0; c--) {
      const testStart = k + conditionHeader
      const testEnd = testStart + 2 * (program[k + 3] as number)
      if (((program[k + 1] as number) & proven) !== 0) {
        k = testEnd
        continue
      }
      const field = program[k] as number
      let n = this.fieldSeen[field] === this.generation ? (this.fieldHead[field] as number) : -1
      if (n < 0) {
        if (program[k + 2] !== 1) return false
        k = testEnd
        continue
      }
      let found = false
      for (let t = testStart; t < testEnd && !found; t += 2) {
        if (program[t] !== TestKind.equal) continue
        if (this.keysStamp[field] !== this.generation) this.collectKeys(field)
        const key = program[t + 1] as number
        for (let i = this.keysStart[field] as number, last = this.keysEnd[field] as number; i < last; i++) {
          if (this.keys[i] === key) {
            found = true
            break
          }
        }
      }
      while (n >= 0 && !found) {
        const value = this.values[n]
        for (let t = testStart; t < testEnd; t += 2) {
          if (this.passes(program[t] as number, program[t + 1] as number, value)) {
            found = true
            break
          }
        }
        n = this.nextValue[n] as number
      }
      if (!found) return false
      k = testEnd
    }
    return true
  }

  private passes(kind: number, operand: number, value: unknown): boolean {
    const checks = this.checks
    switch (kind) {
      case TestKind.equal:
        // Decided by key number in holds().
        return false
      case TestKind.range: {
        if (typeof value !== 'number') return false
        const low = checks.ranges[operand * 3] as number
        const high = checks.ranges[operand * 3 + 1] as number
        const flags = checks.ranges[operand * 3 + 2] as number
        return (flags & 1 ? value > low : value >= low) && (flags & 2 ? value < high : value <= high)
      }
      case TestKind.prefix:
        return typeof value === 'string' && value.startsWith(checks.operands[operand] as string)
      case TestKind.suffix:
        return typeof value === 'string' && value.endsWith(checks.operands[operand] as string)
      case TestKind.always:
        return true
      case TestKind.notIn:
        return !(checks.operands[operand] as ReadonlySet<unknown>).has(value)
      case TestKind.notPrefix:
      case TestKind.notSuffix: {
        if (typeof value !== 'string') return true
        const texts = checks.operands[operand] as readonly string[]
        for (let i = 0; i < texts.length; i++) {
          if (kind === TestKind.notPrefix ? value.startsWith(texts[i] as string) : value.endsWith(texts[i] as string)) return false
        }
        return true
      }
      case TestKind.wildcard:
        return typeof value === 'string' && wildcardMatches(checks.operands[operand] as Wildcard, value)
      default:
        return (checks.operands[operand] as (v: unknown) => boolean)(value)
    }
  }

  private settle(): R[] {
    const generation = this.generation
    const candidates = this.candidates
    let matched: number[] | undefined
    for (let i = 0; i < candidates.length; i++) {
      const conjunction = candidates[i] as number
      const rule = this.checks.program[conjunction + ConjunctionSlot.rule] as number
      if (this.ruleSeen[rule] === generation || !this.holds(conjunction, this.candidateProven[i] as number)) continue
      this.ruleSeen[rule] = generation
      ;(matched ??= []).push(rule)
    }
    if (matched === undefined) return []
    if (matched.length > 1) matched.sort((a, b) => a - b)
    const out: R[] = new Array<R>(matched.length)
    for (let i = 0; i < matched.length; i++) out[i] = this.ids[matched[i] as number] as R
    return out
  }

}

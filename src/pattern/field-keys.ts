import { keyText } from './decision-tree.js'
import type { IndexKey } from './pattern-ast.js'

/**
 * Texts matched at the start (or end) of a value; a lookup tries each distinct text length once. Before
 * slicing and hashing, it checks the character where a text of that length would end (for prefixes) or
 * begin (for suffixes) against a 32-bit mask of those characters, so most lengths cost one charCodeAt.
 */
class AffixKeys {
  private readonly byText = new Map<string, number>()
  private lengths: number[] = []
  private masks: number[] = []
  private readonly maskOfLength = new Map<number, number>()

  constructor(private readonly fromEnd: boolean) {}

  add(text: string, id: number): void {
    this.byText.set(text, id)
    const length = text.length
    const bit = length === 0 ? -1 : 1 << ((this.fromEnd ? text.charCodeAt(0) : text.charCodeAt(length - 1)) & 31)
    this.maskOfLength.set(length, (this.maskOfLength.get(length) ?? 0) | bit)
    if (!this.lengths.includes(length)) this.lengths = [...this.lengths, length].sort((a, b) => a - b)
    this.masks = this.lengths.map((known) => this.maskOfLength.get(known) ?? -1)
  }

  collect(value: string, out: number[]): void {
    const lengths = this.lengths
    const fromEnd = this.fromEnd
    for (let i = 0; i < lengths.length; i++) {
      const length = lengths[i] as number
      if (length > value.length) return
      if (length > 0) {
        const c = fromEnd ? value.charCodeAt(value.length - length) : value.charCodeAt(length - 1)
        if ((((this.masks[i] as number) >>> (c & 31)) & 1) === 0) continue
      }
      const id = this.byText.get(fromEnd ? value.slice(value.length - length) : value.slice(0, length))
      if (id !== undefined) out.push(id)
    }
  }
}

export type HashedKey = Exclude<IndexKey, { kind: 'numeric' }>

/**
 * Every exact, case-insensitive, prefix and suffix key that the decision tree uses at one field, each under
 * its number. One dictionary serves all nodes, so an event value is looked up once per field however many
 * nodes branch on it, and the dictionary stays warm in the cache from one event to the next.
 */
export class FieldKeys {
  private exact: Map<unknown, number> | undefined
  private exactIgnoreCase: Map<string, number> | undefined
  private prefix: AffixKeys | undefined
  private prefixIgnoreCase: AffixKeys | undefined
  private suffix: AffixKeys | undefined
  private suffixIgnoreCase: AffixKeys | undefined
  private caseFolding = false

  add(key: HashedKey, id: number): void {
    switch (key.kind) {
      case 'exact':
        ;(this.exact ??= new Map()).set(key.key, id)
        return
      case 'exact-ci':
        this.caseFolding = true
        ;(this.exactIgnoreCase ??= new Map()).set(key.key, id)
        return
      case 'prefix':
        if (key.ignoreCase) {
          this.caseFolding = true
          ;(this.prefixIgnoreCase ??= new AffixKeys(false)).add(key.key, id)
        } else {
          ;(this.prefix ??= new AffixKeys(false)).add(key.key, id)
        }
        return
      case 'suffix':
        if (key.ignoreCase) {
          this.caseFolding = true
          ;(this.suffixIgnoreCase ??= new AffixKeys(true)).add(key.key, id)
        } else {
          ;(this.suffix ??= new AffixKeys(true)).add(key.key, id)
        }
    }
  }

  /** Appends to `out` the numbers of the keys `value` satisfies. */
  collect(value: unknown, out: number[]): void {
    if (this.exact !== undefined) {
      const id = this.exact.get(value)
      if (id !== undefined) out.push(id)
    }
    if (typeof value !== 'string') return
    this.prefix?.collect(value, out)
    this.suffix?.collect(value, out)
    if (!this.caseFolding) return
    const lower = value.toLowerCase()
    const id = this.exactIgnoreCase?.get(lower)
    if (id !== undefined) out.push(id)
    this.prefixIgnoreCase?.collect(lower, out)
    this.suffixIgnoreCase?.collect(lower, out)
  }
}

/**
 * Numbers every hashed key of every field once, for the tree's edges and for the exact-value tests of the
 * conjunctions alike: a test then asks whether the event's values at the field produced that number, an
 * integer comparison on data already in the cache, instead of comparing against a string elsewhere in memory.
 */
export class KeyNumbers {
  private readonly numbers = new Map<string, number>()
  readonly byField: Array<FieldKeys | undefined>

  constructor(fieldCount: number) {
    this.byField = new Array<FieldKeys | undefined>(fieldCount).fill(undefined)
  }

  numberOf(field: number, key: HashedKey): number {
    const text = keyText(field, key)
    let id = this.numbers.get(text)
    if (id === undefined) {
      this.numbers.set(text, (id = this.numbers.size))
      ;(this.byField[field] ??= new FieldKeys()).add(key, id)
    }
    return id
  }
}

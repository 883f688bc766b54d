import type { IndexKey } from './pattern-ast.js'

/** Texts matched at the start (or end) of a value; a lookup tries each distinct text length once. */
class AffixKeys {
  private readonly byText = new Map<string, number>()
  private lengths: number[] = []

  add(text: string, id: number): void {
    this.byText.set(text, id)
    if (!this.lengths.includes(text.length)) this.lengths = [...this.lengths, text.length].sort((a, b) => a - b)
  }

  collect(value: string, fromEnd: boolean, out: number[]): void {
    const lengths = this.lengths
    for (let i = 0; i < lengths.length; i++) {
      const length = lengths[i] as number
      if (length > value.length) return
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
          ;(this.prefixIgnoreCase ??= new AffixKeys()).add(key.key, id)
        } else {
          ;(this.prefix ??= new AffixKeys()).add(key.key, id)
        }
        return
      case 'suffix':
        if (key.ignoreCase) {
          this.caseFolding = true
          ;(this.suffixIgnoreCase ??= new AffixKeys()).add(key.key, id)
        } else {
          ;(this.suffix ??= new AffixKeys()).add(key.key, id)
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
    this.prefix?.collect(value, false, out)
    this.suffix?.collect(value, true, out)
    if (!this.caseFolding) return
    const lower = value.toLowerCase()
    const id = this.exactIgnoreCase?.get(lower)
    if (id !== undefined) out.push(id)
    this.prefixIgnoreCase?.collect(lower, false, out)
    this.suffixIgnoreCase?.collect(lower, true, out)
  }
}

import type { NumericRange } from './numeric.js'
import type { IndexKey } from './pattern-ast.js'

/** Targets reachable from a text by prefix or suffix; a lookup tries each distinct key length once. */
class AffixIndex<T> {
  private readonly byText = new Map<string, T>()
  private lengths: number[] = []

  getOrAdd(text: string, create: () => T): T {
    let target = this.byText.get(text)
    if (target === undefined) {
      this.byText.set(text, (target = create()))
      if (!this.lengths.includes(text.length)) this.lengths = [...this.lengths, text.length].sort((a, b) => a - b)
    }
    return target
  }

  lookup(value: string, fromEnd: boolean, found: (target: T) => void): void {
    const lengths = this.lengths
    for (let i = 0; i < lengths.length; i++) {
      const length = lengths[i] as number
      if (length > value.length) return
      const target = this.byText.get(fromEnd ? value.slice(value.length - length) : value.slice(0, length))
      if (target !== undefined) found(target)
    }
  }
}

/**
 * Finds, for one value of one field, the targets whose index keys it satisfies: a hash map for exact
 * values (strings, numbers, booleans and null are distinct keys; numbers compare numerically), one for
 * lower-cased values, and prefix/suffix tables, each plain or case-insensitive.
 */
export class KeyIndex<T> {
  private exact: Map<unknown, T> | undefined
  private exactIgnoreCase: Map<string, T> | undefined
  private prefix: AffixIndex<T> | undefined
  private prefixIgnoreCase: AffixIndex<T> | undefined
  private suffix: AffixIndex<T> | undefined
  private suffixIgnoreCase: AffixIndex<T> | undefined
  private numeric: Array<{ readonly text: string; readonly range: NumericRange; readonly target: T }> | undefined
  private caseFolding = false

  getOrAdd(key: IndexKey, create: () => T): T {
    switch (key.kind) {
      case 'exact':
        return getOrAdd((this.exact ??= new Map()), key.key, create)
      case 'exact-ci':
        this.caseFolding = true
        return getOrAdd((this.exactIgnoreCase ??= new Map()), key.key, create)
      case 'prefix':
        if (!key.ignoreCase) return (this.prefix ??= new AffixIndex()).getOrAdd(key.key, create)
        this.caseFolding = true
        return (this.prefixIgnoreCase ??= new AffixIndex()).getOrAdd(key.key, create)
      case 'suffix':
        if (!key.ignoreCase) return (this.suffix ??= new AffixIndex()).getOrAdd(key.key, create)
        this.caseFolding = true
        return (this.suffixIgnoreCase ??= new AffixIndex()).getOrAdd(key.key, create)
      case 'numeric': {
        // Ranges are few per node (the tree has already split on exact keys), so a scan is enough.
        const ranges = (this.numeric ??= [])
        const known = ranges.find((r) => r.text === key.key)
        if (known !== undefined) return known.target
        const target = create()
        ranges.push({ text: key.key, range: key.range, target })
        return target
      }
    }
  }

  lookup(value: unknown, found: (target: T) => void): void {
    if (this.exact !== undefined) {
      const target = this.exact.get(value)
      if (target !== undefined) found(target)
    }
    if (typeof value !== 'string') {
      const ranges = this.numeric
      if (ranges !== undefined && typeof value === 'number') {
        for (let i = 0; i < ranges.length; i++) {
          const entry = ranges[i] as (typeof ranges)[number]
          if (entry.range.contains(value)) found(entry.target)
        }
      }
      return
    }
    this.prefix?.lookup(value, false, found)
    this.suffix?.lookup(value, true, found)
    if (!this.caseFolding) return
    const lower = value.toLowerCase()
    const target = this.exactIgnoreCase?.get(lower)
    if (target !== undefined) found(target)
    this.prefixIgnoreCase?.lookup(lower, false, found)
    this.suffixIgnoreCase?.lookup(lower, true, found)
  }
}

function getOrAdd<K, T>(map: Map<K, T>, key: K, create: () => T): T {
  let target = map.get(key)
  if (target === undefined) map.set(key, (target = create()))
  return target
}

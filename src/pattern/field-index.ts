import type { IndexKey } from './pattern-ast.js'

/** Conjunctions reachable from one text by prefix or suffix; lookups try each distinct key length once. */
export class AffixIndex {
  private readonly byText = new Map<string, number[]>()
  private lengths: number[] = []

  add(text: string, conjunction: number): void {
    const list = this.byText.get(text)
    if (list === undefined) {
      this.byText.set(text, [conjunction])
      if (!this.lengths.includes(text.length)) this.lengths = [...this.lengths, text.length].sort((a, b) => a - b)
    } else if (list[list.length - 1] !== conjunction) {
      list.push(conjunction)
    }
  }

  /** Calls `found` with each conjunction list whose key starts (or ends, for suffixes) `value`. */
  lookup(value: string, fromEnd: boolean, found: (conjunctions: readonly number[]) => void): void {
    const lengths = this.lengths
    for (let i = 0; i < lengths.length; i++) {
      const length = lengths[i] as number
      if (length > value.length) return
      const key = fromEnd ? value.slice(value.length - length) : value.slice(0, length)
      const list = this.byText.get(key)
      if (list !== undefined) found(list)
    }
  }
}

/** Everything the compiled matcher knows about one field path: how its values lead to conjunctions. */
export class FieldIndex {
  exact: Map<unknown, number[]> | undefined
  exactIgnoreCase: Map<string, number[]> | undefined
  prefix: AffixIndex | undefined
  prefixIgnoreCase: AffixIndex | undefined
  suffix: AffixIndex | undefined
  suffixIgnoreCase: AffixIndex | undefined
  /** Conjunctions to check whenever the field has any value (anything-but, numeric, cidr, exists:true ...). */
  presence: number[] | undefined

  add(key: IndexKey, conjunction: number): void {
    switch (key.kind) {
      case 'exact':
        this.exact ??= new Map()
        push(this.exact, key.key, conjunction)
        return
      case 'exact-ci':
        this.exactIgnoreCase ??= new Map()
        push(this.exactIgnoreCase, key.key, conjunction)
        return
      case 'prefix':
        if (key.ignoreCase) (this.prefixIgnoreCase ??= new AffixIndex()).add(key.key, conjunction)
        else (this.prefix ??= new AffixIndex()).add(key.key, conjunction)
        return
      case 'suffix':
        if (key.ignoreCase) (this.suffixIgnoreCase ??= new AffixIndex()).add(key.key, conjunction)
        else (this.suffix ??= new AffixIndex()).add(key.key, conjunction)
        return
    }
  }

  addPresence(conjunction: number): void {
    ;(this.presence ??= []).push(conjunction)
  }

  /** Calls `found` with each list of conjunctions a value of this field may satisfy. */
  lookup(value: unknown, found: (conjunctions: readonly number[]) => void): void {
    const exact = this.exact?.get(value)
    if (exact !== undefined) found(exact)
    if (typeof value !== 'string') return
    this.prefix?.lookup(value, false, found)
    this.suffix?.lookup(value, true, found)
    if (this.exactIgnoreCase === undefined && this.prefixIgnoreCase === undefined && this.suffixIgnoreCase === undefined) return
    const lower = value.toLowerCase()
    const ci = this.exactIgnoreCase?.get(lower)
    if (ci !== undefined) found(ci)
    this.prefixIgnoreCase?.lookup(lower, false, found)
    this.suffixIgnoreCase?.lookup(lower, true, found)
  }
}

function push<K>(map: Map<K, number[]>, key: K, conjunction: number): void {
  const list = map.get(key)
  if (list === undefined) map.set(key, [conjunction])
  else if (list[list.length - 1] !== conjunction) list.push(conjunction)
}

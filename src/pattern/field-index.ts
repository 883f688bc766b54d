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

/**
 * What an exact value of a field leads to: conjunctions anchored on that value alone (`direct`), and
 * conjunctions that also need an exact value of a second field (`second`), looked up once the whole event
 * has been walked. The second level keeps rules that share a common value (one `source`, many
 * `detail-type`s) from all becoming candidates, in the way event-ruler's automaton moves field by field.
 */
export class ExactBucket {
  direct: number[] | undefined
  second: Array<{ readonly field: number; readonly byValue: Map<unknown, number[]> }> | undefined
  /** Generation of the last event that reached this bucket, so each event resolves it once. */
  seen = 0

  addDirect(conjunction: number): void {
    ;(this.direct ??= []).push(conjunction)
  }

  addSecond(field: number, value: unknown, conjunction: number): void {
    this.second ??= []
    let level = this.second.find((entry) => entry.field === field)
    if (level === undefined) this.second.push((level = { field, byValue: new Map() }))
    push(level.byValue, value, conjunction)
  }
}

/** Receives what a value's lookups find. */
export interface AnchorSink {
  addCandidates(conjunctions: readonly number[]): void
  addBucket(bucket: ExactBucket): void
}

/** Everything the compiled matcher knows about one field path: how its values lead to conjunctions. */
export class FieldIndex {
  exact: Map<unknown, ExactBucket> | undefined
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
        this.bucket(key.key).addDirect(conjunction)
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

  bucket(value: unknown): ExactBucket {
    this.exact ??= new Map()
    let bucket = this.exact.get(value)
    if (bucket === undefined) this.exact.set(value, (bucket = new ExactBucket()))
    return bucket
  }

  addPresence(conjunction: number): void {
    ;(this.presence ??= []).push(conjunction)
  }

  /** Hands the sink every conjunction list and bucket a value of this field may lead to. */
  lookup(value: unknown, sink: AnchorSink): void {
    if (this.exact !== undefined) {
      const bucket = this.exact.get(value)
      if (bucket !== undefined) sink.addBucket(bucket)
    }
    if (typeof value !== 'string') return
    const found = sink.addCandidates
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

import type { NumericRange } from './numeric.js'

/** The parsed form of a pattern, shared by the compiled matcher, the reference matcher and explain(). */

/** How the compiled matcher can find a value matcher without testing it: a hash key or a prefix/suffix. */
export type IndexKey =
  | { readonly kind: 'exact'; readonly key: string | number | boolean | null }
  | { readonly kind: 'exact-ci'; readonly key: string }
  | { readonly kind: 'prefix' | 'suffix'; readonly key: string; readonly ignoreCase: boolean }
  | { readonly kind: 'numeric'; readonly key: string; readonly range: NumericRange }

/** One entry of a field's value list, e.g. `"x"` or `{ "prefix": "ab" }`. */
export interface ValueMatcher {
  /** `exact`, `prefix`, `anything-but`, ... as written in the pattern. */
  readonly operator: string
  /** The entry as written, for explain() and error messages. */
  readonly source: unknown
  readonly pointer: string
  /** Set when the compiled matcher can reach this matcher through an index (the test still decides). */
  readonly index: IndexKey | undefined
  /** Tests one leaf value of the event (string, number, boolean or null). */
  test(value: unknown): boolean
}

/** A field of the pattern: its flattened path and the value list, any entry of which may match. */
export interface FieldCondition {
  /** Dot-joined path, e.g. `detail.state`; pattern keys and event keys meet on this string. */
  readonly path: string
  /** The path split at every dot. */
  readonly segments: readonly string[]
  readonly matchers: readonly ValueMatcher[]
  /** True when the list holds `{ "exists": false }`: the condition also holds when the field is absent. */
  readonly allowsAbsent: boolean
  readonly pointer: string
  readonly source: unknown
}

/** An object of the pattern: all conditions and all `$or` groups must hold. */
export interface PatternNode {
  readonly conditions: readonly FieldCondition[]
  readonly anyOf: ReadonlyArray<{ readonly pointer: string; readonly alternatives: readonly PatternNode[] }>
}

/** A pattern in disjunctive normal form: it matches when every condition of any one conjunction holds. */
export type Conjunction = readonly FieldCondition[]

export interface ParsedPattern {
  readonly root: PatternNode
  readonly conjunctions: readonly Conjunction[]
}

export interface PatternLimits {
  /** Largest pattern text accepted, in UTF-8 bytes. Default 65,536. */
  readonly maxPatternBytes?: number
  /** Deepest nesting of objects and arrays, and most segments in a field path. Default 32. */
  readonly maxDepth?: number
  /** Most alternatives a pattern may expand to once its `$or` groups are multiplied out. Default 1,024. */
  readonly maxAlternatives?: number
}

export const defaultPatternLimits: Required<PatternLimits> = {
  maxPatternBytes: 65_536,
  maxDepth: 32,
  maxAlternatives: 1_024,
}

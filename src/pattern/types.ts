/** Something that finds which rules an event matches. */
export interface Matcher<R> {
  /** Every matching rule id, each once, in the order the rules were given. Never throws on any JSON event. */
  match(event: unknown): R[]
}

/** Rules as `[id, pattern]` pairs; a pattern is an object or its JSON text. An id given twice means "either". */
export type PatternRules<R> = Iterable<readonly [R, unknown]>

/** One compiled pattern. */
export interface CompiledPattern {
  /** True when the event (an object or its JSON text) matches. Never throws; invalid JSON text is no match. */
  matches(event: unknown): boolean
}

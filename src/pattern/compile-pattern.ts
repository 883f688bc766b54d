import { compileMatcher } from './compiled-matcher.js'
import type { PatternLimits } from './pattern-ast.js'
import type { CompiledPattern } from './types.js'

/**
 * Compiles one pattern (an object or its JSON text). Throws PatternError when it is invalid;
 * the result's `matches()` never throws.
 */
export function compilePattern(pattern: unknown, limits: PatternLimits = {}): CompiledPattern {
  const matcher = compileMatcher([[true, pattern]], limits)
  return { matches: (event: unknown) => matcher.match(event).length > 0 }
}

/**
 * Wildcard values: `*` stands for any run of characters (`/` included), `\*` is a literal star, `\\` a
 * literal backslash. Two stars in a row and a backslash before anything else are invalid (event-ruler README).
 */
export interface Wildcard {
  /** The literal pieces between stars; a pattern without stars has exactly one piece. */
  readonly pieces: readonly string[]
}

/** Parses a wildcard value, or returns the reason it is invalid. */
export function parseWildcard(value: string): Wildcard | string {
  const pieces: string[] = []
  let piece = ''
  let previousWasStar = false
  for (let i = 0; i < value.length; i++) {
    const c = value[i]
    if (c === '*') {
      if (previousWasStar) return `consecutive '*' at position ${i}; use a single '*'`
      pieces.push(piece)
      piece = ''
      previousWasStar = true
      continue
    }
    previousWasStar = false
    if (c === '\\') {
      const next = value[i + 1]
      if (next !== '*' && next !== '\\') return `'\\' at position ${i} may only escape '*' or '\\'`
      piece += next
      i++
      continue
    }
    piece += c
  }
  pieces.push(piece)
  return { pieces }
}

/** True when the whole of `text` matches the wildcard. */
export function wildcardMatches(wildcard: Wildcard, text: string): boolean {
  const pieces = wildcard.pieces
  const first = pieces[0] ?? ''
  if (pieces.length === 1) return text === first
  const last = pieces[pieces.length - 1] ?? ''
  if (text.length < first.length + last.length) return false
  if (!text.startsWith(first) || !text.endsWith(last)) return false
  // Leftmost placement of each middle piece is optimal when every gap may hold anything.
  let from = first.length
  const end = text.length - last.length
  for (let i = 1; i < pieces.length - 1; i++) {
    const piece = pieces[i] ?? ''
    const at = text.indexOf(piece, from)
    if (at < 0 || at + piece.length > end) return false
    from = at + piece.length
  }
  return true
}

/** The literal text every match starts with (for indexing), or '' when the wildcard starts with a star. */
export function wildcardHead(wildcard: Wildcard): string {
  return wildcard.pieces.length > 1 ? (wildcard.pieces[0] ?? '') : ''
}

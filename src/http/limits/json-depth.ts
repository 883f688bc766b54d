/**
 * The deepest nesting of arrays and objects in JSON text, found by one pass over the bytes without parsing,
 * stopping as soon as `limit` is passed. Brackets inside strings do not count. Works on UTF-8 bytes or text.
 */
export function jsonDepthExceeds(body: string | Uint8Array, limit: number): boolean {
  const text = typeof body === 'string'
  const length = body.length
  let depth = 0
  let inString = false
  for (let i = 0; i < length; i++) {
    const c = text ? (body as string).charCodeAt(i) : (body as Uint8Array)[i] as number
    if (inString) {
      if (c === 0x5c) i++
      else if (c === 0x22) inString = false
    } else if (c === 0x22) inString = true
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > limit) return true
    } else if (c === 0x5d || c === 0x7d) depth--
  }
  return false
}

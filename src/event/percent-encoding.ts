// Header values of the HTTP binding (and NATS binary mode): HTTP binding §3.1.3.2.

const HEX = '0123456789ABCDEF'
// ignoreBOM keeps a leading U+FEFF: in a header value it is content, not a byte order mark
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })
const encoder = new TextEncoder()

function mustEncode(c: number): boolean {
  // space, '"', '%' and everything outside U+0021..U+007E (controls included, as RECOMMENDED)
  return c <= 0x20 || c >= 0x7f || c === 0x22 || c === 0x25
}

/** Percent-encodes an attribute's canonical string for a `ce-` header (UTF-8 bytes, upper-case hex). */
export function encodeHeaderValue(value: string): string {
  let i = 0
  while (i < value.length && !mustEncode(value.charCodeAt(i))) i++
  if (i === value.length) return value // the common case: nothing to encode, no allocation
  let out = value.slice(0, i)
  for (; i < value.length; i++) {
    const c = value.charCodeAt(i)
    if (!mustEncode(c)) {
      out += value[i]
      continue
    }
    // One character may be two UTF-16 units (a surrogate pair); encode the whole code point.
    const pair = c >= 0xd800 && c <= 0xdbff && i + 1 < value.length ? value.codePointAt(i)! > 0xffff : false
    const bytes = encoder.encode(pair ? value.slice(i, i + 2) : value[i])
    if (pair) i++
    for (const byte of bytes) out += `%${HEX[byte >> 4]}${HEX[byte & 15]}`
  }
  return out
}

/**
 * Decodes a `ce-` header value: first an RFC 7230 quoted-string (older senders), then exactly one round of
 * percent-decoding (lower-case hex and needless escapes accepted). Returns undefined when the escapes are broken
 * or the bytes are not valid UTF-8 (the spec says to reject, e.g. the overlong `%C0%A0`).
 *
 * Raw non-ASCII characters are tolerated, because some senders do not encode: Node and fetch `Headers` hand such
 * bytes over as latin1 characters, so characters up to U+00FF are first read back as bytes; when those bytes are
 * not UTF-8 the characters are taken as they are.
 */
export function decodeHeaderValue(raw: string): string | undefined {
  let value = raw
  if (value.length >= 2 && value.charCodeAt(0) === 0x22 && value.charCodeAt(value.length - 1) === 0x22) {
    value = value.slice(1, -1).replace(/\\(.)/gs, '$1')
  }
  let plain = true
  for (let i = 0; i < value.length && plain; i++) {
    const c = value.charCodeAt(i)
    plain = c !== 0x25 && c < 0x80
  }
  if (plain) return value // the common case: nothing to decode
  return percentDecode(value, true) ?? percentDecode(value, false)
}

function percentDecode(value: string, rawAsLatin1: boolean): string | undefined {
  const bytes: number[] = []
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i)
    if (c === 0x25) {
      const byte = parseHexByte(value, i + 1)
      if (byte < 0) return undefined
      bytes.push(byte)
      i += 2
    } else if (c < 0x80 || (rawAsLatin1 && c <= 0xff)) {
      bytes.push(c)
    } else if (rawAsLatin1) {
      return undefined // a character above U+00FF: the value was not latin1-decoded bytes
    } else {
      const cp = value.codePointAt(i)!
      for (const byte of encoder.encode(String.fromCodePoint(cp))) bytes.push(byte)
      if (cp > 0xffff) i++
    }
  }
  try {
    return utf8.decode(new Uint8Array(bytes))
  } catch {
    return undefined
  }
}

function parseHexByte(text: string, at: number): number {
  const hi = hexValue(text.charCodeAt(at))
  const lo = hexValue(text.charCodeAt(at + 1))
  return hi < 0 || lo < 0 ? -1 : hi * 16 + lo
}

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30
  if (c >= 0x41 && c <= 0x46) return c - 0x37
  if (c >= 0x61 && c <= 0x66) return c - 0x57
  return -1
}

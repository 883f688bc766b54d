// Checks for the CloudEvents 1.0 type system (spec "Type System"). Every pattern is compiled once at module load;
// the checks run on every event, so they are plain loops or precompiled regular expressions, never closures.

// CloudEvents String excludes control characters, Unicode noncharacters and unpaired surrogates. With the `u`
// flag a lone surrogate is its own code point (a proper pair is not matched), so one class covers all three.
const FORBIDDEN_IN_STRING = buildForbiddenCharacters()

function buildForbiddenCharacters(): RegExp {
  let planeNoncharacters = ''
  for (let plane = 1; plane <= 0x10; plane++) {
    const base = (plane * 0x10000).toString(16).slice(0, -4)
    planeNoncharacters += `\\u{${base}FFFE}\\u{${base}FFFF}`
  }
  return new RegExp(`[\\u0000-\\u001F\\u007F-\\u009F\\uFDD0-\\uFDEF\\uFFFE\\uFFFF${planeNoncharacters}\\uD800-\\uDFFF]`, 'u')
}

/** True when `value` is a valid CloudEvents String (no control characters, noncharacters, lone surrogates). */
export function isCloudEventsString(value: string): boolean {
  // Most attribute values are printable ASCII: settle those with a plain loop, the regex only for the rest.
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i)
    if (c < 0x20 || c > 0x7e) return !FORBIDDEN_IN_STRING.test(value)
  }
  return true
}

const MIN_INTEGER = -2147483648
const MAX_INTEGER = 2147483647

/** True for a CloudEvents Integer: a whole number in the signed 32-bit range. */
export function isCloudEventsInteger(value: number): boolean {
  return Number.isInteger(value) && value >= MIN_INTEGER && value <= MAX_INTEGER
}

/** Attribute names: lower-case ASCII letters and digits only, at least one character (spec "Naming Conventions"). */
export function isAttributeName(name: string): boolean {
  const length = name.length
  if (length === 0) return false
  for (let i = 0; i < length; i++) {
    const c = name.charCodeAt(i)
    if (!((c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39))) return false
  }
  return true
}

// RFC 3339 date-time, read with char codes (no regex, no allocation): `T` and `Z` may be lower case (RFC 3339
// §5.6 note), fractional seconds have at least one digit, the offset is `Z` or `±hh:mm`.
const DAYS_IN_MONTH = [0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]

function digits(value: string, at: number, count: number): number {
  let n = 0
  for (let i = at; i < at + count; i++) {
    const d = value.charCodeAt(i) - 0x30
    if (!(d >= 0 && d <= 9)) return -1
    n = n * 10 + d
  }
  return n
}

/** True for an RFC 3339 timestamp with a real calendar date (leap years, leap second 60 allowed). */
export function isTimestamp(value: string): boolean {
  if (value.length < 20) return false
  const year = digits(value, 0, 4)
  const month = digits(value, 5, 2)
  const day = digits(value, 8, 2)
  const hour = digits(value, 11, 2)
  const minute = digits(value, 14, 2)
  const second = digits(value, 17, 2)
  if (year < 0 || value.charCodeAt(4) !== 0x2d || value.charCodeAt(7) !== 0x2d || (value.charCodeAt(10) | 0x20) !== 0x74) return false
  if (value.charCodeAt(13) !== 0x3a || value.charCodeAt(16) !== 0x3a) return false
  if (month < 1 || month > 12 || day < 1 || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 60) return false
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0)
  if (day > (month === 2 && !leap ? 28 : DAYS_IN_MONTH[month]!)) return false
  let i = 19
  if (value.charCodeAt(i) === 0x2e) {
    const start = ++i
    while (i < value.length && digits(value, i, 1) >= 0) i++
    if (i === start) return false
  }
  const zone = value.charCodeAt(i)
  if ((zone | 0x20) === 0x7a) return i + 1 === value.length
  if (zone !== 0x2b && zone !== 0x2d) return false
  const offsetHour = digits(value, i + 1, 2)
  const offsetMinute = digits(value, i + 4, 2)
  return i + 6 === value.length && value.charCodeAt(i + 3) === 0x3a && offsetHour >= 0 && offsetHour <= 23 && offsetMinute >= 0 && offsetMinute <= 59
}

// RFC 4648 §4 base64 alphabet as a table; data_base64 can be hundreds of KiB, so this is a plain loop.
const BASE64_ALPHABET = new Uint8Array(128)
for (const ch of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/') BASE64_ALPHABET[ch.charCodeAt(0)] = 1

/** True for canonical RFC 4648 base64 (standard alphabet, padded, no white space); '' encodes zero bytes. */
export function isBase64(value: string): boolean {
  const length = value.length
  if (length % 4 !== 0) return false
  let end = length
  if (length > 0 && value.charCodeAt(length - 1) === 0x3d) end = value.charCodeAt(length - 2) === 0x3d ? length - 2 : length - 1
  for (let i = 0; i < end; i++) {
    const c = value.charCodeAt(i)
    if (c >= 128 || BASE64_ALPHABET[c] === 0) return false
  }
  return true
}

// Character classes of RFC 3986, as a table indexed by char code (ASCII only; anything else is never allowed).
const PCHAR = 1 // unreserved, sub-delims, ':' and '@' — allowed in path segments, query and fragment
const AUTHORITY_ONLY = 2 // '[' and ']' — only inside the authority (IP literals)
const SCHEME = 4 // ALPHA, DIGIT, '+', '-', '.' — allowed after the first letter of a scheme
const URI_CHARS = buildUriTable()

function buildUriTable(): Uint8Array {
  const table = new Uint8Array(128)
  const mark = (chars: string, flag: number): void => {
    for (const ch of chars) table[ch.charCodeAt(0)]! |= flag
  }
  const alpha = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'
  const digit = '0123456789'
  mark(`${alpha}${digit}-._~!$&'()*+,;=:@`, PCHAR)
  mark('[]', AUTHORITY_ONLY)
  mark(`${alpha}${digit}+-.`, SCHEME)
  return table
}

function isHex(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66)
}

function isAlpha(c: number): boolean {
  return (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a)
}

/** Length of a valid `scheme ":"` prefix, or 0 when the value has none (RFC 3986 §3.1). */
function schemeLength(value: string): number {
  if (value.length === 0 || !isAlpha(value.charCodeAt(0))) return 0
  for (let i = 1; i < value.length; i++) {
    const c = value.charCodeAt(i)
    if (c === 0x3a) return i + 1
    if (c >= 128 || (URI_CHARS[c]! & SCHEME) === 0) return 0
  }
  return 0
}

/**
 * Checks the syntax of an RFC 3986 URI-reference (§4.1), or of an absolute-URI (§4.3: scheme required, no
 * fragment). It checks the character set, percent escapes, where brackets and '#' may appear and that a
 * relative reference's first segment has no ':'; it does not parse hosts or ports.
 */
function checkUri(value: string, absolute: boolean): boolean {
  let i = schemeLength(value)
  if (i === 0) {
    if (absolute) return false
    // A relative reference whose first segment holds ':' would read as a scheme (RFC 3986 §4.2).
    for (let j = 0; j < value.length; j++) {
      const c = value.charCodeAt(j)
      if (c === 0x2f || c === 0x3f || c === 0x23) break
      if (c === 0x3a) return false
    }
  }
  let inAuthority = value.charCodeAt(i) === 0x2f && value.charCodeAt(i + 1) === 0x2f
  if (inAuthority) i += 2
  let inFragment = false
  for (; i < value.length; i++) {
    const c = value.charCodeAt(i)
    if (c >= 128) return false
    if (c === 0x25) {
      if (!isHex(value.charCodeAt(i + 1)) || !isHex(value.charCodeAt(i + 2))) return false
      i += 2
    } else if (c === 0x2f || c === 0x3f) {
      inAuthority = false
    } else if (c === 0x23) {
      if (inFragment || absolute) return false
      inFragment = true
      inAuthority = false
    } else if ((URI_CHARS[c]! & PCHAR) === 0) {
      if (!(inAuthority && (URI_CHARS[c]! & AUTHORITY_ONLY) !== 0)) return false
    }
  }
  return true
}

/** True for an RFC 3986 URI-reference (absolute or relative), as `source` requires. */
export function isUriReference(value: string): boolean {
  return checkUri(value, false)
}

/** True for an RFC 3986 absolute-URI (a scheme, no fragment), as `dataschema` requires. */
export function isAbsoluteUri(value: string): boolean {
  return checkUri(value, true)
}

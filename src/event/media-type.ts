// RFC 2045 / RFC 2046 media types: `type/subtype *(; name=value)`. Used to validate `datacontenttype` and to read
// HTTP Content-Type headers. Type, subtype and parameter names compare case-insensitively, so they are lower-cased.

/** A parsed media type. `essence` is `type/subtype` in lower case; parameter names are lower case too. */
export interface MediaType {
  readonly essence: string
  readonly parameters: Readonly<Record<string, string>>
}

// RFC 2045 token: printable ASCII except SPACE and tspecials ()<>@,;:\"/[]?=
const TOKEN = new Uint8Array(128)
for (let c = 0x21; c < 0x7f; c++) TOKEN[c] = 1
for (const ch of '()<>@,;:\\"/[]?=') TOKEN[ch.charCodeAt(0)] = 0

function isTokenChar(c: number): boolean {
  return c < 128 && TOKEN[c] === 1
}

function skipSpace(text: string, i: number): number {
  while (i < text.length && (text.charCodeAt(i) === 0x20 || text.charCodeAt(i) === 0x09)) i++
  return i
}

function tokenEnd(text: string, i: number): number {
  while (i < text.length && isTokenChar(text.charCodeAt(i))) i++
  return i
}

/**
 * Parses a media type, or returns undefined when it is not one. White space is allowed around `;` (as HTTP
 * senders write it) but not around `/` or `=`. Parameter values are tokens or quoted strings.
 */
export function parseMediaType(text: string): MediaType | undefined {
  let i = skipSpace(text, 0)
  const typeStart = i
  i = tokenEnd(text, i)
  if (i === typeStart || text.charCodeAt(i) !== 0x2f) return undefined
  const subtypeStart = ++i
  i = tokenEnd(text, i)
  if (i === subtypeStart) return undefined
  const essence = text.slice(typeStart, i).toLowerCase()
  const parameters: Record<string, string> = {}
  for (;;) {
    i = skipSpace(text, i)
    if (i === text.length) return { essence, parameters }
    if (text.charCodeAt(i) !== 0x3b) return undefined
    i = skipSpace(text, i + 1)
    const nameStart = i
    i = tokenEnd(text, i)
    if (i === nameStart || text.charCodeAt(i) !== 0x3d) return undefined
    const name = text.slice(nameStart, i).toLowerCase()
    i++
    let value: string
    if (text.charCodeAt(i) === 0x22) {
      value = ''
      for (i++; ; i++) {
        if (i >= text.length) return undefined
        const c = text.charCodeAt(i)
        if (c === 0x22) break
        if (c === 0x5c) i++
        if (i >= text.length || text.charCodeAt(i) > 0x7e) return undefined
        value += text[i]
      }
      i++
    } else {
      const valueStart = i
      i = tokenEnd(text, i)
      if (i === valueStart) return undefined
      value = text.slice(valueStart, i)
    }
    // Object.defineProperty keeps a parameter called `__proto__` an ordinary key.
    Object.defineProperty(parameters, name, { value, enumerable: true, writable: true, configurable: true })
  }
}

/** True when `text` is an RFC 2046 media type, as `datacontenttype` requires. */
export function isMediaType(text: string): boolean {
  return parseMediaType(text) !== undefined
}

/** JSON format §3.1: a type is JSON when, without parameters, it is `type/json` or `type/subtype+json`. */
export function isJsonEssence(essence: string): boolean {
  return essence.endsWith('/json') || essence.endsWith('+json')
}

/**
 * Whether HTTP bodies of this type are text: `text/*`, anything with a charset, XML, and a few common textual
 * application types. Other bytes are kept as `data_base64` so nothing is lost.
 */
export function isTextual(type: MediaType): boolean {
  const { essence } = type
  if (essence.startsWith('text/') || type.parameters['charset'] !== undefined) return true
  if (essence.endsWith('/xml') || essence.endsWith('+xml')) return true
  return TEXTUAL_APPLICATION_TYPES.has(essence)
}

const TEXTUAL_APPLICATION_TYPES = new Set([
  'application/x-www-form-urlencoded',
  'application/javascript',
  'application/ecmascript',
  'application/yaml',
  'application/x-yaml',
  'application/toml',
  'application/graphql',
  'application/x-ndjson',
  'application/csv',
])

import fc from 'fast-check'

/** Keeps only what `new Headers()` takes (a token name, a value without NUL/CR/LF), so the case reaches the app. */
export function sendableHeaders(headers: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [name, value] of Object.entries(headers)) {
    if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name)) continue
    out[name] = sendableValue(value)
  }
  return out
}

export function sendableValue(value: string): string {
  return value.replace(/[^\t\x20-\x7e\x80-\xff]/g, '?').trim()
}

/** Header values a client can send: visible ASCII, Latin-1, and the shapes headers usually have. */
export const headerValue = fc.oneof(
  fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 40 }),
  fc.string({ unit: fc.integer({ min: 0x20, max: 0xff }).map((c) => String.fromCharCode(c)), maxLength: 20 }),
  fc.constantFrom('1.0', '%', '%zz', '%C3%A9', '%ED%A0%80', '2024-01-01T00:00:00Z', 'app.x', '0', '-1', '999999999999', 'chunked', 'gzip'),
)

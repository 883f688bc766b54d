import { PatternError, childPointer } from './pattern-error.js'

/**
 * A JSON object read from pattern text with every member kept in order, duplicates included: in a
 * pattern, `{"a": ["x"], "a": [{"prefix": "y"}]}` means both conditions, which `JSON.parse` would lose.
 */
export class JsonMembers {
  constructor(readonly entries: ReadonlyArray<readonly [string, JsonValue]>) {}

  /** For messages and explain(): a plain object (of duplicate keys, the last one shows). */
  toJSON(): Record<string, JsonValue> {
    return Object.fromEntries(this.entries)
  }
}

export type JsonValue = string | number | boolean | null | JsonMembers | JsonValue[]

export interface JsonReaderLimits {
  /** Nesting of objects and arrays beyond which the text is refused. */
  readonly maxDepth: number
}

/**
 * A small strict JSON reader (RFC 8259) for pattern text. It keeps duplicate keys and reports errors as
 * PatternError with the JSON pointer of the value being read, plus the line and column.
 */
export function readJson(text: string, limits: JsonReaderLimits): JsonValue {
  const reader = new Reader(text, limits.maxDepth)
  reader.skipSpace()
  const value = reader.value('', 0)
  reader.skipSpace()
  if (reader.pos < text.length) reader.fail('', 'unexpected text after the pattern')
  return value
}

const escapes: Readonly<Record<string, string>> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' }
const numberShape = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y

class Reader {
  pos = 0
  constructor(
    private readonly text: string,
    private readonly maxDepth: number,
  ) {}

  fail(pointer: string, reason: string): never {
    const before = this.text.slice(0, this.pos)
    const line = before.split('\n').length
    const column = this.pos - before.lastIndexOf('\n')
    throw new PatternError(pointer, `invalid JSON at line ${line} column ${column}: ${reason}`)
  }

  skipSpace(): void {
    const text = this.text
    while (this.pos < text.length) {
      const c = text.charCodeAt(this.pos)
      if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) return
      this.pos++
    }
  }

  value(pointer: string, depth: number): JsonValue {
    const c = this.text[this.pos]
    if (c === '{' || c === '[') {
      if (depth >= this.maxDepth) {
        throw new PatternError(pointer, `nesting deeper than ${this.maxDepth} levels; flatten the pattern or raise maxDepth`)
      }
      return c === '{' ? this.object(pointer, depth + 1) : this.array(pointer, depth + 1)
    }
    if (c === '"') return this.string(pointer)
    if (this.text.startsWith('true', this.pos)) return this.literal(4, true)
    if (this.text.startsWith('false', this.pos)) return this.literal(5, false)
    if (this.text.startsWith('null', this.pos)) return this.literal(4, null)
    numberShape.lastIndex = this.pos
    const match = numberShape.exec(this.text)
    if (match === null) this.fail(pointer, c === undefined ? 'the text ends where a value should be' : `unexpected ${JSON.stringify(c)}`)
    this.pos += match[0].length
    return Number(match[0])
  }

  private literal<T>(length: number, value: T): T {
    this.pos += length
    return value
  }

  private object(pointer: string, depth: number): JsonMembers {
    this.pos++
    const entries: Array<readonly [string, JsonValue]> = []
    this.skipSpace()
    if (this.text[this.pos] === '}') {
      this.pos++
      return new JsonMembers(entries)
    }
    for (;;) {
      this.skipSpace()
      if (this.text[this.pos] !== '"') this.fail(pointer, 'expected a member name in double quotes')
      const key = this.string(pointer)
      this.skipSpace()
      if (this.text[this.pos] !== ':') this.fail(pointer, `expected ':' after ${JSON.stringify(key)}`)
      this.pos++
      this.skipSpace()
      entries.push([key, this.value(childPointer(pointer, key), depth)])
      this.skipSpace()
      const next = this.text[this.pos++]
      if (next === '}') return new JsonMembers(entries)
      if (next !== ',') this.fail(pointer, "expected ',' or '}'")
    }
  }

  private array(pointer: string, depth: number): JsonValue[] {
    this.pos++
    const items: JsonValue[] = []
    this.skipSpace()
    if (this.text[this.pos] === ']') {
      this.pos++
      return items
    }
    for (;;) {
      this.skipSpace()
      items.push(this.value(childPointer(pointer, items.length), depth))
      this.skipSpace()
      const next = this.text[this.pos++]
      if (next === ']') return items
      if (next !== ',') this.fail(pointer, "expected ',' or ']'")
    }
  }

  private string(pointer: string): string {
    const text = this.text
    let out = ''
    let start = ++this.pos
    for (;;) {
      const c = text.charCodeAt(this.pos)
      if (Number.isNaN(c)) this.fail(pointer, 'unterminated string')
      if (c === 0x22) {
        out += text.slice(start, this.pos++)
        return out
      }
      if (c < 0x20) this.fail(pointer, 'control character in a string; escape it')
      if (c === 0x5c) {
        out += text.slice(start, this.pos)
        const e = text[this.pos + 1] ?? ''
        if (e === 'u') {
          const hex = text.slice(this.pos + 2, this.pos + 6)
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) this.fail(pointer, 'bad \\u escape; it needs four hex digits')
          out += String.fromCharCode(parseInt(hex, 16))
          this.pos += 6
        } else {
          const decoded = escapes[e]
          if (decoded === undefined) this.fail(pointer, `bad escape \\${e}`)
          out += decoded
          this.pos += 2
        }
        start = this.pos
        continue
      }
      this.pos++
    }
  }
}

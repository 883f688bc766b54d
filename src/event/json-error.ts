// Explains why JSON.parse failed, with a position, in the same words on every Node version. It runs only after a
// failure, so it favours clarity over speed; it is iterative, so deeply nested input cannot overflow the stack.

/** Where and why `text` is not JSON: `malformed json at line L, column C (position P): reason`. */
export function describeJsonError(text: string, fallback: string): string {
  const found = locateJsonError(text)
  if (found === undefined) return `malformed json: ${fallback}`
  const { position, reason } = found
  let line = 1
  let lineStart = 0
  for (let i = 0; i < position && i < text.length; i++) {
    if (text.charCodeAt(i) === 0x0a) {
      line++
      lineStart = i + 1
    }
  }
  return `malformed json at line ${line}, column ${position - lineStart + 1} (position ${position}): ${reason}`
}

type Expect = 'value' | 'value-or-close' | 'key' | 'key-or-close' | 'colon' | 'comma-or-close' | 'end'

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y
const ESCAPES = '"\\/bfnrt'

interface Located {
  position: number
  reason: string
}

function describeChar(text: string, i: number): string {
  return JSON.stringify(String.fromCodePoint(text.codePointAt(i)!))
}

function locateJsonError(text: string): Located | undefined {
  const stack: Array<'}' | ']'> = []
  let expect: Expect = 'value'
  let i = 0
  for (;;) {
    while (i < text.length && ' \t\n\r'.includes(text[i]!)) i++
    if (i >= text.length) {
      return expect === 'end' ? undefined : { position: i, reason: i === 0 ? 'the text is empty' : 'unexpected end of input' }
    }
    const c = text[i]!
    if (expect === 'end') return { position: i, reason: `unexpected ${describeChar(text, i)} after the json value` }
    if (expect === 'colon') {
      if (c !== ':') return { position: i, reason: `expected ':' after a property name, got ${describeChar(text, i)}` }
      i++
      expect = 'value'
      continue
    }
    if (expect === 'comma-or-close') {
      const close = stack[stack.length - 1]!
      if (c === ',') expect = close === '}' ? 'key' : 'value'
      else if (c === close) {
        stack.pop()
        expect = stack.length === 0 ? 'end' : 'comma-or-close'
      } else return { position: i, reason: `expected ',' or '${close}', got ${describeChar(text, i)}` }
      i++
      continue
    }
    if (expect === 'key' || expect === 'key-or-close') {
      if (c === '}' && expect === 'key-or-close') {
        stack.pop()
        i++
        expect = stack.length === 0 ? 'end' : 'comma-or-close'
        continue
      }
      if (c !== '"') return { position: i, reason: `expected a double-quoted property name, got ${describeChar(text, i)}` }
      const end = scanString(text, i)
      if (typeof end !== 'number') return end
      i = end
      expect = 'colon'
      continue
    }
    // expect is 'value' or 'value-or-close'
    if (c === ']' && expect === 'value-or-close') {
      stack.pop()
      i++
    } else if (c === '{' || c === '[') {
      stack.push(c === '{' ? '}' : ']')
      i++
      expect = c === '{' ? 'key-or-close' : 'value-or-close'
      continue
    } else if (c === '"') {
      const end = scanString(text, i)
      if (typeof end !== 'number') return end
      i = end
    } else if (text.startsWith('true', i) || text.startsWith('null', i)) {
      i += 4
    } else if (text.startsWith('false', i)) {
      i += 5
    } else {
      NUMBER.lastIndex = i
      if (!NUMBER.test(text)) return { position: i, reason: `unexpected ${describeChar(text, i)}, expected a value` }
      i = NUMBER.lastIndex
    }
    expect = stack.length === 0 ? 'end' : 'comma-or-close'
  }
}

/** Scans the string starting at the quote at `start`; returns the index after its closing quote, or the error. */
function scanString(text: string, start: number): number | Located {
  for (let i = start + 1; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c === 0x22) return i + 1
    if (c < 0x20) return { position: i, reason: 'control character inside a string; escape it' }
    if (c === 0x5c) {
      const next = text[i + 1]
      if (next === 'u') {
        if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) return { position: i, reason: 'bad \\u escape in a string' }
        i += 5
      } else if (next !== undefined && ESCAPES.includes(next)) i++
      else return { position: i, reason: 'bad escape in a string' }
    }
  }
  return { position: text.length, reason: 'unterminated string' }
}

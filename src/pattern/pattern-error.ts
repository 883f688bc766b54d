import { ErrorCodes, SepalError, type SepalErrorOptions } from '../errors.js'

/**
 * An event pattern is not valid. `pointer` is the JSON pointer (RFC 6901) of the bad part inside the
 * pattern ('' for the pattern as a whole); the message starts with it so a log line alone is enough to fix it.
 */
export class PatternError extends SepalError {
  readonly pointer: string

  constructor(pointer: string, reason: string, options: SepalErrorOptions = {}) {
    super(ErrorCodes.PATTERN_INVALID, `${pointer === '' ? 'pattern' : pointer}: ${reason}`, options)
    this.pointer = pointer
  }
}

/** Appends one reference token to a JSON pointer, escaping `~` and `/` as RFC 6901 asks. */
export function childPointer(pointer: string, token: string | number): string {
  return `${pointer}/${String(token).replace(/~/g, '~0').replace(/\//g, '~1')}`
}

/** Quotes a value for an error message, shortening long ones. */
export function quote(value: unknown): string {
  let text: string
  try {
    text = JSON.stringify(value) ?? String(value)
  } catch {
    // JSON.stringify and String both recurse: a value nested thousands of levels deep overflows the stack.
    text = describeUnprintable(value)
  }
  return text.length > 60 ? `${text.slice(0, 57)}...` : text
}

function describeUnprintable(value: unknown): string {
  try {
    return String(value)
  } catch {
    return Array.isArray(value) ? '[an array nested too deep to show]' : `[${typeof value} too deep to show]`
  }
}

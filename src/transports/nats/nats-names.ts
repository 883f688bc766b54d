import { OptionsError } from '../../errors.js'

// Words of a subject: no whitespace, no empty word, and no wildcard (`*`, `>`) or separator inside one.
const SUBJECT_WORDS = /^[^\s.*>]+(\.[^\s.*>]+)*$/u
const PLAIN = /^[A-Za-z0-9-]$/

/** The subject a topic's events are published on: `<subjectPrefix>.<topic>`. */
export function subjectOf(subjectPrefix: string, topic: string): string {
  if (!SUBJECT_WORDS.test(topic)) {
    throw new OptionsError(
      `topic ${JSON.stringify(topic)} cannot be part of a nats subject; use words of letters, digits, "-" and "_" joined by "."`,
    )
  }
  return `${subjectPrefix}.${topic}`
}

/**
 * A stream or consumer name for any text. NATS names may not hold `.`, `*`, `>`, whitespace or path
 * separators, so everything but letters, digits and `-` is written as `_` and its UTF-8 bytes in hex
 * (`orders.created` becomes `orders_2Ecreated`). The mapping is one-to-one, so two topics or groups
 * never share a name; `__` never occurs in its output, which makes it a safe separator.
 */
export function encodeName(text: string): string {
  let out = ''
  for (const char of text) {
    if (PLAIN.test(char)) {
      out += char
      continue
    }
    for (const byte of Buffer.from(char, 'utf8')) out += `_${byte.toString(16).toUpperCase().padStart(2, '0')}`
  }
  return out
}

/** Checks a prefix the user chose for subjects (`sepal` by default). */
export function checkSubjectPrefix(prefix: string): string {
  if (!SUBJECT_WORDS.test(prefix)) {
    throw new OptionsError(`subjectPrefix ${JSON.stringify(prefix)} is not a nats subject; use words joined by "."`)
  }
  return prefix
}

/** Checks a prefix the user chose for stream names (`SEPAL_` by default). */
export function checkStreamPrefix(prefix: string): string {
  if (!/^[A-Za-z0-9_-]+$/.test(prefix)) {
    throw new OptionsError(`streamPrefix ${JSON.stringify(prefix)} may hold only letters, digits, "-" and "_"`)
  }
  return prefix
}

/**
 * Reads the delivery count from a JetStream ack subject. The server writes
 * `$JS.ACK.<stream>.<consumer>.<delivered>.<stream seq>.<consumer seq>.<time>.<pending>` or, since
 * 2.9 with domains, `$JS.ACK.<domain>.<account>.<stream>.<consumer>.<delivered>...` (nats-server
 * sources). Returns 1 when the subject has neither shape.
 */
export function deliveryCountOf(ackSubject: string): number {
  const words = ackSubject.split('.')
  const at = words.length === 9 ? 4 : words.length >= 11 ? 6 : -1
  const count = at < 0 ? Number.NaN : Number(words[at])
  return Number.isSafeInteger(count) && count > 0 ? count : 1
}

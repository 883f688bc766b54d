import type { CloudEvent } from './cloud-event.js'
import { quote, type EventProblem } from './event-errors.js'
import {
  isAbsoluteUri,
  isAttributeName,
  isBase64,
  isCloudEventsInteger,
  isCloudEventsString,
  isTimestamp,
  isUriReference,
} from './attribute-formats.js'
import { isMediaType } from './media-type.js'

// Events this module produced: already valid and frozen, so validating them again can return them unchanged.
const validated = new WeakSet<object>()

const HAS_SPECVERSION = 1
const HAS_ID = 2
const HAS_SOURCE = 4
const HAS_TYPE = 8
const HAS_ALL_REQUIRED = 15

/**
 * Validates one event in the JSON format and, when it is valid, returns a frozen copy of it; otherwise appends
 * every problem to `problems` (attribute names prefixed with `prefix`, e.g. `[3].`) and returns undefined.
 * A `null` attribute counts as unset (JSON format §2.2); `"data": null` is kept as an explicit null payload.
 * The `data` value is not copied: it is frozen in place; `data` given as bytes (a Uint8Array) becomes
 * `data_base64`. When `owned` (the caller made the object, e.g. by
 * JSON.parse, and hands it over) the object itself is frozen and returned, saving a copy on the hot path.
 */
export function validateEvent(input: unknown, prefix: string, problems: EventProblem[], owned = false): CloudEvent | undefined {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    const what = Array.isArray(input) ? 'an array (send a batch as application/cloudevents-batch+json)' : quote(input)
    problems.push({ attribute: prefix.slice(0, -1), message: `an event must be a json object, got ${what}` })
    return undefined
  }
  if (validated.has(input)) return input as CloudEvent
  const source = input as Record<string, unknown>
  const before = problems.length
  let skipped = false
  let seen = 0
  let hasData = false
  let hasBase64 = false
  let bytes: string | undefined // base64 of `data` given as a Uint8Array (createEvent, the cloudevents SDK)
  const keys = Object.keys(source)
  for (let k = 0; k < keys.length; k++) {
    const key = keys[k]!
    const value = source[key]
    if (value === undefined || (value === null && key !== 'data')) {
      skipped = true
      continue
    }
    let problem: string | undefined
    switch (key) {
      case 'specversion':
        seen |= HAS_SPECVERSION
        if (value !== '1.0') problem = `must be "1.0", got ${quote(value)}; sepal reads CloudEvents 1.0 only`
        break
      case 'id':
        seen |= HAS_ID
        problem = checkString(value)
        break
      case 'type':
        seen |= HAS_TYPE
        problem = checkString(value)
        break
      case 'subject':
        problem = checkString(value)
        break
      case 'source':
        seen |= HAS_SOURCE
        problem = checkString(value) ?? (isUriReference(value as string) ? undefined : notA('a URI-reference (RFC 3986), e.g. "https://example.com/orders" or "/orders"', value))
        break
      case 'time':
        problem = checkString(value) ?? (isTimestamp(value as string) ? undefined : notA('an RFC 3339 timestamp, e.g. "2024-05-01T12:00:00Z"', value))
        break
      case 'datacontenttype':
        problem = checkString(value) ?? (isMediaType(value as string) ? undefined : notA('a media type (RFC 2046), e.g. "application/json"', value))
        break
      case 'dataschema':
        problem = checkString(value) ?? (isAbsoluteUri(value as string) ? undefined : notA('an absolute URI without fragment (RFC 3986 §4.3)', value))
        break
      case 'data':
        if (value instanceof Uint8Array) bytes = Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64')
        else hasData = true
        break
      case 'data_base64':
        hasBase64 = true
        problem = typeof value === 'string' && isBase64(value) ? undefined : notA('a base64 string (RFC 4648)', value)
        break
      default:
        problem = checkExtension(key, value)
    }
    if (problem !== undefined) problems.push({ attribute: prefix + key, message: problem })
  }
  if (seen !== HAS_ALL_REQUIRED) reportMissing(seen, prefix, problems)
  if ((hasData && hasBase64) || (bytes !== undefined && hasBase64 && source['data_base64'] !== bytes)) {
    problems.push({ attribute: `${prefix}data_base64`, message: 'data and data_base64 must not both be present; keep one' })
  }
  if (problems.length > before) return undefined
  const out = owned && !skipped && bytes === undefined ? source : copyAttributes(source, keys, bytes)
  if (hasData) deepFreeze(out['data'])
  Object.freeze(out)
  validated.add(out)
  return out as CloudEvent
}

/**
 * A plain copy without the unset (null or undefined) attributes; every key was validated, so none is `__proto__`.
 * Binary `data` becomes `data_base64`, the JSON format's form for bytes.
 */
function copyAttributes(source: Record<string, unknown>, keys: readonly string[], bytes: string | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (let k = 0; k < keys.length; k++) {
    const key = keys[k]!
    const value = source[key]
    if (bytes !== undefined && (key === 'data' || key === 'data_base64')) continue
    if (value !== undefined && (value !== null || key === 'data')) out[key] = value
  }
  if (bytes !== undefined) out['data_base64'] = bytes
  return out
}

function checkString(value: unknown): string | undefined {
  if (typeof value !== 'string') return `must be a string, got ${quote(value)}`
  if (value.length === 0) return 'must not be empty'
  if (!isCloudEventsString(value)) return `must not contain control characters, noncharacters or lone surrogates, got ${quote(value)}`
  return undefined
}

function notA(what: string, value: unknown): string {
  return `must be ${what}, got ${quote(value)}`
}

// The spec's 20-character limit on names is a SHOULD, so longer names are accepted; `data` is reserved (1.0.3).
function checkExtension(name: string, value: unknown): string | undefined {
  if (!isAttributeName(name) || name === 'data') {
    return name === 'data'
      ? '"data" is reserved and cannot be an extension'
      : `extension name ${quote(name)} must be lower-case letters a-z and digits 0-9 only`
  }
  switch (typeof value) {
    case 'string':
      return isCloudEventsString(value) ? undefined : `must not contain control characters, noncharacters or lone surrogates, got ${quote(value)}`
    case 'boolean':
      return undefined
    case 'number':
      return isCloudEventsInteger(value) ? undefined : `a number must be an integer from -2147483648 to 2147483647, got ${quote(value)}`
    default:
      return `an extension must be a string, boolean or 32-bit integer, got ${Array.isArray(value) ? 'an array' : typeof value === 'object' ? 'an object' : quote(value)}`
  }
}

function reportMissing(seen: number, prefix: string, problems: EventProblem[]): void {
  if ((seen & HAS_SPECVERSION) === 0) problems.push({ attribute: `${prefix}specversion`, message: 'is required; set it to "1.0"' })
  if ((seen & HAS_ID) === 0) problems.push({ attribute: `${prefix}id`, message: 'is required' })
  if ((seen & HAS_SOURCE) === 0) problems.push({ attribute: `${prefix}source`, message: 'is required' })
  if ((seen & HAS_TYPE) === 0) problems.push({ attribute: `${prefix}type`, message: 'is required' })
}

// Data nested deeper than this is frozen with an explicit stack instead of recursion, so no input can overflow
// the call stack; recursion is kept for the usual shallow data because it is faster.
const RECURSION_LIMIT = 100

/** Freezes a value and everything reachable from it. */
function deepFreeze(value: unknown): void {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) freezeTree(value, 0)
}

function freezeTree(value: object, depth: number): void {
  // Typed arrays cannot be frozen (the engine throws); they can only arrive through createEvent or an object.
  if (ArrayBuffer.isView(value)) return
  if (depth > RECURSION_LIMIT) return freezeWithStack(value)
  Object.freeze(value)
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const child: unknown = value[i]
      if (typeof child === 'object' && child !== null && !Object.isFrozen(child)) freezeTree(child, depth + 1)
    }
  } else {
    for (const key in value) {
      const child: unknown = (value as Record<string, unknown>)[key]
      if (typeof child === 'object' && child !== null && !Object.isFrozen(child)) freezeTree(child, depth + 1)
    }
  }
}

function freezeWithStack(root: object): void {
  const stack: object[] = [root]
  while (stack.length > 0) {
    const value = stack.pop()!
    if (ArrayBuffer.isView(value)) continue
    Object.freeze(value)
    const children = Object.values(value)
    for (let i = 0; i < children.length; i++) {
      const child: unknown = children[i]
      if (typeof child === 'object' && child !== null && !Object.isFrozen(child)) stack.push(child)
    }
  }
}

/** True for an event this module built or validated (frozen and valid). */
export function isValidatedEvent(value: unknown): value is CloudEvent {
  return typeof value === 'object' && value !== null && validated.has(value)
}

import { isAttributeName } from '../../event/attribute-formats.js'
import { decodeBody } from '../../event/charset.js'
import type { CloudEvent } from '../../event/cloud-event.js'
import { EventValidationError, UnsupportedMediaTypeError, quote, type EventProblem } from '../../event/event-errors.js'
import { isJsonEssence, isTextual, parseMediaType } from '../../event/media-type.js'
import { parseEvent, parseJson } from '../../event/parse-event.js'
import { validateEvent } from '../../event/validate-event.js'

// The CloudEvents AMQP binding mapped onto AMQP 0-9-1 (the binding itself is written for AMQP 1.0):
// binary mode puts `datacontenttype` in the `content-type` property, every other attribute in a
// header `cloudEvents:<name>` (the separator of binding 1.0.2; `cloudEvents_` of 1.0.3 is read too)
// with its native type (string, long, boolean), and the data in the body; structured mode sends the
// JSON format with content type `application/cloudevents+json`.

export type RabbitmqMode = 'binary' | 'structured'

/** Not part of the binding: the ordering key the event was published with (see `Delivery.key`). */
export const KEY_HEADER = 'sepal-key'
/** Not part of the binding: marks bytes sent without a `datacontenttype`, so they are not read as JSON. */
const BYTES_HEADER = 'sepal-data'
const PREFIX = 'cloudEvents:'
const PREFIX_LENGTH = PREFIX.length
const STRUCTURED_TYPE = 'application/cloudevents+json; charset=utf-8'

/** What amqplib's `publish` takes besides exchange and routing key. */
export interface RabbitmqMessageOut {
  readonly content: Buffer
  readonly contentType: string | undefined
  readonly headers: Record<string, unknown>
}

/** Writes an event as an AMQP message. The event is validated first (free for events of createEvent/parseEvent). */
export function toRabbitmqMessage(event: CloudEvent, mode: RabbitmqMode, key?: string): RabbitmqMessageOut {
  const problems: EventProblem[] = []
  const valid = validateEvent(event, '', problems)
  if (valid === undefined) throw new EventValidationError(problems)
  const headers: Record<string, unknown> = {}
  if (key !== undefined) headers[KEY_HEADER] = key
  if (mode === 'structured') return { content: Buffer.from(JSON.stringify(valid)), contentType: STRUCTURED_TYPE, headers }
  for (const name of Object.keys(valid)) {
    if (name === 'data' || name === 'data_base64' || name === 'datacontenttype') continue
    const value = valid[name]
    // Integers go as AMQP longs (the binding's Integer mapping); strings and booleans as themselves.
    headers[PREFIX + name] = typeof value === 'number' ? { '!': 'long', value } : value
  }
  const contentType = valid.datacontenttype
  if (valid.data_base64 !== undefined) {
    if (contentType === undefined) headers[BYTES_HEADER] = 'bytes'
    return { content: Buffer.from(valid.data_base64, 'base64'), contentType, headers }
  }
  if (!('data' in valid)) return { content: Buffer.alloc(0), contentType, headers }
  // No datacontenttype means JSON (the JSON format's rule); the property stays unset so the event comes back as it was.
  const essence = contentType === undefined ? 'application/json' : parseMediaType(contentType)?.essence ?? ''
  const { data } = valid
  const text = !isJsonEssence(essence) && typeof data === 'string' ? data : JSON.stringify(data)
  return { content: Buffer.from(text), contentType, headers }
}

/** A received message as plain data. */
export interface RabbitmqMessageIn {
  readonly content: Buffer
  readonly contentType?: string | undefined
  readonly headers?: Record<string, unknown> | undefined
}

export interface DecodedMessage {
  readonly event: CloudEvent
  readonly key?: string
}

/**
 * Reads the CloudEvent in an AMQP message: structured when the content type starts with
 * `application/cloudevents` or when there is no `cloudEvents` header at all, binary otherwise.
 * Throws EventValidationError or UnsupportedMediaTypeError.
 */
export function fromRabbitmqMessage(message: RabbitmqMessageIn): DecodedMessage {
  const headers = message.headers ?? {}
  const rawKey = headers[KEY_HEADER]
  const key = typeof rawKey === 'string' ? rawKey : Buffer.isBuffer(rawKey) ? rawKey.toString('utf8') : undefined
  const withKey = (event: CloudEvent): DecodedMessage => (key === undefined ? { event } : { event, key })
  const contentType = message.contentType
  if (contentType?.trim().toLowerCase().startsWith('application/cloudevents') === true) {
    const type = parseMediaType(contentType)
    if (type?.essence !== 'application/cloudevents+json') {
      throw new UnsupportedMediaTypeError(contentType, `unsupported content type ${quote(contentType)}; sepal reads application/cloudevents+json`)
    }
    return withKey(parseEvent(decodeBody(message.content, type.parameters['charset'], contentType, '')))
  }
  const attributes: Record<string, unknown> = {}
  const problems: EventProblem[] = []
  let found = 0
  for (const header of Object.keys(headers)) {
    if (header.length <= PREFIX_LENGTH || header.slice(0, PREFIX_LENGTH - 1).toLowerCase() !== 'cloudevents') continue
    const separator = header[PREFIX_LENGTH - 1]
    if (separator !== ':' && separator !== '_') continue
    found++
    readAttribute(header, header.slice(PREFIX_LENGTH), headers[header], attributes, problems)
  }
  if (found === 0) return withKey(parseEvent(decodeBody(message.content, undefined, STRUCTURED_TYPE, '')))
  if (contentType !== undefined && contentType !== '') attributes['datacontenttype'] = contentType
  if (message.content.length > 0) readData(message.content, contentType, headers[BYTES_HEADER] === 'bytes', attributes, problems)
  const event = validateEvent(attributes, '', problems, true)
  if (event === undefined || problems.length > 0) throw new EventValidationError(problems)
  return withKey(event)
}

function readAttribute(header: string, name: string, value: unknown, attributes: Record<string, unknown>, problems: EventProblem[]): void {
  // Names are checked before they become keys, so an untrusted `cloudEvents:__proto__` never touches a prototype.
  if (!isAttributeName(name) || name === 'data' || name === 'data_base64' || name === 'datacontenttype') {
    problems.push({ attribute: name, message: `header ${quote(header)} does not name an attribute; names are a-z and 0-9 only` })
    return
  }
  if (Object.hasOwn(attributes, name)) {
    problems.push({ attribute: name, message: `attribute ${name} appears twice (as cloudEvents: and cloudEvents_)` })
    return
  }
  const native = nativeValue(value)
  if (native === undefined) {
    problems.push({ attribute: name, message: `header ${quote(header)} has a value of a type sepal cannot read: ${quote(value)}` })
    return
  }
  attributes[name] = native
}

/** The JSON value of a header: strings, longs and booleans as they are, timestamps as RFC 3339, bytes as base64. */
function nativeValue(value: unknown): string | number | boolean | undefined {
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value
  if (Buffer.isBuffer(value)) return value.toString('base64')
  if (typeof value !== 'object' || value === null) return undefined
  // amqplib's typed form: timestamps as received, other types as a sender wrote them (e.g. `{ '!': 'long' }`).
  const typed = value as { readonly '!'?: unknown; readonly value?: unknown }
  if (typed['!'] === 'timestamp') {
    // AMQP 0-9-1 timestamps are whole seconds since the epoch.
    const seconds = Number(typed.value)
    return Number.isFinite(seconds) ? new Date(seconds * 1000).toISOString().replace('.000Z', 'Z') : undefined
  }
  return typeof typed['!'] === 'string' && Number.isInteger(typed.value) ? (typed.value as number) : undefined
}

function readData(body: Buffer, dataType: string | undefined, bytes: boolean, attributes: Record<string, unknown>, problems: EventProblem[]): void {
  const type = dataType === undefined ? undefined : parseMediaType(dataType)
  try {
    if (type === undefined && dataType === undefined && !bytes) {
      attributes['data'] = parseJson(decodeBody(body, undefined, 'application/json', 'data'), 'data')
    } else if (type !== undefined && isJsonEssence(type.essence)) {
      attributes['data'] = parseJson(decodeBody(body, type.parameters['charset'], dataType!, 'data'), 'data')
    } else if (type !== undefined && isTextual(type)) {
      attributes['data'] = decodeBody(body, type.parameters['charset'], dataType!, 'data')
    } else {
      // Nothing says the bytes are text, so they are kept exactly.
      attributes['data_base64'] = body.toString('base64')
    }
  } catch (error) {
    if (!(error instanceof EventValidationError)) throw error
    problems.push(...error.problems)
  }
}

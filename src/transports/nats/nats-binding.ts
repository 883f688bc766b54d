import { isAttributeName } from '../../event/attribute-formats.js'
import { decodeBody } from '../../event/charset.js'
import type { CloudEvent } from '../../event/cloud-event.js'
import { EventValidationError, UnsupportedMediaTypeError, quote, type EventProblem } from '../../event/event-errors.js'
import { isJsonEssence, isTextual, parseMediaType } from '../../event/media-type.js'
import { parseEvent, parseJson } from '../../event/parse-event.js'
import { decodeHeaderValue, encodeHeaderValue } from '../../event/percent-encoding.js'
import { validateEvent } from '../../event/validate-event.js'

// The CloudEvents NATS protocol binding (1.0.3): binary mode puts every attribute, `datacontenttype`
// included, in a `ce-<name>` header (percent-encoded as in HTTP) and the data in the payload;
// structured mode sends the JSON format with `Content-Type: application/cloudevents+json`.

/** How events are written: attributes in headers (binary, the default) or the whole event as JSON. */
export type NatsMode = 'binary' | 'structured'

/** A NATS message to publish; header names as written on the wire. */
export interface NatsMessageOut {
  readonly headers: Record<string, string>
  readonly body: Uint8Array | string
}

/** Not part of the binding: the ordering key the event was published with (see `Delivery.key`). */
export const KEY_HEADER = 'sepal-key'
const CONTENT_TYPE = 'content-type'
const STRUCTURED_TYPE = 'application/cloudevents+json; charset=utf-8'
const IMPLIED_JSON = 'application/json'

/**
 * Writes an event as a NATS message. In binary mode an event with `data` but no `datacontenttype`
 * (JSON by the JSON format's rule) also gets a plain `content-type: application/json` header, so a
 * reader can tell JSON data from bytes without an attribute the event never had. The event is
 * validated first (free for events from createEvent/parseEvent): header names must be attribute names.
 */
export function toNatsMessage(event: CloudEvent, mode: NatsMode, key?: string): NatsMessageOut {
  const problems: EventProblem[] = []
  const valid = validateEvent(event, '', problems)
  if (valid === undefined) throw new EventValidationError(problems)
  const headers: Record<string, string> = {}
  if (key !== undefined) headers[KEY_HEADER] = encodeHeaderValue(key)
  if (mode === 'structured') {
    headers[CONTENT_TYPE] = STRUCTURED_TYPE
    return { headers, body: JSON.stringify(valid) }
  }
  for (const name of Object.keys(valid)) {
    if (name === 'data' || name === 'data_base64') continue
    headers[`ce-${name}`] = encodeHeaderValue(String(valid[name]))
  }
  if (valid.data_base64 !== undefined) return { headers, body: Buffer.from(valid.data_base64, 'base64') }
  if (!('data' in valid)) return { headers, body: '' }
  const contentType = valid.datacontenttype
  if (contentType === undefined) headers[CONTENT_TYPE] = IMPLIED_JSON
  const essence = contentType === undefined ? IMPLIED_JSON : parseMediaType(contentType)?.essence ?? ''
  const { data } = valid
  // Non-JSON types carry a string; anything else under such a type is written as its JSON text.
  return { headers, body: !isJsonEssence(essence) && typeof data === 'string' ? data : JSON.stringify(data) }
}

/** A received message as plain data: header names in any case, each with its values. */
export interface NatsMessageIn {
  readonly headers: Iterable<readonly [string, readonly string[]]> | undefined
  readonly body: Uint8Array
}

export interface DecodedMessage {
  readonly event: CloudEvent
  readonly key?: string
}

/**
 * Reads the CloudEvent in a NATS message. Structured when the content type starts with
 * `application/cloudevents` or when there are no `ce-` headers at all (the 1.0.2 binding had no
 * headers); binary otherwise. Throws EventValidationError or UnsupportedMediaTypeError.
 */
export function fromNatsMessage(message: NatsMessageIn): DecodedMessage {
  const attributes: Record<string, unknown> = {}
  const problems: EventProblem[] = []
  let contentType: string | undefined
  let key: string | undefined
  let ceHeaders = 0
  for (const [rawName, values] of message.headers ?? []) {
    const name = rawName.toLowerCase()
    const value = values[0]
    if (value === undefined) continue
    if (name === CONTENT_TYPE) contentType = value
    else if (name === KEY_HEADER) key = decodeHeaderValue(value) ?? value
    else if (name.startsWith('ce-')) {
      ceHeaders++
      readAttribute(name.slice(3), values, attributes, problems)
    }
  }
  const withKey = (event: CloudEvent): DecodedMessage => (key === undefined ? { event } : { event, key })
  if (contentType?.trim().toLowerCase().startsWith('application/cloudevents') === true) {
    const type = parseMediaType(contentType)
    if (type?.essence !== 'application/cloudevents+json') {
      throw new UnsupportedMediaTypeError(contentType, `unsupported content type ${quote(contentType)}; sepal reads application/cloudevents+json`)
    }
    return withKey(parseEvent(decodeBody(message.body, type.parameters['charset'], contentType, '')))
  }
  if (ceHeaders === 0) return withKey(parseEvent(decodeBody(message.body, undefined, STRUCTURED_TYPE, '')))
  const dataType = typeof attributes['datacontenttype'] === 'string' ? attributes['datacontenttype'] : contentType
  if (message.body.length > 0) readData(message.body, dataType, attributes, problems)
  const event = validateEvent(attributes, '', problems, true)
  if (event === undefined || problems.length > 0) throw new EventValidationError(problems)
  return withKey(event)
}

function readAttribute(name: string, values: readonly string[], attributes: Record<string, unknown>, problems: EventProblem[]): void {
  // Names are checked before they become keys, so an untrusted `ce-__proto__` never touches a prototype.
  if (!isAttributeName(name) || name === 'data' || name === 'data_base64') {
    problems.push({ attribute: name, message: `header ce-${name} does not name an attribute; names are a-z and 0-9 only` })
    return
  }
  if (values.length !== 1 || Object.hasOwn(attributes, name)) {
    problems.push({ attribute: name, message: `header ce-${name} must appear once` })
    return
  }
  const decoded = decodeHeaderValue(values[0]!)
  if (decoded === undefined) {
    problems.push({ attribute: name, message: `header ce-${name} has broken percent-encoding or is not utf-8: ${quote(values[0])}` })
    return
  }
  attributes[name] = decoded
}

function readData(body: Uint8Array, dataType: string | undefined, attributes: Record<string, unknown>, problems: EventProblem[]): void {
  const type = dataType === undefined ? undefined : parseMediaType(dataType)
  try {
    if (type !== undefined && isJsonEssence(type.essence)) {
      attributes['data'] = parseJson(decodeBody(body, type.parameters['charset'], dataType!, 'data'), 'data')
    } else if (type !== undefined && isTextual(type)) {
      attributes['data'] = decodeBody(body, type.parameters['charset'], dataType!, 'data')
    } else {
      // Nothing says the bytes are text, so they are kept exactly.
      attributes['data_base64'] = Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('base64')
    }
  } catch (error) {
    if (!(error instanceof EventValidationError)) throw error
    problems.push(...error.problems)
  }
}

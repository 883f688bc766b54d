import { isAttributeName } from './attribute-formats.js'
import type { CloudEvent } from './cloud-event.js'
import { decodeBody } from './charset.js'
import { EventValidationError, UnsupportedMediaTypeError, quote, type EventProblem } from './event-errors.js'
import { isJsonEssence, isTextual, parseMediaType, type MediaType } from './media-type.js'
import { parseBatch, parseEvent, parseJson } from './parse-event.js'
import { decodeHeaderValue } from './percent-encoding.js'
import { validateEvent } from './validate-event.js'

/** An HTTP request or response as plain data, so the binding works with any server or client. */
export interface HttpMessage {
  /** Header names in any case; Node's `IncomingMessage.headers` fits as is. */
  readonly headers: Readonly<Record<string, string | readonly string[] | undefined>>
  readonly body: string | Uint8Array
}

const STRUCTURED_JSON = 'application/cloudevents+json'
const BATCH_JSON = 'application/cloudevents-batch+json'

/**
 * Reads the CloudEvents in an HTTP message (HTTP binding §3): batch mode when the content type starts with
 * `application/cloudevents-batch`, structured when it starts with `application/cloudevents`, binary otherwise.
 * Binary mode: attributes from `ce-` headers (percent-decoded), `datacontenttype` from Content-Type, data decoded
 * as JSON for JSON types, as text for textual types, otherwise kept as `data_base64`; an empty body means no data.
 * Throws EventValidationError (400) or UnsupportedMediaTypeError (415).
 */
export function fromHttp(message: HttpMessage): CloudEvent[] {
  const rawType = headerValue(message.headers, 'content-type')
  const lowered = rawType?.trim().toLowerCase() ?? ''
  if (lowered.startsWith('application/cloudevents')) {
    const batch = lowered.startsWith('application/cloudevents-batch')
    const type = parseMediaType(rawType!)
    const expected = batch ? BATCH_JSON : STRUCTURED_JSON
    if (type === undefined || type.essence !== expected) {
      throw new UnsupportedMediaTypeError(rawType!, `unsupported content type ${quote(rawType)}; sepal reads the JSON format: ${expected}`)
    }
    const text = decodeBody(message.body, type.parameters['charset'], rawType!, '')
    return batch ? parseBatch(text) : [parseEvent(text)]
  }
  return [readBinary(message, rawType)]
}

function readBinary(message: HttpMessage, rawType: string | undefined): CloudEvent {
  const problems: EventProblem[] = []
  const attributes: Record<string, unknown> = {}
  let headerCount = 0
  const { headers } = message
  for (const name in headers) {
    const raw = headers[name]
    if (raw === undefined || !isCeHeader(name)) continue
    headerCount++
    const attribute = name.slice(3).toLowerCase()
    // Names are checked here, before they become keys, so an untrusted `ce-__proto__` never touches a prototype.
    if (!isAttributeName(attribute) || attribute === 'data' || attribute === 'datacontenttype') {
      problems.push({ attribute, message: badHeaderName(attribute) })
      continue
    }
    // Numbers and booleans are what Node's outgoing headers allow (the cloudevents SDK writes them); on the wire
    // they are their string form.
    const values = typeof raw === 'number' || typeof raw === 'boolean' ? [String(raw)] : typeof raw === 'string' ? [raw] : raw
    if (!Array.isArray(values) || typeof values[0] !== 'string') {
      problems.push({ attribute, message: `header ce-${attribute} must be a string, got ${quote(raw)}` })
      continue
    }
    if (values.length !== 1 || Object.hasOwn(attributes, attribute)) {
      problems.push({ attribute, message: `header ce-${attribute} must appear once` })
      continue
    }
    const decoded = decodeHeaderValue(values[0])
    if (decoded === undefined) {
      problems.push({ attribute, message: `header ce-${attribute} has broken percent-encoding or is not utf-8: ${quote(values[0])}` })
      continue
    }
    attributes[attribute] = decoded
  }
  if (headerCount === 0) {
    throw new EventValidationError([{
      attribute: '',
      message: `no cloudevent found: binary mode needs ce-specversion, ce-id, ce-source and ce-type headers; to send the event as json in the body use content-type ${STRUCTURED_JSON} (got content-type ${quote(rawType)})`,
    }])
  }
  const type = rawType === undefined ? undefined : parseMediaType(rawType)
  if (rawType !== undefined) attributes['datacontenttype'] = rawType.trim()
  if (message.body.length > 0) readData(message.body, rawType, type, attributes, problems)
  const event = validateEvent(attributes, '', problems, true)
  if (event === undefined || problems.length > 0) throw new EventValidationError(problems)
  return event
}

/** `ce-` in any case, without allocating for the many headers that are not. */
function isCeHeader(name: string): boolean {
  return name.length >= 3 && (name.charCodeAt(0) | 0x20) === 0x63 && (name.charCodeAt(1) | 0x20) === 0x65 && name.charCodeAt(2) === 0x2d
}

function badHeaderName(attribute: string): string {
  if (attribute === 'datacontenttype') return 'must not be sent as a ce-datacontenttype header; binary mode carries it in Content-Type'
  if (attribute === 'data') return 'must not be sent as a ce-data header; binary mode carries data in the body'
  return `header ce-${attribute} does not name an attribute: names are lower-case letters a-z and digits 0-9 only`
}

function readData(
  body: string | Uint8Array,
  rawType: string | undefined,
  type: MediaType | undefined,
  attributes: Record<string, unknown>,
  problems: EventProblem[],
): void {
  try {
    if (type !== undefined && isJsonEssence(type.essence)) {
      attributes['data'] = parseJson(decodeBody(body, type.parameters['charset'], rawType!, 'data'), 'data')
    } else if (type !== undefined && isTextual(type)) {
      attributes['data'] = decodeBody(body, type.parameters['charset'], rawType!, 'data')
    } else {
      // Without a (readable) content type nothing says the bytes are text, so they are kept exactly.
      const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : Buffer.from(body.buffer, body.byteOffset, body.byteLength)
      attributes['data_base64'] = bytes.toString('base64')
    }
  } catch (error) {
    if (!(error instanceof EventValidationError)) throw error
    problems.push(...error.problems)
  }
}

/** The value of a header by case-insensitive name; several values are joined as HTTP allows (`, `). */
function headerValue(headers: HttpMessage['headers'], wanted: string): string | undefined {
  let found: unknown = headers[wanted]
  if (found === undefined) {
    for (const [name, value] of Object.entries(headers)) {
      if (value !== undefined && name.toLowerCase() === wanted) found = value
    }
  }
  if (found === undefined) return undefined
  return Array.isArray(found) ? found.map(String).join(', ') : String(found)
}

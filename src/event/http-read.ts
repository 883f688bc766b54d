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
  // A null-prototype object: header names are untrusted, and `ce-__proto__` must stay an ordinary (invalid) key.
  const attributes = Object.create(null) as Record<string, unknown>
  let headerCount = 0
  for (const [name, raw] of Object.entries(message.headers)) {
    if (raw === undefined || name.length < 3 || name.slice(0, 3).toLowerCase() !== 'ce-') continue
    headerCount++
    const attribute = name.slice(3).toLowerCase()
    // Numbers and booleans are what Node's outgoing headers allow (the cloudevents SDK writes them); on the wire
    // they are their string form.
    const values = typeof raw === 'number' || typeof raw === 'boolean' ? [String(raw)] : typeof raw === 'string' ? [raw] : raw
    if (!Array.isArray(values) || typeof values[0] !== 'string') {
      problems.push({ attribute, message: `header ce-${attribute} must be a string, got ${quote(raw)}` })
      continue
    }
    if (values.length !== 1 || attribute in attributes) {
      problems.push({ attribute, message: `header ce-${attribute} must appear once` })
      continue
    }
    if (attribute === 'datacontenttype' || attribute === 'data' || attribute === 'data_base64') {
      const why = attribute === 'datacontenttype' ? 'binary mode carries it in Content-Type' : 'binary mode carries data in the body'
      problems.push({ attribute, message: `must not be sent as a ce-${attribute} header; ${why}` })
      continue
    }
    const decoded = decodeHeaderValue(values[0]!)
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
  const event = validateEvent(attributes, '', problems)
  if (event === undefined || problems.length > 0) throw new EventValidationError(problems)
  return event
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

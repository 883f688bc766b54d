import { isAttributeName } from '../../event/attribute-formats.js'
import { decodeBody } from '../../event/charset.js'
import type { CloudEvent } from '../../event/cloud-event.js'
import { EventValidationError, UnsupportedMediaTypeError, quote, type EventProblem } from '../../event/event-errors.js'
import { isJsonEssence, isTextual, parseMediaType } from '../../event/media-type.js'
import { parseEvent, parseJson } from '../../event/parse-event.js'
import { validateEvent } from '../../event/validate-event.js'

// The CloudEvents Kafka protocol binding (1.0.2 / 1.0.3): binary mode puts `datacontenttype` in the
// `content-type` header, every other attribute in a `ce_<name>` header (UTF-8, no percent-encoding)
// and the data in the record value; structured mode writes the JSON format with
// `content-type: application/cloudevents+json`. The record key is the publish key, or else the
// event's `partitionkey` extension (the binding's opt-in key mapper); the event is never changed.

export type KafkaMode = 'binary' | 'structured'

export interface KafkaRecordOut {
  readonly key: Buffer | undefined
  readonly value: Buffer | undefined
  readonly headers: Map<Buffer, Buffer>
}

const CONTENT_TYPE = 'content-type'
const STRUCTURED_TYPE = 'application/cloudevents+json; charset=utf-8'
/**
 * Not part of the binding: marks a value that is `data_base64` of an event without `datacontenttype`,
 * so it is read back as bytes rather than guessed to be JSON.
 */
export const BYTES_HEADER = 'sepal_bytes'

/** Writes an event as a Kafka record. The event is validated first (free for events from createEvent/parseEvent). */
export function toKafkaRecord(event: CloudEvent, mode: KafkaMode, key?: string): KafkaRecordOut {
  const problems: EventProblem[] = []
  const valid = validateEvent(event, '', problems)
  if (valid === undefined) throw new EventValidationError(problems)
  const recordKey = key ?? (typeof valid['partitionkey'] === 'string' ? valid['partitionkey'] : undefined)
  const headers = new Map<Buffer, Buffer>()
  const keyBytes = recordKey === undefined ? undefined : Buffer.from(recordKey)
  if (mode === 'structured') {
    headers.set(Buffer.from(CONTENT_TYPE), Buffer.from(STRUCTURED_TYPE))
    return { key: keyBytes, value: Buffer.from(JSON.stringify(valid)), headers }
  }
  for (const name of Object.keys(valid)) {
    if (name === 'data' || name === 'data_base64') continue
    headers.set(headerName(name), Buffer.from(String(valid[name])))
  }
  if (valid.data_base64 !== undefined) {
    if (valid.datacontenttype === undefined) headers.set(Buffer.from(BYTES_HEADER), Buffer.from('1'))
    return { key: keyBytes, value: Buffer.from(valid.data_base64, 'base64'), headers }
  }
  // An event without data is a record without a value (binding 1.0.3).
  if (!('data' in valid)) return { key: keyBytes, value: undefined, headers }
  const contentType = valid.datacontenttype
  const essence = contentType === undefined ? 'application/json' : (parseMediaType(contentType)?.essence ?? '')
  const { data } = valid
  // Non-JSON types carry a string; anything else under such a type is written as its JSON text.
  const text = !isJsonEssence(essence) && typeof data === 'string' ? data : JSON.stringify(data)
  return { key: keyBytes, value: Buffer.from(text), headers }
}

const headerNames = new Map<string, Buffer>()

/** The header of an attribute, as bytes; the few names in use are made once (the client only reads them). */
function headerName(attribute: string): Buffer {
  let name = headerNames.get(attribute)
  if (name === undefined) {
    name = Buffer.from(attribute === 'datacontenttype' ? CONTENT_TYPE : `ce_${attribute}`)
    if (headerNames.size < 1024) headerNames.set(attribute, name)
  }
  return name
}

export interface KafkaRecordIn {
  readonly headers: Map<Buffer, Buffer> | undefined
  readonly value: Buffer | undefined | null
}

/**
 * Reads the CloudEvent of a record. Structured when `content-type` starts with
 * `application/cloudevents` (case-insensitive) or when there is no `ce_` header at all; binary
 * otherwise. Header names are compared in lower case. Throws EventValidationError or
 * UnsupportedMediaTypeError for a record that is not a CloudEvent.
 */
export function fromKafkaRecord(record: KafkaRecordIn): CloudEvent {
  const attributes: Record<string, unknown> = {}
  const problems: EventProblem[] = []
  let contentType: string | undefined
  let bytes = false
  let ceHeaders = 0
  for (const [rawName, rawValue] of record.headers ?? []) {
    const name = rawName.toString('latin1').toLowerCase()
    if (name === CONTENT_TYPE) contentType = rawValue.toString('utf8')
    else if (name === BYTES_HEADER) bytes = true
    else if (name.startsWith('ce_')) {
      ceHeaders++
      readAttribute(name.slice(3), rawValue, attributes, problems)
    }
  }
  const value = record.value ?? Buffer.alloc(0)
  if (contentType?.trim().toLowerCase().startsWith('application/cloudevents') === true) {
    const type = parseMediaType(contentType)
    if (type?.essence !== 'application/cloudevents+json') {
      throw new UnsupportedMediaTypeError(contentType, `unsupported content type ${quote(contentType)}; sepal reads application/cloudevents+json`)
    }
    return parseEvent(decodeBody(value, type.parameters['charset'], contentType, ''))
  }
  if (ceHeaders === 0) return parseEvent(decodeBody(value, undefined, STRUCTURED_TYPE, ''))
  // Some producers (the CloudEvents JS SDK) also send `ce_datacontenttype`; `content-type` is the binding's place for it.
  if (contentType !== undefined) attributes['datacontenttype'] = contentType
  if (record.value !== undefined && record.value !== null) readData(value, contentType, bytes, attributes, problems)
  const event = validateEvent(attributes, '', problems, true)
  if (event === undefined || problems.length > 0) throw new EventValidationError(problems)
  return event
}

function readAttribute(name: string, raw: Buffer, attributes: Record<string, unknown>, problems: EventProblem[]): void {
  // Names are checked before they become keys, so an untrusted `ce___proto__` never touches a prototype.
  if (!isAttributeName(name) || name === 'data' || name === 'data_base64') {
    problems.push({ attribute: name, message: `header ce_${name} does not name an attribute; names are a-z and 0-9 only` })
    return
  }
  if (Object.hasOwn(attributes, name)) {
    problems.push({ attribute: name, message: `header ce_${name} must appear once` })
    return
  }
  const text = raw.toString('utf8')
  // Invalid UTF-8 decodes to U+FFFD; only then is it worth telling it from a real U+FFFD.
  if (text.includes('\uFFFD') && !Buffer.from(text).equals(raw)) {
    problems.push({ attribute: name, message: `header ce_${name} is not utf-8: ${quote(raw.toString('latin1'))}` })
    return
  }
  attributes[name] = text
}

function readData(value: Buffer, dataType: string | undefined, bytes: boolean, attributes: Record<string, unknown>, problems: EventProblem[]): void {
  const type = dataType === undefined ? undefined : parseMediaType(dataType)
  try {
    if (!bytes && (dataType === undefined || (type !== undefined && isJsonEssence(type.essence)))) {
      // No content type: JSON, as the JSON format implies for an absent `datacontenttype`.
      attributes['data'] = parseJson(decodeBody(value, type?.parameters['charset'], dataType ?? 'application/json', 'data'), 'data')
    } else if (!bytes && type !== undefined && isTextual(type)) {
      attributes['data'] = decodeBody(value, type.parameters['charset'], dataType!, 'data')
    } else {
      attributes['data_base64'] = value.toString('base64')
    }
  } catch (error) {
    if (!(error instanceof EventValidationError)) throw error
    problems.push(...error.problems)
  }
}

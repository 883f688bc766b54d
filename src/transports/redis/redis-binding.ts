import { isUtf8 } from 'node:buffer'
import { isAttributeName } from '../../event/attribute-formats.js'
import { decodeBody } from '../../event/charset.js'
import type { CloudEvent } from '../../event/cloud-event.js'
import { EventValidationError, UnsupportedMediaTypeError, quote, type EventProblem } from '../../event/event-errors.js'
import { isJsonEssence, isTextual, parseMediaType } from '../../event/media-type.js'
import { parseEvent, parseJson } from '../../event/parse-event.js'
import { validateEvent } from '../../event/validate-event.js'

// CloudEvents has no Redis binding, so a stream entry follows the Kafka binding's shape, field for
// header: binary mode writes each attribute to a `ce_<name>` field (the value as its canonical string;
// entry fields are binary-safe, so nothing is percent-encoded), `datacontenttype` to `content-type`,
// and the data bytes to `data`. Structured mode writes `content-type: application/cloudevents+json`
// and the JSON format in `data`. Both are read.

export type RedisMode = 'binary' | 'structured'

/** Fields of sepal's own, outside the binding: the ordering key and the attempts before this entry. */
export const KEY_FIELD = 'sepal_key'
export const ATTEMPTS_FIELD = 'sepal_attempts'
// Marks JSON data of an event without datacontenttype (the JSON format's default).
const IMPLIED_TYPE_FIELD = 'sepal_implied_type'
const CONTENT_TYPE = 'content-type'
const DATA = 'data'
const STRUCTURED_TYPE = 'application/cloudevents+json; charset=utf-8'
const IMPLIED_JSON = 'application/json'

/** Entry fields as XADD takes them: name, value, name, value… */
export function toStreamFields(event: CloudEvent, mode: RedisMode, key?: string): Array<string | Buffer> {
  const problems: EventProblem[] = []
  const valid = validateEvent(event, '', problems)
  if (valid === undefined) throw new EventValidationError(problems)
  const fields: Array<string | Buffer> = []
  if (key !== undefined) fields.push(KEY_FIELD, key)
  if (mode === 'structured') {
    fields.push(CONTENT_TYPE, STRUCTURED_TYPE, DATA, JSON.stringify(valid))
    return fields
  }
  for (const name of Object.keys(valid)) {
    if (name === 'data' || name === 'data_base64') continue
    if (name === 'datacontenttype') fields.push(CONTENT_TYPE, String(valid[name]))
    else fields.push(`ce_${name}`, String(valid[name]))
  }
  if (valid.data_base64 !== undefined) {
    fields.push(DATA, Buffer.from(valid.data_base64, 'base64'))
    return fields
  }
  if (!('data' in valid)) return fields
  // JSON data without a datacontenttype (the JSON format's default) is marked by a field named
  // differently from content-type, so the event reads back without an attribute it never had.
  const contentType = valid.datacontenttype
  if (contentType === undefined) fields.push(IMPLIED_TYPE_FIELD, IMPLIED_JSON)
  const essence = contentType === undefined ? IMPLIED_JSON : (parseMediaType(contentType)?.essence ?? '')
  const { data } = valid
  fields.push(DATA, !isJsonEssence(essence) && typeof data === 'string' ? data : JSON.stringify(data))
  return fields
}

export interface DecodedEntry {
  readonly event: CloudEvent
  readonly key?: string
  /** Deliveries before this entry was written (a nacked event is written again). */
  readonly priorAttempts: number
}

/**
 * Reads the CloudEvent in a stream entry (`fields` as XREADGROUP returns them, in buffers).
 * Structured when `content-type` starts with `application/cloudevents` or when no `ce_` field exists.
 * Throws EventValidationError or UnsupportedMediaTypeError.
 */
export function fromStreamFields(fields: readonly Buffer[]): DecodedEntry {
  const attributes: Record<string, unknown> = {}
  const problems: EventProblem[] = []
  let contentType: string | undefined
  let impliedType: string | undefined
  let key: string | undefined
  let priorAttempts = 0
  let data: Buffer | undefined
  let ceFields = 0
  for (let i = 0; i + 1 < fields.length; i += 2) {
    const name = fields[i]!.toString('latin1').toLowerCase()
    const value = fields[i + 1]!
    if (name === DATA) data = value
    else if (name === CONTENT_TYPE) contentType = value.toString('utf8')
    else if (name === IMPLIED_TYPE_FIELD) impliedType = value.toString('utf8')
    else if (name === KEY_FIELD) key = value.toString('utf8')
    else if (name === ATTEMPTS_FIELD) priorAttempts = Math.max(0, Number.parseInt(value.toString('latin1'), 10) || 0)
    else if (name.startsWith('ce_')) {
      ceFields++
      readAttribute(name.slice(3), value, attributes, problems)
    }
  }
  const done = (event: CloudEvent): DecodedEntry => (key === undefined ? { event, priorAttempts } : { event, key, priorAttempts })
  const body = data ?? Buffer.alloc(0)
  if (contentType?.trim().toLowerCase().startsWith('application/cloudevents') === true) {
    const type = parseMediaType(contentType)
    if (type?.essence !== 'application/cloudevents+json') {
      throw new UnsupportedMediaTypeError(contentType, `unsupported content type ${quote(contentType)}; sepal reads application/cloudevents+json`)
    }
    return done(parseEvent(decodeText(body, type.parameters['charset'], contentType, '')))
  }
  if (ceFields === 0) return done(parseEvent(decodeText(body, undefined, STRUCTURED_TYPE, '')))
  if (contentType !== undefined) attributes['datacontenttype'] = contentType
  if (data !== undefined) readData(data, contentType ?? impliedType, attributes, problems)
  const event = validateEvent(attributes, '', problems, true)
  if (event === undefined || problems.length > 0) throw new EventValidationError(problems)
  return done(event)
}

function readAttribute(name: string, value: Buffer, attributes: Record<string, unknown>, problems: EventProblem[]): void {
  // Checked before it becomes a key, so an untrusted `ce___proto__` never touches a prototype.
  if (!isAttributeName(name) || name === 'data' || name === 'data_base64' || name === 'datacontenttype') {
    problems.push({ attribute: name, message: `field ce_${name} does not name an attribute; names are a-z and 0-9 only` })
    return
  }
  if (Object.hasOwn(attributes, name)) {
    problems.push({ attribute: name, message: `field ce_${name} must appear once` })
    return
  }
  attributes[name] = value.toString('utf8')
}

/** decodeBody, with UTF-8 (nearly every event) checked and decoded natively: TextDecoder is several times slower. */
function decodeText(body: Buffer, charset: string | undefined, contentType: string, attribute: string): string {
  const utf8 = charset === undefined || charset.toLowerCase() === 'utf-8' || charset.toLowerCase() === 'utf8'
  if (utf8 && isUtf8(body) && body[0] !== 0xef) return body.toString('utf8')
  return decodeBody(body, charset, contentType, attribute)
}

function readData(body: Buffer, dataType: string | undefined, attributes: Record<string, unknown>, problems: EventProblem[]): void {
  const type = dataType === undefined ? undefined : parseMediaType(dataType)
  try {
    if (type !== undefined && isJsonEssence(type.essence)) {
      attributes['data'] = parseJson(decodeText(body, type.parameters['charset'], dataType!, 'data'), 'data')
    } else if (type !== undefined && isTextual(type)) {
      attributes['data'] = decodeText(body, type.parameters['charset'], dataType!, 'data')
    } else {
      // Nothing says the bytes are text, so they are kept exactly.
      attributes['data_base64'] = body.toString('base64')
    }
  } catch (error) {
    if (!(error instanceof EventValidationError)) throw error
    problems.push(...error.problems)
  }
}

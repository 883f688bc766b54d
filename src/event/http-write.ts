import type { CloudEvent } from './cloud-event.js'
import { EventValidationError, type EventProblem } from './event-errors.js'
import { parseMediaType, isJsonEssence } from './media-type.js'
import { parseBatch } from './parse-event.js'
import { encodeHeaderValue } from './percent-encoding.js'
import { validateEvent } from './validate-event.js'

/** How an event travels in HTTP: attributes in `ce-` headers (binary) or the whole event as JSON (structured). */
export type HttpMode = 'binary' | 'structured'

/** An HTTP message to send; header names are lower case. */
export interface HttpMessageOut {
  readonly headers: Record<string, string>
  readonly body: string | Uint8Array
}

const STRUCTURED_TYPE = 'application/cloudevents+json; charset=utf-8'
const BATCH_TYPE = 'application/cloudevents-batch+json; charset=utf-8'

/**
 * Writes an event as an HTTP message (HTTP binding §3). Binary mode: every attribute except `datacontenttype`
 * becomes a percent-encoded `ce-` header, `datacontenttype` becomes Content-Type (`application/json` when the
 * event has data but no type, the JSON format's implied value), and the body is the data: JSON text for JSON
 * types, the string for others, the decoded bytes of `data_base64`. The event is validated first (free for
 * events from createEvent/parseEvent); an invalid one throws EventValidationError.
 */
export function toHttp(event: CloudEvent, mode: HttpMode = 'binary'): HttpMessageOut {
  const valid = checked(event)
  if (mode === 'structured') return { headers: { 'content-type': STRUCTURED_TYPE }, body: JSON.stringify(valid) }
  const headers: Record<string, string> = {}
  for (const name of Object.keys(valid)) {
    if (name === 'data' || name === 'data_base64' || name === 'datacontenttype') continue
    headers[`ce-${name}`] = encodeHeaderValue(String(valid[name]))
  }
  const contentType = valid.datacontenttype
  if (valid.data_base64 !== undefined) {
    if (contentType !== undefined) headers['content-type'] = contentType
    const bytes = Buffer.from(valid.data_base64, 'base64')
    return { headers, body: new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength) }
  }
  if (!('data' in valid)) {
    if (contentType !== undefined) headers['content-type'] = contentType
    return { headers, body: '' }
  }
  headers['content-type'] = contentType ?? 'application/json'
  const essence = contentType === undefined ? 'application/json' : parseMediaType(contentType)?.essence ?? ''
  const { data } = valid
  // Non-JSON types carry a string; anything else under such a type is written as its JSON text.
  const body = !isJsonEssence(essence) && typeof data === 'string' ? data : JSON.stringify(data)
  return { headers, body }
}

/** Writes events as one batch-mode message (`application/cloudevents-batch+json`), validating each first. */
export function toHttpBatch(events: readonly CloudEvent[]): HttpMessageOut {
  const valid = parseBatch(events)
  return { headers: { 'content-type': BATCH_TYPE }, body: JSON.stringify(valid) }
}

function checked(event: CloudEvent): CloudEvent {
  const problems: EventProblem[] = []
  const valid = validateEvent(event, '', problems)
  if (valid === undefined) throw new EventValidationError(problems)
  return valid
}

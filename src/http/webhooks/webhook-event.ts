import type { CloudEvent } from '../../event/cloud-event.js'
import { createEvent } from '../../event/create-event.js'
import { isJsonEssence, parseMediaType } from '../../event/media-type.js'
import type { ResolvedWebhookEndpoint, WebhookValueSource } from './endpoint-options.js'
import { headerOf } from './verify-support.js'

/**
 * The body as the event's data: parsed JSON under a JSON content type (or none), text otherwise, bytes
 * (`data_base64`) when it is not UTF-8. `json` is the parsed body whatever the content type says, so the
 * type and id can be read from senders that label JSON as text/plain.
 */
function readData(body: Uint8Array, contentType: string | undefined): { data?: unknown; data_base64?: string; json?: unknown } {
  if (body.length === 0) return {}
  const bytes = Buffer.from(body.buffer, body.byteOffset, body.byteLength)
  let text: string
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes)
  } catch {
    return { data_base64: bytes.toString('base64') }
  }
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    // Not JSON: the signature was valid, so it is what the sender sent; keep the text.
    return { data: text }
  }
  const essence = contentType === undefined ? undefined : parseMediaType(contentType)?.essence
  return essence === undefined || isJsonEssence(essence) ? { data: json, json } : { data: text, json }
}

/** Follows a dotted path (`data.object.id`) through the parsed body. */
function fieldOf(json: unknown, path: string): unknown {
  let value = json
  for (const part of path.split('.')) {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined
    value = Object.hasOwn(value, part) ? (value as Record<string, unknown>)[part] : undefined
  }
  return value
}

function valueFrom(source: WebhookValueSource, headers: Readonly<Record<string, string>>, json: unknown): string | undefined {
  const value = 'header' in source ? headerOf(headers, source.header.toLowerCase()) : fieldOf(json, source.field)
  if (typeof value === 'number' && Number.isFinite(value)) return String(value)
  return typeof value === 'string' && value !== '' ? value : undefined
}

/**
 * A verified webhook as a CloudEvent: `source` the endpoint, `type` and `id` read where the endpoint says
 * (the sender's message id becomes the event id, so a redelivery is the same event), the body as `data`.
 * Throws EventValidationError when what was read is not a valid attribute.
 */
export function webhookToEvent(endpoint: ResolvedWebhookEndpoint, headers: Readonly<Record<string, string>>, body: Uint8Array): CloudEvent {
  const contentType = headerOf(headers, 'content-type')
  const { json, ...data } = readData(body, contentType)
  let id: string | undefined
  for (const source of endpoint.idFrom) {
    id = valueFrom(source, headers, json)
    if (id !== undefined) break
  }
  return createEvent({
    source: endpoint.source,
    type: valueFrom(endpoint.typeFrom, headers, json) ?? endpoint.defaultType,
    ...(id === undefined ? {} : { id }),
    ...(contentType === undefined || body.length === 0 ? {} : { datacontenttype: contentType }),
    ...data,
  })
}

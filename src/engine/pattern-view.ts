import type { CloudEvent } from '../event/cloud-event.js'
import type { EventPattern } from './types.js'

/**
 * What a pattern sees: the CloudEvent as it is on the wire, plus the EventBridge envelope names
 * `detail-type` (= `type`) and `detail` (= `data`), so patterns written for EventBridge work unchanged.
 * Where an event carries an extension named `detail`, the envelope mapping wins: `detail` is the data.
 *
 * The copy costs a little on every event, so it is made only when some rule mentions an envelope name
 * (`needsEnvelopeView` at rule-set build time); otherwise the event itself is matched.
 */
export function envelopeView(event: CloudEvent): object {
  const view: Record<string, unknown> = { ...event, 'detail-type': event.type }
  if (event.data !== undefined) view['detail'] = event.data
  else if ('detail' in view) delete view['detail']
  return view
}

/** True when a pattern names `detail`, `detail-type` or a dotted `detail.…` key at its top (or in a top `$or`). */
export function needsEnvelopeView(pattern: EventPattern): boolean {
  let parsed: unknown = pattern
  if (typeof pattern === 'string') {
    try {
      parsed = JSON.parse(pattern)
    } catch {
      // Unparseable text never reaches here (the pattern compiler rejects it); be safe anyway.
      return true
    }
  }
  return mentionsEnvelope(parsed)
}

function mentionsEnvelope(pattern: unknown): boolean {
  if (typeof pattern !== 'object' || pattern === null || Array.isArray(pattern)) return false
  for (const [key, value] of Object.entries(pattern)) {
    if (key === 'detail' || key === 'detail-type' || key.startsWith('detail.')) return true
    if (key === '$or' && Array.isArray(value) && value.some(mentionsEnvelope)) return true
  }
  return false
}

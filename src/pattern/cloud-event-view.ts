import type { CloudEvent } from '../event/cloud-event.js'

/**
 * What a pattern sees of a CloudEvent: every attribute and extension at the top level, plus the
 * EventBridge envelope names `detail-type` (= `type`) and `detail` (= `data`, when the data is JSON), so a
 * rule written for EventBridge such as `{ "source": [...], "detail-type": [...] }` works unchanged.
 * An attribute the event really has is never overwritten by an alias.
 */
export function patternView(event: CloudEvent): Readonly<Record<string, unknown>> {
  const view: Record<string, unknown> = { ...event }
  if (!('detail-type' in event)) view['detail-type'] = event.type
  if (!('detail' in event) && event.data !== undefined && isJson(event.datacontenttype)) view['detail'] = event.data
  return view
}

/** CloudEvents: no content type means JSON; otherwise `application/json` or any `+json` media type. */
function isJson(contentType: unknown): boolean {
  if (contentType === undefined) return true
  // `sepal test-pattern` hands over events as typed, unvalidated: a non-string content type is not JSON.
  if (typeof contentType !== 'string') return false
  const media = contentType.split(';')[0]?.trim().toLowerCase() ?? ''
  return media === 'application/json' || media === 'text/json' || media.endsWith('+json')
}

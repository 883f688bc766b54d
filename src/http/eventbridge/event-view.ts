import type { CloudEvent } from '../../event/cloud-event.js'
import { patternView } from '../../pattern/index.js'

/** Account and region sepal answers with where AWS would put real ones. */
export interface ApiIdentity {
  readonly region: string
  readonly account: string
}

/**
 * CloudEvents extensions cannot hold arrays, so PutEvents keeps one resource as a string (a pattern
 * on `resources` then matches as it would on AWS) and several as their JSON text. This reads both back.
 */
export function eventResources(event: CloudEvent): string[] {
  const value = event['resources']
  if (typeof value !== 'string') return []
  if (value.startsWith('[')) {
    try {
      const parsed: unknown = JSON.parse(value)
      if (Array.isArray(parsed)) return parsed.filter((r): r is string => typeof r === 'string')
    } catch {
      // not an array after all: a single resource that starts with "["
    }
  }
  return [value]
}

/**
 * The event as an EventBridge target sees it, the one an input transformer reads: the pattern view
 * (attributes plus `detail-type` and `detail`, JSON data only under `detail`) with the envelope fields AWS
 * always has filled in.
 */
export function eventBridgeView(event: CloudEvent, identity: ApiIdentity): Record<string, unknown> {
  const view: Record<string, unknown> = { ...patternView(event) }
  // `detail` is the data under its EventBridge name; one copy keeps <aws.events.event.json> readable.
  if (view['detail'] !== undefined && view['detail'] === event.data) delete view['data']
  view['version'] ??= '0'
  view['account'] ??= identity.account
  view['region'] ??= identity.region
  view['resources'] = eventResources(event)
  view['detail'] ??= {}
  return view
}

/** The event in EventBridge's own envelope, as an API destination would receive it. */
export function eventBridgeEnvelope(event: CloudEvent, identity: ApiIdentity): Record<string, unknown> {
  const view = eventBridgeView(event, identity)
  return {
    version: view['version'],
    id: event.id,
    'detail-type': event.type,
    source: event.source,
    account: view['account'],
    time: event.time ?? new Date().toISOString(),
    region: view['region'],
    resources: view['resources'],
    detail: view['detail'],
  }
}

import type { CloudEvent } from '../event/cloud-event.js'
import type { EventPattern } from './types.js'

/**
 * What a pattern sees of a CloudEvent is defined once, by `patternView` in the pattern module: the
 * event's attributes plus the EventBridge envelope names `detail-type` (= `type`) and `detail` (= `data`
 * when the data is JSON), never overwriting an attribute the event really has.
 *
 * This is the same view cut down to the top-level names some rule mentions. The matcher never looks at a
 * field no pattern names, so it answers exactly as the full view does while copying two or three
 * references instead of the whole event: it is on every event's path.
 */
export function createSlimView(topLevelNames: readonly string[]): (event: CloudEvent) => object {
  const names = [...new Set(topLevelNames)]
  return (event) => {
    const view: Record<string, unknown> = {}
    for (let i = 0; i < names.length; i++) {
      const name = names[i] as string
      let value = event[name]
      if (value === undefined && !(name in event)) {
        if (name === 'detail-type') value = event.type
        else if (name === 'detail' && isJsonData(event.datacontenttype)) value = event.data
      }
      if (value !== undefined) view[name] = value
    }
    return view
  }
}

/** CloudEvents: no content type means JSON; otherwise `application/json`, `text/json` or any `+json` type. */
function isJsonData(contentType: string | undefined): boolean {
  if (contentType === undefined || contentType === 'application/json') return true
  const media = (contentType.split(';')[0] ?? '').trim().toLowerCase()
  return media === 'application/json' || media === 'text/json' || media.endsWith('+json')
}

/** Parses a pattern's text once, for inspection (the pattern compiler has validated it already). */
function patternObject(pattern: EventPattern): unknown {
  if (typeof pattern !== 'string') return pattern
  try {
    return JSON.parse(pattern)
  } catch {
    return undefined
  }
}

/**
 * The event's top-level names a pattern can look at: its top keys, the first segment of a dotted key
 * (`detail.total` → `detail`), and the same inside a top `$or`.
 */
export function topLevelNames(pattern: EventPattern): string[] {
  const out: string[] = []
  collect(patternObject(pattern), out)
  return out
}

function collect(pattern: unknown, out: string[]): void {
  if (typeof pattern !== 'object' || pattern === null || Array.isArray(pattern)) return
  for (const [key, value] of Object.entries(pattern)) {
    if (key === '$or') {
      if (Array.isArray(value)) for (const branch of value) collect(branch, out)
      continue
    }
    const dot = key.indexOf('.')
    out.push(dot < 0 ? key : key.slice(0, dot))
  }
}

/** True when a pattern names `detail` or `detail-type` (also as `detail.…` or inside a top `$or`). */
export function needsEnvelopeView(pattern: EventPattern): boolean {
  const names = topLevelNames(pattern)
  return names.includes('detail') || names.includes('detail-type')
}

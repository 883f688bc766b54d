import type { CloudEvent } from '../event/cloud-event.js'
import type { EventPattern } from './types.js'

/**
 * What a pattern sees: the CloudEvent as it is on the wire, plus the EventBridge envelope names
 * `detail-type` (= `type`) and `detail` (= `data`), so patterns written for EventBridge work unchanged.
 * Where an event carries an extension named `detail`, the envelope mapping wins: `detail` is the data.
 */
export function envelopeView(event: CloudEvent): object {
  const view: Record<string, unknown> = { ...event, 'detail-type': event.type }
  if (event.data !== undefined) view['detail'] = event.data
  else if ('detail' in view) delete view['detail']
  return view
}

/**
 * The same view, cut down to the top-level names some rule mentions. The matcher never looks at a
 * field no pattern names, so this answers exactly as `envelopeView` does while copying two or three
 * references instead of the whole event: it is on every event's path.
 */
export function createSlimView(topLevelNames: readonly string[]): (event: CloudEvent) => object {
  const names = [...new Set(topLevelNames)]
  return (event) => {
    const view: Record<string, unknown> = {}
    for (let i = 0; i < names.length; i++) {
      const name = names[i] as string
      const value = name === 'detail-type' ? event.type : name === 'detail' ? event.data : event[name]
      if (value !== undefined) view[name] = value
    }
    return view
  }
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

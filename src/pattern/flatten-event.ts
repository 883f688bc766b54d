/**
 * Flattening as the reference matcher does it: every leaf value of the event (string, number, boolean,
 * null) under its dot-joined path. Array elements share the path of the array; objects inside arrays are
 * descended into. Objects and empty arrays are not leaves, so a path that holds only them is absent.
 */

/** Leaves deeper than this cannot meet any pattern path (patterns are limited to fewer segments). */
const maxEventDepth = 256

export type FlatEvent = ReadonlyMap<string, readonly unknown[]>

/** Parses event text (invalid text gives undefined) or passes an event object through; never throws. */
export function eventObject(event: unknown): Readonly<Record<string, unknown>> | undefined {
  let value = event
  if (typeof event === 'string') {
    try {
      value = JSON.parse(event)
    } catch {
      return undefined
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined
  return value as Readonly<Record<string, unknown>>
}

/** The event's leaf values by path; undefined when the event is not a JSON object (it then matches nothing). */
export function flattenEvent(event: unknown): FlatEvent | undefined {
  const root = eventObject(event)
  if (root === undefined) return undefined
  const out = new Map<string, unknown[]>()
  const visit = (value: unknown, path: string, depth: number): void => {
    if (depth > maxEventDepth) return
    if (Array.isArray(value)) {
      for (const item of value) visit(item, path, depth + 1)
    } else if (typeof value === 'object' && value !== null) {
      for (const key of Object.keys(value)) {
        visit((value as Record<string, unknown>)[key], path === undefined ? key : `${path}.${key}`, depth + 1)
      }
    } else if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' || value === null) {
      const list = out.get(path)
      if (list === undefined) out.set(path, [value])
      else list.push(value)
    }
  }
  for (const key of Object.keys(root)) visit(root[key], key, 1)
  return out
}

import { randomUUID } from 'node:crypto'
import type { CloudEvent } from './cloud-event.js'
import { EventValidationError, type EventProblem } from './event-errors.js'
import { validateEvent } from './validate-event.js'

/**
 * What createEvent needs: `source` and `type`; everything else is optional. Extensions are top-level members.
 * `time` may be a Date, `data` may be bytes (a Uint8Array becomes `data_base64`), and an extension may be a Date
 * (becomes an RFC 3339 string) or bytes (becomes base64), the canonical strings of the spec's type system.
 */
export interface EventInit<T = unknown> {
  readonly specversion?: '1.0'
  readonly id?: string
  readonly source: string
  readonly type: string
  readonly subject?: string
  readonly time?: string | Date
  readonly datacontenttype?: string
  readonly dataschema?: string
  readonly data?: T
  readonly data_base64?: string
  readonly [extension: string]: unknown
}

/**
 * Builds a valid, frozen CloudEvent. Fills in what the producer usually leaves to the library:
 * `specversion` "1.0", `id` a random UUID (v4) when absent, and `time` the current instant when absent.
 * Throws EventValidationError listing every problem. `data` is frozen in place, not copied.
 */
export function createEvent<T = unknown>(init: EventInit<T>): CloudEvent<T> {
  const draft: Record<string, unknown> = { specversion: '1.0' }
  const keys = Object.keys(init)
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!
    const value: unknown = init[key]
    if (value instanceof Date) draft[key] = Number.isNaN(value.getTime()) ? value : value.toISOString()
    else if (value instanceof Uint8Array && key !== 'data') draft[key] = Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64')
    // defineProperty so a member called `__proto__` is validated (and rejected) instead of changing the prototype
    else Object.defineProperty(draft, key, { value, enumerable: true, writable: true, configurable: true })
  }
  if (draft['id'] === undefined) draft['id'] = randomUUID()
  if (draft['time'] === undefined) draft['time'] = new Date().toISOString()
  const problems: EventProblem[] = []
  const event = validateEvent(draft, '', problems, true)
  if (event === undefined) throw new EventValidationError(problems)
  return event as CloudEvent<T>
}

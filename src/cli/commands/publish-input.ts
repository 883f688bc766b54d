import { readFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import { createEvent } from '../../event/create-event.js'
import type { CloudEvent } from '../../event/cloud-event.js'
import { EventValidationError } from '../../event/event-errors.js'
import { parseBatch, parseEvent } from '../../event/parse-event.js'

export interface EventFlags {
  type?: string
  source?: string
  data?: string
  subject?: string
  id?: string
  datacontenttype?: string
  extension: string[]
}

/** A problem with what the user gave us (exit 2), with the place it is at. */
export class PublishInputError extends Error {}

/** One event from flags. `--data` is JSON when it parses as JSON, else a plain string. */
export function eventFromFlags(flags: EventFlags): CloudEvent {
  if (flags.type === undefined || flags.source === undefined) {
    throw new PublishInputError('give --type and --source (and usually --data), or --file with events')
  }
  const init: Record<string, unknown> = { type: flags.type, source: flags.source }
  if (flags.id !== undefined) init['id'] = flags.id
  if (flags.subject !== undefined) init['subject'] = flags.subject
  if (flags.data !== undefined) {
    const json = tryJson(flags.data)
    init['data'] = json.ok ? json.value : flags.data
    init['datacontenttype'] = flags.datacontenttype ?? (json.ok ? 'application/json' : 'text/plain')
  } else if (flags.datacontenttype !== undefined) init['datacontenttype'] = flags.datacontenttype
  for (const pair of flags.extension) {
    const equals = pair.indexOf('=')
    if (equals <= 0) throw new PublishInputError(`--extension ${JSON.stringify(pair)} must be name=value, e.g. --extension tenant=acme`)
    init[pair.slice(0, equals)] = pair.slice(equals + 1)
  }
  try {
    return createEvent(init as Parameters<typeof createEvent>[0])
  } catch (error) {
    if (error instanceof EventValidationError) throw new PublishInputError(`the event is invalid: ${error.message}`)
    throw error
  }
}

/**
 * Events from a file (`-` = stdin text passed in): a JSON array (a batch), one JSON event, or NDJSON
 * (one event per line; blank lines skipped). Every event is checked before any is sent.
 */
export async function eventsFromFile(path: string, cwd: string, readStdin: () => Promise<string>): Promise<CloudEvent[]> {
  let text: string
  try {
    text = path === '-' ? await readStdin() : await readFile(resolve(cwd, path), 'utf8')
  } catch (error) {
    throw new PublishInputError(`cannot read ${JSON.stringify(path)}: ${(error as Error).message}`)
  }
  return parseEventsText(text, path)
}

export function parseEventsText(text: string, name: string): CloudEvent[] {
  const trimmed = text.trim()
  if (trimmed === '') throw new PublishInputError(`${name} is empty; put a JSON array of CloudEvents or one event per line in it`)
  try {
    if (trimmed.startsWith('[')) return parseBatch(trimmed)
    const whole = tryJson(trimmed)
    if (whole.ok) return [parseEvent(whole.value as object)]
  } catch (error) {
    if (error instanceof EventValidationError) throw new PublishInputError(`${name}: ${error.message}`)
    throw error
  }
  const events: CloudEvent[] = []
  const lines = text.split('\n')
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim()
    if (line === '') continue
    try {
      events.push(parseEvent(line))
    } catch (error) {
      if (error instanceof EventValidationError) throw new PublishInputError(`${name}:${i + 1}: ${error.message}`)
      throw error
    }
  }
  return events
}

function tryJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) as unknown }
  } catch {
    return { ok: false }
  }
}

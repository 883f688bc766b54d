import { randomUUID } from 'node:crypto'
import type { CloudEvent } from '../../event/cloud-event.js'
import { createEvent } from '../../event/create-event.js'
import type { Transport } from '../../transports/contract.js'
import { sourcesAllowed } from '../auth/access.js'
import { validationError } from './api-error.js'
import { busName, optionalArray, type ApiInput } from './api-input.js'
import { BUS_EXTENSION, DEFAULT_BUS, type ApiRegistry } from './api-registry.js'

export const MAX_PUT_EVENTS_ENTRIES = 10
/** The limit on the entries of one PutEvents request, counted as AWS counts them (see entrySize). */
export const MAX_PUT_EVENTS_BYTES = 256 * 1024

type EntryResult = { EventId: string } | { ErrorCode: string; ErrorMessage: string }

export interface PutEventsDeps {
  readonly registry: ApiRegistry
  readonly transport: Transport
  readonly topic: string
  /** Source prefixes the caller may publish; entries with another Source fail alone. Undefined: any. */
  readonly allowedSources?: readonly string[] | undefined
}

/**
 * PutEvents: each valid entry becomes a CloudEvent (Source → source, DetailType → type, Detail → data,
 * Time → time, Resources → the `resources` extension, the bus → `eventbus` unless default), all of them
 * appended in one durable publish before the answer. Bad entries fail alone, with AWS's error codes.
 */
export async function putEvents(input: ApiInput, deps: PutEventsDeps): Promise<{ FailedEntryCount: number; Entries: EntryResult[] }> {
  const entries = optionalArray(input, 'Entries', 1, MAX_PUT_EVENTS_ENTRIES)
  if (entries === undefined) throw validationError('Entries is required: a list of 1 to 10 events')
  let total = 0
  for (const entry of entries) total += entrySize(entry)
  if (total > MAX_PUT_EVENTS_BYTES) {
    throw validationError(`total size of the entries in the request is over the limit: ${total} bytes > ${MAX_PUT_EVENTS_BYTES}; send fewer or smaller events`)
  }

  const results: EntryResult[] = []
  const accepted: { index: number; event: CloudEvent }[] = []
  for (const entry of entries) {
    const converted = toCloudEvent(entry, deps.registry)
    if ('event' in converted && deps.allowedSources !== undefined && !sourcesAllowed(deps.allowedSources, [converted.event.source])) {
      results.push({ ErrorCode: 'AccessDeniedException', ErrorMessage: 'you are not authorized to put events with this source' })
    } else if ('event' in converted) {
      accepted.push({ index: results.length, event: converted.event })
      results.push({ EventId: converted.event.id })
    } else {
      results.push(converted)
    }
  }
  if (accepted.length > 0) {
    try {
      await deps.transport.publish(deps.topic, accepted.map((a) => a.event))
    } catch {
      for (const { index } of accepted) results[index] = { ErrorCode: 'InternalFailure', ErrorMessage: 'the event could not be stored; retry it' }
    }
  }
  return { FailedEntryCount: results.filter((r) => 'ErrorCode' in r).length, Entries: results }
}

/** AWS's entry size: UTF-8 bytes of Source, DetailType, Detail and each Resource, plus 14 for a Time. */
export function entrySize(entry: unknown): number {
  if (typeof entry !== 'object' || entry === null) return 0
  const e = entry as Record<string, unknown>
  let size = e['Time'] === undefined || e['Time'] === null ? 0 : 14
  for (const member of ['Source', 'DetailType', 'Detail']) {
    const value = e[member]
    if (typeof value === 'string') size += Buffer.byteLength(value)
  }
  if (Array.isArray(e['Resources'])) for (const r of e['Resources']) if (typeof r === 'string') size += Buffer.byteLength(r)
  return size
}

function invalid(member: string, reason: string): EntryResult {
  return { ErrorCode: 'InvalidArgument', ErrorMessage: `parameter ${member} is not valid: ${reason}` }
}

function toCloudEvent(entry: unknown, registry: ApiRegistry): { event: CloudEvent } | EntryResult {
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) return invalid('Entries', 'each entry must be an object')
  const e = entry as ApiInput
  const source = e['Source']
  if (typeof source !== 'string' || source === '') return invalid('Source', 'Source is a required argument')
  const detailType = e['DetailType']
  if (typeof detailType !== 'string' || detailType === '') return invalid('DetailType', 'DetailType is a required argument')
  const detailText = e['Detail']
  if (typeof detailText !== 'string' || detailText === '') return invalid('Detail', 'Detail is a required argument')
  let detail: unknown
  try {
    detail = JSON.parse(detailText)
  } catch {
    detail = undefined
  }
  if (typeof detail !== 'object' || detail === null || Array.isArray(detail)) {
    return { ErrorCode: 'MalformedDetail', ErrorMessage: 'detail is malformed: it must be the text of a JSON object' }
  }
  let bus: string
  try {
    bus = busName(e)
  } catch {
    return invalid('EventBusName', 'EventBusName must be a string')
  }
  if (!registry.hasBus(bus)) return invalid('EventBusName', `event bus ${JSON.stringify(bus)} does not exist; create it with CreateEventBus`)
  const time = entryTime(e['Time'])
  if (time === null) return invalid('Time', 'Time must be epoch seconds or an ISO 8601 timestamp')
  const resources = e['Resources']
  if (resources !== undefined && resources !== null && (!Array.isArray(resources) || !resources.every((r) => typeof r === 'string'))) {
    return invalid('Resources', 'Resources must be a list of strings')
  }
  const init: Record<string, unknown> = { id: randomUUID(), source, type: detailType, datacontenttype: 'application/json', data: detail }
  if (time !== undefined) init['time'] = time
  if (Array.isArray(resources) && resources.length > 0) init['resources'] = resources.length === 1 ? resources[0] : JSON.stringify(resources)
  if (bus !== DEFAULT_BUS) init[BUS_EXTENSION] = bus
  try {
    return { event: createEvent(init as { source: string; type: string }) }
  } catch (error) {
    return invalid('Entries', (error as Error).message)
  }
}

/** The JSON 1.1 protocol sends timestamps as epoch seconds; a string is read as ISO 8601. null: unreadable. */
function entryTime(value: unknown): string | undefined | null {
  if (value === undefined || value === null) return undefined
  const ms = typeof value === 'number' ? value * 1000 : typeof value === 'string' ? Date.parse(value) : Number.NaN
  // A finite number can still be past the Date range (±8.64e15 ms), where toISOString throws.
  const date = new Date(ms)
  return Number.isNaN(date.getTime()) ? null : date.toISOString()
}

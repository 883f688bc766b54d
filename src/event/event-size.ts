import type { CloudEvent } from './cloud-event.js'

/**
 * The size of an event on the wire: the UTF-8 byte length of its JSON format (structured mode), the form every
 * transport stores. The spec measures size "on the wire including protocol metadata"; the JSON form carries all
 * attributes, so it is the size that stays the same whichever binding carries the event. Pass the serialised
 * text when you already have it, to avoid encoding twice.
 */
export function eventWireSize(event: CloudEvent | string): number {
  return Buffer.byteLength(typeof event === 'string' ? event : JSON.stringify(event), 'utf8')
}

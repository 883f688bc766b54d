import type { CloudEvent } from '../../event/cloud-event.js'
import type { Transport } from '../../transports/contract.js'

/** Sends events in chunks, calling `progress` after each; a chunk over HTTP is one batch (all or nothing). */
export type Sender = (events: readonly CloudEvent[]) => Promise<void>

/** The ingress takes batches of at most 100 events by default; stay under its byte limit too. */
const MAX_BATCH_EVENTS = 100
const MAX_BATCH_BYTES = 1024 * 1024

export function chunk(events: readonly CloudEvent[]): CloudEvent[][] {
  const chunks: CloudEvent[][] = []
  let current: CloudEvent[] = []
  let bytes = 0
  for (const event of events) {
    const size = JSON.stringify(event).length + 1
    if (current.length > 0 && (current.length >= MAX_BATCH_EVENTS || bytes + size > MAX_BATCH_BYTES)) {
      chunks.push(current)
      current = []
      bytes = 0
    }
    current.push(event)
    bytes += size
  }
  if (current.length > 0) chunks.push(current)
  return chunks
}

/** A failure the server or transport reported (exit 1). */
export class SendError extends Error {}

export function httpSender(baseUrl: string, fetchImpl: typeof fetch = fetch): Sender {
  const url = new URL('events', baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`).href
  return async (events) => {
    const single = events.length === 1
    let response: Response
    try {
      response = await fetchImpl(url, {
        method: 'POST',
        headers: { 'content-type': single ? 'application/cloudevents+json' : 'application/cloudevents-batch+json' },
        body: JSON.stringify(single ? events[0] : events),
      })
    } catch (error) {
      const reason = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message
      throw new SendError(`cannot reach ${url} (${reason}); is \`sepal run\` running there? (or use --data-dir to write to the embedded log)`)
    }
    if (response.status !== 202 && response.status !== 200) {
      const body = await response.text().catch(() => '')
      throw new SendError(`${url} answered ${response.status}: ${body.slice(0, 500)}`)
    }
    await response.body?.cancel().catch(() => undefined)
  }
}

export function transportSender(transport: Transport, topic: string): Sender {
  return (events) => transport.publish(topic, events)
}

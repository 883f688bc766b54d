import type { IncomingMessage } from 'node:http'
import type { Context } from 'hono'
import { ErrorCodes } from '../errors.js'
import type { CloudEvent } from '../event/cloud-event.js'
import type { ResolvedIngressOptions } from './options.js'
import { decodeErrorOutcome, jsonOutcome, problemOutcome, toResponse, type HttpOutcome, type Problem } from './problem.js'
import { readNodeBody, readWebBody, type BodyReadResult } from './read-body.js'

export type HttpHeaders = Readonly<Record<string, string | string[] | undefined>>

/** The CloudEvents HTTP binding, as `fromHttp` in src/event implements it. */
export type HttpEventDecoder = (request: { headers: HttpHeaders; body: string | Uint8Array }) => CloudEvent[]

/** What node:http hands Hono through @hono/node-server; absent under `app.request()`. */
export interface NodeBindings {
  readonly incoming?: IncomingMessage
}

export interface PostEventsDeps {
  readonly options: ResolvedIngressOptions
  readonly decode: HttpEventDecoder
  /** Wire size of one event in bytes (its JSON structured form). */
  readonly eventSize: (event: CloudEvent) => number
  /** Checks the server's request gate adds (JSON depth, allowed sources); each may answer instead. */
  readonly guard?: EventsGuard | undefined
}

export interface EventsGuard {
  checkBody(headers: HttpHeaders, body: string | Uint8Array): HttpOutcome | undefined
  checkEvents(headers: HttpHeaders, events: readonly CloudEvent[]): HttpOutcome | undefined
}

function headerRecord(headers: Headers): Record<string, string> {
  const record: Record<string, string> = {}
  headers.forEach((value, name) => {
    record[name] = value
  })
  return record
}

/**
 * An upper bound on the JSON size of any event decoded from this request, found without serialising.
 * Decoding never grows a byte of input more than 6 times: the worst cases are a control character that
 * JSON writes as `\u00XX` and a number such as `1e20` that JSON writes in full (21/4). Each header adds
 * its name, value and at most 8 bytes of quotes, colon and comma. When the bound is under the limit the
 * exact (serialising) check per event can be skipped, which is the common case and keeps the hot path lean.
 */
export function jsonSizeBound(headers: HttpHeaders, bodyBytes: number): number {
  let headerBytes = 0
  for (const name in headers) {
    const value = headers[name]
    if (value === undefined) continue
    headerBytes += name.length + 8 + (typeof value === 'string' ? value.length : value.join(', ').length)
  }
  return 6 * (bodyBytes + headerBytes) + 64
}

function isBatch(contentType: string | string[] | undefined): boolean {
  return typeof contentType === 'string' && contentType.toLowerCase().includes('application/cloudevents-batch+json')
}

function tooLarge(message: string, bodyLeftUnread: boolean, problems: readonly Problem[] = []): HttpOutcome {
  // Closing is the only honest way out when the rest of the body is still on the wire.
  const headers: Record<string, string> = bodyLeftUnread ? { connection: 'close' } : {}
  return problemOutcome(413, ErrorCodes.PAYLOAD_TOO_LARGE, message, { problems, headers })
}

/** Reads the request body under the given byte limit. */
export type BodyReader = (limit: number) => Promise<BodyReadResult>

/** The whole of POST /events as a function of the request headers and a body reader. */
export type EventsAcceptor = (headers: HttpHeaders, readBody: BodyReader) => Promise<HttpOutcome>

/**
 * POST /events: read the body under a hard limit, decode (binary, structured or batch), check sizes,
 * append all events in one publish, and answer 202 only once that append is durable.
 */
export function createEventsAcceptor(deps: PostEventsDeps): EventsAcceptor {
  const { options, decode, eventSize, guard } = deps
  const { transport, topic, maxEventBytes, maxBatchEvents, maxBatchBytes, logger } = options

  return async (headers, readBody) => {
    const batch = isBatch(headers['content-type'])
    const limit = batch ? maxBatchBytes : maxEventBytes
    const read = await readBody(limit)

    if (read.kind === 'too-large') {
      const what = batch ? 'batch body' : 'event body'
      return tooLarge(`the ${what} is over the limit of ${limit} bytes; send smaller events or raise the limit`, !read.complete)
    }
    if (read.kind === 'aborted') {
      return problemOutcome(400, ErrorCodes.EVENT_INVALID, 'the request body ended before it was complete; send it again')
    }

    const refusedBody = guard?.checkBody(headers, read.body)
    if (refusedBody !== undefined) return refusedBody

    let events: CloudEvent[]
    try {
      events = decode({ headers, body: read.body })
    } catch (error) {
      const { outcome, clientFault } = decodeErrorOutcome(error)
      if (!clientFault) logger.error({ err: error }, 'decoding an HTTP request failed unexpectedly')
      return outcome
    }

    const refusedEvents = guard?.checkEvents(headers, events)
    if (refusedEvents !== undefined) return refusedEvents
    if (events.length > maxBatchEvents) {
      return tooLarge(`the batch has ${events.length} events; the limit is ${maxBatchEvents}, split it`, false)
    }
    const oversized: Problem[] = []
    const mayBeOversized = jsonSizeBound(headers, read.body.length) > maxEventBytes
    for (let i = 0; mayBeOversized && i < events.length; i++) {
      const size = eventSize(events[i] as CloudEvent)
      if (size > maxEventBytes) {
        const where = batch ? { pointer: `/${i}` } : {}
        oversized.push({ ...where, message: `the event is ${size} bytes; the limit is ${maxEventBytes}` })
      }
    }
    if (oversized.length > 0) {
      return tooLarge(`${oversized.length} event(s) over the limit of ${maxEventBytes} bytes; nothing was accepted`, false, oversized)
    }

    if (events.length > 0) {
      try {
        await transport.publish(topic, events)
      } catch (error) {
        logger.error({ err: error, topic, count: events.length }, 'appending events to the transport failed')
        const code = (error as { code?: unknown } | null)?.code === ErrorCodes.CLOSED ? ErrorCodes.CLOSED : ErrorCodes.TRANSPORT_UNAVAILABLE
        return problemOutcome(503, code, 'the events could not be stored and none were accepted; retry later', {
          headers: { 'retry-after': '1' },
        })
      }
    }
    return events.length === 1 ? ACCEPTED_ONE : jsonOutcome(202, { accepted: events.length })
  }
}

const ACCEPTED_ONE = jsonOutcome(202, { accepted: 1 })

/** The acceptor as a Hono handler: reads the Node stream when served by node:http, else the fetch body. */
export function createPostEventsHandler(accept: EventsAcceptor) {
  return async (c: Context<{ Bindings: NodeBindings }>): Promise<Response> => {
    // Under app.request() there is no env at all, hence the optional chain.
    const incoming = (c.env as NodeBindings | undefined)?.incoming
    if (incoming !== undefined) {
      const outcome = await accept(incoming.headers, (limit) => readNodeBody(incoming, incoming.headers['content-length'], limit))
      return toResponse(outcome)
    }
    const raw = c.req.raw
    const outcome = await accept(headerRecord(raw.headers), (limit) => readWebBody(raw.body, raw.headers.get('content-length'), limit))
    return toResponse(outcome)
  }
}

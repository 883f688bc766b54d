import type { Context } from 'hono'
import { ErrorCodes } from '../../errors.js'
import type { CloudEvent } from '../../event/cloud-event.js'
import type { HttpApp } from '../app.js'
import type { NodeBindings } from '../post-events.js'
import { decodeErrorOutcome, jsonOutcome, problemOutcome, problemResponse, toResponse, type HttpOutcome } from '../problem.js'
import type { ResolvedIngressOptions } from '../options.js'
import { readNodeBody, readWebBody, type BodyReadResult } from '../read-body.js'
import type { ResolvedWebhookEndpoint } from './endpoint-options.js'
import { webhookToEvent } from './webhook-event.js'

type Headers = Record<string, string>

function flatHeaders(raw: Readonly<Record<string, string | string[] | undefined>>): Headers {
  const headers: Headers = {}
  for (const name in raw) {
    const value = raw[name]
    if (value !== undefined) headers[name] = typeof value === 'string' ? value : value.join(', ')
  }
  return headers
}

// The same words for every refusal, so an answer never tells a prober which part was wrong (the log does).
const UNVERIFIED = 'the webhook could not be verified; check the endpoint secret and the sender clock'

/**
 * Verify, convert, append, answer. 413 before anything is verified (the body is not buffered past the
 * limit); 401 with only a code when the signature or timestamp fails; 202 only after the durable append.
 */
export async function acceptWebhook(
  endpoint: ResolvedWebhookEndpoint,
  options: ResolvedIngressOptions,
  headers: Headers,
  readBody: (limit: number) => Promise<BodyReadResult>,
): Promise<HttpOutcome> {
  const { logger, transport } = options
  const read = await readBody(endpoint.maxBytes)
  if (read.kind === 'too-large') {
    return problemOutcome(413, ErrorCodes.PAYLOAD_TOO_LARGE, `the webhook body is over the limit of ${endpoint.maxBytes} bytes`, {
      headers: { connection: 'close' },
    })
  }
  if (read.kind === 'aborted') return problemOutcome(400, ErrorCodes.EVENT_INVALID, 'the request body ended before it was complete; send it again')

  const verdict = endpoint.verify({ headers, body: read.body })
  if (!verdict.ok) {
    logger.warn({ webhook: endpoint.name, code: verdict.code, reason: verdict.reason }, 'a webhook was refused')
    return problemOutcome(401, verdict.code, UNVERIFIED)
  }

  let event: CloudEvent
  try {
    event = webhookToEvent(endpoint, headers, read.body)
  } catch (error) {
    const { outcome, clientFault } = decodeErrorOutcome(error)
    if (!clientFault) logger.error({ err: error, webhook: endpoint.name }, 'converting a webhook failed unexpectedly')
    return outcome
  }
  try {
    await transport.publish(endpoint.topic, [event])
  } catch (error) {
    logger.error({ err: error, webhook: endpoint.name, topic: endpoint.topic }, 'appending a webhook event failed')
    return problemOutcome(503, ErrorCodes.TRANSPORT_UNAVAILABLE, 'the webhook could not be stored; retry later', { headers: { 'retry-after': '1' } })
  }
  return jsonOutcome(202, { accepted: 1, id: event.id })
}

/**
 * Adds `POST /webhooks/<name>` for each endpoint. Literal paths, not a `:name` parameter: an unknown name
 * falls through to the app's 404, and the /events fast path stays open (it closes for parameter routes).
 */
export function addWebhookRoutes(app: HttpApp, endpoints: readonly ResolvedWebhookEndpoint[], options: ResolvedIngressOptions): void {
  for (const endpoint of endpoints) {
    app.post(endpoint.path, async (c: Context<{ Bindings: NodeBindings }>) => {
      const incoming = (c.env as NodeBindings | undefined)?.incoming
      if (incoming !== undefined) {
        const headers = flatHeaders(incoming.headers)
        return toResponse(await acceptWebhook(endpoint, options, headers, (limit) => readNodeBody(incoming, incoming.headers['content-length'], limit)))
      }
      const raw = c.req.raw
      const headers: Headers = {}
      raw.headers.forEach((value, name) => void (headers[name] = value))
      return toResponse(await acceptWebhook(endpoint, options, headers, (limit) => readWebBody(raw.body, raw.headers.get('content-length'), limit)))
    })
    app.all(endpoint.path, () => problemResponse(405, ErrorCodes.METHOD_NOT_ALLOWED, 'this endpoint takes POST only', { headers: { allow: 'POST' } }))
  }
}

import { randomBytes } from 'node:crypto'
import { sign as githubSign } from '@octokit/webhooks-methods'
import { Webhook } from 'standardwebhooks'
import Stripe from 'stripe'
import { afterEach, describe, expect, it } from 'vitest'
import { ErrorCodes } from '../src/errors.js'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { Readable } from 'node:stream'
import { createIngress } from '../src/http/create-http-app.js'
import { createEventsFastPath } from '../src/http/events-fast-path.js'
import { startHttpServer, type HttpServer } from '../src/http/server.js'
import type { WebhookEndpointOptions } from '../src/http/webhooks/endpoint-options.js'
import { createRecordingTransport } from './support/http-recording-transport.js'

const standardSecret = `whsec_${randomBytes(24).toString('base64')}`
const rotatedSecret = `whsec_${randomBytes(24).toString('base64')}`
const githubSecret = 'github-secret'
const stripeSecret = 'whsec_stripe_endpoint_secret'

const endpoints: WebhookEndpointOptions[] = [
  { name: 'billing', scheme: 'standard-webhooks', secrets: [rotatedSecret, standardSecret], maxBytes: 2048 },
  { name: 'github', scheme: 'github', secrets: [githubSecret] },
  { name: 'stripe', scheme: 'stripe', secrets: [stripeSecret], source: 'https://stripe.com' },
  { name: 'ci', scheme: 'bearer', secrets: ['ci-token'], typeFrom: { field: 'build.status' }, defaultType: 'ci.build' },
]

const servers: HttpServer[] = []
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()))
})

async function start() {
  const transport = createRecordingTransport()
  const server = await startHttpServer({ transport, port: 0, webhooks: endpoints })
  servers.push(server)
  return { server, transport }
}

function post(server: HttpServer, name: string, body: string, headers: Record<string, string>): Promise<Response> {
  return fetch(`${server.url}/webhooks/${name}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body })
}

function standardHeaders(body: string, options: { secret?: string; id?: string; at?: Date } = {}): Record<string, string> {
  const id = options.id ?? `msg_${randomBytes(8).toString('hex')}`
  const at = options.at ?? new Date()
  const signature = new Webhook(options.secret ?? standardSecret).sign(id, at, body)
  return { 'webhook-id': id, 'webhook-timestamp': String(Math.floor(at.getTime() / 1000)), 'webhook-signature': signature }
}

describe('POST /webhooks/<name> over real HTTP', () => {
  it('turns a Standard Webhooks request into a CloudEvent with the webhook id as its id', async () => {
    const { server, transport } = await start()
    const body = JSON.stringify({ type: 'invoice.paid', data: { amount: 42 } })
    const response = await post(server, 'billing', body, standardHeaders(body, { id: 'msg_42' }))
    expect(response.status).toBe(202)
    expect(await response.json()).toEqual({ accepted: 1, id: 'msg_42' })
    const event = transport.appends[0]?.events[0]
    expect(transport.appends[0]?.topic).toBe('events')
    expect(event).toMatchObject({ id: 'msg_42', source: '/webhooks/billing', type: 'invoice.paid', datacontenttype: 'application/json' })
    expect(event?.data).toEqual({ type: 'invoice.paid', data: { amount: 42 } })
  })

  it('gives a redelivery of the same webhook the same event id, so duplicates collapse downstream', async () => {
    const { server, transport } = await start()
    const body = '{"type":"a.b"}'
    await post(server, 'billing', body, standardHeaders(body, { id: 'msg_same' }))
    await post(server, 'billing', body, standardHeaders(body, { id: 'msg_same', secret: rotatedSecret }))
    expect(transport.appends.map((a) => a.events[0]?.id)).toEqual(['msg_same', 'msg_same'])
  })

  it('answers 401 with only a code for a tampered body, a wrong secret and a missing signature', async () => {
    const { server, transport } = await start()
    const body = '{"type":"a.b","amount":1}'
    const tampered = await post(server, 'billing', body.replace('1', '9'), standardHeaders(body))
    const wrong = await post(server, 'billing', body, standardHeaders(body, { secret: `whsec_${randomBytes(24).toString('base64')}` }))
    const missing = await post(server, 'billing', body, {})
    for (const response of [tampered, wrong, missing]) {
      expect(response.status).toBe(401)
      const answer = (await response.json()) as { code: string; message: string }
      expect(answer.code).toBe(ErrorCodes.WEBHOOK_SIGNATURE_INVALID)
      expect(answer.message).not.toMatch(/secret [0-9]|header is missing|matches no/)
    }
    expect(transport.appends).toHaveLength(0)
  })

  it('answers 401 for a replayed old request and one from the future', async () => {
    const { server, transport } = await start()
    const body = '{"type":"a.b"}'
    const old = await post(server, 'billing', body, standardHeaders(body, { at: new Date(Date.now() - 10 * 60_000) }))
    const future = await post(server, 'billing', body, standardHeaders(body, { at: new Date(Date.now() + 10 * 60_000) }))
    expect([old.status, future.status]).toEqual([401, 401])
    expect(((await old.json()) as { code: string }).code).toBe(ErrorCodes.WEBHOOK_TIMESTAMP_INVALID)
    expect(transport.appends).toHaveLength(0)
  })

  it('answers 413 for a body over the endpoint limit and 404 for an unknown endpoint', async () => {
    const { server } = await start()
    const body = JSON.stringify({ type: 'big', pad: 'x'.repeat(4096) })
    const large = await post(server, 'billing', body, standardHeaders(body))
    expect(large.status).toBe(413)
    expect(((await large.json()) as { code: string }).code).toBe(ErrorCodes.PAYLOAD_TOO_LARGE)
    const unknown = await post(server, 'nobody', '{}', {})
    expect(unknown.status).toBe(404)
  })

  it('answers 202 only once the append is durable, and 503 when it fails', async () => {
    const { server, transport } = await start()
    const body = '{"type":"a.b"}'
    const release = transport.hold()
    let answered = false
    const pending = post(server, 'billing', body, standardHeaders(body)).then((r) => ((answered = true), r))
    await transport.publishedCalls(1)
    await new Promise((resolve) => setTimeout(resolve, 20))
    expect(answered).toBe(false)
    release()
    expect((await pending).status).toBe(202)
    transport.failWith(new Error('disk full'))
    const failed = await post(server, 'billing', body, standardHeaders(body))
    expect(failed.status).toBe(503)
  })

  it('verifies GitHub deliveries signed by @octokit/webhooks-methods, typed by X-GitHub-Event', async () => {
    const { server, transport } = await start()
    const body = JSON.stringify({ action: 'opened', number: 7 })
    const headers = { 'x-hub-signature-256': await githubSign(githubSecret, body), 'x-github-event': 'pull_request', 'x-github-delivery': 'd-1' }
    expect((await post(server, 'github', body, headers)).status).toBe(202)
    expect(transport.appends[0]?.events[0]).toMatchObject({ id: 'd-1', type: 'pull_request', source: '/webhooks/github' })
    const bad = await post(server, 'github', body, { ...headers, 'x-hub-signature-256': await githubSign('wrong', body) })
    expect(bad.status).toBe(401)
  })

  it("verifies Stripe's own test header and uses the Stripe event id", async () => {
    const { server, transport } = await start()
    const body = JSON.stringify({ id: 'evt_123', type: 'payment_intent.succeeded', data: { object: {} } })
    const signature = new Stripe('sk_test_placeholder').webhooks.generateTestHeaderString({ payload: body, secret: stripeSecret })
    expect((await post(server, 'stripe', body, { 'stripe-signature': signature })).status).toBe(202)
    expect(transport.appends[0]?.events[0]).toMatchObject({ id: 'evt_123', type: 'payment_intent.succeeded', source: 'https://stripe.com' })
    const stale = new Stripe('sk_test_placeholder').webhooks.generateTestHeaderString({
      payload: body,
      secret: stripeSecret,
      timestamp: Math.floor(Date.now() / 1000) - 3600,
    })
    expect((await post(server, 'stripe', body, { 'stripe-signature': stale })).status).toBe(401)
  })

  it('takes a bearer-token webhook with the type from a nested field, or the default type', async () => {
    const { server, transport } = await start()
    const ok = await post(server, 'ci', '{"build":{"status":"ci.passed"}}', { authorization: 'Bearer ci-token', 'idempotency-key': 'b-9' })
    const plain = await post(server, 'ci', 'done', { authorization: 'Bearer ci-token', 'content-type': 'text/plain' })
    expect([ok.status, plain.status]).toEqual([202, 202])
    expect(transport.appends[0]?.events[0]).toMatchObject({ id: 'b-9', type: 'ci.passed' })
    expect(transport.appends[1]?.events[0]).toMatchObject({ type: 'ci.build', data: 'done', datacontenttype: 'text/plain' })
    expect((await post(server, 'ci', '{}', { authorization: 'Bearer nope' })).status).toBe(401)
  })

  it('answers 405 to other methods and keeps serving POST /events', async () => {
    const { server } = await start()
    expect((await fetch(`${server.url}/webhooks/billing`)).status).toBe(405)
    const event = { specversion: '1.0', id: '1', source: '/s', type: 't' }
    const response = await fetch(`${server.url}/events`, { method: 'POST', headers: { 'content-type': 'application/cloudevents+json' }, body: JSON.stringify(event) })
    expect(response.status).toBe(202)
  })

  it('leaves the direct POST /events path open: webhook routes are literal paths', () => {
    const ingress = createIngress({ transport: createRecordingTransport(), webhooks: endpoints })
    const fastPath = createEventsFastPath(ingress)
    const written: number[] = []
    const req = Object.assign(Readable.from([]), { method: 'POST', url: '/events', headers: {} }) as unknown as IncomingMessage
    const res = { writeHead: (status: number) => void written.push(status), end: () => undefined, headersSent: false } as unknown as ServerResponse
    expect(fastPath(req, res)).toBe(true)
    expect(ingress.app.routes.some((route) => route.path === '/webhooks/billing')).toBe(true)
  })

  it('refuses a configuration with a duplicate endpoint name or a secret that does not parse', async () => {
    const transport = createRecordingTransport()
    await expect(startHttpServer({ transport, webhooks: [endpoints[1]!, endpoints[1]!] })).rejects.toThrow(/used twice/)
    await expect(startHttpServer({ transport, webhooks: [{ name: 'x', scheme: 'standard-webhooks', secrets: ['whsec_!!'] }] })).rejects.toThrow(/not base64/)
  })
})

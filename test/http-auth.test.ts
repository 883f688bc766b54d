import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { ErrorCodes } from '../src/errors.js'
import { createEventBridgeApi } from '../src/http/eventbridge/create-eventbridge-api.js'
import type { AuthOptions } from '../src/http/auth/key-ring.js'
import { startHttpServer, type HttpServer } from '../src/http/server.js'
import { createRecordingTransport, sampleEvent as baseEvent } from './support/http-recording-transport.js'

const sampleEvent = (overrides: Record<string, unknown> = {}) => ({ ...baseEvent, ...overrides })

const PUBLISHER = 'publisher-key-0123456789abcdef'
const READER = 'reader-key-0123456789abcdef'
const ADMIN = 'admin-key-0123456789abcdef'
const ORDERS_ONLY = 'orders-key-0123456789abcdef'

const servers: HttpServer[] = []
const dirs: string[] = []
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()))
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

const keys: AuthOptions = {
  keys: [
    { name: 'publisher', scope: 'publish', key: PUBLISHER },
    { name: 'reader', scope: 'read', key: READER },
    { name: 'admin', scope: 'admin', key: ADMIN },
    { name: 'orders', scope: 'publish', sources: ['/shop/orders'], key: ORDERS_ONLY },
  ],
}

async function start(auth: AuthOptions | 'none' = keys) {
  const transport = createRecordingTransport()
  const server = await startHttpServer({ transport, port: 0, auth, metrics: () => 'up 1\n' })
  servers.push(server)
  return { server, transport }
}

function post(url: string, key: string | undefined, event: unknown = sampleEvent()): Promise<Response> {
  const headers: Record<string, string> = { 'content-type': 'application/cloudevents+json' }
  if (key !== undefined) headers['authorization'] = `Bearer ${key}`
  return fetch(`${url}/events`, { method: 'POST', headers, body: JSON.stringify(event) })
}

describe('API keys on the HTTP server', () => {
  it('refuses POST /events without credentials with 401 and only a code', async () => {
    const { server, transport } = await start()
    const response = await post(server.url, undefined)
    expect(response.status).toBe(401)
    expect(await response.json()).toEqual({ code: ErrorCodes.UNAUTHORIZED })
    expect(transport.appends).toHaveLength(0)
  })

  it('refuses a wrong key with the same 401 body as a missing one', async () => {
    const { server } = await start()
    const response = await post(server.url, 'not-a-configured-key-at-all')
    expect(response.status).toBe(401)
    expect(await response.json()).toEqual({ code: ErrorCodes.UNAUTHORIZED })
  })

  it('accepts POST /events with a publish key, through the direct path as through the routes', async () => {
    const { server, transport } = await start()
    const response = await post(server.url, PUBLISHER)
    expect(response.status).toBe(202)
    expect(transport.appends).toHaveLength(1)
  })

  it('answers 403 when a read key publishes and 401 never tells the two apart', async () => {
    const { server } = await start()
    const response = await post(server.url, READER)
    expect(response.status).toBe(403)
    expect(await response.json()).toEqual({ code: ErrorCodes.FORBIDDEN })
  })

  it('lets an admin key publish and read', async () => {
    const { server } = await start()
    expect((await post(server.url, ADMIN)).status).toBe(202)
    const metrics = await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${ADMIN}` } })
    expect(metrics.status).toBe(200)
  })

  it('needs read scope for /metrics but none for the health probes', async () => {
    const { server } = await start()
    expect((await fetch(`${server.url}/metrics`)).status).toBe(401)
    expect((await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${PUBLISHER}` } })).status).toBe(403)
    expect((await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${READER}` } })).status).toBe(200)
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200)
    expect((await fetch(`${server.url}/readyz`)).status).toBe(200)
  })

  it('accepts events from allowed source prefixes and refuses the whole request otherwise', async () => {
    const { server, transport } = await start()
    expect((await post(server.url, ORDERS_ONLY, sampleEvent({ source: '/shop/orders/eu' }))).status).toBe(202)
    const refused = await post(server.url, ORDERS_ONLY, sampleEvent({ source: '/shop/payments' }))
    expect(refused.status).toBe(403)
    expect(await refused.json()).toEqual({ code: ErrorCodes.FORBIDDEN })
    expect(transport.appends).toHaveLength(1)
  })

  it('refuses a batch when one of its events has a source the key may not publish', async () => {
    const { server, transport } = await start()
    const batch = [sampleEvent({ id: 'a', source: '/shop/orders' }), sampleEvent({ id: 'b', source: '/elsewhere' })]
    const response = await fetch(`${server.url}/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/cloudevents-batch+json', authorization: `Bearer ${ORDERS_ONLY}` },
      body: JSON.stringify(batch),
    })
    expect(response.status).toBe(403)
    expect(transport.appends).toHaveLength(0)
  })

  it('needs publish for EventBridge PutEvents and admin for PutRule', async () => {
    const { server } = await start()
    const call = (target: string, key: string) =>
      fetch(`${server.url}/`, {
        method: 'POST',
        headers: { 'x-amz-target': `AWSEvents.${target}`, 'content-type': 'application/x-amz-json-1.1', authorization: `Bearer ${key}` },
        body: '{}',
      })
    expect((await call('PutEvents', READER)).status).toBe(403)
    expect((await call('PutRule', PUBLISHER)).status).toBe(403)
    expect((await call('PutRule', 'wrong-key-0123456789abcdef')).status).toBe(401)
  })

  it('stays open when auth is none', async () => {
    const { server } = await start('none')
    expect((await post(server.url, undefined)).status).toBe(202)
  })

  it('takes a rotated key from its file without a restart and drops the old one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sepal-auth-'))
    dirs.push(dir)
    const file = join(dir, 'key')
    writeFileSync(file, 'first-key-0123456789abcdef\n')
    const { server } = await start({ keys: [{ name: 'rotating', scope: 'publish', keyFromFile: file }], reloadIntervalMs: 20 })
    expect((await post(server.url, 'first-key-0123456789abcdef')).status).toBe(202)
    writeFileSync(file, 'second-key-0123456789abcdef\n')
    await expect.poll(async () => (await post(server.url, 'second-key-0123456789abcdef')).status, { timeout: 5_000 }).toBe(202)
    expect((await post(server.url, 'first-key-0123456789abcdef')).status).toBe(401)
  })

  it('reads a key from an environment variable and refuses to start when it is unset', async () => {
    const env = { SEPAL_TEST_KEY: 'env-key-0123456789abcdef' }
    const { server } = await start({ keys: [{ name: 'env', scope: 'publish', keyFromEnv: 'SEPAL_TEST_KEY' }], env })
    expect((await post(server.url, 'env-key-0123456789abcdef')).status).toBe(202)
    await expect(start({ keys: [{ name: 'env', scope: 'publish', keyFromEnv: 'SEPAL_TEST_MISSING' }], env })).rejects.toThrow(/SEPAL_TEST_MISSING/)
  })

  it('reloads a rewritten key file at once when asked (what SIGHUP does in sepal run)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sepal-auth-'))
    dirs.push(dir)
    const file = join(dir, 'key')
    writeFileSync(file, 'old-key-0123456789abcdef')
    const { server } = await start({ keys: [{ name: 'rotating', scope: 'publish', keyFromFile: file }], reloadIntervalMs: 0 })
    writeFileSync(file, 'new-key-0123456789abcdef')
    expect((await post(server.url, 'new-key-0123456789abcdef')).status).toBe(401)
    server.reloadKeys()
    expect((await post(server.url, 'new-key-0123456789abcdef')).status).toBe(202)
    writeFileSync(file, 'short')
    expect(() => server.reloadKeys()).toThrow(/shorter than 16/)
    expect((await post(server.url, 'new-key-0123456789abcdef')).status).toBe(202)
  })

  it('checks keys on the direct path of the EventBridge API too, and serves PutEvents to a publish key', async () => {
    const transport = createRecordingTransport()
    const eventBridge = createEventBridgeApi({ engine: { addRule() {}, removeRule: () => false }, transport, topic: 'events', storeFile: ':memory:' })
    const server = await startHttpServer({ transport, port: 0, auth: keys, eventBridge })
    servers.push(server)
    try {
      const body = JSON.stringify({ Entries: [{ Source: 'app.orders', DetailType: 'OrderPlaced', Detail: '{}' }] })
      const call = (headers: Record<string, string>) =>
        fetch(`${server.url}/`, { method: 'POST', headers: { 'x-amz-target': 'AWSEvents.PutEvents', 'content-type': 'application/x-amz-json-1.1', ...headers }, body })
      expect((await call({})).status).toBe(401)
      expect(transport.appends).toHaveLength(0)
      // A source-limited key gets a per-entry refusal for an entry whose Source it may not publish.
      const limited = await call({ authorization: `Bearer ${ORDERS_ONLY}` })
      expect(limited.status).toBe(200)
      expect(await limited.json()).toMatchObject({ FailedEntryCount: 1, Entries: [{ ErrorCode: 'AccessDeniedException' }] })
      expect(transport.appends).toHaveLength(0)
      const accepted = await call({ authorization: `Bearer ${PUBLISHER}` })
      expect(accepted.status).toBe(200)
      expect(transport.appends).toHaveLength(1)
    } finally {
      eventBridge.close()
    }
  })
})

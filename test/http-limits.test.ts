import { request as httpRequest } from 'node:http'
import { afterEach, describe, expect, it } from 'vitest'
import { ErrorCodes } from '../src/errors.js'
import { startHttpServer, type HttpServer, type HttpServerOptions } from '../src/http/server.js'
import { createRecordingTransport, sampleEvent } from './support/http-recording-transport.js'

const servers: HttpServer[] = []
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()))
})

async function start(options: Partial<HttpServerOptions> = {}) {
  const transport = createRecordingTransport()
  const server = await startHttpServer({ transport, port: 0, ...options })
  servers.push(server)
  return { server, transport }
}

interface Reply {
  status: number
  headers: Record<string, string | string[] | undefined>
  body: string
}

/** A POST /events from a chosen loopback address, so per-address limits can be told apart. */
function post(url: string, options: { from?: string; headers?: Record<string, string>; body?: string } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      `${url}/events`,
      {
        method: 'POST',
        localAddress: options.from ?? '127.0.0.1',
        agent: false,
        headers: { 'content-type': 'application/cloudevents+json', ...options.headers },
      },
      (res) => {
        let body = ''
        res.setEncoding('utf8')
        res.on('data', (chunk: string) => (body += chunk))
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }))
      },
    )
    req.on('error', reject)
    req.end(options.body ?? JSON.stringify(sampleEvent))
  })
}

const code = (reply: Reply): unknown => (JSON.parse(reply.body) as { code?: unknown }).code

describe('abuse limits of the HTTP server', () => {
  it('answers 429 with Retry-After once an address has used its burst, while another address still gets in', async () => {
    const { server } = await start({ limits: { requestsPerSecond: 0.01, burst: 2 } })
    expect((await post(server.url)).status).toBe(202)
    expect((await post(server.url)).status).toBe(202)
    const limited = await post(server.url)
    expect(limited.status).toBe(429)
    expect(code(limited)).toBe(ErrorCodes.RATE_LIMITED)
    expect(Number(limited.headers['retry-after'])).toBeGreaterThanOrEqual(1)
    expect((await post(server.url, { from: '127.0.0.2' })).status).toBe(202)
  })

  it('limits an API key across addresses', async () => {
    const key = 'limited-key-0123456789abcdef'
    const { server } = await start({
      auth: { keys: [{ name: 'app', scope: 'publish', key }] },
      limits: { requestsPerSecond: 0.01, burst: 2 },
    })
    const headers = { authorization: `Bearer ${key}` }
    expect((await post(server.url, { headers })).status).toBe(202)
    expect((await post(server.url, { headers })).status).toBe(202)
    // A fresh address, the same key: the key's own bucket is empty.
    const limited = await post(server.url, { headers, from: '127.0.0.3' })
    expect(limited.status).toBe(429)
    expect(code(limited)).toBe(ErrorCodes.RATE_LIMITED)
  })

  it('answers 503 with Retry-After over the cap of concurrent requests, and serves again once one finishes', async () => {
    const { server, transport } = await start({ limits: { maxConcurrentRequests: 1 } })
    const release = transport.hold()
    const first = post(server.url)
    await transport.publishedCalls(1)
    const second = await post(server.url)
    expect(second.status).toBe(503)
    expect(code(second)).toBe(ErrorCodes.OVERLOADED)
    expect(second.headers['retry-after']).toBe('1')
    release()
    expect((await first).status).toBe(202)
    await expect.poll(async () => (await post(server.url)).status).toBe(202)
  })

  it('refuses JSON nested deeper than maxJsonDepth with its own code and stores nothing', async () => {
    const { server, transport } = await start({ limits: { maxJsonDepth: 8 } })
    const deep = { ...sampleEvent, data: JSON.parse('['.repeat(20) + ']'.repeat(20)) as unknown }
    const reply = await post(server.url, { body: JSON.stringify(deep) })
    expect(reply.status).toBe(400)
    expect(code(reply)).toBe(ErrorCodes.JSON_TOO_DEEP)
    expect(transport.appends).toHaveLength(0)
    const shallow = await post(server.url, { body: JSON.stringify({ ...sampleEvent, data: { a: ['[[[[[[[[[[[[[['] } }) })
    expect(shallow.status).toBe(202)
  })

  it('refuses a batch longer than maxBatchEvents with 413', async () => {
    const { server, transport } = await start({ maxBatchEvents: 2 })
    const batch = [1, 2, 3].map((i) => ({ ...sampleEvent, id: `e-${i}` }))
    const reply = await post(server.url, { headers: { 'content-type': 'application/cloudevents-batch+json' }, body: JSON.stringify(batch) })
    expect(reply.status).toBe(413)
    expect(code(reply)).toBe(ErrorCodes.PAYLOAD_TOO_LARGE)
    expect(transport.appends).toHaveLength(0)
  })

  it('answers 431 to a request head over maxHeaderBytes', async () => {
    const { server, transport } = await start({ maxHeaderBytes: 2048 })
    const reply = await post(server.url, { headers: { 'x-padding': 'x'.repeat(4096) } })
    expect(reply.status).toBe(431)
    expect(transport.appends).toHaveLength(0)
  })
})

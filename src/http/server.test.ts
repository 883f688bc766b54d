import { mkdtempSync, rmSync } from 'node:fs'
import { request as httpRequest } from 'node:http'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { CloudEvent as SdkEvent, HTTP } from 'cloudevents'
import { afterEach, describe, expect, it } from 'vitest'
import { ErrorCodes } from '../errors.js'
import { createSqliteTransport } from '../transports/sqlite/sqlite-transport.js'
import { startHttpServer, type HttpServer } from './server.js'
import { createRecordingTransport, sampleEvent } from '../../test/support/http-recording-transport.js'

const servers: HttpServer[] = []
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()))
})

async function start(options: Partial<Parameters<typeof startHttpServer>[0]> = {}) {
  const transport = createRecordingTransport()
  const server = await startHttpServer({ transport, port: 0, ...options })
  servers.push(server)
  return { server, transport }
}

function postStructured(url: string, event: unknown): Promise<Response> {
  return fetch(`${url}/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/cloudevents+json' },
    body: JSON.stringify(event),
  })
}

/** Streams `total` bytes in chunks without a content-length, the way a client hides a body's size. */
function postChunked(url: string, total: number): Promise<{ status: number; connection: string | undefined; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      `${url}/events`,
      { method: 'POST', headers: { 'content-type': 'application/cloudevents+json', 'transfer-encoding': 'chunked' } },
      (res) => {
        let body = ''
        res.setEncoding('utf8')
        res.on('data', (chunk: string) => (body += chunk))
        res.on('end', () => resolve({ status: res.statusCode ?? 0, connection: res.headers.connection, body }))
      },
    )
    // The server may cut us off mid-body after answering 413; that is the point.
    req.on('error', (error) => (error.message.includes('EPIPE') || error.message.includes('ECONNRESET') ? undefined : reject(error)))
    const chunk = Buffer.alloc(16 * 1024, 'a')
    let sent = 0
    const pump = (): void => {
      while (sent < total) {
        sent += chunk.length
        if (!req.write(chunk)) {
          req.once('drain', pump)
          return
        }
      }
      req.end()
    }
    pump()
  })
}

describe('startHttpServer', () => {
  it('serves POST /events over real HTTP and answers 202 after the append', async () => {
    const { server, transport } = await start({ topic: 'orders' })
    const res = await postStructured(server.url, sampleEvent)
    expect(res.status).toBe(202)
    expect(await res.json()).toEqual({ accepted: 1 })
    expect(transport.appends[0]?.topic).toBe('orders')
  })

  it('listens on 127.0.0.1 by default and reports the port it got', async () => {
    const { server } = await start()
    expect(server.host).toBe('127.0.0.1')
    expect(server.port).toBeGreaterThan(0)
    expect(server.url).toBe(`http://127.0.0.1:${server.port}`)
  })

  it('keeps connections alive between requests', async () => {
    const { server } = await start()
    const res = await fetch(`${server.url}/healthz`)
    expect(res.status).toBe(200)
    expect(res.headers.get('connection')).toBe('keep-alive')
  })

  it('answers 413 to a streamed body over the limit and closes the connection', async () => {
    const { server, transport } = await start({ maxEventBytes: 64 * 1024 })
    const result = await postChunked(server.url, 1024 * 1024)
    expect(result.status).toBe(413)
    expect(result.connection).toBe('close')
    expect((JSON.parse(result.body) as { code: string }).code).toBe(ErrorCodes.PAYLOAD_TOO_LARGE)
    expect(transport.appends).toHaveLength(0)
  })

  it('answers 413 at once to a declared content-length over the limit', async () => {
    const { server } = await start({ maxEventBytes: 1024 })
    const res = await postStructured(server.url, { ...sampleEvent, data: 'x'.repeat(4096) })
    expect(res.status).toBe(413)
  })

  it('finishes an in-flight append during close, then stops listening', async () => {
    const { server, transport } = await start()
    const release = transport.hold()
    const pending = postStructured(server.url, sampleEvent)
    await transport.publishedCalls(1)
    const closing = server.close()
    release()
    expect((await pending).status).toBe(202)
    await closing
    expect(transport.appends).toHaveLength(1)
    await expect(fetch(`${server.url}/healthz`)).rejects.toThrow()
  })

  it('answers 503 on /readyz while closing', async () => {
    const { server, transport } = await start()
    const release = transport.hold()
    const pending = postStructured(server.url, sampleEvent)
    await transport.publishedCalls(1)
    const closing = server.close()
    const ready = await server.app.request('/readyz')
    expect(ready.status).toBe(503)
    release()
    await pending
    await closing
  })

  it('is safe to close twice', async () => {
    const { server } = await start()
    await Promise.all([server.close(), server.close()])
    await expect(server.close()).resolves.toBeUndefined()
  })

  it('refuses an invalid port before listening', async () => {
    await expect(startHttpServer({ transport: createRecordingTransport(), port: 70_000 })).rejects.toThrow(/port/)
  })
})

describe('startHttpServer against slow or oversized clients', () => {
  function rawExchange(port: number, send: string): Promise<string> {
    return new Promise((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => socket.write(send))
      let received = ''
      socket.setEncoding('utf8')
      socket.on('data', (chunk: string) => (received += chunk))
      socket.on('close', () => resolve(received))
      socket.on('error', reject)
    })
  }

  it('answers 408 and closes the connection of a client that stops mid-request', async () => {
    const { server, transport } = await start({ requestTimeoutMs: 300, headersTimeoutMs: 300 })
    const answer = await rawExchange(server.port, 'POST /events HTTP/1.1\r\nHost: x\r\nContent-Type: application/cloudevents+json\r\nContent-Length: 100\r\n\r\n{"spec')
    expect(answer).toMatch(/^HTTP\/1\.1 408/)
    expect(transport.appends).toHaveLength(0)
  })

  it('answers 431 to a request head over maxHeaderBytes', async () => {
    const { server } = await start({ maxHeaderBytes: 4096 })
    const answer = await rawExchange(server.port, `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Pad: ${'a'.repeat(8192)}\r\n\r\n`)
    expect(answer).toMatch(/^HTTP\/1\.1 431/)
  })
})

describe('startHttpServer with the official CloudEvents SDK as the client', () => {
  it('accepts what the SDK emits in binary and structured mode, attributes intact', async () => {
    const { server, transport } = await start()
    const sdkEvent = new SdkEvent({
      id: 'sdk-1',
      source: 'app.sdk',
      type: 'SdkSent',
      subject: 'order/7',
      time: '2026-01-02T03:04:05Z',
      datacontenttype: 'application/json',
      data: { amount: 12.5, tags: ['a', 'b'] },
      ordertier: 'gold',
    })
    for (const message of [HTTP.binary(sdkEvent), HTTP.structured(sdkEvent)]) {
      const res = await fetch(`${server.url}/events`, {
        method: 'POST',
        headers: message.headers as Record<string, string>,
        body: message.body as string,
      })
      expect(res.status).toBe(202)
    }
    expect(transport.appends).toHaveLength(2)
    for (const { events } of transport.appends) {
      expect(events[0]).toMatchObject({
        specversion: '1.0',
        id: 'sdk-1',
        source: 'app.sdk',
        type: 'SdkSent',
        subject: 'order/7',
        data: { amount: 12.5, tags: ['a', 'b'] },
        ordertier: 'gold',
      })
      expect(Date.parse(events[0]?.time ?? '')).toBe(Date.parse('2026-01-02T03:04:05Z'))
    }
  })
})

describe('startHttpServer over the embedded log', () => {
  it('makes an accepted event readable from the log, and answers 503 once the log is closed', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'sepal-http-'))
    const transport = createSqliteTransport({ directory })
    try {
      const server = await startHttpServer({ transport, topic: 'orders', port: 0 })
      servers.push(server)
      expect((await postStructured(server.url, sampleEvent)).status).toBe(202)

      const subscription = await transport.subscribe('orders', { group: 'check', from: 'earliest' })
      const first = await subscription[Symbol.asyncIterator]().next()
      expect(first.value?.event).toMatchObject({ id: sampleEvent.id, source: sampleEvent.source, data: sampleEvent.data })
      await first.value?.ack()
      await subscription.close()

      await transport.close()
      const refused = await postStructured(server.url, { ...sampleEvent, id: 'evt-after-close' })
      expect(refused.status).toBe(503)
      expect(refused.headers.get('retry-after')).toBe('1')
      expect(((await refused.json()) as { code: string }).code).toBe(ErrorCodes.CLOSED)
    } finally {
      await transport.close()
      rmSync(directory, { recursive: true, force: true })
    }
  })
})

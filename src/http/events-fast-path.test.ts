import type { IncomingMessage, ServerResponse } from 'node:http'
import { PassThrough } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { createIngress } from './create-http-app.js'
import { createEventsFastPath } from './events-fast-path.js'
import { createRecordingTransport, sampleEvent } from '../../test/support/http-recording-transport.js'

function fakeExchange(method: string, url: string, body: string) {
  const req = Object.assign(new PassThrough(), {
    method,
    url,
    headers: { 'content-type': 'application/cloudevents+json', 'content-length': String(Buffer.byteLength(body)) },
  })
  req.end(body)
  let status = 0
  let ended!: (text: string) => void
  const done = new Promise<string>((resolve) => (ended = resolve))
  const res = {
    headersSent: false,
    writeHead(code: number) {
      status = code
      return res
    },
    end(text: string) {
      ended(text)
    },
    destroy() {},
  }
  return { req: req as unknown as IncomingMessage, res: res as unknown as ServerResponse, status: () => status, done }
}

describe('the direct path for POST /events', () => {
  it('serves POST /events itself while only the ingress routes can match it', async () => {
    const transport = createRecordingTransport()
    const ingress = createIngress({ transport })
    ingress.app.post('/webhooks/github', (c) => c.text('other'))
    const serve = createEventsFastPath(ingress)
    const exchange = fakeExchange('POST', '/events', JSON.stringify(sampleEvent))
    expect(serve(exchange.req, exchange.res)).toBe(true)
    expect(JSON.parse(await exchange.done)).toEqual({ accepted: 1 })
    expect(exchange.status()).toBe(202)
    expect(transport.appends).toHaveLength(1)
  })

  it('steps aside once middleware that can match /events is on the app', () => {
    const ingress = createIngress({ transport: createRecordingTransport() })
    const serve = createEventsFastPath(ingress)
    ingress.app.use('*', async (_c, next) => next())
    const exchange = fakeExchange('POST', '/events', JSON.stringify(sampleEvent))
    expect(serve(exchange.req, exchange.res)).toBe(false)
  })

  it('leaves other methods and paths to the router', () => {
    const serve = createEventsFastPath(createIngress({ transport: createRecordingTransport() }))
    expect(serve(fakeExchange('GET', '/events', '').req, fakeExchange('GET', '/events', '').res)).toBe(false)
    expect(serve(fakeExchange('POST', '/events/x', '').req, fakeExchange('POST', '/events/x', '').res)).toBe(false)
  })
})

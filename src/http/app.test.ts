import { describe, expect, it } from 'vitest'
import { createMetrics } from '../engine/metrics.js'
import { SepalError, ErrorCodes } from '../errors.js'
import { createHttpApp } from './create-http-app.js'
import { createRecordingTransport, sampleEvent } from '../../test/support/http-recording-transport.js'

const structured = (body: unknown): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/cloudevents+json' },
  body: JSON.stringify(body),
})

const batch = (body: unknown): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/cloudevents-batch+json' },
  body: JSON.stringify(body),
})

const binary = (id: string, data: string): RequestInit => ({
  method: 'POST',
  headers: {
    'content-type': 'application/json',
    'ce-specversion': '1.0',
    'ce-id': id,
    'ce-source': 'app.sensors',
    'ce-type': 'SensorReading',
  },
  body: data,
})

function setup(options: { maxEventBytes?: number; maxBatchEvents?: number; ready?: () => boolean } = {}) {
  const transport = createRecordingTransport()
  const app = createHttpApp({ transport, topic: 'ingress', ...options })
  return { transport, app }
}

describe('POST /events', () => {
  it('accepts a structured event with 202 after appending it to the topic', async () => {
    const { app, transport } = setup()
    const res = await app.request('/events', structured(sampleEvent))
    expect(res.status).toBe(202)
    expect(await res.json()).toEqual({ accepted: 1 })
    expect(transport.appends).toHaveLength(1)
    expect(transport.appends[0]?.topic).toBe('ingress')
    expect(transport.appends[0]?.events[0]).toMatchObject({ id: 'evt-1', source: 'app.orders', data: { orderId: 'o-1' } })
  })

  it('accepts a binary-mode event and decodes its JSON data', async () => {
    const { app, transport } = setup()
    const res = await app.request('/events', binary('b-1', '{"celsius":31}'))
    expect(res.status).toBe(202)
    expect(transport.appends[0]?.events[0]).toMatchObject({ id: 'b-1', type: 'SensorReading', data: { celsius: 31 } })
  })

  it('appends a whole batch in one publish call', async () => {
    const { app, transport } = setup()
    const events = [1, 2, 3].map((n) => ({ ...sampleEvent, id: `evt-${n}` }))
    const res = await app.request('/events', batch(events))
    expect(res.status).toBe(202)
    expect(await res.json()).toEqual({ accepted: 3 })
    expect(transport.appends).toHaveLength(1)
    expect(transport.appends[0]?.events.map((e) => e.id)).toEqual(['evt-1', 'evt-2', 'evt-3'])
  })

  it('rejects a batch with one invalid event as a whole and names the bad entry', async () => {
    const { app, transport } = setup()
    const res = await app.request('/events', batch([sampleEvent, { ...sampleEvent, id: 'evt-2', time: 'yesterday' }]))
    expect(res.status).toBe(400)
    const body = (await res.json()) as { code: string; problems: { attribute?: string }[] }
    expect(body.code).toBe(ErrorCodes.EVENT_INVALID)
    expect(body.problems.some((p) => p.attribute?.includes('[1]') && p.attribute.includes('time'))).toBe(true)
    expect(transport.appends).toHaveLength(0)
  })

  it('answers 400 with every problem for an event missing required attributes', async () => {
    const { app } = setup()
    const res = await app.request('/events', structured({ specversion: '1.0' }))
    expect(res.status).toBe(400)
    const body = (await res.json()) as { problems: { attribute?: string; message: string }[] }
    const attributes = body.problems.map((p) => p.attribute)
    expect(attributes).toEqual(expect.arrayContaining(['id', 'source', 'type']))
  })

  it('answers 400 with a JSON body for malformed JSON', async () => {
    const { app } = setup()
    const res = await app.request('/events', {
      method: 'POST',
      headers: { 'content-type': 'application/cloudevents+json' },
      body: '{"specversion": "1.0", ',
    })
    expect(res.status).toBe(400)
    expect(res.headers.get('content-type')).toContain('application/json')
    expect(((await res.json()) as { code: string }).code).toBe(ErrorCodes.EVENT_INVALID)
  })

  it('answers 415 for a content type that is not a CloudEvents format', async () => {
    const { app } = setup()
    const res = await app.request('/events', {
      method: 'POST',
      headers: { 'content-type': 'application/cloudevents+xml' },
      body: '<event/>',
    })
    expect(res.status).toBe(415)
    expect(((await res.json()) as { code: string }).code).toBe(ErrorCodes.UNSUPPORTED_MEDIA_TYPE)
  })

  it('answers 413 for a body over maxEventBytes and appends nothing', async () => {
    const { app, transport } = setup({ maxEventBytes: 1024 })
    const res = await app.request('/events', binary('big', JSON.stringify({ pad: 'x'.repeat(2000) })))
    expect(res.status).toBe(413)
    expect(((await res.json()) as { code: string }).code).toBe(ErrorCodes.PAYLOAD_TOO_LARGE)
    expect(transport.appends).toHaveLength(0)
  })

  it('answers 413 for a batch with more events than maxBatchEvents', async () => {
    const { app, transport } = setup({ maxBatchEvents: 2 })
    const events = [1, 2, 3].map((n) => ({ ...sampleEvent, id: `evt-${n}` }))
    const res = await app.request('/events', batch(events))
    expect(res.status).toBe(413)
    expect(transport.appends).toHaveLength(0)
  })

  it('answers 413 naming the batch entry whose event is over the per-event limit', async () => {
    const { app, transport } = setup({ maxEventBytes: 1024, maxBatchEvents: 10 })
    const events = [sampleEvent, { ...sampleEvent, id: 'evt-big', data: { pad: 'x'.repeat(1500) } }]
    const res = await app.request('/events', batch(events))
    expect(res.status).toBe(413)
    const body = (await res.json()) as { problems: { pointer?: string }[] }
    expect(body.problems).toEqual([expect.objectContaining({ pointer: '/1' })])
    expect(transport.appends).toHaveLength(0)
  })

  it('accepts an empty batch without appending anything', async () => {
    const { app, transport } = setup()
    const res = await app.request('/events', batch([]))
    expect(res.status).toBe(202)
    expect(await res.json()).toEqual({ accepted: 0 })
    expect(transport.appends).toHaveLength(0)
  })

  it('answers 503 with Retry-After when the transport cannot append', async () => {
    const { app, transport } = setup()
    transport.failWith(new SepalError(ErrorCodes.TRANSPORT_UNAVAILABLE, 'disk full'))
    const res = await app.request('/events', structured(sampleEvent))
    expect(res.status).toBe(503)
    expect(res.headers.get('retry-after')).toBe('1')
    expect(((await res.json()) as { code: string }).code).toBe(ErrorCodes.TRANSPORT_UNAVAILABLE)
  })

  it('does not answer before the append has resolved', async () => {
    const { app, transport } = setup()
    const release = transport.hold()
    let answered = false
    const pending = Promise.resolve(app.request('/events', structured(sampleEvent))).then((res) => {
      answered = true
      return res
    })
    await transport.publishedCalls(1)
    await new Promise((resolve) => setImmediate(resolve))
    expect(answered).toBe(false)
    release()
    expect((await pending).status).toBe(202)
    expect(transport.appends).toHaveLength(1)
  })
})

describe('other routes', () => {
  it('answers 405 with Allow for a GET on /events', async () => {
    const { app } = setup()
    const res = await app.request('/events')
    expect(res.status).toBe(405)
    expect(res.headers.get('allow')).toBe('POST')
    expect(((await res.json()) as { code: string }).code).toBe(ErrorCodes.METHOD_NOT_ALLOWED)
  })

  it('answers 404 with a JSON body for an unknown path', async () => {
    const { app } = setup()
    const res = await app.request('/nowhere', { method: 'POST' })
    expect(res.status).toBe(404)
    expect(((await res.json()) as { code: string }).code).toBe(ErrorCodes.ROUTE_NOT_FOUND)
  })

  it('reports health and readiness separately', async () => {
    let ready = false
    const { app } = setup({ ready: () => ready })
    expect((await app.request('/healthz')).status).toBe(200)
    expect((await app.request('/readyz')).status).toBe(503)
    ready = true
    expect((await app.request('/readyz')).status).toBe(200)
    expect((await app.request('/healthz', { method: 'HEAD' })).status).toBe(200)
  })

  it('treats a readiness check that throws as not ready', async () => {
    const { app } = setup({
      ready: () => {
        throw new Error('database locked')
      },
    })
    expect((await app.request('/readyz')).status).toBe(503)
  })

  it('serves metrics in the Prometheus text format only when a source is given', async () => {
    const metrics = createMetrics()
    metrics.increment('sepal_events_received_total', {}, 3)
    const app = createHttpApp({ transport: createRecordingTransport(), metrics })
    const res = await app.request('/metrics')
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toContain('text/plain')
    expect(await res.text()).toContain('sepal_events_received_total 3')
    expect((await setup().app.request('/metrics')).status).toBe(404)
  })

  it('refuses nonsense options at creation', () => {
    expect(() => createHttpApp({ transport: createRecordingTransport(), maxEventBytes: -1 })).toThrow(/maxEventBytes/)
  })
})

import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { createHttpApp } from './create-http-app.js'
import { createRecordingTransport, sampleEvent } from '../../test/support/http-recording-transport.js'

// Header values a real HTTP client can send: visible ASCII, space and tab.
const headerValue = fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 40 })

const contentType = fc.option(
  fc.oneof(
    fc.constantFrom(
      'application/cloudevents+json',
      'application/cloudevents+json; charset=utf-8',
      'application/cloudevents+json; charset=latin1',
      'application/cloudevents-batch+json',
      'application/json',
      'text/plain',
      'application/octet-stream',
      'APPLICATION/CLOUDEVENTS+JSON',
    ),
    headerValue,
  ),
  { nil: undefined },
)

const ceHeaders = fc.dictionary(
  fc.constantFrom('ce-specversion', 'ce-id', 'ce-source', 'ce-type', 'ce-time', 'ce-subject', 'ce-dataschema', 'ce-Ext', 'ce-%', 'ce-datacontenttype'),
  fc.oneof(headerValue, fc.constantFrom('1.0', '%', '%zz', '%C3%A9', '2024-01-01T00:00:00Z')),
)

const eventLike = fc.record(
  {
    specversion: fc.oneof(fc.constant('1.0'), fc.jsonValue()),
    id: fc.oneof(fc.string(), fc.jsonValue()),
    source: fc.oneof(fc.constant('app.x'), fc.jsonValue()),
    type: fc.oneof(fc.constant('T'), fc.jsonValue()),
    time: fc.oneof(fc.constant('2024-01-01T00:00:00Z'), fc.string()),
    data: fc.jsonValue(),
    data_base64: fc.oneof(fc.base64String(), fc.string()),
    datacontenttype: fc.oneof(fc.constant('application/json'), fc.string()),
  },
  { requiredKeys: [] },
)

const body = fc.oneof(
  fc.string(),
  fc.jsonValue().map((v) => JSON.stringify(v)),
  eventLike.map((e) => JSON.stringify({ ...sampleEvent, ...e })),
  fc.array(eventLike, { maxLength: 5 }).map((a) => JSON.stringify(a)),
  fc.uint8Array({ maxLength: 200 }),
)

describe('POST /events under arbitrary input', () => {
  it('always answers with a coded client status and never throws', async () => {
    const app = createHttpApp({ transport: createRecordingTransport(), maxEventBytes: 2048, maxBatchEvents: 4 })
    await fc.assert(
      fc.asyncProperty(contentType, ceHeaders, body, async (type, ce, payload) => {
        const headers: Record<string, string> = { ...ce }
        if (type !== undefined) headers['content-type'] = type
        const res = await app.request('/events', { method: 'POST', headers, body: payload })
        expect([202, 400, 413, 415]).toContain(res.status)
        const json = (await res.json()) as { code?: unknown; accepted?: unknown }
        if (res.status === 202) expect(typeof json.accepted).toBe('number')
        else expect(json.code).toMatch(/^SEPAL_ERR_/)
      }),
      { numRuns: 400 },
    )
  })

  it('answers every method and path with JSON and a 2xx or 4xx status', async () => {
    const app = createHttpApp({ transport: createRecordingTransport() })
    const path = fc.oneof(fc.constantFrom('/events', '/healthz', '/readyz', '/metrics', '/', '/events/'), fc.webPath())
    const method = fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS')
    await fc.assert(
      fc.asyncProperty(method, path, async (m, p) => {
        const res = await app.request(p.startsWith('/') ? p : `/${p}`, { method: m })
        expect(res.status).toBeLessThan(500)
        expect(res.headers.get('content-type')).toContain('application/json')
      }),
      { numRuns: 200 },
    )
  })
})

import fc from 'fast-check'
import { createEngine } from '../../../src/engine/create-engine.js'
import { createHttpApp } from '../../../src/http/create-http-app.js'
import { createEventBridgeApi } from '../../../src/http/eventbridge/index.js'
import { createMemoryTransport } from '../../../src/transports/memory/memory-transport.js'
import { patternObject } from '../../../src/pattern/pattern-arbitraries.js'
import { createRecordingTransport } from '../../support/http-recording-transport.js'
import { anyText, deepJson, perturbed, textInput } from '../harness/mutate.js'
import { httpOutcome } from '../harness/outcome.js'
import type { FuzzTarget } from '../harness/runner.js'
import { batchJsonText, eventJsonText, validEventObject } from './event-inputs.js'
import { headerValue, sendableHeaders } from './http-inputs.js'
import { hmacSecret, requestFor } from './webhooks.js'

const operations = [
  'PutEvents', 'PutRule', 'DescribeRule', 'ListRules', 'DeleteRule', 'EnableRule', 'DisableRule', 'PutTargets', 'ListTargetsByRule',
  'RemoveTargets', 'TestEventPattern', 'CreateEventBus', 'DescribeEventBus', 'ListEventBuses', 'DeleteEventBus',
]

const ruleName = fc.oneof(fc.constantFrom('r1', 'r2', 'orders', 'a.b-c_d', '', 'x'.repeat(65), 'bad name', '__proto__'), fc.string({ maxLength: 8 }))
const busName = fc.option(fc.constantFrom('default', 'bus-1', 'arn:aws:events:us-east-1:000000000000:event-bus/bus-1', 'nope', '', 'aws.partner/x'), { nil: undefined })
const patternText = fc.oneof(patternObject.map((p) => JSON.stringify(p)), textInput(fc.constantFrom('{"source":["a"]}', '{"detail":{"n":[{"numeric":[">",1]}]}}')), anyText)
const arn = fc.constantFrom('sepal:publish:out', 'sepal:publish:', 'sepal:publish:events', 'http://127.0.0.1:9/hook', 'https://example.invalid/x', 'arn:aws:lambda:us-east-1:0:function:f', 'ftp://x', '')
const detail = fc.oneof(fc.jsonValue({ maxDepth: 2 }).map((v) => JSON.stringify(v)), textInput(fc.constantFrom('{"a":1}', '{"orderId":"o-1"}')), fc.jsonValue({ maxDepth: 1 }))

const entry = fc.record(
  {
    Source: fc.oneof(fc.constantFrom('app.orders', 'aws.events', ''), fc.string({ maxLength: 10 })),
    DetailType: fc.oneof(fc.constantFrom('OrderPlaced', ''), fc.string({ maxLength: 10 })),
    Detail: detail,
    EventBusName: busName,
    Time: fc.oneof(fc.integer({ min: -1e12, max: 4e9 }), fc.constantFrom('2024-01-01T00:00:00Z', 'yesterday', '', '+275760-09-13T00:00:00.001Z', 8_640_000_000_000.001, -8_640_000_000_001, 1e300), fc.double()),
    Resources: fc.oneof(fc.array(fc.string({ maxLength: 10 }), { maxLength: 3 }), fc.jsonValue({ maxDepth: 1 })),
  },
  { requiredKeys: [] },
)

const target = fc.record(
  {
    Id: fc.oneof(fc.constantFrom('t1', 't2', ''), fc.string({ maxLength: 8 })),
    Arn: arn,
    Input: fc.oneof(fc.jsonValue({ maxDepth: 1 }).map((v) => JSON.stringify(v)), fc.string({ maxLength: 10 })),
    InputPath: fc.constantFrom('$.detail', '$', '$.x[0]', '$..a', 'detail', ''),
    InputTransformer: fc.record(
      { InputPathsMap: fc.dictionary(fc.string({ maxLength: 6 }), fc.constantFrom('$.detail', '$.detail.a', '$', 'x', '$.a.b.c')), InputTemplate: fc.constantFrom('<a>', '{"a": <a>}', '"<aws.events.rule-name>"', '<', '', '{"x": <missing>}') },
      { requiredKeys: [] },
    ),
  },
  { requiredKeys: ['Id', 'Arn'] },
)

const bodies: Record<string, fc.Arbitrary<Record<string, unknown>>> = {
  PutEvents: fc.record({ Entries: fc.array(entry, { maxLength: 4 }) }),
  PutRule: fc.record({ Name: ruleName, EventPattern: patternText, State: fc.constantFrom('ENABLED', 'DISABLED', 'ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS', 'on'), Description: fc.string({ maxLength: 10 }), EventBusName: busName, ScheduleExpression: fc.constantFrom('rate(1 minute)', 'cron(x)') }, { requiredKeys: ['Name'] }),
  PutTargets: fc.record({ Rule: ruleName, EventBusName: busName, Targets: fc.array(target, { maxLength: 3 }) }, { requiredKeys: ['Rule', 'Targets'] }),
  RemoveTargets: fc.record({ Rule: ruleName, Ids: fc.array(fc.constantFrom('t1', 't2', ''), { maxLength: 3 }), Force: fc.boolean() }, { requiredKeys: ['Rule'] }),
  TestEventPattern: fc.record({ EventPattern: patternText, Event: fc.oneof(validEventObject.map((e) => JSON.stringify(e)), fc.constant('{"id":"1","account":"1","source":"app.orders","time":"2024-01-01T00:00:00Z","region":"us-east-1","resources":[],"detail-type":"x","detail":{}}'), anyText) }),
  ListRules: fc.record({ NamePrefix: fc.string({ maxLength: 4 }), EventBusName: busName, Limit: fc.oneof(fc.integer({ min: -5, max: 200 }), fc.jsonValue({ maxDepth: 0 })), NextToken: fc.oneof(fc.string({ maxLength: 12 }), fc.base64String({ maxLength: 16 })) }, { requiredKeys: [] }),
  CreateEventBus: fc.record({ Name: fc.oneof(busName, ruleName) }, { requiredKeys: [] }),
}
const named = fc.record({ Name: ruleName, EventBusName: busName }, { requiredKeys: [] })

function bodyFor(operation: string): fc.Arbitrary<string> {
  const structured = (Object.hasOwn(bodies, operation) ? bodies[operation] : undefined) ?? named
  const objects = fc.oneof({ arbitrary: structured, weight: 4 }, { arbitrary: perturbed(structured, ['Name', 'Rule', 'Entries', 'Targets', 'EventPattern', 'Event', 'EventBusName']), weight: 2 })
  return fc.oneof(
    { arbitrary: objects.map((o) => JSON.stringify(o)), weight: 5 },
    { arbitrary: textInput(objects.map((o) => JSON.stringify(o))), weight: 3 },
    { arbitrary: fc.jsonValue({ maxDepth: 2 }).map((v) => JSON.stringify(v)), weight: 1 },
    { arbitrary: deepJson, weight: 1 },
    { arbitrary: fc.constant(''), weight: 1 },
  )
}

export interface EventBridgeCase {
  readonly target: string
  readonly contentType: string | undefined
  readonly body: string
}

export const eventBridgeCase: fc.Arbitrary<EventBridgeCase> = fc
  .tuple(fc.oneof({ arbitrary: fc.constantFrom(...operations), weight: 9 }, { arbitrary: fc.constantFrom('Bogus', 'toString', '__proto__', 'hasOwnProperty', ''), weight: 1 }), fc.oneof({ arbitrary: fc.constant('AWSEvents.'), weight: 12 }, { arbitrary: fc.constantFrom('awsevents.', ''), weight: 1 }))
  .chain(([operation, prefix]) =>
    fc.record({
      target: fc.constant(prefix + operation),
      contentType: fc.oneof({ arbitrary: fc.constant('application/x-amz-json-1.1'), weight: 8 }, { arbitrary: fc.constantFrom('application/json', undefined, 'text/plain'), weight: 1 }),
      body: bodyFor(operation),
    }),
  )

/** The EventBridge API on `POST /` in process: every answer 200, or 4xx in AWS's `__type` error shape. */
export const eventBridgeTarget: FuzzTarget<EventBridgeCase> = {
  name: 'eventbridge-api',
  input: eventBridgeCase,
  async open() {
    const transport = createRecordingTransport()
    const engine = createEngine({ transport: createMemoryTransport(), topic: 'events' })
    const api = createEventBridgeApi({ engine, transport, topic: 'events', storeFile: ':memory:' })
    const app = createHttpApp({ transport, eventBridge: api })
    return {
      async check(input) {
        transport.appends.length = 0
        const headers: Record<string, string> = { 'x-amz-target': input.target }
        if (input.contentType !== undefined) headers['content-type'] = input.contentType
        return httpOutcome(await app.request('/', { method: 'POST', headers, body: input.body }))
      },
      async close() {
        api.close()
        await engine.stop({ drainTimeoutMs: 100 }).catch(() => {})
      },
    }
  },
}

export interface IngressCase {
  readonly path: string
  readonly method: string
  readonly headers: Record<string, string>
  readonly body: string | Uint8Array
}

const ceHeaders = fc.dictionary(
  fc.constantFrom('ce-specversion', 'ce-id', 'ce-source', 'ce-type', 'ce-time', 'ce-subject', 'ce-dataschema', 'ce-datacontenttype', 'ce-myext', 'ce-data', 'ce-Ext'),
  headerValue,
  { maxKeys: 6 },
)
const validBinary = validEventObject.map((event) => {
  const headers: Record<string, string> = {}
  for (const [key, value] of Object.entries(event)) {
    if (key !== 'data' && key !== 'data_base64' && key !== 'datacontenttype') headers[`ce-${key}`] = encodeURIComponent(typeof value === 'string' ? value : JSON.stringify(value) ?? '')
  }
  return headers
})
const contentType = fc.option(
  fc.oneof(
    fc.constantFrom('application/cloudevents+json', 'application/cloudevents+json; charset=utf-8', 'application/cloudevents+json; charset=latin1', 'application/cloudevents+json; charset=utf-16',
      'application/cloudevents-batch+json', 'application/json', 'text/plain', 'application/octet-stream', 'APPLICATION/CLOUDEVENTS+JSON', 'application/cloudevents+xml', 'multipart/form-data; boundary=x'),
    headerValue,
  ),
  { nil: undefined },
)
const ingressBody: fc.Arbitrary<string | Uint8Array> = fc.oneof(
  textInput(eventJsonText),
  textInput(batchJsonText),
  deepJson,
  fc.string({ maxLength: 60 }),
  fc.uint8Array({ maxLength: 200 }),
  fc.constant(''),
  fc.constant('x'.repeat(5000)),
  fc.array(validEventObject, { minLength: 9, maxLength: 12 }).map((events) => JSON.stringify(events)),
)

export const eventsCase: fc.Arbitrary<IngressCase> = fc
  .record({
    valid: fc.option(validBinary, { nil: undefined }),
    ce: ceHeaders,
    type: contentType,
    extra: fc.dictionary(fc.constantFrom('content-encoding', 'transfer-encoding', 'x-forwarded-for', 'accept', 'expect'), headerValue, { maxKeys: 2 }),
    body: ingressBody,
    method: fc.oneof({ arbitrary: fc.constant('POST'), weight: 12 }, { arbitrary: fc.constantFrom('PUT', 'GET', 'DELETE', 'OPTIONS'), weight: 1 }),
    path: fc.oneof({ arbitrary: fc.constant('/events'), weight: 12 }, { arbitrary: fc.constantFrom('/events/', '/EVENTS', '/events?x=1', '/healthz', '/readyz', '/metrics', '/', '/nope', '//events', '/events/../events'), weight: 2 }),
  })
  .map(({ valid, ce, type, extra, body, method, path }) => {
    const headers = { ...(valid ?? {}), ...ce, ...extra }
    if (type !== undefined) headers['content-type'] = type
    return { path, method, headers, body: method === 'GET' ? '' : body }
  })

export const webhookCase: fc.Arbitrary<IngressCase> = fc.oneof(
  requestFor('github').map((request) => ({ path: '/webhooks/gh', method: 'POST', headers: request.headers, body: request.body })),
  requestFor('bearer').map((request) => ({ path: '/webhooks/bearer', method: 'POST', headers: request.headers, body: request.body })),
  requestFor('standard-webhooks').map((request) => ({ path: '/webhooks/hooks', method: 'POST', headers: request.headers, body: request.body })),
  fc.record({ path: fc.constantFrom('/webhooks/', '/webhooks/nope', '/webhooks/gh/x', '/webhooks/%2e%2e'), method: fc.constant('POST'), headers: fc.constant({}), body: fc.string({ maxLength: 20 }) }),
)

/** `POST /events` (and the app's other routes, webhooks included) in process: 2xx, or 4xx with a coded JSON body. */
export const ingressTarget: FuzzTarget<IngressCase> = {
  name: 'http-ingress',
  input: fc.oneof({ arbitrary: eventsCase, weight: 4 }, { arbitrary: webhookCase, weight: 1 }),
  async open() {
    const transport = createRecordingTransport()
    const app = createHttpApp({
      transport,
      maxEventBytes: 4096,
      maxBatchEvents: 8,
      webhooks: [
        { name: 'gh', scheme: 'github', secrets: ['github-secret'] },
        { name: 'bearer', scheme: 'bearer', secrets: ['token-1'] },
        { name: 'hooks', scheme: 'standard-webhooks', secrets: [hmacSecret] },
      ],
    })
    return {
      async check(input) {
        transport.appends.length = 0
        const init: RequestInit = { method: input.method, headers: sendableHeaders(input.headers) }
        if (input.method !== 'GET') init.body = input.body
        return httpOutcome(await app.request(input.path, init))
      },
      close: async () => {},
    }
  },
}

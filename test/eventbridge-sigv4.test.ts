import { EventBridgeClient, ListRulesCommand, PutEventsCommand, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge'
import { afterEach, describe, expect, it } from 'vitest'
import { authFromConfig, authSchema } from '../src/http/auth/auth-config.js'
import type { AuthOptions } from '../src/http/auth/key-ring.js'
import { createEventBridgeApi, type EventBridgeApi } from '../src/http/eventbridge/index.js'
import { startHttpServer, type HttpServer } from '../src/http/server.js'
import { createRecordingTransport } from './support/http-recording-transport.js'

const PUBLISHER_SECRET = 'publisher-secret-0123456789abcdef'
const ADMIN_SECRET = 'admin-secret-0123456789abcdef'
const ORDERS_SECRET = 'orders-secret-0123456789abcdef'

const auth: AuthOptions = {
  keys: [],
  accessKeys: [
    { accessKeyId: 'AKIDADMIN', scope: 'admin', secret: ADMIN_SECRET },
    { accessKeyId: 'AKIDPUBLISH', scope: 'publish', secret: PUBLISHER_SECRET },
    { accessKeyId: 'AKIDORDERS', scope: 'publish', sources: ['shop.orders'], secret: ORDERS_SECRET },
  ],
}

const opened: { server: HttpServer; api: EventBridgeApi }[] = []
afterEach(async () => {
  for (const { server, api } of opened.splice(0)) {
    await server.close()
    api.close()
  }
})

async function start() {
  const transport = createRecordingTransport()
  const api = createEventBridgeApi({ engine: { addRule() {}, removeRule: () => false }, transport, topic: 'events', storeFile: ':memory:' })
  const server = await startHttpServer({ transport, port: 0, auth, eventBridge: api })
  opened.push({ server, api })
  return { server, transport }
}

function client(url: string, accessKeyId: string, secretAccessKey: string, extra: { systemClockOffset?: number } = {}): EventBridgeClient {
  // One attempt: the SDK would otherwise correct its clock from the answer's Date header and retry.
  return new EventBridgeClient({ endpoint: url, region: 'us-east-1', maxAttempts: 1, credentials: { accessKeyId, secretAccessKey }, ...extra })
}

const entry = (source: string) => ({ Source: source, DetailType: 'OrderPlaced', Detail: '{"id":1}' })

describe('AWS SigV4 on the EventBridge API', () => {
  it('serves the unchanged AWS SDK signing with a configured access key: PutRule, PutTargets, PutEvents', async () => {
    const { server, transport } = await start()
    const admin = client(server.url, 'AKIDADMIN', ADMIN_SECRET)
    await admin.send(new PutRuleCommand({ Name: 'orders', EventPattern: JSON.stringify({ source: ['shop.orders'] }) }))
    const targets = await admin.send(new PutTargetsCommand({ Rule: 'orders', Targets: [{ Id: 'hook', Arn: 'arn:aws:events:us-east-1:000000000000:api-destination/x/y', HttpParameters: {} }] })).catch((e: unknown) => e)
    // PutTargets answered in EventBridge's shape (an accepted target or a typed refusal), never an auth error.
    expect((targets as { name?: string }).name ?? 'ok').not.toMatch(/Signature|Unrecognized|AccessDenied/)
    const published = await client(server.url, 'AKIDPUBLISH', PUBLISHER_SECRET).send(new PutEventsCommand({ Entries: [entry('shop.orders')] }))
    expect(published.FailedEntryCount).toBe(0)
    expect(transport.appends).toHaveLength(1)
  })

  it('refuses a wrong secret with InvalidSignatureException and stores nothing', async () => {
    const { server, transport } = await start()
    const refused = client(server.url, 'AKIDPUBLISH', 'not-the-secret-0123456789abcdef').send(new PutEventsCommand({ Entries: [entry('shop.orders')] }))
    await expect(refused).rejects.toMatchObject({ name: 'InvalidSignatureException', $metadata: { httpStatusCode: 403 } })
    expect(transport.appends).toHaveLength(0)
  })

  it('refuses an unknown access key id with 401 UnrecognizedClientException', async () => {
    const { server } = await start()
    const refused = client(server.url, 'AKIDNOBODY', PUBLISHER_SECRET).send(new PutEventsCommand({ Entries: [entry('shop.orders')] }))
    await expect(refused).rejects.toMatchObject({ name: 'UnrecognizedClientException', $metadata: { httpStatusCode: 401 } })
  })

  it('refuses a request signed more than 15 minutes ago', async () => {
    const { server, transport } = await start()
    const late = client(server.url, 'AKIDPUBLISH', PUBLISHER_SECRET, { systemClockOffset: -20 * 60 * 1000 })
    await expect(late.send(new PutEventsCommand({ Entries: [entry('shop.orders')] }))).rejects.toMatchObject({ name: 'InvalidSignatureException' })
    expect(transport.appends).toHaveLength(0)
  })

  it('refuses a body changed after signing', async () => {
    const { server, transport } = await start()
    const tampering = client(server.url, 'AKIDPUBLISH', PUBLISHER_SECRET)
    // The deserialize step runs after signing, so this rewrites the body of an already signed request.
    tampering.middlewareStack.add(
      (next) => async (args) => {
        const request = args.request as { body?: unknown }
        const text = typeof request.body === 'string' ? request.body : request.body instanceof Uint8Array ? Buffer.from(request.body).toString('utf8') : undefined
        if (text === undefined) throw new Error('the signed body was not text or bytes')
        request.body = text.replace('shop.orders', 'shop.ordera')
        return next(args)
      },
      { step: 'deserialize' },
    )
    await expect(tampering.send(new PutEventsCommand({ Entries: [entry('shop.orders')] }))).rejects.toMatchObject({ name: 'InvalidSignatureException' })
    expect(transport.appends).toHaveLength(0)
  })

  it('refuses an operation beyond the key scope with AccessDeniedException', async () => {
    const { server } = await start()
    const refused = client(server.url, 'AKIDPUBLISH', PUBLISHER_SECRET).send(new ListRulesCommand({}))
    await expect(refused).rejects.toMatchObject({ name: 'AccessDeniedException', $metadata: { httpStatusCode: 403 } })
  })

  it('refuses, entry by entry, sources a source-limited access key may not publish', async () => {
    const { server, transport } = await start()
    const orders = client(server.url, 'AKIDORDERS', ORDERS_SECRET)
    const answer = await orders.send(new PutEventsCommand({ Entries: [entry('shop.orders.eu'), entry('shop.payments')] }))
    expect(answer.FailedEntryCount).toBe(1)
    expect(answer.Entries?.[0]?.EventId).toBeDefined()
    expect(answer.Entries?.[1]?.ErrorCode).toBe('AccessDeniedException')
    expect(transport.appends).toHaveLength(1)
  })

  it('refuses a signature that leaves host unsigned or is scoped to another service, before checking it', async () => {
    const { server } = await start()
    const now = new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '')
    const call = (service: string, signedHeaders: string) =>
      fetch(`${server.url}/`, {
        method: 'POST',
        headers: {
          'x-amz-target': 'AWSEvents.PutEvents',
          'content-type': 'application/x-amz-json-1.1',
          'x-amz-date': now,
          authorization: `AWS4-HMAC-SHA256 Credential=AKIDPUBLISH/${now.slice(0, 8)}/us-east-1/${service}/aws4_request, SignedHeaders=${signedHeaders}, Signature=${'0'.repeat(64)}`,
        },
        body: JSON.stringify({ Entries: [entry('shop.orders')] }),
      })
    for (const response of [await call('events', 'x-amz-date'), await call('sqs', 'host;x-amz-date')]) {
      expect(response.status).toBe(403)
      expect(await response.json()).toEqual({ __type: 'InvalidSignatureException', message: 'the request signature is not valid' })
    }
  })

  it('keeps accepting a Bearer API key beside access keys', async () => {
    const transport = createRecordingTransport()
    const api = createEventBridgeApi({ engine: { addRule() {}, removeRule: () => false }, transport, topic: 'events', storeFile: ':memory:' })
    const server = await startHttpServer({ transport, port: 0, auth: { ...auth, keys: [{ name: 'bearer', scope: 'publish', key: 'bearer-key-0123456789abcdef' }] }, eventBridge: api })
    opened.push({ server, api })
    const response = await fetch(`${server.url}/`, {
      method: 'POST',
      headers: { 'x-amz-target': 'AWSEvents.PutEvents', 'content-type': 'application/x-amz-json-1.1', authorization: 'Bearer bearer-key-0123456789abcdef' },
      body: JSON.stringify({ Entries: [entry('shop.orders')] }),
    })
    expect(response.status).toBe(200)
    expect(transport.appends).toHaveLength(1)
  })
})

describe('accessKeys in sepal.yaml', () => {
  it('reads access keys alone, with secret files relative to the config folder', () => {
    const parsed = authSchema.parse({ accessKeys: [{ accessKeyId: 'AKIDONE', scope: 'publish', sources: ['shop.'], secretFromFile: 'secret.txt' }] })
    const options = authFromConfig(parsed, '/etc/sepal', {})
    expect(options).toMatchObject({ keys: [], accessKeys: [{ accessKeyId: 'AKIDONE', scope: 'publish', sources: ['shop.'], secretFromFile: '/etc/sepal/secret.txt' }] })
  })

  it('refuses an access key with its secret written in the file or with two secret sources', () => {
    expect(authSchema.safeParse({ accessKeys: [{ accessKeyId: 'AKIDONE', scope: 'publish', secret: 'in-the-file-0123456789' }] }).success).toBe(false)
    expect(authSchema.safeParse({ accessKeys: [{ accessKeyId: 'AKIDONE', scope: 'publish', secretFromEnv: 'A', secretFromFile: 'b' }] }).success).toBe(false)
    expect(authSchema.safeParse({}).success).toBe(false)
  })
})

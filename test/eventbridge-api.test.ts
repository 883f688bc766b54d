import {
  CreateEventBusCommand,
  DeleteEventBusCommand,
  DeleteRuleCommand,
  DescribeRuleCommand,
  EventBridgeClient,
  ListEventBusesCommand,
  ListRulesCommand,
  ListTargetsByRuleCommand,
  PutEventsCommand,
  PutRuleCommand,
  PutTargetsCommand,
  RemoveTargetsCommand,
  TestEventPatternCommand,
} from '@aws-sdk/client-eventbridge'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { createEngine } from '../src/engine/create-engine.js'
import type { DispatchReport, Engine } from '../src/engine/types.js'
import { createEventBridgeApi, type EventBridgeApi } from '../src/http/eventbridge/index.js'
import { startHttpServer, type HttpServer } from '../src/http/server.js'
import { createMemoryTransport } from '../src/transports/memory/memory-transport.js'
import type { Transport } from '../src/transports/contract.js'

let transport: Transport
let engine: Engine
let api: EventBridgeApi
let server: HttpServer
let client: EventBridgeClient
const settled: DispatchReport[] = []

beforeAll(async () => {
  transport = createMemoryTransport()
  engine = createEngine({ transport, topic: 'events', allowHosts: ['127.0.0.1'], from: 'earliest', hooks: { onSettled: (report) => void settled.push(report) } })
  api = createEventBridgeApi({ engine, transport, topic: 'events', storeFile: ':memory:', region: 'eu-west-1', account: '111122223333' })
  await engine.start()
  server = await startHttpServer({ transport, topic: 'events', eventBridge: api })
  client = new EventBridgeClient({ endpoint: server.url, region: 'eu-west-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } })
})

afterAll(async () => {
  client.destroy()
  await server.close()
  await engine.stop({ drainTimeoutMs: 1000 })
  api.close()
  await transport.close()
})

async function failure(promise: Promise<unknown>): Promise<{ name: string; message: string; status: number | undefined }> {
  try {
    await promise
  } catch (error) {
    const e = error as { name: string; message: string; $metadata?: { httpStatusCode?: number } }
    return { name: e.name, message: e.message, status: e.$metadata?.httpStatusCode }
  }
  throw new Error('expected the call to fail')
}

const entry = (detail: object = { n: 1 }) => ({ Source: 'test.api', DetailType: 'Tested', Detail: JSON.stringify(detail) })

describe('PutEvents', () => {
  it('answers each entry: an EventId, or an error code for that entry alone', async () => {
    const out = await client.send(
      new PutEventsCommand({
        Entries: [entry(), { Source: 'test.api', DetailType: 'Tested', Detail: 'not json' }, { DetailType: 'Tested', Detail: '{}' }, { ...entry(), EventBusName: 'nope' }],
      }),
    )
    expect(out.FailedEntryCount).toBe(3)
    expect(out.Entries?.[0]?.EventId).toMatch(/^[0-9a-f-]{36}$/)
    expect(out.Entries?.slice(1).map((e) => e.ErrorCode)).toEqual(['MalformedDetail', 'InvalidArgument', 'InvalidArgument'])
    expect(out.Entries?.[2]?.ErrorMessage).toContain('Source')
  })

  it('refuses more than 10 entries and more than 256 KB of entries with a ValidationException', async () => {
    const eleven = Array.from({ length: 11 }, () => entry())
    expect(await failure(client.send(new PutEventsCommand({ Entries: eleven })))).toMatchObject({ name: 'ValidationException', status: 400 })
    const big = [entry({ pad: 'x'.repeat(140_000) }), entry({ pad: 'y'.repeat(140_000) })]
    expect(await failure(client.send(new PutEventsCommand({ Entries: big })))).toMatchObject({ name: 'ValidationException', message: expect.stringContaining('over the limit') })
  })

  it('accepts a batch of exactly 256 KB', async () => {
    const fixed = Buffer.byteLength('test.api') + Buffer.byteLength('Tested') + Buffer.byteLength('{"pad":""}')
    const out = await client.send(new PutEventsCommand({ Entries: [entry({ pad: 'z'.repeat(256 * 1024 - fixed) })] }))
    expect(out.FailedEntryCount).toBe(0)
  })
})

describe('rules', () => {
  it('creates, describes, lists page by page and deletes rules', async () => {
    for (const name of ['r-a', 'r-b', 'r-c']) await client.send(new PutRuleCommand({ Name: name, EventPattern: '{"source":["test.api"]}', Description: `rule ${name}` }))
    const described = await client.send(new DescribeRuleCommand({ Name: 'r-b' }))
    expect(described).toMatchObject({ Name: 'r-b', Arn: 'arn:aws:events:eu-west-1:111122223333:rule/r-b', EventPattern: '{"source":["test.api"]}', State: 'ENABLED', EventBusName: 'default', Description: 'rule r-b' })
    const first = await client.send(new ListRulesCommand({ NamePrefix: 'r-', Limit: 2 }))
    expect(first.Rules?.map((r) => r.Name)).toEqual(['r-a', 'r-b'])
    const second = await client.send(new ListRulesCommand({ NamePrefix: 'r-', Limit: 2, NextToken: first.NextToken }))
    expect(second.Rules?.map((r) => r.Name)).toEqual(['r-c'])
    expect(second.NextToken).toBeUndefined()
    for (const name of ['r-a', 'r-b', 'r-c']) await client.send(new DeleteRuleCommand({ Name: name }))
    expect(await failure(client.send(new DescribeRuleCommand({ Name: 'r-b' })))).toMatchObject({ name: 'ResourceNotFoundException', status: 400 })
  })

  it('rejects an invalid pattern with InvalidEventPatternException, naming the problem', async () => {
    const error = await failure(client.send(new PutRuleCommand({ Name: 'bad', EventPattern: '{"source":"not-an-array"}' })))
    expect(error).toMatchObject({ name: 'InvalidEventPatternException', message: expect.stringContaining('/source') })
    expect(await failure(client.send(new PutRuleCommand({ Name: 'bad', EventPattern: '{' })))).toMatchObject({ name: 'InvalidEventPatternException' })
  })

  it('refuses to delete a rule that has targets until they are removed', async () => {
    await client.send(new PutRuleCommand({ Name: 'with-targets', EventPattern: '{"source":["nobody"]}' }))
    await client.send(new PutTargetsCommand({ Rule: 'with-targets', Targets: [{ Id: 't1', Arn: 'sepal:publish:elsewhere' }] }))
    expect(await failure(client.send(new DeleteRuleCommand({ Name: 'with-targets' })))).toMatchObject({ name: 'ValidationException' })
    await client.send(new RemoveTargetsCommand({ Rule: 'with-targets', Ids: ['t1'] }))
    expect((await client.send(new ListTargetsByRuleCommand({ Rule: 'with-targets' }))).Targets).toEqual([])
    await client.send(new DeleteRuleCommand({ Name: 'with-targets' }))
    expect(engine.rules.map((r) => r.name)).not.toContain('eventbridge/with-targets')
  })

  it('reports targets it cannot deliver to or whose transformer is invalid as failed entries, and keeps the good ones', async () => {
    await client.send(new PutRuleCommand({ Name: 'mixed', EventPattern: '{"source":["nobody"]}' }))
    const out = await client.send(
      new PutTargetsCommand({
        Rule: 'mixed',
        Targets: [
          { Id: 'lambda', Arn: 'arn:aws:lambda:eu-west-1:111122223333:function:f' },
          { Id: 'loop', Arn: 'sepal:publish:events' },
          { Id: 'bad-template', Arn: 'sepal:publish:out', InputTransformer: { InputPathsMap: {}, InputTemplate: '"<missing>"' } },
          { Id: 'good', Arn: 'https://example.test/hook', InputPath: '$.detail' },
        ],
      }),
    )
    expect(out.FailedEntries?.map((f) => [f.TargetId, f.ErrorCode])).toEqual([
      ['lambda', 'ValidationException'],
      ['loop', 'ValidationException'],
      ['bad-template', 'ValidationException'],
    ])
    expect((await client.send(new ListTargetsByRuleCommand({ Rule: 'mixed' }))).Targets?.map((t) => t.Id)).toEqual(['good'])
  })

  it('answers TestEventPattern with the pattern matcher', async () => {
    const event = JSON.stringify({ id: '1', source: 'shop', 'detail-type': 'OrderPlaced', account: '1', region: 'eu-west-1', time: '2026-01-01T00:00:00Z', resources: [], detail: { total: 120 } })
    expect((await client.send(new TestEventPatternCommand({ EventPattern: '{"detail":{"total":[{"numeric":[">",100]}]}}', Event: event }))).Result).toBe(true)
    expect((await client.send(new TestEventPatternCommand({ EventPattern: '{"detail":{"total":[{"numeric":["<",100]}]}}', Event: event }))).Result).toBe(false)
  })
})

describe('event buses', () => {
  it('creates, lists and deletes buses; the default bus stays', async () => {
    expect((await client.send(new CreateEventBusCommand({ Name: 'orders' }))).EventBusArn).toBe('arn:aws:events:eu-west-1:111122223333:event-bus/orders')
    expect(await failure(client.send(new CreateEventBusCommand({ Name: 'orders' })))).toMatchObject({ name: 'ResourceAlreadyExistsException' })
    expect((await client.send(new ListEventBusesCommand({}))).EventBuses?.map((b) => b.Name)).toEqual(['default', 'orders'])
    expect(await failure(client.send(new DeleteEventBusCommand({ Name: 'default' })))).toMatchObject({ name: 'ValidationException' })
    await client.send(new DeleteEventBusCommand({ Name: 'orders' }))
    expect((await client.send(new ListEventBusesCommand({}))).EventBuses?.map((b) => b.Name)).toEqual(['default'])
  })

  it('matches an event only against the rules of the bus it was put on', async () => {
    await client.send(new CreateEventBusCommand({ Name: 'audit' }))
    for (const [bus, name] of [['default', 'on-default'], ['audit', 'on-audit']] as const) {
      await client.send(new PutRuleCommand({ Name: name, EventBusName: bus, EventPattern: '{"source":["bus.test"]}' }))
      await client.send(new PutTargetsCommand({ Rule: name, EventBusName: bus, Targets: [{ Id: 'out', Arn: `sepal:publish:${name}` }] }))
    }
    const put = await client.send(new PutEventsCommand({ Entries: [{ Source: 'bus.test', DetailType: 'T', Detail: '{}', EventBusName: 'arn:aws:events:eu-west-1:111122223333:event-bus/audit' }] }))
    const id = put.Entries?.[0]?.EventId
    await vi.waitFor(() => expect(settled.find((r) => r.event.id === id)).toBeDefined(), { timeout: 5000 })
    expect(settled.find((r) => r.event.id === id)?.matched).toEqual(['eventbridge/audit/on-audit'])
  })

  it('answers ResourceNotFoundException for a rule on a bus that does not exist', async () => {
    expect(await failure(client.send(new PutRuleCommand({ Name: 'x', EventBusName: 'ghost', EventPattern: '{"source":["a"]}' })))).toMatchObject({ name: 'ResourceNotFoundException' })
  })
})

describe('the protocol', () => {
  it('answers an unknown operation and a non-JSON body in the AWS error shape', async () => {
    const unknown = await fetch(`${server.url}/`, { method: 'POST', headers: { 'x-amz-target': 'AWSEvents.Nope', 'content-type': 'application/x-amz-json-1.1' }, body: '{}' })
    expect(unknown.status).toBe(400)
    expect(await unknown.json()).toMatchObject({ __type: 'UnknownOperationException' })
    const garbled = await fetch(`${server.url}/`, { method: 'POST', headers: { 'x-amz-target': 'AWSEvents.ListRules', 'content-type': 'application/x-amz-json-1.1' }, body: '{' })
    expect(await garbled.json()).toMatchObject({ __type: 'SerializationException' })
  })
})

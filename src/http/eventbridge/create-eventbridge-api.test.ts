import { describe, expect, it } from 'vitest'
import { createHttpApp } from '../create-http-app.js'
import { createMemoryTransport } from '../../transports/memory/memory-transport.js'
import type { Rule } from '../../engine/types.js'
import { createEventBridgeApi } from './create-eventbridge-api.js'

function setup() {
  const rules = new Map<string, Rule>()
  const engine = {
    addRule: (rule: Rule) => void rules.set(rule.name, rule),
    removeRule: (name: string) => rules.delete(name),
  }
  const transport = createMemoryTransport()
  const api = createEventBridgeApi({ engine, transport, topic: 'events', storeFile: ':memory:' })
  const app = createHttpApp({ transport, topic: 'events', eventBridge: api })
  const call = async (operation: string, body: unknown) => {
    const response = await app.request('/', { method: 'POST', headers: { 'x-amz-target': `AWSEvents.${operation}`, 'content-type': 'application/x-amz-json-1.1' }, body: JSON.stringify(body) })
    return { status: response.status, type: response.headers.get('x-amzn-errortype'), body: (await response.json()) as Record<string, unknown> }
  }
  return { rules, api, app, call, transport }
}

describe('the EventBridge API through the app', () => {
  it('mirrors an enabled rule with targets into the engine, scoped to its bus, and takes it out when disabled', async () => {
    const { rules, call } = setup()
    expect((await call('PutRule', { Name: 'r', EventPattern: '{"source":["a"]}' })).status).toBe(200)
    expect(rules.size).toBe(0) // no targets yet
    await call('PutTargets', { Rule: 'r', Targets: [{ Id: 't', Arn: 'sepal:publish:out' }] })
    expect(rules.get('eventbridge/r')?.pattern).toEqual({ source: ['a'], eventbus: [{ exists: false }] })
    await call('DisableRule', { Name: 'r' })
    expect(rules.has('eventbridge/r')).toBe(false)
    await call('EnableRule', { Name: 'r' })
    expect(rules.has('eventbridge/r')).toBe(true)
  })

  it('answers errors with __type, message and x-amzn-errortype', async () => {
    const { call } = setup()
    const missing = await call('DescribeRule', { Name: 'nope' })
    expect(missing).toMatchObject({ status: 400, type: 'ResourceNotFoundException', body: { __type: 'ResourceNotFoundException', message: expect.stringContaining('"nope"') } })
    expect(await call('PutRule', { Name: 'bad name!', EventPattern: '{}' })).toMatchObject({ status: 400, type: 'ValidationException' })
    expect(await call('PutRule', { Name: 'x', ScheduleExpression: 'rate(5 minutes)' })).toMatchObject({ type: 'ValidationException', body: { message: expect.stringContaining('ScheduleExpression') } })
  })

  it('answers 405 to other methods on /', async () => {
    const { app } = setup()
    expect((await app.request('/', { method: 'GET' })).status).toBe(405)
  })

  it('converts PutEvents entries to CloudEvents with time, resources and bus', async () => {
    const { call, transport } = setup()
    await call('CreateEventBus', { Name: 'audit' })
    const out = await call('PutEvents', {
      Entries: [{ Source: 's', DetailType: 't', Detail: '{"a":1}', Time: 1767323045, Resources: ['r1', 'r2'], EventBusName: 'audit' }],
    })
    expect(out.body).toMatchObject({ FailedEntryCount: 0 })
    const subscription = await transport.subscribe('events', { group: 'check', from: 'earliest' })
    const iterator = subscription[Symbol.asyncIterator]()
    const delivery = (await iterator.next()).value as { event: Record<string, unknown> }
    await subscription.close()
    expect(delivery.event).toMatchObject({
      id: (out.body['Entries'] as { EventId: string }[])[0]?.EventId,
      source: 's',
      type: 't',
      data: { a: 1 },
      time: '2026-01-02T03:04:05.000Z',
      resources: '["r1","r2"]',
      eventbus: 'audit',
    })
  })
})

import { describe, expect, it } from 'vitest'
import { createEvent } from '../../event/create-event.js'
import type { HandlerTarget } from '../../engine/types.js'
import { EventBridgeApiError } from './api-error.js'
import { parseDestination, toEngineTarget } from './api-targets.js'
import { eventBridgeEnvelope, eventResources } from './event-view.js'

const identity = { region: 'eu-west-1', account: '111122223333' }
const ctx = { ruleName: 'r', ruleArn: 'arn:aws:events:eu-west-1:111122223333:rule/r', engineTopic: 'events', identity }
const event = createEvent({ id: 'e-1', source: 'shop', type: 'OrderPlaced', time: '2026-01-02T03:04:05Z', data: { orderId: 'o-1' }, resources: 'arn:a' })

describe('target Arns', () => {
  it('reads sepal:publish:<topic> and http(s) URLs', () => {
    expect(parseDestination('sepal:publish:out', 'events')).toEqual({ kind: 'publish', topic: 'out' })
    expect(parseDestination('https://example.test/hook', 'events')).toEqual({ kind: 'http', url: 'https://example.test/hook' })
  })

  it.each(['sepal:publish:events', 'sepal:publish:', 'arn:aws:sqs:eu-west-1:1:q', 'ftp://example.test'])('refuses %s with a ValidationException', (arn) => {
    expect(() => parseDestination(arn, 'events')).toThrow(EventBridgeApiError)
  })
})

describe('engine targets from API targets', () => {
  it('publishes the unchanged event when there is no transformer', () => {
    expect(toEngineTarget({ Id: 't', Arn: 'sepal:publish:out' }, ctx)).toEqual({ kind: 'publish', name: 't', topic: 'out' })
  })

  it('publishes the same event with the transformer output as its data', async () => {
    const target = toEngineTarget({ Id: 't', Arn: 'sepal:publish:out', InputTransformer: { InputPathsMap: { o: '$.detail.orderId' }, InputTemplate: '{"order": <o>, "rule": <aws.events.rule-name>}' } }, ctx) as HandlerTarget
    expect(target).toMatchObject({ kind: 'handler', publishTo: 'out' })
    const out = await target.handler(event, {} as never)
    expect(out).toEqual([expect.objectContaining({ id: 'e-1', source: 'shop', type: 'OrderPlaced', datacontenttype: 'application/json', data: { order: 'o-1', rule: 'r' } })])
  })

  it('publishes text output as text/plain and nothing when an InputPath selects nothing', async () => {
    const text = toEngineTarget({ Id: 't', Arn: 'sepal:publish:out', InputTransformer: { InputTemplate: 'rule <aws.events.rule-name> fired' } }, ctx) as HandlerTarget
    expect(await text.handler(event, {} as never)).toEqual([expect.objectContaining({ datacontenttype: 'text/plain', data: 'rule r fired' })])
    const nothing = toEngineTarget({ Id: 't', Arn: 'sepal:publish:out', InputPath: '$.detail.missing' }, ctx) as HandlerTarget
    expect(await nothing.handler(event, {} as never)).toBeUndefined()
  })

  it('posts the EventBridge envelope to an http target, or the transformer output', () => {
    const plain = toEngineTarget({ Id: 'h', Arn: 'http://127.0.0.1:1/x' }, ctx)
    expect(plain).toMatchObject({ kind: 'http', name: 'h', url: 'http://127.0.0.1:1/x' })
    const body = plain.kind === 'http' ? plain.input?.(event) : undefined
    expect(JSON.parse(body ?? '')).toEqual({ version: '0', id: 'e-1', 'detail-type': 'OrderPlaced', source: 'shop', account: '111122223333', time: '2026-01-02T03:04:05Z', region: 'eu-west-1', resources: ['arn:a'], detail: { orderId: 'o-1' } })
    const shaped = toEngineTarget({ Id: 'h', Arn: 'http://127.0.0.1:1/x', InputPath: '$.detail' }, ctx)
    expect(shaped.kind === 'http' ? shaped.input?.(event) : undefined).toBe('{"orderId":"o-1"}')
  })
})

describe('the EventBridge view', () => {
  it('reads resources back from one string or the JSON text of several', () => {
    expect(eventResources(event)).toEqual(['arn:a'])
    expect(eventResources(createEvent({ source: 's', type: 't', resources: '["a","b"]' }))).toEqual(['a', 'b'])
    expect(eventResources(createEvent({ source: 's', type: 't' }))).toEqual([])
  })

  it('fills an empty detail for an event without JSON data', () => {
    expect(eventBridgeEnvelope(createEvent({ source: 's', type: 't', datacontenttype: 'text/plain', data: 'hi' }), identity)).toMatchObject({ detail: {} })
  })
})

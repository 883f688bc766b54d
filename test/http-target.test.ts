import { randomBytes } from 'node:crypto'
import { afterEach, describe, expect, it } from 'vitest'
import { createMemoryDeadLetterStore } from '../src/delivery/dead-letter-store.js'
import { createMetrics } from '../src/engine/metrics.js'
import { createEngine } from '../src/engine/create-engine.js'
import { noopLogger } from '../src/engine/noop-logger.js'
import type { Engine, HttpTarget, Rule } from '../src/engine/types.js'
import { ErrorCodes } from '../src/errors.js'
import type { CloudEvent } from '../src/event/cloud-event.js'
import { compileTarget } from '../src/targets/compile-target.js'
import { CircuitOpenError, HttpTargetError } from '../src/targets/http-target-errors.js'
import { TargetContext } from '../src/targets/target-context.js'
import { createMemoryTransport } from '../src/transports/memory/memory-transport.js'
import { startWebhookReceiver, type WebhookReceiver } from './support/webhook-receiver.js'

const secret = `whsec_${randomBytes(32).toString('base64')}`
const event = (id: string): CloudEvent => ({ specversion: '1.0', id, source: 'app.orders', type: 'OrderPlaced', data: { id } })

const receivers: WebhookReceiver[] = []
const engines: Engine[] = []
afterEach(async () => {
  for (const engine of engines.splice(0)) await engine.stop({ drainTimeoutMs: 100 })
  await Promise.all(receivers.splice(0).map((r) => r.close()))
})

async function receiver(): Promise<WebhookReceiver> {
  const r = await startWebhookReceiver({ secret })
  receivers.push(r)
  return r
}

function compile(target: Omit<HttpTarget, 'kind'>) {
  return compileTarget('orders', { kind: 'http', ...target }, 0, { defaultTopic: 'events', publish: async () => {}, validate: (e) => e as CloudEvent, allowHosts: ['127.0.0.1'] })
}

async function attempt(target: ReturnType<typeof compile>, e: CloudEvent, n = 1): Promise<unknown> {
  const ctx = new TargetContext('orders', target.name, n, noopLogger, createMetrics())
  try {
    await target.invoke(e, ctx)
    return undefined
  } catch (error) {
    return error
  }
}

async function until(condition: () => boolean | Promise<boolean>, what: string): Promise<void> {
  const end = Date.now() + 5000
  while (!(await condition())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
}

function engineWith(rule: Omit<Rule, 'name' | 'pattern'>) {
  const deadLetters = createMemoryDeadLetterStore()
  const engine = createEngine({
    allowHosts: ['127.0.0.1'],
    transport: createMemoryTransport(),
    from: 'earliest',
    retry: { initialDelayMs: 5, maxDelayMs: 50 },
    deadLetters,
    rules: [{ name: 'orders', pattern: { source: ['app.orders'] }, ...rule }],
  })
  engines.push(engine)
  return { engine, deadLetters }
}

describe('the HTTP target', () => {
  it('posts a binary CloudEvent signed so that the standardwebhooks library verifies it', async () => {
    const r = await receiver()
    const target = compile({ url: `${r.url}/hooks?key=1`, secret, headers: { authorization: 'Bearer abc' } })
    expect(target.name).toBe(`http:${new URL(r.url).host}/hooks`)
    expect(target.timeoutMs).toBe(10_000)
    expect(await attempt(target, event('1'))).toBeUndefined()
    const [request] = r.received
    expect(request).toMatchObject({ method: 'POST', url: '/hooks?key=1', body: '{"id":"1"}', verified: true })
    expect(request?.headers).toMatchObject({ 'ce-id': '1', 'ce-type': 'OrderPlaced', 'content-type': 'application/json', authorization: 'Bearer abc' })
  })

  it('posts the structured form, and the input text instead of the event when given', async () => {
    const r = await receiver()
    await attempt(compile({ url: r.url, mode: 'structured' }), event('2'))
    await attempt(compile({ url: r.url, input: (e) => `order ${e.id}` }), event('3'))
    expect(await attempt(compile({ url: r.url, input: () => undefined }), event('4'))).toBeUndefined()
    expect(JSON.parse(r.received[0]?.body ?? '')).toMatchObject({ specversion: '1.0', id: '2', data: { id: '2' } })
    expect(r.received[1]).toMatchObject({ body: 'order 3', headers: { 'content-type': 'text/plain; charset=utf-8' } })
    expect(r.received).toHaveLength(2)
  })

  it('keeps webhook-id the same across retries of one event and distinct per event', async () => {
    const r = await receiver()
    const target = compile({ url: r.url, secret })
    await attempt(target, event('a'), 1)
    await attempt(target, event('a'), 2)
    await attempt(target, event('b'), 1)
    const ids = r.received.map((q) => q.headers['webhook-id'])
    expect(ids[0]).toBe(ids[1])
    expect(ids[2]).not.toBe(ids[0])
    expect(r.received.every((q) => q.verified)).toBe(true)
  })

  it('makes 429 and 5xx retryable errors carrying Retry-After, in seconds or as an HTTP date', async () => {
    const r = await receiver()
    const answers = [
      { status: 429, headers: { 'retry-after': '7' } },
      { status: 503, headers: { 'retry-after': new Date(Date.now() + 60_000).toUTCString() } },
      { status: 500 },
    ]
    r.answer = (_, i) => answers[i] ?? { status: 204 }
    const target = compile({ url: r.url, circuitBreaker: false })
    const tooMany = (await attempt(target, event('1'))) as HttpTargetError
    const unavailable = (await attempt(target, event('1'))) as HttpTargetError
    const failed = (await attempt(target, event('1'))) as HttpTargetError
    expect([tooMany.code, tooMany.status, tooMany.retryAfterMs]).toEqual([ErrorCodes.HTTP_TARGET_FAILED, 429, 7000])
    expect(unavailable.retryAfterMs).toBeGreaterThan(50_000)
    expect([failed.status, failed.retryAfterMs]).toEqual([500, undefined])
  })

  it('never follows a redirect: a 3xx is a permanent failure and the Location is not visited', async () => {
    const r = await receiver()
    r.answer = (q) => (q.url === '/moved' ? { status: 302, headers: { location: '/elsewhere' } } : { status: 204 })
    const error = (await attempt(compile({ url: `${r.url}/moved` }), event('1'))) as { code: string; status: number }
    expect([error.code, error.status]).toEqual([ErrorCodes.PERMANENT, 302])
    expect(r.received.map((q) => q.url)).toEqual(['/moved'])
  })

  it('reports an unreachable receiver as retryable', async () => {
    const r = await receiver()
    const url = r.url
    await r.close()
    receivers.splice(receivers.indexOf(r), 1)
    const error = (await attempt(compile({ url, circuitBreaker: false }), event('1'))) as HttpTargetError
    expect(error).toBeInstanceOf(HttpTargetError)
  })

  it('opens its circuit breaker after consecutive failures and lets one probe through after the cool-down', async () => {
    const r = await receiver()
    r.answer = () => ({ status: 502 })
    const target = compile({ url: r.url, circuitBreaker: { failureThreshold: 2, cooldownMs: 50 } })
    await attempt(target, event('1'))
    await attempt(target, event('2'))
    const refused = await attempt(target, event('3'))
    expect(refused).toBeInstanceOf(CircuitOpenError)
    expect((refused as CircuitOpenError).code).toBe(ErrorCodes.CIRCUIT_OPEN)
    expect(r.received).toHaveLength(2)
    await new Promise((resolve) => setTimeout(resolve, 60))
    r.answer = () => ({ status: 204 })
    expect(await attempt(target, event('4'))).toBeUndefined()
    expect(await attempt(target, event('5'))).toBeUndefined()
    expect(r.received).toHaveLength(4)
  })

  it('holds its concurrency limit', async () => {
    const r = await receiver()
    let inFlight = 0
    let most = 0
    const gates: Array<() => void> = []
    r.answer = () => {
      most = Math.max(most, ++inFlight)
      return new Promise((resolve) => gates.push(() => { inFlight--; resolve({ status: 204 }) }))
    }
    const target = compile({ url: r.url, concurrency: 2 })
    const all = Promise.all([1, 2, 3, 4, 5].map((n) => attempt(target, event(String(n)))))
    while (r.received.length < 5) {
      await until(() => gates.length > 0, 'a request')
      gates.shift()?.()
    }
    while (gates.length > 0) gates.shift()?.()
    expect(await all).toEqual([undefined, undefined, undefined, undefined, undefined])
    expect(most).toBe(2)
  })

  it('rejects bad options when the rule is added', () => {
    expect(() => compile({ url: 'ftp://example.com' })).toThrow(/http: or https:/)
    expect(() => compile({ url: 'not a url' })).toThrow(/not a URL/)
    expect(() => compile({ url: 'http://x', concurrency: 0 })).toThrow(/concurrency/)
    expect(() => compile({ url: 'http://x', secret: 'whsec_***' })).toThrow(/base64/)
  })
})

describe('the HTTP target in the engine', () => {
  it('retries a 503 with the delivery policy and delivers once the receiver recovers', async () => {
    const r = await receiver()
    r.answer = (_, i) => (i < 2 ? { status: 503, headers: { 'retry-after': '0' } } : { status: 200 })
    const { engine, deadLetters } = engineWith({ maxAttempts: 5, targets: [{ kind: 'http', url: r.url, secret }] })
    await engine.start()
    await engine.publish(event('1'))
    await until(() => r.received.length === 3, 'the third request')
    expect(new Set(r.received.map((q) => q.headers['webhook-id'])).size).toBe(1)
    expect(r.received.every((q) => q.verified)).toBe(true)
    expect(await deadLetters.list()).toHaveLength(0)
  })

  it('aborts a request that outlives timeoutMs and retries it', async () => {
    const r = await receiver()
    r.answer = (_, i) => (i === 0 ? new Promise(() => undefined) : { status: 204 })
    const { engine, deadLetters } = engineWith({ maxAttempts: 3, targets: [{ kind: 'http', url: r.url, timeoutMs: 100 }] })
    await engine.start()
    await engine.publish(event('1'))
    await until(() => r.received.length === 2, 'the retry after the timeout')
    await until(() => engine.metrics.counter('sepal_deliveries_acked_total').value === 1, 'the ack')
    expect(engine.metrics.counter('sepal_target_failed_total', { rule: 'orders', target: `http:${new URL(r.url).host}/` }).value).toBe(1)
    expect(await deadLetters.list()).toHaveLength(0)
  })

  it('dead-letters a 400 at once', async () => {
    const r = await receiver()
    r.answer = () => ({ status: 400 })
    const { engine, deadLetters } = engineWith({ maxAttempts: 5, targets: [{ kind: 'http', name: 'hook', url: r.url }] })
    await engine.start()
    await engine.publish(event('1'))
    await until(async () => (await deadLetters.list()).length === 1, 'the dead letter')
    expect(r.received).toHaveLength(1)
    expect((await deadLetters.list())[0]).toMatchObject({ target: 'hook', event: { id: '1', sepalerrorcode: ErrorCodes.PERMANENT } })
  })

  it('disables the target on 410: later events are dead-lettered without a request', async () => {
    const r = await receiver()
    r.answer = () => ({ status: 410 })
    const { engine, deadLetters } = engineWith({ maxAttempts: 5, targets: [{ kind: 'http', url: r.url }] })
    await engine.start()
    await engine.publish(event('1'))
    await until(async () => (await deadLetters.list()).length === 1, 'the first dead letter')
    await engine.publish(event('2'))
    await until(async () => (await deadLetters.list()).length === 2, 'the second dead letter')
    expect(r.received).toHaveLength(1)
    expect((await deadLetters.list()).map((d) => d.event['sepalerrorcode'])).toEqual([ErrorCodes.TARGET_DISABLED, ErrorCodes.TARGET_DISABLED])
  })
})

import { afterEach, describe, expect, it } from 'vitest'
import { createMemoryDeadLetterStore, type DeadLetterStore, type NewDeadLetter } from '../delivery/dead-letter-store.js'
import { defaultIdempotencyKey } from '../delivery/idempotency.js'
import { PermanentError } from '../errors.js'
import type { CloudEvent } from '../event/cloud-event.js'
import { createMemoryIdempotencyStore } from '../stores/memory-idempotency.js'
import type { Transport } from '../transports/contract.js'
import { createMemoryTransport } from '../transports/memory/memory-transport.js'
import { createEngine } from './create-engine.js'
import { targetIdempotencyKey } from './idempotent-target.js'
import type { Engine, EngineOptions } from './types.js'

const fast = { initialDelayMs: 5, maxDelayMs: 20 }

function event(id: string, extra: Partial<CloudEvent> = {}): CloudEvent {
  return { specversion: '1.0', id, source: 'app.orders', type: 'OrderPlaced', data: { id }, ...extra }
}

let running: Array<{ engine: Engine; transport: Transport }> = []
afterEach(async () => {
  for (const { engine, transport } of running) {
    await engine.stop({ drainTimeoutMs: 100 })
    await transport.close()
  }
  running = []
})

function startedEngine(options: Omit<EngineOptions, 'transport'>) {
  const transport = createMemoryTransport()
  const engine = createEngine({ transport, from: 'earliest', retry: fast, ...options })
  running.push({ engine, transport })
  return engine
}

async function until(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs
  while (!(await condition())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 100))

describe('delivery: retries and dead letters', () => {
  it('retries a failing target with backoff until it succeeds', async () => {
    let calls = 0
    const engine = startedEngine({
      rules: [{ name: 'flaky', pattern: { source: ['app.orders'] }, maxAttempts: 5, targets: [{ kind: 'handler', handler: () => { if (++calls < 3) throw new Error('try again') } }] }],
    })
    await engine.start()
    await engine.publish(event('1'))
    await until(() => calls === 3, 'the third attempt')
    await settle()
    expect(calls).toBe(3)
    expect(engine.metrics.counter('sepal_dead_letters_total').value).toBe(0)
  })

  it('dead-letters an event once its attempts are spent, keeping id, source and data and saying why', async () => {
    const deadLetters = createMemoryDeadLetterStore()
    let calls = 0
    const engine = startedEngine({
      deadLetters,
      rules: [{ name: 'email', pattern: { source: ['app.orders'] }, maxAttempts: 3, targets: [{ kind: 'handler', name: 'send', handler: () => { calls++; throw new Error('smtp down') } }] }],
    })
    await engine.start()
    await engine.publish(event('1', { time: new Date().toISOString() }))
    await until(async () => (await deadLetters.list()).length === 1, 'the dead letter')
    await settle()
    const [entry] = await deadLetters.list()
    expect(calls).toBe(3)
    expect(entry).toMatchObject({ topic: 'events', rule: 'email', target: 'send', error: 'smtp down' })
    expect(entry!.event).toMatchObject({ id: '1', source: 'app.orders', data: { id: '1' }, sepalrule: 'email', sepaltarget: 'send', sepalattempts: 3, sepalerror: 'smtp down', sepalerrorclass: 'Error' })
    expect(typeof entry!.event['sepalfirstfailedat']).toBe('string')
  })

  it('dead-letters at once on a PermanentError', async () => {
    const deadLetters = createMemoryDeadLetterStore()
    let calls = 0
    const engine = startedEngine({
      deadLetters,
      rules: [{ name: 'r', pattern: { source: ['app.orders'] }, maxAttempts: 5, targets: [{ kind: 'handler', handler: () => { calls++; throw new PermanentError('malformed order') } }] }],
    })
    await engine.start()
    await engine.publish(event('1'))
    await until(() => engine.metrics.counter('sepal_dead_letters_total').value === 1, 'the dead letter')
    await settle()
    expect(calls).toBe(1)
    expect((await deadLetters.list())[0]!.event['sepalerrorcode']).toBe('SEPAL_ERR_PERMANENT')
  })

  it('gives up on events older than maxAgeMs instead of retrying them', async () => {
    const deadLetters = createMemoryDeadLetterStore()
    let calls = 0
    const engine = startedEngine({
      deadLetters,
      rules: [{ name: 'r', pattern: { source: ['app.orders'] }, maxAttempts: 10, retry: { maxAgeMs: 60_000 }, targets: [{ kind: 'handler', handler: () => { calls++; throw new Error('x') } }] }],
    })
    await engine.start()
    await engine.publish(event('old', { time: new Date(Date.now() - 3_600_000).toISOString() }))
    await until(() => engine.metrics.counter('sepal_dead_letters_total').value === 1, 'the dead letter')
    expect(calls).toBe(1)
  })

  it('fails closed: when the dead letter cannot be written the event is not acked, and comes back', async () => {
    const store = createMemoryDeadLetterStore()
    let failWrites = 2
    const flaky: DeadLetterStore = { ...store, put: async (entry: NewDeadLetter) => { if (failWrites-- > 0) throw new Error('disk full'); return store.put(entry) } }
    let calls = 0
    const engine = startedEngine({
      deadLetters: flaky,
      rules: [{ name: 'r', pattern: { source: ['app.orders'] }, targets: [{ kind: 'handler', handler: () => { calls++; throw new PermanentError('no') } }] }],
    })
    await engine.start()
    await engine.publish(event('1'))
    await until(async () => (await store.list()).length === 1, 'the dead letter after the store recovered')
    expect(calls).toBe(3)
    expect(engine.metrics.counter('sepal_dead_letter_failures_total').value).toBe(2)
    expect(engine.metrics.counter('sepal_dead_letters_total').value).toBe(1)
  })

  it('gives each target its own attempts: a failing email does not re-run the inventory reservation', async () => {
    const deadLetters = createMemoryDeadLetterStore()
    let reserved = 0
    let mailed = 0
    const engine = startedEngine({
      deadLetters,
      rules: [{
        name: 'order',
        pattern: { source: ['app.orders'] },
        targets: [
          { kind: 'handler', name: 'reserve', handler: () => void reserved++ },
          { kind: 'handler', name: 'email', retry: { maxAttempts: 4 }, handler: () => { mailed++; throw new Error('smtp down') } },
        ],
      }],
    })
    await engine.start()
    await engine.publish(event('1'))
    await until(() => engine.metrics.counter('sepal_dead_letters_total').value === 1, 'the dead letter')
    await settle()
    expect(reserved).toBe(1)
    expect(mailed).toBe(4)
    expect((await deadLetters.list()).map((e) => e.target)).toEqual(['email'])
  })
})

describe('delivery: idempotency', () => {
  it('runs a side effect once for a duplicate delivery of the same event and reports the duplicate', async () => {
    let calls = 0
    const outcomes: string[] = []
    const engine = startedEngine({
      idempotency: { store: createMemoryIdempotencyStore() },
      hooks: { onSettled: (report) => void outcomes.push(...report.targets.map((t) => t.outcome)) },
      rules: [{ name: 'r', pattern: { source: ['app.orders'] }, targets: [{ kind: 'handler', handler: () => void calls++ }] }],
    })
    await engine.start()
    await engine.publish(event('1'))
    await until(() => outcomes.length === 1, 'the first delivery')
    await engine.publish(event('1'))
    await until(() => outcomes.length === 2, 'the duplicate')
    expect(calls).toBe(1)
    expect(outcomes).toEqual(['ok', 'duplicate'])
  })

  it('releases the lease when a target fails, so its retry runs it', async () => {
    let calls = 0
    const engine = startedEngine({
      idempotency: { store: createMemoryIdempotencyStore() },
      rules: [{ name: 'r', pattern: { source: ['app.orders'] }, targets: [{ kind: 'handler', handler: () => { if (++calls === 1) throw new Error('once') } }] }],
    })
    await engine.start()
    await engine.publish(event('1'))
    await until(() => calls === 2, 'the retry')
  })

  it('waits while another worker holds the lease, and never runs the effect twice', async () => {
    const store = createMemoryIdempotencyStore()
    const key = targetIdempotencyKey(defaultIdempotencyKey(event('1')), 'r', 'h')
    expect(await store.claim(key, 60_000)).toBe('claimed')
    let calls = 0
    const engine = startedEngine({
      idempotency: { store },
      rules: [{ name: 'r', pattern: { source: ['app.orders'] }, maxAttempts: 50, targets: [{ kind: 'handler', name: 'h', handler: () => void calls++ }] }],
    })
    await engine.start()
    await engine.publish(event('1'))
    await until(() => engine.metrics.counter('sepal_target_failed_total', { rule: 'r', target: 'h' }).value >= 1, 'an in-progress attempt')
    expect(calls).toBe(0)
    await store.complete(key, 60_000)
    await settle()
    expect(calls).toBe(0)
  })

  it('gives the handler its idempotency key, and lets a rule opt out', async () => {
    const on: Array<string | undefined> = []
    const off: Array<string | undefined> = []
    const engine = startedEngine({
      idempotency: { store: createMemoryIdempotencyStore() },
      rules: [
        { name: 'on', pattern: { source: ['app.orders'] }, targets: [{ kind: 'handler', handler: (_e, ctx) => void on.push(ctx.idempotencyKey) }] },
        { name: 'off', idempotency: false, pattern: { source: ['app.orders'] }, targets: [{ kind: 'handler', handler: (_e, ctx) => void off.push(ctx.idempotencyKey ?? 'none') }] },
      ],
    })
    const report = await engine.dispatch(event('1'))
    expect(report.targets.map((t) => t.outcome)).toEqual(['ok', 'ok'])
    expect(on[0]).toContain('app.orders')
    expect(off[0]).toBe('none')
    const again = await engine.dispatch(event('1'))
    expect(again.targets.map((t) => t.outcome)).toEqual(['duplicate', 'ok'])
  })
})

describe('delivery: per-key order', () => {
  it('keeps events of one key in order across retries while other keys go ahead', async () => {
    const order: string[] = []
    let failuresLeft = 2
    const engine = startedEngine({
      maxInFlight: 8,
      rules: [{
        name: 'ledger',
        pattern: { source: ['app.orders'] },
        maxAttempts: 5,
        orderBy: (e) => (e.data as { customer: string }).customer,
        targets: [{ kind: 'handler', handler: (e) => {
          if (e.id === 'a1' && failuresLeft-- > 0) throw new Error('retry me')
          order.push(e.id)
        } }],
      }],
    })
    await engine.start()
    await engine.publish([
      event('a1', { data: { customer: 'a' } }),
      event('a2', { data: { customer: 'a' } }),
      event('b1', { data: { customer: 'b' } }),
      event('a3', { data: { customer: 'a' } }),
    ])
    await until(() => order.length === 4, 'all four events')
    expect(order.filter((id) => id.startsWith('a'))).toEqual(['a1', 'a2', 'a3'])
    expect(order.indexOf('b1')).toBeLessThan(order.indexOf('a1'))
  })

  it('releases the key when an event is dead-lettered', async () => {
    const deadLetters = createMemoryDeadLetterStore()
    const order: string[] = []
    const engine = startedEngine({
      deadLetters,
      rules: [{
        name: 'ledger',
        pattern: { source: ['app.orders'] },
        maxAttempts: 2,
        orderBy: () => 'one-key',
        targets: [{ kind: 'handler', handler: (e) => { if (e.id === 'bad') throw new Error('always'); order.push(e.id) } }],
      }],
    })
    await engine.start()
    await engine.publish([event('bad'), event('next')])
    await until(() => order.length === 1, 'the next event')
    expect(order).toEqual(['next'])
    expect((await deadLetters.list()).map((e) => e.event.id)).toEqual(['bad'])
  })

  it('limits how many events a rule works on at once', async () => {
    let active = 0
    let peak = 0
    let done = 0
    const engine = startedEngine({
      maxInFlight: 16,
      rules: [{ name: 'slow', pattern: { source: ['app.orders'] }, concurrency: 2, targets: [{ kind: 'handler', handler: async () => {
        peak = Math.max(peak, ++active)
        await new Promise((resolve) => setTimeout(resolve, 5))
        active--
        done++
      } }] }],
    })
    await engine.start()
    await engine.publish(Array.from({ length: 10 }, (_, i) => event(String(i))))
    await until(() => done === 10, 'all events')
    expect(peak).toBe(2)
  })
})

describe('rule limit', () => {
  it('refuses a rule beyond maxRules with SEPAL_ERR_RULE_LIMIT, and takes one again after a removal', () => {
    const engine = createEngine({ transport: createMemoryTransport(), maxRules: 2 })
    const rule = (name: string) => ({ name, pattern: { source: ['a'] }, targets: [{ kind: 'handler' as const, handler: () => undefined }] })
    engine.addRule(rule('one'))
    engine.addRule(rule('two'))
    expect(() => engine.addRule(rule('three'))).toThrow(expect.objectContaining({ code: 'SEPAL_ERR_RULE_LIMIT' }))
    expect(engine.removeRule('one')).toBe(true)
    engine.addRule(rule('three'))
    expect(engine.rules.map((r) => r.name)).toEqual(['two', 'three'])
  })
})

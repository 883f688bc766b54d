import { describe, expect, it, vi } from 'vitest'
import { ErrorCodes, OptionsError, SepalError } from '../errors.js'
import type { CloudEvent } from '../event/cloud-event.js'
import { EventValidationError } from '../event/event-errors.js'
import { PatternError } from '../pattern/pattern-error.js'
import { createMemoryTransport } from '../transports/memory/memory-transport.js'
import { createEngine } from './create-engine.js'
import type { Handler, Rule } from './types.js'

function event(overrides: Record<string, unknown> = {}): CloudEvent {
  return { specversion: '1.0', id: 'e-1', source: 'app.orders', type: 'OrderPlaced', data: { total: 120 }, ...overrides } as CloudEvent
}

function handlerRule(name: string, pattern: Rule['pattern'], handler: Handler, extra: Partial<Rule> = {}): Rule {
  return { name, pattern, targets: [{ kind: 'handler', handler }], ...extra }
}

describe('engine.dispatch', () => {
  it('runs the handler of a rule written with EventBridge envelope names', async () => {
    const seen: string[] = []
    const engine = createEngine({
      transport: createMemoryTransport(),
      rules: [handlerRule('orders', { source: ['app.orders'], 'detail-type': ['OrderPlaced'] }, (e) => void seen.push(e.id))],
    })
    const report = await engine.dispatch(event())
    expect(seen).toEqual(['e-1'])
    expect(report.matched).toEqual(['orders'])
    expect(report.targets).toEqual([{ rule: 'orders', target: 'handler-1', outcome: 'ok' }])
  })

  it('lets patterns look into data through detail', async () => {
    const engine = createEngine({
      transport: createMemoryTransport(),
      rules: [handlerRule('big', { detail: { total: [120] } }, () => undefined)],
    })
    expect((await engine.dispatch(event())).matched).toEqual(['big'])
    expect((await engine.dispatch(event({ data: { total: 1 } }))).matched).toEqual([])
  })

  it('runs every target of every matching rule and leaves non-matching rules alone', async () => {
    const calls: string[] = []
    const engine = createEngine({
      transport: createMemoryTransport(),
      rules: [
        {
          name: 'a',
          pattern: { source: ['app.orders'] },
          targets: [
            { kind: 'handler', name: 'first', handler: () => void calls.push('a.first') },
            { kind: 'handler', name: 'second', handler: async () => void calls.push('a.second') },
          ],
        },
        handlerRule('b', { type: ['OrderPlaced'] }, () => void calls.push('b')),
        handlerRule('c', { type: ['Other'] }, () => void calls.push('c')),
      ],
    })
    const report = await engine.dispatch(event())
    expect(calls.sort()).toEqual(['a.first', 'a.second', 'b'])
    expect(report.matched).toEqual(['a', 'b'])
    expect(report.targets.map((t) => `${t.rule}/${t.target}:${t.outcome}`)).toEqual(['a/first:ok', 'a/second:ok', 'b/handler-1:ok'])
  })

  it('publishes the events a handler returns, validated, to the engine topic by default', async () => {
    const transport = createMemoryTransport()
    const engine = createEngine({
      transport,
      topic: 'in',
      rules: [handlerRule('follow-up', { type: ['OrderPlaced'] }, (e) => [event({ id: `${e.id}-mail`, type: 'MailQueued' })])],
    })
    const sub = await transport.subscribe('in', { group: 'probe', from: 'earliest' })
    const report = await engine.dispatch(event())
    expect(report.targets[0]?.published?.map((e) => e.id)).toEqual(['e-1-mail'])
    const first = await sub[Symbol.asyncIterator]().next()
    expect(first.done === false && first.value.event.type).toBe('MailQueued')
    await sub.close()
  })

  it('fails the target, not the engine, when a handler returns an invalid event or a non-array', async () => {
    const engine = createEngine({
      transport: createMemoryTransport(),
      rules: [
        handlerRule('invalid', { type: ['OrderPlaced'] }, () => [{ id: 'x' } as unknown as CloudEvent]),
        handlerRule('weird', { type: ['OrderPlaced'] }, (() => 'done') as unknown as Handler),
      ],
    })
    const report = await engine.dispatch(event())
    expect(report.targets.map((t) => t.outcome)).toEqual(['failed', 'failed'])
    expect(report.targets[0]?.error).toBeInstanceOf(EventValidationError)
    expect(String((report.targets[1]?.error as Error).message)).toMatch(/returned the string "done"/)
  })

  it('forwards the matched event unchanged with a publish target', async () => {
    const transport = createMemoryTransport()
    const engine = createEngine({
      transport,
      rules: [{ name: 'copy', pattern: { source: ['app.orders'] }, targets: [{ kind: 'publish', topic: 'audit' }] }],
    })
    const sub = await transport.subscribe('audit', { group: 'probe', from: 'earliest' })
    const report = await engine.dispatch(event())
    expect(report.targets).toEqual([{ rule: 'copy', target: 'publish:audit', outcome: 'ok', published: [expect.objectContaining({ id: 'e-1' })] }])
    const first = await sub[Symbol.asyncIterator]().next()
    expect(first.done === false && first.value.event).toMatchObject({ id: 'e-1', source: 'app.orders', data: { total: 120 } })
    await sub.close()
  })

  it('survives handlers that throw, reject, or throw values that are not errors', async () => {
    const failed = vi.fn()
    const engine = createEngine({
      transport: createMemoryTransport(),
      hooks: { onFailed: failed },
      rules: [
        {
          name: 'bad',
          pattern: { source: ['app.orders'] },
          targets: [
            { kind: 'handler', name: 'sync', handler: () => { throw new Error('boom') } },
            { kind: 'handler', name: 'async', handler: async () => { throw new Error('later') } },
            { kind: 'handler', name: 'string', handler: () => { throw 'just a string' } },
            { kind: 'handler', name: 'undefined', handler: () => Promise.reject(undefined) },
          ],
        },
      ],
    })
    const report = await engine.dispatch(event())
    expect(report.targets.map((t) => t.outcome)).toEqual(['failed', 'failed', 'failed', 'failed'])
    expect(failed).toHaveBeenCalledTimes(4)
    expect(failed.mock.calls.map((c) => c[2])).toEqual(expect.arrayContaining(['sync', 'async', 'string', 'undefined']))
    expect(engine.metrics.counter('sepal_target_failed_total', { rule: 'bad', target: 'string' }).value).toBe(1)
  })

  it('fails a handler that outlives its timeout with SEPAL_ERR_TARGET_TIMEOUT and aborts its signal', async () => {
    let signal: AbortSignal | undefined
    const engine = createEngine({
      transport: createMemoryTransport(),
      rules: [
        {
          name: 'slow',
          pattern: { source: ['app.orders'] },
          targets: [{ kind: 'handler', timeoutMs: 20, handler: (_e, ctx) => { signal = ctx.signal; return new Promise<void>(() => undefined) } }],
        },
      ],
    })
    const report = await engine.dispatch(event())
    expect(report.targets[0]?.outcome).toBe('failed')
    expect((report.targets[0]?.error as SepalError).code).toBe(ErrorCodes.TARGET_TIMEOUT)
    expect(signal?.aborted).toBe(true)
  })

  it('hands the handler its rule, target, attempt and a metrics facility', async () => {
    const engine = createEngine({ transport: createMemoryTransport() })
    engine.addRule(handlerRule('count', { source: ['app.orders'] }, (_e, ctx) => {
      ctx.metrics.increment('shop_orders_total', { rule: ctx.rule, target: ctx.target, attempt: String(ctx.attempt) })
    }))
    await engine.dispatch(event())
    expect(engine.metrics.counter('shop_orders_total', { rule: 'count', target: 'handler-1', attempt: '1' }).value).toBe(1)
    expect(engine.metrics.counter('sepal_rule_matched_total', { rule: 'count' }).value).toBe(1)
  })

  it('finishes an in-flight dispatch with the rules it started with when a rule is removed meanwhile', async () => {
    let finish: () => void = () => undefined
    const engine = createEngine({
      transport: createMemoryTransport(),
      rules: [handlerRule('slow', { source: ['app.orders'] }, () => new Promise<void>((resolve) => (finish = resolve)))],
    })
    const running = engine.dispatch(event())
    expect(engine.removeRule('slow')).toBe(true)
    finish()
    const report = await running
    expect(report.matched).toEqual(['slow'])
    expect(report.targets[0]?.outcome).toBe('ok')
  })

  it('logs failures with ids and names but never the event data', async () => {
    const lines: string[] = []
    const record = (obj: object, msg?: string): void => void lines.push(`${msg ?? ''} ${JSON.stringify(obj)}`)
    const engine = createEngine({
      transport: createMemoryTransport(),
      logger: { debug: record, info: record, warn: record, error: record },
      rules: [handlerRule('r', { source: ['app.orders'] }, () => { throw new Error('card declined') })],
    })
    await engine.dispatch(event({ data: { cardNumber: '4111111111111111' } }))
    expect(lines.join('\n')).toContain('card declined')
    expect(lines.join('\n')).toContain('e-1')
    expect(lines.join('\n')).not.toContain('4111111111111111')
  })

  it('rejects an invalid event with EventValidationError', async () => {
    const engine = createEngine({ transport: createMemoryTransport() })
    await expect(engine.dispatch({ id: '1' } as unknown as CloudEvent)).rejects.toBeInstanceOf(EventValidationError)
  })
})

describe('engine.publish', () => {
  it('publishes nothing when one event of the batch is invalid, naming its index', async () => {
    const transport = createMemoryTransport()
    const engine = createEngine({ transport })
    const sub = await transport.subscribe('events', { group: 'probe', from: 'earliest' })
    const error = await engine.publish([event(), { id: 'x' } as unknown as CloudEvent]).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(EventValidationError)
    expect((error as EventValidationError).problems.some((p) => p.attribute.startsWith('[1]'))).toBe(true)
    await engine.publish(event({ id: 'after' }), { key: 'k' })
    const first = await sub[Symbol.asyncIterator]().next()
    expect(first.done === false && [first.value.event.id, first.value.key]).toEqual(['after', 'k'])
    await sub.close()
  })
})

describe('engine rules', () => {
  const noop: Handler = () => undefined

  it('refuses a second rule with the same name with SEPAL_ERR_RULE_DUPLICATE', () => {
    const engine = createEngine({ transport: createMemoryTransport(), rules: [handlerRule('r', { source: ['a'] }, noop)] })
    expect(() => engine.addRule(handlerRule('r', { source: ['b'] }, noop))).toThrow(
      expect.objectContaining({ code: ErrorCodes.RULE_DUPLICATE }),
    )
  })

  it('refuses an invalid pattern at addRule and keeps the rules it had', () => {
    const engine = createEngine({ transport: createMemoryTransport(), rules: [handlerRule('r', { source: ['a'] }, noop)] })
    expect(() => engine.addRule(handlerRule('bad', { source: 'not-an-array' }, noop))).toThrow(PatternError)
    expect(engine.rules.map((r) => r.name)).toEqual(['r'])
  })

  it('refuses rules without targets, with clashing target names, or publishing to their own topic', () => {
    const engine = createEngine({ transport: createMemoryTransport(), topic: 'events' })
    expect(() => engine.addRule({ name: 'empty', pattern: { source: ['a'] }, targets: [] })).toThrow(OptionsError)
    expect(() =>
      engine.addRule({
        name: 'clash',
        pattern: { source: ['a'] },
        targets: [{ kind: 'handler', name: 'x', handler: noop }, { kind: 'publish', name: 'x', topic: 'other' }],
      }),
    ).toThrow(/two targets named "x"/)
    expect(() => engine.addRule({ name: 'loop', pattern: { source: ['a'] }, targets: [{ kind: 'publish', topic: 'events' }] })).toThrow(/loops/)
  })

  it('stops matching a removed rule and says whether it existed', async () => {
    const engine = createEngine({ transport: createMemoryTransport(), rules: [handlerRule('r', { source: ['app.orders'] }, noop)] })
    expect(engine.removeRule('r')).toBe(true)
    expect(engine.removeRule('r')).toBe(false)
    expect((await engine.dispatch(event())).matched).toEqual([])
  })

  it('refuses options a transport cannot use', () => {
    const transport = createMemoryTransport()
    expect(() => createEngine({ transport, maxInFlight: 0 })).toThrow(/maxInFlight/)
    expect(() => createEngine({ transport, topic: '' })).toThrow(/topic/)
    expect(() => createEngine({} as never)).toThrow(/transport/)
  })
})

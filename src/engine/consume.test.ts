import { afterEach, describe, expect, it } from 'vitest'
import { PermanentError } from '../errors.js'
import type { CloudEvent } from '../event/cloud-event.js'
import { createMemoryTransport } from '../transports/memory/memory-transport.js'
import type { Delivery, Transport } from '../transports/contract.js'
import { createEngine } from './create-engine.js'
import { attemptLimitPolicy } from './settle.js'
import type { DispatchReport, Engine, EngineOptions, Settlement } from './types.js'

function event(id: string, type = 'OrderPlaced'): CloudEvent {
  return { specversion: '1.0', id, source: 'app.orders', type, data: { id } }
}

/** Collects settlements and lets a test wait until a given number happened. */
function settlementLog() {
  const entries: Array<{ report: DispatchReport; settlement: Settlement }> = []
  let waiters: Array<{ count: number; resolve: () => void }> = []
  return {
    entries,
    onSettled(report: DispatchReport, settlement: Settlement) {
      entries.push({ report, settlement })
      waiters = waiters.filter((w) => (entries.length >= w.count ? (w.resolve(), false) : true))
    },
    waitFor(count: number): Promise<void> {
      if (entries.length >= count) return Promise.resolve()
      return new Promise((resolve) => waiters.push({ count, resolve }))
    },
  }
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
  const engine = createEngine({ transport, from: 'earliest', ...options })
  running.push({ engine, transport })
  return { engine, transport }
}

describe('the consuming engine', () => {
  it('consumes published events, runs the matching handler and acks', async () => {
    const log = settlementLog()
    const seen: string[] = []
    const { engine } = startedEngine({
      hooks: { onSettled: log.onSettled },
      rules: [{ name: 'orders', pattern: { 'detail-type': ['OrderPlaced'] }, targets: [{ kind: 'handler', handler: (e) => void seen.push(e.id) }] }],
    })
    await engine.start()
    await engine.publish([event('1'), event('2', 'Ignored'), event('3')])
    await log.waitFor(3)
    expect(seen.sort()).toEqual(['1', '3'])
    expect(log.entries.map((e) => e.settlement)).toEqual(['ack', 'ack', 'ack'])
    expect(engine.metrics.counter('sepal_events_received_total').value).toBe(3)
    expect(engine.metrics.counter('sepal_deliveries_acked_total').value).toBe(3)
    expect(engine.metrics.counter('sepal_rule_matched_total', { rule: 'orders' }).value).toBe(2)
  })

  it('retries a failing handler through the transport and acks once it succeeds', async () => {
    const log = settlementLog()
    const attempts: number[] = []
    const { engine } = startedEngine({
      hooks: { onSettled: log.onSettled },
      rules: [{
        name: 'flaky',
        pattern: { source: ['app.orders'] },
        targets: [{ kind: 'handler', handler: (_e, ctx) => { attempts.push(ctx.attempt); if (ctx.attempt < 2) throw new Error('not yet') } }],
      }],
    })
    await engine.start()
    await engine.publish(event('1'))
    await log.waitFor(2)
    expect(attempts).toEqual([1, 2])
    expect(log.entries.map((e) => e.settlement)).toEqual(['nack', 'ack'])
  })

  it('re-runs only the failed target on a redelivery, by default', async () => {
    const log = settlementLog()
    const runs: string[] = []
    const { engine } = startedEngine({
      hooks: { onSettled: log.onSettled },
      rules: [{
        name: 'r',
        pattern: { source: ['app.orders'] },
        targets: [
          { kind: 'handler', name: 'reserve', handler: () => void runs.push('reserve') },
          { kind: 'handler', name: 'email', handler: (_e, ctx) => { runs.push('email'); if (ctx.attempt === 1) throw new Error('smtp down') } },
        ],
      }],
    })
    await engine.start()
    await engine.publish(event('1'))
    await log.waitFor(2)
    expect(runs).toEqual(['reserve', 'email', 'email'])
    expect(log.entries.map((e) => e.report.targets.map((t) => t.outcome))).toEqual([['ok', 'failed'], ['skipped', 'ok']])
  })

  it('gives up after maxAttempts: the last failure is acked as given up, not redelivered', async () => {
    const log = settlementLog()
    let calls = 0
    const { engine } = startedEngine({
      hooks: { onSettled: log.onSettled },
      rules: [{ name: 'broken', maxAttempts: 2, pattern: { source: ['app.orders'] }, targets: [{ kind: 'handler', handler: () => { calls++; throw new Error('always') } }] }],
    })
    await engine.start()
    await engine.publish(event('1'))
    await log.waitFor(2)
    expect(log.entries.map((e) => e.settlement)).toEqual(['nack', 'give-up'])
    expect(calls).toBe(2)
    expect(engine.metrics.counter('sepal_deliveries_given_up_total').value).toBe(1)
  })

  it('gives up at once on a PermanentError', async () => {
    const log = settlementLog()
    const { engine } = startedEngine({
      hooks: { onSettled: log.onSettled },
      rules: [{ name: 'p', pattern: { source: ['app.orders'] }, targets: [{ kind: 'handler', handler: () => { throw new PermanentError('bad input') } }] }],
    })
    await engine.start()
    await engine.publish(event('1'))
    await log.waitFor(1)
    expect(log.entries.map((e) => e.settlement)).toEqual(['give-up'])
  })

  it('calls the received, matched, failed and settled hooks in that order', async () => {
    const log = settlementLog()
    const calls: string[] = []
    const { engine } = startedEngine({
      maxInFlight: 1,
      hooks: {
        onReceived: (e, attempt) => void calls.push(`received ${e.id} #${attempt}`),
        onMatched: (_e, rules) => void calls.push(`matched ${rules.join(',')}`),
        onFailed: (_e, rule, target) => void calls.push(`failed ${rule}/${target}`),
        onSettled: (report, settlement) => { calls.push(`settled ${settlement}`); log.onSettled(report, settlement) },
      },
      rules: [{ name: 'r', maxAttempts: 1, pattern: { source: ['app.orders'] }, targets: [{ kind: 'handler', name: 't', handler: () => { throw new Error('x') } }] }],
    })
    await engine.start()
    await engine.publish(event('1'))
    await log.waitFor(1)
    expect(calls).toEqual(['received 1 #1', 'matched r', 'failed r/t', 'settled give-up'])
  })

  it('keeps consuming when a hook throws', async () => {
    const log = settlementLog()
    const { engine } = startedEngine({
      hooks: { onReceived: () => { throw new Error('hook bug') }, onSettled: log.onSettled },
      rules: [{ name: 'r', pattern: { source: ['app.orders'] }, targets: [{ kind: 'handler', handler: () => undefined }] }],
    })
    await engine.start()
    await engine.publish([event('1'), event('2')])
    await log.waitFor(2)
    expect(log.entries.map((e) => e.settlement)).toEqual(['ack', 'ack'])
  })

  it('applies rules added and removed while running to the events that follow', async () => {
    const log = settlementLog()
    const seen: string[] = []
    const { engine } = startedEngine({ hooks: { onSettled: log.onSettled } })
    await engine.start()
    await engine.publish(event('before'))
    await log.waitFor(1)
    engine.addRule({ name: 'late', pattern: { source: ['app.orders'] }, targets: [{ kind: 'handler', handler: (e) => void seen.push(e.id) }] })
    await engine.publish(event('during'))
    await log.waitFor(2)
    engine.removeRule('late')
    await engine.publish(event('after'))
    await log.waitFor(3)
    expect(seen).toEqual(['during'])
    expect(log.entries.map((e) => e.report.matched.length)).toEqual([0, 1, 0])
  })

  it('never runs more than maxInFlight handlers at once', async () => {
    const log = settlementLog()
    let now = 0
    let peak = 0
    const { engine } = startedEngine({
      maxInFlight: 3,
      hooks: { onSettled: log.onSettled },
      rules: [{ name: 'r', pattern: { source: ['app.orders'] }, targets: [{ kind: 'handler', handler: async () => {
        now++
        peak = Math.max(peak, now)
        await new Promise((resolve) => setTimeout(resolve, 5))
        now--
      } }] }],
    })
    await engine.start()
    await engine.publish(Array.from({ length: 12 }, (_, i) => event(String(i))))
    await log.waitFor(12)
    expect(peak).toBe(3)
  })
})

describe('the settlement seam', () => {
  it('lets a policy skip targets that already succeeded, so a retry re-runs only the failed one', async () => {
    const log = settlementLog()
    const done = new Map<string, Set<string>>()
    const runs: string[] = []
    const { engine } = startedEngine({
      hooks: { onSettled: log.onSettled },
      settlement: {
        decide(report, rules) {
          const ok = done.get(report.event.id) ?? new Set<string>()
          for (const t of report.targets) if (t.outcome === 'ok') ok.add(`${t.rule}/${t.target}`)
          done.set(report.event.id, ok)
          return attemptLimitPolicy.decide(report, rules)
        },
        skipFor(event) {
          const ok = done.get(event.id)
          return ok === undefined ? undefined : (rule, target) => ok.has(`${rule}/${target}`)
        },
      },
      rules: [{
        name: 'r',
        pattern: { source: ['app.orders'] },
        targets: [
          { kind: 'handler', name: 'reserve', handler: () => void runs.push('reserve') },
          { kind: 'handler', name: 'email', handler: (_e, ctx) => { runs.push('email'); if (ctx.attempt === 1) throw new Error('smtp down') } },
        ],
      }],
    })
    await engine.start()
    await engine.publish(event('1'))
    await log.waitFor(2)
    expect(runs).toEqual(['reserve', 'email', 'email'])
    expect(log.entries[1]?.report.targets.map((t) => t.outcome)).toEqual(['skipped', 'ok'])
    expect(log.entries.map((e) => e.settlement)).toEqual(['nack', 'ack'])
  })

  it('nacks on a decision it does not know, and accepts a thenable decision', async () => {
    const log = settlementLog()
    let calls = 0
    const { engine } = startedEngine({
      hooks: { onSettled: log.onSettled },
      settlement: {
        decide: () => {
          calls++
          const decision = calls === 1 ? ({ kind: 'dead-letter' } as never) : { kind: 'ack' as const }
          return { then: (resolve: (d: never) => void) => resolve(decision as never) } as never
        },
      },
      rules: [{ name: 'r', pattern: { source: ['app.orders'] }, targets: [{ kind: 'handler', handler: () => undefined }] }],
    })
    await engine.start()
    await engine.publish(event('1'))
    await log.waitFor(2)
    expect(log.entries.map((e) => e.settlement)).toEqual(['nack', 'ack'])
  })

  it('nacks when the policy fails to decide (fail closed)', async () => {
    const log = settlementLog()
    let calls = 0
    const { engine } = startedEngine({
      hooks: { onSettled: log.onSettled },
      settlement: {
        decide: async () => {
          calls++
          if (calls === 1) throw new Error('dead-letter store unavailable')
          return { kind: 'ack' }
        },
      },
      rules: [{ name: 'r', pattern: { source: ['app.orders'] }, targets: [{ kind: 'handler', handler: () => undefined }] }],
    })
    await engine.start()
    await engine.publish(event('1'))
    await log.waitFor(2)
    expect(log.entries.map((e) => e.settlement)).toEqual(['nack', 'ack'])
  })
})

describe('a failing subscription', () => {
  it('is replaced by a new one, so consumption goes on after a broker hiccup', async () => {
    const log = settlementLog()
    const memory = createMemoryTransport()
    let subscribes = 0
    // The first subscription fails on its second fetch, as a dropped connection would.
    const flaky: Transport = {
      name: 'flaky',
      features: memory.features,
      publish: (topic, events, o) => memory.publish(topic, events, o),
      close: () => memory.close(),
      async subscribe(topic, o) {
        const inner = await memory.subscribe(topic, o)
        if (++subscribes > 1) return inner
        const it = inner[Symbol.asyncIterator]()
        let fetches = 0
        const failing: AsyncIterator<Delivery> = {
          next: () => (++fetches === 2 ? Promise.reject(new Error('connection reset')) : it.next()),
        }
        return { [Symbol.asyncIterator]: () => failing, close: () => inner.close(), [Symbol.asyncDispose]: () => inner.close() }
      },
    }
    const engine = createEngine({
      transport: flaky,
      from: 'earliest',
      hooks: { onSettled: log.onSettled },
      rules: [{ name: 'r', pattern: { source: ['app.orders'] }, targets: [{ kind: 'handler', handler: () => undefined }] }],
    })
    running.push({ engine, transport: flaky })
    await engine.publish(event('1'))
    await engine.start()
    await log.waitFor(1)
    await engine.publish(event('2'))
    await log.waitFor(2)
    expect(subscribes).toBe(2)
    expect(log.entries.map((e) => e.report.event.id)).toEqual(['1', '2'])
  })
})

describe('a transport closed under a running engine', () => {
  it('ends consumption with an error in the log, and stop still resolves', async () => {
    const errors: string[] = []
    const ignore = (): void => undefined
    const transport = createMemoryTransport()
    let logged: () => void = ignore
    const closedLogged = new Promise<void>((resolve) => (logged = resolve))
    const engine = createEngine({
      transport,
      logger: { debug: ignore, info: ignore, warn: ignore, error: (_o, msg) => { errors.push(msg ?? ''); if (msg?.includes('transport was closed')) logged() } },
    })
    await engine.start()
    await transport.close()
    await closedLogged
    await expect(engine.stop()).resolves.toBeUndefined()
    expect(errors).toContain('the transport was closed under a running engine; consuming stopped')
  })
})

describe('stopping the engine', () => {
  it('lets in-flight handlers finish within the drain budget and acks them', async () => {
    const log = settlementLog()
    let release: () => void = () => undefined
    const started = new Promise<void>((resolve) => {
      release = resolve
    })
    let finished = false
    const { engine } = startedEngine({
      hooks: { onSettled: log.onSettled },
      rules: [{ name: 'r', pattern: { source: ['app.orders'] }, targets: [{ kind: 'handler', handler: async () => {
        release()
        await new Promise((resolve) => setTimeout(resolve, 30))
        finished = true
      } }] }],
    })
    await engine.start()
    await engine.publish(event('1'))
    await started
    await engine.stop({ drainTimeoutMs: 5_000 })
    expect(finished).toBe(true)
    expect(log.entries.map((e) => e.settlement)).toEqual(['ack'])
  })

  it('aborts handlers past the budget and nacks their events for redelivery instead of giving up', async () => {
    const log = settlementLog()
    let signal: AbortSignal | undefined
    let begun: () => void = () => undefined
    const started = new Promise<void>((resolve) => {
      begun = resolve
    })
    const transport = createMemoryTransport()
    const engine = createEngine({
      transport,
      from: 'earliest',
      group: 'g',
      hooks: { onSettled: log.onSettled },
      rules: [{ name: 'r', maxAttempts: 1, pattern: { source: ['app.orders'] }, targets: [{ kind: 'handler', handler: (_e, ctx) => {
        signal = ctx.signal
        begun()
        return new Promise<void>(() => undefined)
      } }] }],
    })
    await engine.start()
    await engine.publish(event('1'))
    await started
    await engine.stop({ drainTimeoutMs: 20 })
    expect(signal?.aborted).toBe(true)
    expect(log.entries.map((e) => e.settlement)).toEqual(['nack'])
    // The event is still there for the next consumer of the group.
    const sub = await transport.subscribe('events', { group: 'g' })
    const next = await sub[Symbol.asyncIterator]().next()
    expect(next.done === false && next.value.event.id).toBe('1')
    await sub.close()
    await transport.close()
  })

  it('is idempotent and refuses a later start', async () => {
    const { engine } = startedEngine({})
    await engine.start()
    const first = engine.stop()
    expect(engine.stop()).toBe(first)
    await first
    await expect(engine.start()).rejects.toMatchObject({ code: 'SEPAL_ERR_CLOSED' })
  })

  it('can stop an engine that never started', async () => {
    const engine = createEngine({ transport: createMemoryTransport() })
    await expect(engine.stop()).resolves.toBeUndefined()
  })
})

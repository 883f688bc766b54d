import { describe, expect, it } from 'vitest'
import { PermanentError } from '../errors.js'
import type { CloudEvent } from '../event/cloud-event.js'
import { ShutdownAbortError } from '../targets/await-target.js'
import type { CompiledRule } from './rule-set.js'
import { attemptLimitPolicy, createAttemptLimitPolicy, retryDelayMs } from './settle.js'
import type { DispatchReport, TargetReport } from './types.js'

const event: CloudEvent = { specversion: '1.0', id: '1', source: 's', type: 't' }
const rules = new Map([
  ['three', { name: 'three', maxAttempts: 3 } as CompiledRule],
  ['one', { name: 'one', maxAttempts: 1 } as CompiledRule],
])

function report(attempt: number, targets: TargetReport[]): DispatchReport {
  return { event, attempt, matched: [...new Set(targets.map((t) => t.rule))], targets }
}

describe('the attempt-limit settlement policy', () => {
  it('acks when nothing matched or every target ended ok or skipped', () => {
    expect(attemptLimitPolicy.decide(report(1, []), rules)).toEqual({ kind: 'ack' })
    expect(
      attemptLimitPolicy.decide(report(1, [{ rule: 'three', target: 'a', outcome: 'ok' }, { rule: 'three', target: 'b', outcome: 'skipped' }]), rules),
    ).toEqual({ kind: 'ack' })
  })

  it('nacks with a growing delay while a failed rule has attempts left', () => {
    const failed: TargetReport = { rule: 'three', target: 'a', outcome: 'failed', error: new Error('x') }
    expect(attemptLimitPolicy.decide(report(1, [failed]), rules)).toEqual({ kind: 'nack', delayMs: retryDelayMs(1) })
    expect(attemptLimitPolicy.decide(report(2, [failed]), rules)).toEqual({ kind: 'nack', delayMs: retryDelayMs(2) })
    expect(retryDelayMs(2)).toBeGreaterThan(retryDelayMs(1))
  })

  it('gives up once the attempts are spent, naming the failed targets', () => {
    const failed: TargetReport = { rule: 'three', target: 'a', outcome: 'failed', error: new Error('x') }
    expect(attemptLimitPolicy.decide(report(3, [failed]), rules)).toEqual({ kind: 'give-up', failed: [failed] })
  })

  it('gives up at once on a PermanentError', () => {
    const failed: TargetReport = { rule: 'three', target: 'a', outcome: 'failed', error: new PermanentError('no') }
    expect(attemptLimitPolicy.decide(report(1, [failed]), rules).kind).toBe('give-up')
  })

  it('nacks without delay, whatever the attempt, when a stop cut the target loose', () => {
    const failed: TargetReport = { rule: 'one', target: 'a', outcome: 'failed', error: new ShutdownAbortError('one', 'a') }
    expect(attemptLimitPolicy.decide(report(5, [failed]), rules)).toEqual({ kind: 'nack', delayMs: 0 })
  })

  it('keeps retrying while any failed rule has attempts left', () => {
    const targets: TargetReport[] = [
      { rule: 'one', target: 'a', outcome: 'failed', error: new Error('x') },
      { rule: 'three', target: 'b', outcome: 'failed', error: new Error('y') },
    ]
    expect(attemptLimitPolicy.decide(report(1, targets), rules).kind).toBe('nack')
  })
})

describe('the attempt limit with a memory of succeeded targets', () => {
  const ok = (target: string): TargetReport => ({ rule: 'three', target, outcome: 'ok' })
  const failed = (target: string): TargetReport => ({ rule: 'three', target, outcome: 'failed', error: new Error('x') })

  it('skips on the next attempt the targets that succeeded, and forgets the event once it is settled', () => {
    const policy = createAttemptLimitPolicy()
    expect(policy.skipFor?.(event, 1)).toBeUndefined()
    expect(policy.decide(report(1, [ok('a'), failed('b')]), rules).kind).toBe('nack')
    const skip = policy.skipFor?.(event, 2)
    expect([skip?.('three', 'a'), skip?.('three', 'b')]).toEqual([true, false])
    expect(policy.decide(report(2, [{ rule: 'three', target: 'a', outcome: 'skipped' }, ok('b')]), rules).kind).toBe('ack')
    expect(policy.skipFor?.(event, 3)).toBeUndefined()
  })

  it('remembers at most the configured number of events, dropping the oldest', () => {
    const policy = createAttemptLimitPolicy({ rememberEvents: 1 })
    const second: CloudEvent = { ...event, id: '2' }
    policy.decide(report(1, [ok('a'), failed('b')]), rules)
    policy.decide({ ...report(1, [ok('a'), failed('b')]), event: second }, rules)
    expect(policy.skipFor?.(event, 2)).toBeUndefined()
    expect(policy.skipFor?.(second, 2)?.('three', 'a')).toBe(true)
  })
})

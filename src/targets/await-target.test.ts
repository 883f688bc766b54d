import { describe, expect, it } from 'vitest'
import { ErrorCodes } from '../errors.js'
import { createMetrics } from '../engine/metrics.js'
import { noopLogger } from '../engine/noop-logger.js'
import { awaitTarget, ShutdownAbortError, TargetTimeoutError, type PendingAttempts } from './await-target.js'
import { TargetContext } from './target-context.js'

const context = () => new TargetContext('rule', 'target', 1, noopLogger, createMetrics())

describe('awaiting a target attempt', () => {
  it('reports what a resolving attempt published and unregisters itself', async () => {
    const pending: PendingAttempts = new Set()
    const outcome = await awaitTarget(Promise.resolve(undefined), context(), 1_000, pending)
    expect(outcome).toEqual({ ok: true, published: undefined })
    expect(pending.size).toBe(0)
  })

  it('reports a rejection as a failure without rejecting itself', async () => {
    const outcome = await awaitTarget(Promise.reject(new Error('nope')), context(), 1_000, new Set())
    expect(outcome.ok).toBe(false)
  })

  it('times out an attempt that never settles and aborts its signal with the timeout error', async () => {
    const ctx = context()
    const signal = ctx.signal
    const outcome = await awaitTarget(new Promise(() => undefined), ctx, 10, new Set())
    expect(outcome.ok === false && outcome.error).toBeInstanceOf(TargetTimeoutError)
    expect(outcome.ok === false && (outcome.error as TargetTimeoutError).code).toBe(ErrorCodes.TARGET_TIMEOUT)
    expect(signal.aborted).toBe(true)
  })

  it('lets the engine cut an attempt loose on shutdown; a signal read afterwards is aborted too', async () => {
    const pending: PendingAttempts = new Set()
    const ctx = context()
    const waiting = awaitTarget(new Promise(() => undefined), ctx, 60_000, pending)
    expect(pending.size).toBe(1)
    for (const cutLoose of pending) cutLoose()
    const outcome = await waiting
    expect(outcome.ok === false && outcome.error).toBeInstanceOf(ShutdownAbortError)
    expect(ctx.signal.aborted).toBe(true)
    expect(pending.size).toBe(0)
  })
})

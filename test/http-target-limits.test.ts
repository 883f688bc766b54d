import { afterEach, describe, expect, it, vi } from 'vitest'
import { CircuitBreaker } from '../src/targets/http-target-breaker.js'
import { RequestLimiter } from '../src/targets/http-target-limiter.js'

afterEach(() => {
  vi.useRealTimers()
})

describe('the request limiter', () => {
  it('spaces request starts evenly at the rate limit', async () => {
    vi.useFakeTimers({ now: 0 })
    const limiter = new RequestLimiter(undefined, 10)
    const started: number[] = []
    for (let i = 0; i < 3; i++) void limiter.acquire(undefined).then(() => started.push(Date.now()))
    await vi.advanceTimersByTimeAsync(0)
    expect(started).toEqual([0])
    await vi.advanceTimersByTimeAsync(100)
    expect(started).toEqual([0, 100])
    await vi.advanceTimersByTimeAsync(100)
    expect(started).toEqual([0, 100, 200])
  })

  it('hands a released slot to the first waiter, never to a newcomer', async () => {
    const limiter = new RequestLimiter(1, undefined)
    const order: string[] = []
    const release = await limiter.acquire(undefined)
    const waiter = limiter.acquire(undefined).then((r) => (order.push('waiter'), r))
    release()
    const newcomer = limiter.acquire(undefined).then((r) => (order.push('newcomer'), r))
    ;(await waiter)()
    await newcomer
    expect(order).toEqual(['waiter', 'newcomer'])
  })

  it('drops a waiter whose signal aborts, without losing the slot', async () => {
    const limiter = new RequestLimiter(1, undefined)
    const release = await limiter.acquire(undefined)
    const controller = new AbortController()
    const gone = limiter.acquire(controller.signal)
    controller.abort(new Error('timed out'))
    await expect(gone).rejects.toThrow('timed out')
    release()
    const next = await limiter.acquire(undefined)
    expect(typeof next).toBe('function')
  })
})

describe('the circuit breaker', () => {
  it('opens after the threshold, admits one probe after the cool-down, and closes on its success', () => {
    let now = 0
    const breaker = new CircuitBreaker({ failureThreshold: 3, cooldownMs: 1000 }, () => now)
    for (let i = 0; i < 2; i++) {
      expect(breaker.admit()).toBeUndefined()
      expect(breaker.failed()).toBe(false)
    }
    expect(breaker.failed()).toBe(true)
    expect(breaker.state).toBe('open')
    now = 400
    expect(breaker.admit()).toBe(600)
    now = 1000
    expect(breaker.admit()).toBeUndefined()
    expect(breaker.state).toBe('half-open')
    expect(breaker.admit()).toBeGreaterThan(0)
    breaker.succeeded()
    expect(breaker.state).toBe('closed')
    expect(breaker.admit()).toBeUndefined()
  })

  it('opens again when the probe fails, and frees the probe slot when the probe never reached the receiver', () => {
    let now = 0
    const breaker = new CircuitBreaker({ failureThreshold: 1, cooldownMs: 100 }, () => now)
    breaker.failed()
    now = 100
    expect(breaker.admit()).toBeUndefined()
    breaker.cancelled()
    expect(breaker.admit()).toBeUndefined()
    expect(breaker.failed()).toBe(true)
    expect(breaker.state).toBe('open')
    expect(breaker.admit()).toBe(100)
  })

  it('resets its count of consecutive failures on a success', () => {
    const breaker = new CircuitBreaker({ failureThreshold: 2 })
    breaker.failed()
    breaker.succeeded()
    expect(breaker.failed()).toBe(false)
    expect(breaker.state).toBe('closed')
  })
})

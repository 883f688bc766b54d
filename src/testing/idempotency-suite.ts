import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { IdempotencyStore } from '../delivery/idempotency.js'

export interface IdempotencyStoreSuiteOptions {
  /** Creates a store; two stores from one suite run must share state (two workers, one database). */
  createStore(): Promise<IdempotencyStore> | IdempotencyStore
  /** Lease and TTL used by the expiry tests; raise it for stores on slow networks. Default 200 ms. */
  readonly shortMs?: number
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * The contract every IdempotencyStore must keep, run against the real backing service. Keys are unique
 * per run, so stores shared between runs do not disturb each other.
 */
export function runIdempotencyStoreSuite(name: string, options: IdempotencyStoreSuiteOptions): void {
  const shortMs = options.shortMs ?? 200
  const longMs = 60_000

  describe(`idempotency store conformance: ${name}`, () => {
    let a: IdempotencyStore
    let b: IdempotencyStore
    const run = randomUUID()
    const key = (label: string) => `${run}:${label}`

    beforeAll(async () => {
      a = await options.createStore()
      b = await options.createStore()
    })
    afterAll(async () => {
      await a?.close()
      await b?.close()
    })

    it('claims a fresh key once and reports the live lease as in progress', async () => {
      expect(await a.claim(key('fresh'), longMs)).toBe('claimed')
      expect(await a.claim(key('fresh'), longMs)).toBe('in-progress')
      expect(await b.claim(key('fresh'), longMs)).toBe('in-progress')
    })

    it('lets exactly one of many concurrent claims win, across two store instances', async () => {
      const k = key('race')
      const results = await Promise.all(Array.from({ length: 50 }, (_, i) => (i % 2 ? a : b).claim(k, longMs)))
      expect(results.filter((r) => r === 'claimed')).toHaveLength(1)
      expect(results.filter((r) => r === 'in-progress')).toHaveLength(49)
    })

    it('lets another worker claim once a lease expires', async () => {
      const k = key('lease')
      expect(await a.claim(k, shortMs)).toBe('claimed')
      expect(await b.claim(k, longMs)).toBe('in-progress')
      await sleep(shortMs * 2 + 50)
      expect(await b.claim(k, longMs)).toBe('claimed')
    })

    it('reports completed over any later claim, from any worker', async () => {
      const k = key('done')
      expect(await a.claim(k, longMs)).toBe('claimed')
      await a.complete(k, longMs)
      expect(await a.claim(k, longMs)).toBe('completed')
      expect(await b.claim(k, longMs)).toBe('completed')
    })

    it('marks completed even when the lease had already run out', async () => {
      const k = key('late')
      expect(await a.claim(k, shortMs)).toBe('claimed')
      await sleep(shortMs * 2 + 50)
      await a.complete(k, longMs)
      expect(await b.claim(k, longMs)).toBe('completed')
    })

    it('lets a retry claim again after release', async () => {
      const k = key('release')
      expect(await a.claim(k, longMs)).toBe('claimed')
      await a.release(k)
      expect(await b.claim(k, longMs)).toBe('claimed')
    })

    it('never lets release undo a completion', async () => {
      const k = key('release-done')
      expect(await a.claim(k, longMs)).toBe('claimed')
      await a.complete(k, longMs)
      await b.release(k)
      expect(await a.claim(k, longMs)).toBe('completed')
    })

    it('forgets a completion after its TTL', async () => {
      const k = key('ttl')
      expect(await a.claim(k, longMs)).toBe('claimed')
      await a.complete(k, shortMs)
      expect(await b.claim(k, longMs)).toBe('completed')
      await sleep(shortMs * 2 + 50)
      expect(await b.claim(k, longMs)).toBe('claimed')
    })

    it('keeps keys apart', async () => {
      expect(await a.claim(key('one'), longMs)).toBe('claimed')
      await a.complete(key('one'), longMs)
      expect(await a.claim(key('two'), longMs)).toBe('claimed')
      expect(await a.claim(key('one-'), longMs)).toBe('claimed')
    })
  })
}

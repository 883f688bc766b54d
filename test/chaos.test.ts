import { describe, expect, it } from 'vitest'
import { runChaos } from './chaos/run-chaos.js'

// The crash test at a size that fits `npm test`; `npm run chaos` runs it with 10,000 events and 20 kills.
describe('crash test on the embedded log', () => {
  it('loses no event and repeats no side effect with idempotency on, while workers are kill -9ed', async () => {
    const result = await runChaos({ events: 800, kills: 5, workers: 2, idempotency: true, seed: 7, timeoutMs: 90_000 })
    expect(result.kills).toBe(5)
    expect(result.missing).toBe(0)
    expect(result.repeats).toBe(0)
  }, 120_000)
})

import { createRequire } from 'node:module'

/** The part of autocannon's result the HTTP benchmarks read. */
export interface AutocannonResult {
  readonly duration: number
  readonly latency: { readonly p50: number; readonly p99: number }
  readonly '2xx': number
  readonly non2xx: number
  readonly errors: number
  readonly timeouts: number
}

// autocannon ships no types; this is the slice of its API used here.
type Autocannon = (options: Record<string, unknown>) => Promise<AutocannonResult>
export const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon

/**
 * A circuit breaker: after `failureThreshold` consecutive failures it opens and refuses attempts for
 * `cooldownMs`; then it lets exactly one probe through (half-open). A successful probe closes it, a failed
 * one opens it again. It spares a dead receiver a flood of doomed requests and the engine their timeouts.
 */
export interface CircuitBreakerOptions {
  /** Consecutive failures that open the breaker. Default 5. */
  readonly failureThreshold?: number
  /** How long it stays open before a probe. Default 30 000 ms. */
  readonly cooldownMs?: number
}

export type BreakerState = 'closed' | 'open' | 'half-open'

export class CircuitBreaker {
  readonly failureThreshold: number
  readonly cooldownMs: number
  #failures = 0
  #openedAt = 0
  #state: BreakerState = 'closed'
  #probing = false

  constructor(options: CircuitBreakerOptions, private readonly now: () => number = Date.now) {
    this.failureThreshold = options.failureThreshold ?? 5
    this.cooldownMs = options.cooldownMs ?? 30_000
  }

  get state(): BreakerState {
    return this.#state
  }

  /** Undefined when the attempt may go; else milliseconds until one may. */
  admit(): number | undefined {
    if (this.#state === 'closed') return undefined
    const waited = this.now() - this.#openedAt
    if (this.#state === 'open' && waited >= this.cooldownMs) this.#state = 'half-open'
    if (this.#state === 'half-open' && !this.#probing) {
      this.#probing = true
      return undefined
    }
    return Math.max(1, this.cooldownMs - waited)
  }

  succeeded(): void {
    this.#failures = 0
    this.#probing = false
    this.#state = 'closed'
  }

  /** Returns true when this failure opened the breaker. */
  failed(): boolean {
    this.#failures++
    const wasProbe = this.#probing
    this.#probing = false
    if (wasProbe || (this.#state === 'closed' && this.#failures >= this.failureThreshold)) {
      this.#state = 'open'
      this.#openedAt = this.now()
      return true
    }
    return false
  }

  /** An admitted attempt that never reached the receiver (aborted while queued, engine stopping): its probe slot is freed. */
  cancelled(): void {
    this.#probing = false
  }
}

/** Per-key token buckets: `ratePerSecond` tokens refill each second, up to `burst`. */
export class TokenBuckets {
  private readonly buckets = new Map<string, { tokens: number; at: number }>()

  constructor(
    private readonly ratePerSecond: number,
    private readonly burst: number,
    private readonly now: () => number = () => performance.now(),
    /** Bounds the memory an address-spraying client can cost; the oldest buckets go first. */
    private readonly maxKeys = 100_000,
  ) {}

  /** Takes one token: 0 when allowed, else the whole seconds until a token is back (for Retry-After). */
  take(key: string): number {
    const now = this.now()
    let bucket = this.buckets.get(key)
    if (bucket === undefined) {
      if (this.buckets.size >= this.maxKeys) {
        const oldest = this.buckets.keys().next()
        if (oldest.done !== true) this.buckets.delete(oldest.value)
      }
      bucket = { tokens: this.burst, at: now }
      this.buckets.set(key, bucket)
    } else {
      bucket.tokens = Math.min(this.burst, bucket.tokens + ((now - bucket.at) / 1000) * this.ratePerSecond)
      bucket.at = now
    }
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1
      return 0
    }
    return Math.max(1, Math.ceil((1 - bucket.tokens) / this.ratePerSecond))
  }
}

import type { HandlerContext, Logger } from '../engine/types.js'
import type { Metrics } from '../engine/metrics.js'

/**
 * The context a target attempt runs with. Its AbortController is made only when a handler reads
 * `signal`: most handlers never do, and the per-event path should not pay for one.
 */
export class TargetContext implements HandlerContext {
  #controller: AbortController | undefined
  #abortReason: unknown
  #aborted = false
  /** Set by the idempotency wrapper before the handler runs. */
  idempotencyKey: string | undefined = undefined

  constructor(
    readonly rule: string,
    readonly target: string,
    readonly attempt: number,
    readonly logger: Logger,
    readonly metrics: Metrics,
  ) {}

  get signal(): AbortSignal {
    if (this.#controller === undefined) {
      this.#controller = new AbortController()
      if (this.#aborted) this.#controller.abort(this.#abortReason)
    }
    return this.#controller.signal
  }

  /** Tells the handler to give up (timeout or shutdown). Later reads of `signal` see it aborted too. */
  abort(reason: unknown): void {
    if (this.#aborted) return
    this.#aborted = true
    this.#abortReason = reason
    this.#controller?.abort(reason)
  }
}

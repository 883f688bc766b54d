import { SepalError, ErrorCodes } from '../errors.js'
import type { TargetContext } from './target-context.js'
import type { TargetRunResult } from './types.js'

/** A target attempt did not finish in time. Its `signal` has been aborted with this error. */
export class TargetTimeoutError extends SepalError {
  constructor(rule: string, target: string, readonly timeoutMs: number) {
    super(
      ErrorCodes.TARGET_TIMEOUT,
      `target "${target}" of rule "${rule}" did not finish within ${timeoutMs} ms; raise its timeoutMs or make it honour ctx.signal`,
    )
  }
}

/** The engine stopped past its drain budget while the attempt ran. Never a reason to dead-letter. */
export class ShutdownAbortError extends SepalError {
  constructor(rule: string, target: string) {
    super(ErrorCodes.CLOSED, `target "${target}" of rule "${rule}" was aborted because the engine stopped; it will be redelivered`)
  }
}

export type AttemptOutcome =
  | { readonly ok: true; readonly published: TargetRunResult }
  | { readonly ok: false; readonly error: unknown }

/** Where pending attempts register, so a stop past its budget can cut them loose. */
export type PendingAttempts = Set<() => void>

/**
 * Waits for an asynchronous attempt, but no longer than its timeout or the engine's hard stop. Either
 * way the handler's signal is aborted and the attempt fails; a handler that never resolves therefore
 * cannot hold a delivery (or `stop()`) forever. Never rejects.
 */
export function awaitTarget(
  attempt: Promise<TargetRunResult>,
  ctx: TargetContext,
  timeoutMs: number,
  pending: PendingAttempts,
): Promise<AttemptOutcome> {
  return new Promise<AttemptOutcome>((resolve) => {
    let done = false
    const finish = (outcome: AttemptOutcome): void => {
      if (done) return
      done = true
      clearTimeout(timer)
      pending.delete(cutLoose)
      resolve(outcome)
    }
    const cutLoose = (): void => {
      const error = new ShutdownAbortError(ctx.rule, ctx.target)
      ctx.abort(error)
      finish({ ok: false, error })
    }
    const timer = setTimeout(() => {
      const error = new TargetTimeoutError(ctx.rule, ctx.target, timeoutMs)
      ctx.abort(error)
      finish({ ok: false, error })
    }, timeoutMs)
    pending.add(cutLoose)
    attempt.then(
      (published) => finish({ ok: true, published }),
      (error: unknown) => finish({ ok: false, error }),
    )
  })
}

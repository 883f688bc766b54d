import { ErrorCodes, SepalError } from '../../../src/errors.js'
import { FuzzFailure, describeThrown } from './failure.js'

/** What one case did: the input was taken, or refused with a stable code (an error code, an HTTP status and code…). */
export type Outcome = { readonly kind: 'accepted' } | { readonly kind: 'rejected'; readonly code: string }

export const accepted: Outcome = { kind: 'accepted' }

export function rejected(code: string): Outcome {
  return { kind: 'rejected', code }
}

/**
 * The code of a rejection thrown by sepal. Anything that is not a SepalError carrying a `SEPAL_ERR_*` code
 * (a TypeError from deep inside a parser, say) or that calls itself internal is a failure.
 */
export function codeOf(error: unknown): string {
  if (error instanceof FuzzFailure) throw error
  if (!(error instanceof SepalError) || typeof error.code !== 'string' || !error.code.startsWith('SEPAL_ERR_')) {
    throw new FuzzFailure(`rejected with an uncoded error: ${describeThrown(error)}`, { cause: error })
  }
  if (error.code === ErrorCodes.INTERNAL) {
    throw new FuzzFailure(`rejected as an internal error: ${describeThrown(error)}`, { cause: error })
  }
  if (typeof error.message !== 'string' || error.message.length === 0) {
    throw new FuzzFailure(`rejected with an empty message (${error.code})`, { cause: error })
  }
  return error.code
}

/** Runs a parser call: accepted when it returns, rejected with its code when it throws a coded error. */
export async function outcomeOf(work: () => unknown): Promise<Outcome> {
  try {
    await work()
    return accepted
  } catch (error) {
    return rejected(codeOf(error))
  }
}

/**
 * The outcome of an HTTP answer: 2xx is accepted; 4xx must carry a JSON body with a `code` (sepal's problem
 * body) or `__type` (the AWS JSON 1.1 error shape); anything else — 5xx, 3xx, a body without a code — fails.
 */
export async function httpOutcome(response: Response): Promise<Outcome> {
  const text = await response.text()
  if (response.status >= 200 && response.status < 300) return accepted
  if (response.status < 400 || response.status >= 500) {
    throw new FuzzFailure(`answered ${response.status}: ${text.slice(0, 500)}`)
  }
  let body: unknown
  try {
    body = JSON.parse(text)
  } catch {
    throw new FuzzFailure(`answered ${response.status} without a JSON body: ${JSON.stringify(text.slice(0, 500))}`)
  }
  const record = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {}
  const code = typeof record['code'] === 'string' ? record['code'] : typeof record['__type'] === 'string' ? record['__type'] : undefined
  if (code === undefined) throw new FuzzFailure(`answered ${response.status} with a body carrying no code: ${text.slice(0, 500)}`)
  if (code === ErrorCodes.INTERNAL) throw new FuzzFailure(`answered ${response.status} with ${code}: ${text.slice(0, 500)}`)
  return rejected(`${response.status} ${code}`)
}

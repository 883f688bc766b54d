import { ErrorCodes } from '../errors.js'

/** One thing wrong with the input: the CloudEvents attribute, or a JSON pointer into the body. */
export interface Problem {
  readonly attribute?: string
  readonly pointer?: string
  readonly message: string
}

/** Every non-2xx answer of the HTTP server has this JSON body. */
export interface ProblemBody {
  readonly code: string
  readonly message: string
  readonly problems: readonly Problem[]
}

const JSON_TYPE = 'application/json; charset=utf-8'

/** An answer as plain data, so it can be written as a fetch `Response` or straight to node:http. */
export interface HttpOutcome {
  readonly status: number
  /** JSON text. */
  readonly body: string
  /** Extra headers besides content-type (e.g. `allow`, `retry-after`, `connection`). */
  readonly headers?: Readonly<Record<string, string>>
}

export function jsonOutcome(status: number, body: unknown, headers?: Readonly<Record<string, string>>): HttpOutcome {
  return headers === undefined ? { status, body: JSON.stringify(body) } : { status, body: JSON.stringify(body), headers }
}

export function problemOutcome(
  status: number,
  code: string,
  message: string,
  options: { problems?: readonly Problem[]; headers?: Readonly<Record<string, string>> } = {},
): HttpOutcome {
  const body: ProblemBody = { code, message, problems: options.problems ?? [] }
  return jsonOutcome(status, body, options.headers)
}

const JSON_HEADERS = { 'content-type': JSON_TYPE } as const

export function toResponse(outcome: HttpOutcome): Response {
  const headers = outcome.headers === undefined ? JSON_HEADERS : { ...JSON_HEADERS, ...outcome.headers }
  return new Response(outcome.body, { status: outcome.status, headers })
}

/** Header record for `ServerResponse.writeHead`, content-length included. */
export function nodeHeaders(outcome: HttpOutcome): Record<string, string | number> {
  const headers: Record<string, string | number> = { 'content-type': JSON_TYPE, 'content-length': Buffer.byteLength(outcome.body) }
  if (outcome.headers !== undefined) Object.assign(headers, outcome.headers)
  return headers
}

export function jsonResponse(status: number, body: unknown, headers?: Readonly<Record<string, string>>): Response {
  return toResponse(jsonOutcome(status, body, headers))
}

export function problemResponse(
  status: number,
  code: string,
  message: string,
  options: { problems?: readonly Problem[]; headers?: Readonly<Record<string, string>> } = {},
): Response {
  return toResponse(problemOutcome(status, code, message, options))
}

function toProblems(value: unknown): Problem[] {
  if (!Array.isArray(value)) return []
  const problems: Problem[] = []
  for (const item of value) {
    if (item === null || typeof item !== 'object') continue
    const record = item as Record<string, unknown>
    const message = typeof record['message'] === 'string' ? record['message'] : 'invalid'
    if (typeof record['attribute'] === 'string') problems.push({ attribute: record['attribute'], message })
    else if (typeof record['pointer'] === 'string') problems.push({ pointer: record['pointer'], message })
    else problems.push({ message })
  }
  return problems
}

const UNSUPPORTED_MEDIA_TYPE = 'SEPAL_ERR_UNSUPPORTED_MEDIA_TYPE'

/**
 * Turns what the CloudEvents decoder threw into an answer. Its coded errors are the client's fault
 * (400 / 415 / 413); anything else is a bug in sepal and must not be blamed on the client (500).
 */
export function decodeErrorOutcome(error: unknown): { outcome: HttpOutcome; clientFault: boolean } {
  const code = (error as { code?: unknown } | null)?.code
  const message = error instanceof Error ? error.message : String(error)
  if (code === ErrorCodes.EVENT_INVALID) {
    const problems = toProblems((error as { problems?: unknown }).problems)
    return { outcome: problemOutcome(400, code, message, { problems }), clientFault: true }
  }
  if (code === UNSUPPORTED_MEDIA_TYPE) {
    return { outcome: problemOutcome(415, code, message), clientFault: true }
  }
  if (code === ErrorCodes.PAYLOAD_TOO_LARGE) {
    return { outcome: problemOutcome(413, code, message), clientFault: true }
  }
  return {
    outcome: problemOutcome(500, ErrorCodes.INTERNAL, 'the events could not be decoded because of an internal error; nothing was accepted, retry later'),
    clientFault: false,
  }
}

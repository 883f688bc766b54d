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

const JSON_HEADERS = { 'content-type': 'application/json; charset=utf-8' } as const

export function jsonResponse(status: number, body: unknown, headers?: Readonly<Record<string, string>>): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: headers === undefined ? JSON_HEADERS : { ...JSON_HEADERS, ...headers },
  })
}

export function problemResponse(
  status: number,
  code: string,
  message: string,
  options: { problems?: readonly Problem[]; headers?: Readonly<Record<string, string>> } = {},
): Response {
  const body: ProblemBody = { code, message, problems: options.problems ?? [] }
  return jsonResponse(status, body, options.headers)
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
export function decodeErrorResponse(error: unknown): { response: Response; clientFault: boolean } {
  const code = (error as { code?: unknown } | null)?.code
  const message = error instanceof Error ? error.message : String(error)
  if (code === ErrorCodes.EVENT_INVALID) {
    const problems = toProblems((error as { problems?: unknown }).problems)
    return { response: problemResponse(400, code, message, { problems }), clientFault: true }
  }
  if (code === UNSUPPORTED_MEDIA_TYPE) {
    return { response: problemResponse(415, code, message), clientFault: true }
  }
  if (code === ErrorCodes.PAYLOAD_TOO_LARGE) {
    return { response: problemResponse(413, code, message), clientFault: true }
  }
  return {
    response: problemResponse(500, ErrorCodes.INTERNAL, 'the events could not be decoded because of an internal error; nothing was accepted, retry later'),
    clientFault: false,
  }
}

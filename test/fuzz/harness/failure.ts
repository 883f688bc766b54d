/** A broken requirement found by a fuzz case: a crash, a hang, an uncoded rejection or a 5xx. */
export class FuzzFailure extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'FuzzFailure'
  }
}

/** A short description of anything thrown, for failure messages. */
export function describeThrown(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code
    const stack = error.stack?.split('\n').slice(0, 6).join('\n') ?? `${error.name}: ${error.message}`
    return code === undefined ? stack : `[code ${String(code)}] ${stack}`
  }
  return `a non-Error value: ${safeJson(error)}`
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value)
  } catch {
    return String(value)
  }
}

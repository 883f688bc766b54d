import type { Readable } from 'node:stream'

/**
 * The outcome of reading a request body under a hard byte limit. Reading stops as soon as the limit is
 * passed, so an oversized body never sits in memory; `complete: false` tells the caller the rest of the
 * body is still on the wire (the connection should then be closed, not reused).
 */
export type BodyReadResult =
  | { readonly kind: 'ok'; readonly body: Uint8Array }
  | { readonly kind: 'too-large'; readonly complete: boolean }
  | { readonly kind: 'aborted' }

const EMPTY = new Uint8Array(0)

function declaredLength(contentLength: string | null | undefined): number | undefined {
  if (contentLength === undefined || contentLength === null || contentLength === '') return undefined
  const n = Number(contentLength)
  return Number.isSafeInteger(n) && n >= 0 ? n : undefined
}

function join(chunks: Uint8Array[], total: number): Uint8Array {
  if (chunks.length === 1) return chunks[0] as Uint8Array
  const out = new Uint8Array(total)
  let at = 0
  for (const chunk of chunks) {
    out.set(chunk, at)
    at += chunk.length
  }
  return out
}

/** Reads a Node request stream (the fast path under node:http). */
export function readNodeBody(
  incoming: Readable,
  contentLength: string | undefined,
  limit: number,
): Promise<BodyReadResult> {
  const declared = declaredLength(contentLength)
  if (declared !== undefined && declared > limit) {
    return Promise.resolve({ kind: 'too-large', complete: false })
  }
  if (incoming.readableEnded) return Promise.resolve({ kind: 'ok', body: EMPTY })
  return new Promise((resolve) => {
    const chunks: Uint8Array[] = []
    let total = 0
    const finish = (result: BodyReadResult): void => {
      incoming.off('data', onData)
      incoming.off('end', onEnd)
      incoming.off('error', onAbort)
      incoming.off('close', onClose)
      resolve(result)
    }
    const onData = (chunk: Buffer): void => {
      total += chunk.length
      if (total > limit) {
        incoming.pause()
        finish({ kind: 'too-large', complete: false })
        return
      }
      chunks.push(chunk)
    }
    const onEnd = (): void => finish({ kind: 'ok', body: total === 0 ? EMPTY : join(chunks, total) })
    const onAbort = (): void => finish({ kind: 'aborted' })
    // 'close' before 'end' means the client went away mid-body.
    const onClose = (): void => {
      if (!incoming.readableEnded) onAbort()
    }
    incoming.on('data', onData)
    incoming.on('end', onEnd)
    incoming.on('error', onAbort)
    incoming.on('close', onClose)
  })
}

/** Reads a WHATWG body stream (in-process `app.request()`, or any runtime without node:http). */
export async function readWebBody(
  stream: ReadableStream<Uint8Array> | null,
  contentLength: string | null,
  limit: number,
): Promise<BodyReadResult> {
  const declared = declaredLength(contentLength)
  if (declared !== undefined && declared > limit) {
    await stream?.cancel().catch(() => undefined)
    return { kind: 'too-large', complete: false }
  }
  if (stream === null) return { kind: 'ok', body: EMPTY }
  const reader = stream.getReader()
  const chunks: Uint8Array[] = []
  let total = 0
  try {
    for (;;) {
      const { done, value } = await reader.read()
      if (done) break
      total += value.length
      if (total > limit) {
        await reader.cancel().catch(() => undefined)
        return { kind: 'too-large', complete: false }
      }
      chunks.push(value)
    }
  } catch {
    return { kind: 'aborted' }
  }
  return { kind: 'ok', body: total === 0 ? EMPTY : join(chunks, total) }
}

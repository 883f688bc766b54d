import { PassThrough } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { readNodeBody, readWebBody } from './read-body.js'

const bytes = (n: number): Uint8Array => new Uint8Array(n).fill(97)

function webStream(chunks: Uint8Array[]): ReadableStream<Uint8Array> & { pulled: () => number } {
  let pulled = 0
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      const next = chunks[pulled++]
      if (next === undefined) controller.close()
      else controller.enqueue(next)
    },
  })
  return Object.assign(stream, { pulled: () => pulled })
}

describe('readWebBody', () => {
  it('returns the whole body when it is within the limit', async () => {
    const result = await readWebBody(webStream([bytes(3), bytes(4)]), null, 7)
    expect(result).toEqual({ kind: 'ok', body: bytes(7) })
  })

  it('refuses on a declared content-length over the limit without reading', async () => {
    const stream = webStream([bytes(10)])
    const result = await readWebBody(stream, '10', 9)
    expect(result).toEqual({ kind: 'too-large', complete: false })
    expect(stream.pulled()).toBe(0)
  })

  it('stops reading as soon as the streamed bytes pass the limit', async () => {
    const stream = webStream([bytes(5), bytes(5), bytes(5), bytes(5)])
    const result = await readWebBody(stream, null, 8)
    expect(result.kind).toBe('too-large')
    expect(stream.pulled()).toBeLessThan(4)
  })

  it('treats a missing body as empty', async () => {
    expect(await readWebBody(null, null, 1)).toEqual({ kind: 'ok', body: new Uint8Array(0) })
  })
})

describe('readNodeBody', () => {
  it('returns the whole body when it is within the limit', async () => {
    const incoming = new PassThrough()
    const reading = readNodeBody(incoming, undefined, 10)
    incoming.write(Buffer.from('hello '))
    incoming.end(Buffer.from('you'))
    const result = await reading
    expect(result.kind).toBe('ok')
    expect(result.kind === 'ok' && Buffer.from(result.body).toString()).toBe('hello you')
  })

  it('refuses on a declared content-length over the limit', async () => {
    expect(await readNodeBody(new PassThrough(), '11', 10)).toEqual({ kind: 'too-large', complete: false })
  })

  it('stops and pauses the stream once the limit is passed', async () => {
    const incoming = new PassThrough()
    const reading = readNodeBody(incoming, undefined, 4)
    incoming.write(Buffer.from('abc'))
    incoming.write(Buffer.from('defgh'))
    expect(await reading).toEqual({ kind: 'too-large', complete: false })
    expect(incoming.isPaused()).toBe(true)
  })

  it('reports a client that goes away mid-body as aborted', async () => {
    const incoming = new PassThrough()
    const reading = readNodeBody(incoming, undefined, 100)
    incoming.write(Buffer.from('abc'))
    incoming.destroy()
    expect(await reading).toEqual({ kind: 'aborted' })
  })
})

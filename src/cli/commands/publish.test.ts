import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { publishCommand } from './publish.js'
import { eventFromFlags, parseEventsText, PublishInputError } from './publish-input.js'
import { recordingIo } from './test-io.js'

const folder = mkdtempSync(join(tmpdir(), 'sepal-publish-'))
const received: { contentType: string | undefined; body: unknown }[] = []
let server: Server
let url: string

beforeAll(async () => {
  server = createServer((req: IncomingMessage, res) => {
    let body = ''
    req.on('data', (chunk: Buffer) => (body += chunk.toString()))
    req.on('end', () => {
      received.push({ contentType: req.headers['content-type'], body: JSON.parse(body) as unknown })
      res.writeHead(202).end()
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve))
  rmSync(folder, { recursive: true, force: true })
})

describe('events from flags', () => {
  it('reads --data as JSON when it parses, else as text, and adds extensions', () => {
    const event = eventFromFlags({ type: 'OrderPlaced', source: 'app.orders', data: '{"orderId":"o-1"}', extension: ['tenant=acme'] })
    expect(event).toMatchObject({ specversion: '1.0', type: 'OrderPlaced', source: 'app.orders', data: { orderId: 'o-1' }, datacontenttype: 'application/json', tenant: 'acme' })
    expect(eventFromFlags({ type: 't', source: 's', data: 'hello', extension: [] })).toMatchObject({ data: 'hello', datacontenttype: 'text/plain' })
  })

  it('refuses an extension without "=" and an event without type', () => {
    expect(() => eventFromFlags({ type: 't', source: 's', extension: ['tenant'] })).toThrow(/must be name=value/)
    expect(() => eventFromFlags({ source: 's', extension: [] })).toThrow(PublishInputError)
  })
})

describe('events from a file', () => {
  it('reads a JSON array, one JSON event, or NDJSON', () => {
    const one = { specversion: '1.0', id: '1', source: 's', type: 't' }
    expect(parseEventsText(JSON.stringify([one, { ...one, id: '2' }]), 'f')).toHaveLength(2)
    expect(parseEventsText(JSON.stringify(one), 'f')).toHaveLength(1)
    expect(parseEventsText(`${JSON.stringify(one)}\n\n${JSON.stringify({ ...one, id: '2' })}\n`, 'f').map((e) => e.id)).toEqual(['1', '2'])
  })

  it('names the line of a bad NDJSON event', () => {
    const one = JSON.stringify({ specversion: '1.0', id: '1', source: 's', type: 't' })
    expect(() => parseEventsText(`${one}\n${one.replace('"type":"t"', '"type":""')}\n`, 'events.ndjson')).toThrow(/^events\.ndjson:2: /)
  })
})

describe('sepal publish', () => {
  it('posts one event from flags as application/cloudevents+json', async () => {
    received.length = 0
    const io = recordingIo()
    expect(await publishCommand.run(['--url', url, '--type', 'OrderPlaced', '--source', 'app.orders', '--id', 'o-1', '--data', '{"a":1}'], io)).toBe(0)
    expect(io.out()).toBe(`published o-1 (OrderPlaced) to ${url}/events\n`)
    expect(received).toEqual([{ contentType: 'application/cloudevents+json', body: expect.objectContaining({ id: 'o-1', data: { a: 1 } }) }])
  })

  it('posts a long file as batches of at most 100 events', async () => {
    received.length = 0
    const lines = Array.from({ length: 250 }, (_, i) => JSON.stringify({ specversion: '1.0', id: `e-${i}`, source: 's', type: 't' }))
    writeFileSync(join(folder, 'many.ndjson'), lines.join('\n'))
    const io = recordingIo({ cwd: folder })
    expect(await publishCommand.run(['--file', 'many.ndjson', '--url', url, '--json'], io)).toBe(0)
    expect(JSON.parse(io.out())).toMatchObject({ published: 250 })
    expect(received.map((r) => [r.contentType, (r.body as unknown[]).length])).toEqual([
      ['application/cloudevents-batch+json', 100],
      ['application/cloudevents-batch+json', 100],
      ['application/cloudevents-batch+json', 50],
    ])
  })

  it('writes straight into a transport with --transport', async () => {
    const io = recordingIo()
    expect(await publishCommand.run(['--transport', 'memory:', '--type', 't', '--source', 's'], io)).toBe(0)
    expect(io.out()).toMatch(/to memory:\n$/)
  })

  it('exits 2 for an invalid file and 1 when nothing listens at --url', async () => {
    writeFileSync(join(folder, 'bad.json'), '[{"specversion":"0.3","id":"1","source":"s","type":"t"}]')
    const bad = recordingIo({ cwd: folder })
    expect(await publishCommand.run(['--file', 'bad.json'], bad)).toBe(2)
    expect(bad.err()).toContain('specversion')
    const closed = createServer()
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve))
    const freePort = (closed.address() as AddressInfo).port
    await new Promise((resolve) => closed.close(resolve))
    const down = recordingIo()
    expect(await publishCommand.run(['--url', `http://127.0.0.1:${freePort}`, '--type', 't', '--source', 's'], down)).toBe(1)
    expect(down.err()).toContain(`cannot reach http://127.0.0.1:${freePort}/events (ECONNREFUSED)`)
  })

  it('refuses two destinations at once with exit 2', async () => {
    const io = recordingIo()
    expect(await publishCommand.run(['--url', url, '--transport', 'memory:', '--type', 't', '--source', 's'], io)).toBe(2)
  })
})

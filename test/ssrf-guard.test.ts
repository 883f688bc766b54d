import { subscribe, unsubscribe } from 'node:diagnostics_channel'
import { createServer, type Server, type Socket } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createMemoryDeadLetterStore } from '../src/delivery/dead-letter-store.js'
import { createEngine } from '../src/engine/create-engine.js'
import { createMetrics } from '../src/engine/metrics.js'
import { noopLogger } from '../src/engine/noop-logger.js'
import type { HttpTarget } from '../src/engine/types.js'
import { ErrorCodes, PermanentError } from '../src/errors.js'
import type { CloudEvent } from '../src/event/cloud-event.js'
import { compileTarget } from '../src/targets/compile-target.js'
import { refusedAddressClass } from '../src/targets/ssrf-guard-addresses.js'
import { guardedLookup, isHostAllowed, TargetAddressRefusedError } from '../src/targets/ssrf-guard.js'
import { TargetContext } from '../src/targets/target-context.js'
import { createMemoryTransport } from '../src/transports/memory/memory-transport.js'

const event: CloudEvent = { specversion: '1.0', id: 'e1', source: 'app.orders', type: 'OrderPlaced', data: { id: 1 } }

// A plain TCP listener on loopback: it counts connections, so a refusal can be shown to happen before connecting.
let server: Server
let port = 0
let accepted = 0
const open = new Set<Socket>()
beforeAll(async () => {
  server = createServer((socket) => {
    accepted++
    open.add(socket)
    socket.on('close', () => open.delete(socket))
    socket.end('HTTP/1.1 204 No Content\r\nconnection: close\r\n\r\n')
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  port = (server.address() as { port: number }).port
})
afterAll(async () => {
  for (const socket of open) socket.destroy()
  await new Promise<void>((resolve) => server.close(() => resolve()))
})

/** TCP connections made by anyone in this process while `run` is going on (Node's net.client.socket channel). */
async function connectionsMadeDuring(run: () => Promise<unknown>): Promise<number> {
  let opened = 0
  const count = (message: unknown): void => {
    ;(message as { socket: Socket }).socket.once('connect', () => opened++)
  }
  subscribe('net.client.socket', count)
  try {
    await run()
  } finally {
    unsubscribe('net.client.socket', count)
  }
  return opened
}

async function attempt(target: Omit<HttpTarget, 'kind'>, engineAllowHosts?: readonly string[]): Promise<unknown> {
  const env = { defaultTopic: 'events', publish: async () => {}, validate: (e: unknown) => e as CloudEvent, ...(engineAllowHosts === undefined ? {} : { allowHosts: engineAllowHosts }) }
  const compiled = compileTarget('orders', { kind: 'http', circuitBreaker: false, ...target }, 0, env)
  try {
    await compiled.invoke(event, new TargetContext('orders', compiled.name, 1, noopLogger, createMetrics()))
    return undefined
  } catch (error) {
    return error
  }
}

describe('address classes', () => {
  it.each([
    ['127.0.0.1', 'loopback'], ['127.255.0.9', 'loopback'], ['::1', 'loopback'], ['0.0.0.0', 'unspecified'], ['::', 'unspecified'],
    ['10.0.0.1', 'private'], ['172.16.0.1', 'private'], ['172.31.255.255', 'private'], ['192.168.1.1', 'private'], ['fc00::1', 'private'], ['fd12::3', 'private'],
    ['169.254.1.1', 'link-local'], ['fe80::1', 'link-local'], ['100.64.0.1', 'shared (CGNAT)'], ['100.127.255.254', 'shared (CGNAT)'],
    ['224.0.0.1', 'multicast'], ['ff02::1', 'multicast'], ['169.254.169.254', 'metadata'], ['fd00:ec2::254', 'metadata'],
    ['::ffff:127.0.0.1', 'loopback'], ['::ffff:a00:1', 'private'], ['::ffff:169.254.169.254', 'metadata'], ['64:ff9b::a9fe:a9fe', 'metadata'], ['2002:7f00:1::', 'loopback'],
  ])('%s is refused as %s', (address, kind) => {
    expect(refusedAddressClass(address)).toBe(kind)
  })

  it.each(['8.8.8.8', '172.32.0.1', '100.128.0.1', '192.169.0.1', '2606:4700::1111', '::ffff:8.8.8.8'])('%s is a public address and passes', (address) => {
    expect(refusedAddressClass(address)).toBeUndefined()
  })

  it('anything that is not an address is refused', () => {
    expect(refusedAddressClass('not-an-ip')).toBe('reserved')
  })
})

describe('the allow-list', () => {
  it('matches exact hosts case-insensitively, bracketed IPv6 and subdomain wildcards', () => {
    expect(isHostAllowed('LocalHost', ['localhost'])).toBe(true)
    expect(isHostAllowed('[::1]', ['::1'])).toBe(true)
    expect(isHostAllowed('hooks.internal.example', ['*.internal.example'])).toBe(true)
    expect(isHostAllowed('internal.example.evil', ['*.internal.example'])).toBe(false)
    expect(isHostAllowed('127.0.0.2', ['127.0.0.1'])).toBe(false)
  })
})

describe('HTTP targets refuse internal addresses before connecting', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['localhost', 'loopback'],
    ['[::1]', 'loopback'],
    ['[::ffff:127.0.0.1]', 'loopback'],
    ['169.254.169.254', 'metadata'],
    ['10.0.0.1', 'private'],
    ['[fd00:ec2::254]', 'metadata'],
    ['0.0.0.0', 'unspecified'],
  ])('http://%s is refused as %s, permanently, and no connection is made', async (host, kind) => {
    const before = accepted
    let error: unknown
    const connections = await connectionsMadeDuring(async () => {
      error = await attempt({ url: `http://${host}:${port}/hook` })
    })
    expect(error).toBeInstanceOf(TargetAddressRefusedError)
    expect(error).toBeInstanceOf(PermanentError)
    expect((error as TargetAddressRefusedError).code).toBe(ErrorCodes.TARGET_ADDRESS_REFUSED)
    expect((error as TargetAddressRefusedError).addressClass).toBe(kind)
    expect(connections).toBe(0)
    expect(accepted).toBe(before)
  })

  it('a target allow-listing 127.0.0.1 delivers to it', async () => {
    const before = accepted
    expect(await attempt({ url: `http://127.0.0.1:${port}/hook`, allowHosts: ['127.0.0.1'] })).toBeUndefined()
    expect(accepted).toBe(before + 1)
  })

  it('an engine-wide allow-list counts for every target', async () => {
    expect(await attempt({ url: `http://localhost:${port}/hook` }, ['localhost'])).toBeUndefined()
  })

  it('allow-listing one host does not open the others', async () => {
    const error = await attempt({ url: `http://localhost:${port}/hook`, allowHosts: ['127.0.0.1'] })
    expect(error).toBeInstanceOf(TargetAddressRefusedError)
  })

  it('the lookup hook refuses a name whose answer contains an internal address, so the socket never gets it', async () => {
    const result = await new Promise<{ error: unknown; address: unknown }>((resolve) =>
      guardedLookup('localhost', { all: true }, (error, address) => resolve({ error, address })),
    )
    expect(result.error).toBeInstanceOf(TargetAddressRefusedError)
    expect(result.address).toEqual([])
  })

  it('an engine dead-letters an event whose target is refused, with the code', async () => {
    const deadLetters = createMemoryDeadLetterStore()
    const engine = createEngine({
      transport: createMemoryTransport(),
      from: 'earliest',
      deadLetters,
      logger: noopLogger,
      rules: [{ name: 'leak', pattern: { source: ['app.orders'] }, maxAttempts: 5, targets: [{ kind: 'http', url: 'http://169.254.169.254/latest/meta-data/' }] }],
    })
    await engine.start()
    try {
      await engine.publish(event)
      const end = Date.now() + 5000
      while ((await deadLetters.list()).length === 0 && Date.now() < end) await new Promise((resolve) => setTimeout(resolve, 5))
      const [letter] = await deadLetters.list()
      expect(letter?.error).toContain('169.254.169.254')
      expect(letter?.error).toContain('metadata')
    } finally {
      await engine.stop({ drainTimeoutMs: 100 })
    }
  })
})

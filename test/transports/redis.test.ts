import { execFile } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { createServer, connect as connectTcp, type Server, type Socket } from 'node:net'
import { promisify } from 'node:util'
import { Redis } from 'ioredis'
import { afterAll, describe, expect, it } from 'vitest'
import { makeEvents, nextWithin, receiveAll } from '../../src/testing/transport-suite-helpers.js'
import { runTransportSuite } from '../../src/testing/transport-suite.js'
import type { TrimWarning } from '../../src/transports/redis/redis-trim.js'
import { createRedisTransport, type RedisTransportOptions } from '../../src/transports/redis/redis-transport.js'
import { serviceAvailable } from '../support/services.js'

const url = process.env['SEPAL_TEST_REDIS_URL'] ?? 'redis://127.0.0.1:6379'
const available = await serviceAvailable('redis', url)
const run = randomUUID().slice(0, 8)
// Keys of this run only, so the server is left as it was found.
const options: RedisTransportOptions = { url, keyPrefix: `sepaltest:${run}:` }

async function restartRedis(): Promise<void> {
  // services.sh saves the data before it stops the server, so streams and groups outlive the restart.
  await promisify(execFile)('bash', ['scripts/services.sh', 'restart', 'redis'])
}

afterAll(async () => {
  if (!available) return
  const client = new Redis(url)
  let cursor = '0'
  do {
    const [next, keys] = await client.scan(cursor, 'MATCH', `${options.keyPrefix}*`, 'COUNT', 1000)
    cursor = next
    if (keys.length > 0) await client.del(...keys)
  } while (cursor !== '0')
  await client.quit()
})

if (available) {
  runTransportSuite('redis', {
    createTransport: () => createRedisTransport(options),
    restartBroker: restartRedis,
    visibilityTimeoutMs: 400,
    // Redis itself answers in well under a second; the slack is for a machine shared with other suites.
    timeoutFactor: 2,
  })
}

describe('redis transport', () => {
  it('names the server when nothing answers at its URL', async () => {
    await expect(createRedisTransport({ url: 'redis://127.0.0.1:1', connectTimeoutMs: 1000 })).rejects.toMatchObject({
      code: 'SEPAL_ERR_TRANSPORT_UNAVAILABLE',
      message: expect.stringMatching(/^redis server at redis:\/\/127\.0\.0\.1:1 cannot be reached \(.*ECONNREFUSED.*\)/),
    })
  })

  it('rejects a URL it cannot use before connecting', async () => {
    await expect(createRedisTransport({ url: 'redis://127.0.0.1:6379/orders' })).rejects.toMatchObject({ code: 'SEPAL_ERR_TRANSPORT_URL_INVALID' })
  })

  it.runIf(available)('reads events written in structured mode and by a plain client in binary mode', async () => {
    const topic = `interop-${randomUUID().slice(0, 8)}`
    const reader = await createRedisTransport(options)
    const writer = await createRedisTransport({ ...options, mode: 'structured' })
    const subscription = await reader.subscribe(topic, { group: 'g' })
    await writer.publish(topic, makeEvents(run, 1, 0))
    const client = new Redis(url)
    await client.xadd(`${options.keyPrefix}{${topic}}`, '*', 'ce_specversion', '1.0', 'ce_id', `${run}-1`, 'ce_source', 'other', 'ce_type', 't',
      'content-type', 'application/json', 'data', '{"i":1}')
    await client.quit()
    const seen = []
    for (let i = 0; i < 2; i++) {
      const delivery = await nextWithin(subscription, 10_000)
      seen.push(delivery?.event)
      await delivery?.ack()
    }
    await Promise.all([reader.close(), writer.close()])
    expect(seen).toEqual([makeEvents(run, 1, 0)[0], { specversion: '1.0', id: `${run}-1`, source: 'other', type: 't', datacontenttype: 'application/json', data: { i: 1 } }])
  }, 20_000)

  it.runIf(available)('acks, drops and reports an entry that is not a CloudEvent, and carries on', async () => {
    const topic = `invalid-${randomUUID().slice(0, 8)}`
    const reported: string[] = []
    const transport = await createRedisTransport({ ...options, onInvalidEntry: (error, stream, id) => reported.push(`${stream} ${id} ${String(error)}`) })
    const subscription = await transport.subscribe(topic, { group: 'g' })
    const client = new Redis(url)
    const stream = `${options.keyPrefix}{${topic}}`
    await client.xadd(stream, '*', 'hello', 'world')
    await transport.publish(topic, makeEvents(run, 1))
    const delivery = await nextWithin(subscription, 10_000)
    expect(delivery?.event.id).toBe(`${run}-0`)
    await delivery?.ack()
    expect(reported).toHaveLength(1)
    expect(reported[0]).toContain(stream)
    expect(Number(((await client.xpending(stream, 'g')) as [number])[0])).toBe(0)
    await client.quit()
    await transport.close()
  })

  it.runIf(available)('trims what every group acked beyond maxLength and warns instead of trimming what a group still needs', async () => {
    const topic = `trim-${randomUUID().slice(0, 8)}`
    const warnings: TrimWarning[] = []
    const transport = await createRedisTransport({ ...options, maxLength: 20, onTrimWarning: (warning) => warnings.push(warning) })
    const fast = await transport.subscribe(topic, { group: 'fast', maxInFlight: 100 })
    const slow = await transport.subscribe(topic, { group: 'slow', maxInFlight: 100 })
    await transport.publish(topic, makeEvents(run, 100))
    await receiveAll(fast, makeEvents(run, 100).map((event) => event.id), 10_000)
    const client = new Redis(url)
    const stream = `${options.keyPrefix}{${topic}}`
    for (let waited = 0; warnings.length === 0 && waited < 5_000; waited += 100) await new Promise((resolve) => setTimeout(resolve, 100))
    expect(warnings[0]).toMatchObject({ stream, maxLength: 20, groups: [{ group: 'slow' }] })
    expect(await client.xlen(stream)).toBe(100)
    const received = await receiveAll(slow, makeEvents(run, 100).map((event) => event.id), 10_000)
    expect(received.size).toBe(100)
    await transport.publish(topic, makeEvents(run, 1, 100))
    for (let waited = 0; (await client.xlen(stream)) > 20 && waited < 5_000; waited += 100) await new Promise((resolve) => setTimeout(resolve, 100))
    expect(await client.xlen(stream)).toBeLessThanOrEqual(20)
    await client.quit()
    await transport.close()
  }, 30_000)
})

/** A TCP proxy to the server that the test can cut, so an outage needs no restart of the shared server. */
async function startProxy(target: URL): Promise<{ url: string; cut(): void; close(): Promise<void> }> {
  const sockets = new Set<Socket>()
  let refusing = false
  const server: Server = createServer((client) => {
    if (refusing) return client.destroy()
    const upstream = connectTcp(Number(target.port || 6379), target.hostname)
    for (const socket of [client, upstream]) {
      sockets.add(socket)
      socket.on('close', () => sockets.delete(socket))
      socket.on('error', () => socket.destroy())
    }
    client.pipe(upstream).pipe(client)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  return {
    url: `redis://127.0.0.1:${port}`,
    cut() {
      refusing = true
      for (const socket of sockets) socket.destroy()
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}

describe.runIf(available)('redis transport against a server that goes away', () => {
  it('rejects a publish with SEPAL_ERR_TRANSPORT_UNAVAILABLE naming the server once publishTimeoutMs ran out', async () => {
    const proxy = await startProxy(new URL(url))
    const transport = await createRedisTransport({ ...options, url: proxy.url, publishTimeoutMs: 300 })
    await transport.publish(`gone-${run}`, makeEvents(run, 1))
    proxy.cut()
    await expect(transport.publish(`gone-${run}`, makeEvents(run, 1, 1))).rejects.toMatchObject({
      code: 'SEPAL_ERR_TRANSPORT_UNAVAILABLE',
      message: expect.stringContaining(`redis server at ${proxy.url} did not confirm 1 event(s)`),
    })
    const subscription = await transport.subscribe(`gone-${run}`, { group: 'g' }).catch((error: unknown) => error)
    expect(subscription).toMatchObject({ code: 'SEPAL_ERR_TRANSPORT_UNAVAILABLE' })
    // Close does not wait for a server that is gone.
    await transport.close()
    await proxy.close()
  })

  it('keeps a delayed retry in the server, so a new client gets it after the delay with the next attempt', async () => {
    const topic = `delayed-${randomUUID().slice(0, 8)}`
    const first = await createRedisTransport(options)
    const subscription = await first.subscribe(topic, { group: 'g' })
    await first.publish(topic, makeEvents(run, 1))
    const delivery = await nextWithin(subscription, 10_000)
    const nackedAt = Date.now()
    await delivery?.nack({ delayMs: 700 })
    await first.close()
    const second = await createRedisTransport(options)
    const resumed = await second.subscribe(topic, { group: 'g' })
    const again = await nextWithin(resumed, 10_000)
    expect(again?.event.id).toBe(`${run}-0`)
    expect(again?.attempt).toBe(2)
    expect(Date.now() - nackedAt).toBeGreaterThanOrEqual(700)
    await again?.ack()
    expect(await nextWithin(resumed, 300)).toBeUndefined()
    await second.close()
  })
})

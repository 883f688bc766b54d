import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { pathToFileURL } from 'node:url'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { consume, idsOf, makeEvents, receiveAll } from '../../testing/transport-suite-helpers.js'
import type { Delivery } from '../contract.js'
import { createSqliteTransport } from './sqlite-transport.js'

const directory = mkdtempSync(join(tmpdir(), 'sepal-sqlite-processes-'))
const transportModule = pathToFileURL(join(import.meta.dirname, 'sqlite-transport.ts')).href
const children: ChildProcess[] = []

afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL')
})
afterAll(() => rmSync(directory, { recursive: true, force: true }))

/** Runs `body` in another Node process with `transport` open on the shared file; lines it prints come back. */
function runChild(body: string, onLine: (line: string) => void): ChildProcess {
  const script = `
    import { createSqliteTransport } from ${JSON.stringify(transportModule)}
    const transport = createSqliteTransport({ directory: ${JSON.stringify(directory)}, visibilityTimeoutMs: 500 })
    const say = (line) => process.stdout.write(line + '\\n')
    ${body}
  `
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  children.push(child)
  if (child.stdout !== null) createInterface({ input: child.stdout }).on('line', onLine)
  return child
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve()
    else child.once('exit', () => resolve())
  })
}

function waitFor(check: () => boolean, what: string, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms
  return new Promise((resolve, reject) => {
    const look = (): void => {
      if (check()) resolve()
      else if (Date.now() > deadline) reject(new Error(`timed out waiting for ${what}`))
      else setTimeout(look, 10)
    }
    look()
  })
}

describe('sqlite transport across processes', () => {
  it('keeps every publish that resolved before the publishing process was killed with SIGKILL', async () => {
    const topic = 'crash-publish'
    const acknowledged: string[] = []
    const child = runChild(
      `
      const publisher = async (p) => {
        for (let i = 0; ; i++) {
          const id = 'p' + p + '-' + i
          await transport.publish(${JSON.stringify(topic)}, [{ specversion: '1.0', id, source: 'child', type: 't', data: { i } }])
          say(id)
        }
      }
      for (let p = 0; p < 4; p++) void publisher(p)
      `,
      (line) => acknowledged.push(line),
    )
    await waitFor(() => acknowledged.length >= 400, '400 acknowledged publishes')
    child.kill('SIGKILL')
    await exited(child)
    const transport = createSqliteTransport({ directory })
    const subscription = await transport.subscribe(topic, { group: 'audit', from: 'earliest', maxInFlight: 256 })
    const received = await receiveAll(subscription, [...acknowledged], 20_000)
    expect(received.size).toBe(acknowledged.length)
    await transport.close()
  })

  it('hands deliveries a killed consumer left unsettled to the next consumer, with the attempt counted', async () => {
    const topic = 'crash-consume'
    const publisher = createSqliteTransport({ directory })
    await (await publisher.subscribe(topic, { group: 'workers' })).close()
    await publisher.publish(topic, makeEvents('c', 20))
    await publisher.close()
    const acked = new Set<string>()
    const held = new Set<string>()
    const child = runChild(
      `
      const subscription = await transport.subscribe(${JSON.stringify(topic)}, { group: 'workers', maxInFlight: 5 })
      let seen = 0
      for await (const delivery of subscription) {
        seen++
        if (seen <= 5) { await delivery.ack(); say('acked ' + delivery.event.id) }
        else say('held ' + delivery.event.id)
      }
      `,
      (line) => {
        const [what, id] = line.split(' ')
        if (id !== undefined) (what === 'acked' ? acked : held).add(id)
      },
    )
    await waitFor(() => acked.size === 5 && held.size === 5, 'five acked and five held deliveries')
    child.kill('SIGKILL')
    await exited(child)
    const transport = createSqliteTransport({ directory })
    const subscription = await transport.subscribe(topic, { group: 'workers', maxInFlight: 20 })
    const rest = idsOf('c', 20).filter((id) => !acked.has(id))
    const attempts = new Map<string, number>()
    await consume(
      subscription,
      async (delivery) => {
        attempts.set(delivery.event.id, delivery.attempt)
        await delivery.ack()
      },
      () => rest.every((id) => attempts.has(id)),
      20_000,
      () => `${attempts.size} of ${rest.length} received`,
    )
    expect([...attempts.keys()].sort()).toEqual(rest.sort())
    for (const id of held) expect(attempts.get(id)).toBe(2)
    await transport.close()
  })

  it('shares one group between two processes without handing an event to both', async () => {
    const topic = 'shared-group'
    const parent = createSqliteTransport({ directory })
    const subscription = await parent.subscribe(topic, { group: 'shared', maxInFlight: 8 })
    const childIds = new Set<string>()
    let childReady = false
    const child = runChild(
      `
      const subscription = await transport.subscribe(${JSON.stringify(topic)}, { group: 'shared', maxInFlight: 8 })
      say('ready')
      for await (const delivery of subscription) {
        await new Promise((resolve) => setTimeout(resolve, 1))
        await delivery.ack()
        say(delivery.event.id)
      }
      `,
      (line) => (line === 'ready' ? (childReady = true) : childIds.add(line)),
    )
    await waitFor(() => childReady, 'the child to subscribe')
    const all = idsOf('s', 300)
    const parentIds = new Set<string>()
    const publishing = parent.publish(topic, makeEvents('s', 300))
    const parentReads = (async () => {
      for await (const delivery of subscription as AsyncIterable<Delivery>) {
        await new Promise((resolve) => setTimeout(resolve, 1))
        parentIds.add(delivery.event.id)
        await delivery.ack()
        if (parentIds.size + childIds.size >= all.length) break
      }
    })()
    await publishing
    await waitFor(() => parentIds.size + childIds.size >= all.length, 'every event consumed by one of the two')
    child.kill('SIGKILL')
    await subscription.close()
    await parentReads
    expect([...parentIds].filter((id) => childIds.has(id))).toEqual([])
    expect(new Set([...parentIds, ...childIds]).size).toBe(all.length)
    expect(childIds.size).toBeGreaterThan(0)
    await parent.close()
  })
})

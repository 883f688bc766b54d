import { spawn, type ChildProcess } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { pathToFileURL } from 'node:url'
import { afterEach, describe, expect, it } from 'vitest'
import { consume, idsOf, makeEvents, receiveAll } from '../../../src/testing/transport-suite-helpers.js'
import type { Transport } from '../../../src/transports/contract.js'
import { createRabbitmqTransport } from '../../../src/transports/rabbitmq/rabbitmq-transport.js'
import { namePrefix, url } from './support.js'

const transportModule = pathToFileURL(join(import.meta.dirname, '../../../src/transports/rabbitmq/rabbitmq-transport.ts')).href
const children: ChildProcess[] = []
const opened: Transport[] = []

/** Runs `body` in another Node process with `transport` open on the broker; lines it prints come back. */
function runChild(body: string, onLine: (line: string) => void): ChildProcess {
  const script = `
    import { createRabbitmqTransport } from ${JSON.stringify(transportModule)}
    const transport = await createRabbitmqTransport({ url: ${JSON.stringify(url)}, namePrefix: ${JSON.stringify(namePrefix)} })
    const say = (line) => process.stdout.write(line + '\\n')
    ${body}
  `
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] })
  children.push(child)
  if (child.stdout !== null) createInterface({ input: child.stdout }).on('line', onLine)
  return child
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

async function open(): Promise<Transport> {
  const transport = await createRabbitmqTransport({ url, namePrefix })
  opened.push(transport)
  return transport
}

/** A publisher and a consumer killed with SIGKILL: nothing confirmed is lost, nothing held is kept from the group. */
export function describeProcesses(): void {
  describe('rabbitmq transport across processes', () => {
    afterEach(async () => {
      for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL')
      await Promise.all(opened.splice(0).map((transport) => transport.close()))
    })

    it('keeps every publish that resolved before the publishing process was killed with SIGKILL', async () => {
      const topic = `crash-publish-${randomUUID().slice(0, 8)}`
      const runId = randomUUID().slice(0, 8)
      const transport = await open()
      const subscription = await transport.subscribe(topic, { group: 'g', maxInFlight: 100 })
      const confirmed: string[] = []
      const child = runChild(
        `
        for (let i = 0; ; i++) {
          const id = '${runId}-' + i
          await transport.publish(${JSON.stringify(topic)}, [{ specversion: '1.0', id, source: 'crash', type: 'crash.test', data: { i } }])
          say(id)
        }
        `,
        (line) => confirmed.push(line),
      )
      await waitFor(() => confirmed.length >= 200, '200 confirmed publishes')
      child.kill('SIGKILL')
      const seen = confirmed.slice()
      const received = await receiveAll(subscription, seen, 20_000)
      expect(seen.filter((id) => !received.has(id))).toEqual([])
      await subscription.close()
    })

    it('hands what a killed consumer held to the other member of its group, with attempt 2', async () => {
      const topic = `crash-consume-${randomUUID().slice(0, 8)}`
      const runId = randomUUID().slice(0, 8)
      const transport = await open()
      const survivor = await transport.subscribe(topic, { group: 'g', maxInFlight: 1 })
      const held: string[] = []
      const child = runChild(
        `
        const subscription = await transport.subscribe(${JSON.stringify(topic)}, { group: 'g', maxInFlight: 5 })
        say('ready')
        for await (const delivery of subscription) say(delivery.event.id + ' ' + delivery.attempt)
        `,
        (line) => held.push(line),
      )
      await waitFor(() => held.includes('ready'), 'the child subscription')
      await transport.publish(topic, makeEvents(runId, 20))
      await waitFor(() => held.length >= 6, 'the child to hold five deliveries')
      child.kill('SIGKILL')
      const heldIds = held.filter((line) => line !== 'ready').map((line) => line.split(' ')[0]!)
      expect(heldIds).toHaveLength(5)
      const attempts = new Map<string, number>()
      const expected = new Set(idsOf(runId, 20))
      await consume(
        survivor,
        async (delivery) => {
          if (expected.has(delivery.event.id)) attempts.set(delivery.event.id, delivery.attempt)
          await delivery.ack()
        },
        () => attempts.size === 20,
        20_000,
        () => `${attempts.size} of 20 received`,
      )
      expect(heldIds.map((id) => attempts.get(id))).toEqual([2, 2, 2, 2, 2])
      await survivor.close()
    })
  })
}

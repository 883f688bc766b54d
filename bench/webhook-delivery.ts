// Webhook delivery out: the engine consuming from the memory transport and delivering every event through
// the HTTP target (binary CloudEvent, POST, 2xx = done, then ack) against a raw `fetch` loop posting the
// same bodies to the same local receiver, with the same number of requests in flight. The receiver is a
// bare node:http server in this process that reads each body and answers 204. The sides alternate; each
// figure is the median of the repetitions. A second sepal row adds Standard Webhooks signing.
//
//   node --import tsx bench/webhook-delivery.ts [--events 5000] [--concurrency 32] [--repeat 5]
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { parseArgs } from 'node:util'
import type { HttpTarget } from '../src/engine/types.js'
import type { CloudEvent } from '../src/event/cloud-event.js'
import { toHttp } from '../src/event/http-write.js'
import { createMemoryTransport } from '../src/transports/memory/memory-transport.js'
import { timeEngineUntilSettled } from './support/engine-run.js'
import { isMain } from './support/is-main.js'
import { orderEvent } from './support/order-event.js'
import { median, sampler, type Sample } from './support/stats.js'

export interface WebhookDeliveryRow {
  readonly name: string
  /** Events delivered (2xx received) per second; median of the runs. */
  readonly eventsPerSecond: number
  /** eventsPerSecond / the raw fetch loop's, measured in the same run. */
  readonly ratio: number
  /** Median CPU time (user + system, receiver included) per event. */
  readonly cpuMicrosPerEvent: number
  /** The raw loop's CPU per event / this row's: the same comparison by CPU, steadier on a busy machine. */
  readonly cpuRatio: number
}

export interface WebhookDeliveryBenchOptions {
  readonly events?: number
  readonly concurrency?: number
  readonly repeat?: number
}

interface Receiver {
  readonly url: string
  /** Resolves once `n` more requests have been answered. */
  expect(n: number): Promise<void>
  close(): Promise<void>
}

async function startReceiver(): Promise<Receiver> {
  let remaining = 0
  let done: () => void = () => undefined
  const server: Server = createServer((req, res) => {
    req.on('data', () => undefined)
    req.on('end', () => {
      res.writeHead(204)
      res.end()
      if (--remaining === 0) done()
    })
  })
  server.keepAliveTimeout = 30_000
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}/hooks`,
    expect(n) {
      remaining = n
      return new Promise((resolve) => (done = resolve))
    },
    async close() {
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}

/** The peer: `concurrency` workers, each posting the next prepared message as soon as its last one is answered. */
async function rawFetchLoop(receiver: Receiver, events: readonly CloudEvent[], concurrency: number): Promise<Sample> {
  const answered = receiver.expect(events.length)
  const done = sampler(events.length)
  let next = 0
  const worker = async (): Promise<void> => {
    while (next < events.length) {
      const message = toHttp(events[next++] as CloudEvent, 'binary')
      const response = await fetch(receiver.url, { method: 'POST', headers: message.headers, body: message.body, redirect: 'manual' })
      await response.arrayBuffer()
      if (response.status !== 204) throw new Error(`the receiver answered ${response.status}`)
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker))
  await answered
  return done()
}

async function sepalDelivery(receiver: Receiver, events: readonly CloudEvent[], concurrency: number, secret?: string): Promise<Sample> {
  const transport = createMemoryTransport()
  await transport.publish('events', events)
  // The receiver is on loopback, which HTTP targets refuse unless the host is allow-listed.
  const target: HttpTarget = { kind: 'http', url: receiver.url, allowHosts: ['127.0.0.1'], ...(secret === undefined ? {} : { secret }) }
  const sample = await timeEngineUntilSettled(
    events.length,
    { transport, from: 'earliest', maxInFlight: concurrency, rules: [{ name: 'orders', pattern: { source: ['app.orders'] }, targets: [target] }] },
    (report) => {
      if (report.targets.some((t) => t.outcome !== 'ok')) throw new Error(`delivery failed: ${String(report.targets[0]?.error)}`)
    },
  )
  await transport.close()
  return sample
}

export async function run(options: WebhookDeliveryBenchOptions = {}): Promise<WebhookDeliveryRow[]> {
  const count = options.events ?? 5_000
  const concurrency = options.concurrency ?? 32
  const repeat = options.repeat ?? 5
  const events = Array.from({ length: count }, (_, i) => orderEvent(i))
  const secret = `whsec_${Buffer.from('sepal-benchmark-signing-key-0001').toString('base64')}`
  const receiver = await startReceiver()
  const raw: Sample[] = []
  const plain: Sample[] = []
  const signed: Sample[] = []
  try {
    // One warm-up round of each, not counted: JIT and connection pools.
    await rawFetchLoop(receiver, events.slice(0, 500), concurrency)
    await sepalDelivery(receiver, events.slice(0, 500), concurrency)
    // The order rotates each round, so no side always runs on the heap the previous one left behind.
    const sides: Array<() => Promise<void>> = [
      async () => void raw.push(await rawFetchLoop(receiver, events, concurrency)),
      async () => void plain.push(await sepalDelivery(receiver, events, concurrency)),
      async () => void signed.push(await sepalDelivery(receiver, events, concurrency, secret)),
    ]
    for (let r = 0; r < repeat; r++) {
      for (let s = 0; s < sides.length; s++) await (sides[(r + s) % sides.length] as () => Promise<void>)()
    }
  } finally {
    await receiver.close()
  }
  const rawRate = median(raw.map((s) => s.rate))
  const rawCpu = median(raw.map((s) => s.cpuMicros))
  const row = (name: string, samples: readonly Sample[]): WebhookDeliveryRow => {
    const rate = median(samples.map((s) => s.rate))
    const cpu = median(samples.map((s) => s.cpuMicros))
    return {
      name,
      eventsPerSecond: Math.round(rate),
      ratio: Number((rate / rawRate).toFixed(3)),
      cpuMicrosPerEvent: Number(cpu.toFixed(1)),
      cpuRatio: Number((rawCpu / cpu).toFixed(3)),
    }
  }
  return [
    row(`raw fetch loop, ${concurrency} in flight`, raw),
    row(`sepal HTTP target, maxInFlight ${concurrency}`, plain),
    row(`sepal HTTP target, signed (Standard Webhooks)`, signed),
  ]
}

if (isMain(import.meta.url)) {
  const { values } = parseArgs({
    options: { events: { type: 'string', default: '5000' }, concurrency: { type: 'string', default: '32' }, repeat: { type: 'string', default: '5' } },
  })
  const options = { events: Number(values.events), concurrency: Number(values.concurrency), repeat: Number(values.repeat) }
  const rows = await run(options)
  process.stdout.write(`Webhook delivery, ${options.events} CloudEvents of ~1 KB, x ${options.repeat} (medians)\n`)
  for (const row of rows) {
    process.stdout.write(
      `  ${row.name.padEnd(48)} ${String(row.eventsPerSecond).padStart(7)} events/s  ratio ${row.ratio.toFixed(2)}x  cpu ${row.cpuMicrosPerEvent} µs/event (cpu ratio ${row.cpuRatio.toFixed(2)}x)\n`,
    )
  }
  process.stdout.write('  target: sepal >= 0.8x the raw fetch loop\n')
}

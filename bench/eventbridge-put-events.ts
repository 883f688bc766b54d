// EventBridge PutEvents throughput: batches of 10 events through `POST /` (AWS JSON 1.1, X-Amz-Target:
// AWSEvents.PutEvents) against the same 10 events as one CloudEvents batch on `POST /events`, both answered only
// after the durable append to the embedded log, on the same server process. Same load generator (autocannon),
// connections and duration, loopback; the two alternate and each figure is the median of the repetitions.
//
//   node --import tsx bench/eventbridge-put-events.ts [--duration 3] [--repeat 5] [--connections 20]
//
// The file is also the server: run with `serve` it starts sepal and reports its port to the parent.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { autocannon } from './support/autocannon.js'
import { startServer, stopServer } from './support/child-server.js'
import { median } from './support/stats.js'

export interface PutEventsRow {
  readonly name: string
  /** Median of the runs: 2xx answers per second. */
  readonly requestsPerSecond: number
  /** requestsPerSecond × 10. */
  readonly eventsPerSecond: number
  readonly p50Ms: number
  readonly p99Ms: number
  /** requestsPerSecond / POST /events', measured in the same run. */
  readonly ratio: number
  /** Answers that were not 2xx, entries PutEvents reported failed, or connection errors (should be 0). */
  readonly failures: number
}

export interface PutEventsBenchOptions {
  readonly durationSeconds?: number
  readonly repeat?: number
  readonly connections?: number
}

const BATCH = 10
const detail = { orderId: 'o-1', customer: 'c-42', total: 120.5, currency: 'EUR', lines: [{ sku: 'sku-1', qty: 2 }, { sku: 'sku-2', qty: 1 }] }

type Mode = 'put-events' | 'post-events'

function request(mode: Mode): { path: string; headers: Record<string, string>; body: string } {
  if (mode === 'put-events') {
    const entries = Array.from({ length: BATCH }, () => ({ Source: 'bench.shop', DetailType: 'OrderPlaced', Detail: JSON.stringify(detail) }))
    return { path: '/', headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AWSEvents.PutEvents' }, body: JSON.stringify({ Entries: entries }) }
  }
  const events = Array.from({ length: BATCH }, (_, i) => ({ specversion: '1.0', id: `bench-${i}`, source: 'bench.shop', type: 'OrderPlaced', datacontenttype: 'application/json', data: detail }))
  return { path: '/events', headers: { 'content-type': 'application/cloudevents-batch+json' }, body: JSON.stringify(events) }
}

async function serve(): Promise<void> {
  const { createSqliteTransport } = await import('../src/transports/sqlite/sqlite-transport.js')
  const { startHttpServer } = await import('../src/http/server.js')
  const { createEventBridgeApi } = await import('../src/http/eventbridge/index.js')
  const directory = mkdtempSync(join(tmpdir(), 'sepal-bench-eventbridge-'))
  const transport = createSqliteTransport({ directory })
  // No rules, so no engine: both paths end at the durable append, which is what is compared.
  const engine = { addRule() {}, removeRule: () => false }
  const api = createEventBridgeApi({ engine, transport, topic: 'events', storeFile: ':memory:' })
  const server = await startHttpServer({ transport, topic: 'events', port: 0, eventBridge: api, maxBatchEvents: BATCH })
  process.send?.({ port: server.port })
  process.on('message', (message) => {
    if (message !== 'stop') return
    void (async () => {
      await server.close()
      api.close()
      await transport.close()
      rmSync(directory, { recursive: true, force: true })
      process.exit(0)
    })()
  })
}

interface Sample {
  readonly rps: number
  readonly p50: number
  readonly p99: number
  readonly failures: number
}

async function measure(port: number, mode: Mode, durationSeconds: number, connections: number): Promise<Sample> {
  const { path, headers, body } = request(mode)
  let failedEntries = 0
  const result = await autocannon({
    url: `http://127.0.0.1:${port}${path}`,
    method: 'POST',
    headers,
    body,
    connections,
    duration: durationSeconds,
    // A 200 with failed entries is not a success: count them.
    ...(mode === 'put-events'
      ? { setupClient: (client: { on(event: 'body', fn: (body: Buffer) => void): void }) => client.on('body', (text) => void (text.includes('"FailedEntryCount":0') || failedEntries++)) }
      : {}),
  })
  return { rps: result['2xx'] / result.duration, p50: result.latency.p50, p99: result.latency.p99, failures: result.non2xx + result.errors + result.timeouts + failedEntries }
}

export async function run(options: PutEventsBenchOptions = {}): Promise<PutEventsRow[]> {
  const durationSeconds = options.durationSeconds ?? 3
  const repeat = options.repeat ?? 5
  const connections = options.connections ?? 20
  const samples: Record<Mode, Sample[]> = { 'put-events': [], 'post-events': [] }
  const { child, port } = await startServer(fileURLToPath(import.meta.url), ['serve'], 'server')
  try {
    for (const mode of ['put-events', 'post-events'] as const) await measure(port, mode, 1, connections) // warm-up
    for (let i = 0; i < repeat; i++) {
      const order: Mode[] = i % 2 === 0 ? ['put-events', 'post-events'] : ['post-events', 'put-events']
      for (const mode of order) samples[mode].push(await measure(port, mode, durationSeconds, connections))
    }
  } finally {
    await stopServer(child)
  }
  const peer = median(samples['post-events'].map((s) => s.rps))
  const row = (name: string, list: Sample[]): PutEventsRow => {
    const rps = median(list.map((s) => s.rps))
    return {
      name,
      requestsPerSecond: Math.round(rps),
      eventsPerSecond: Math.round(rps * BATCH),
      p50Ms: median(list.map((s) => s.p50)),
      p99Ms: median(list.map((s) => s.p99)),
      ratio: Number((rps / peer).toFixed(3)),
      failures: list.reduce((sum, s) => sum + s.failures, 0),
    }
  }
  return [row('POST /events, batch of 10 CloudEvents (peer)', samples['post-events']), row('EventBridge PutEvents, 10 entries', samples['put-events'])]
}

const self = fileURLToPath(import.meta.url)
if (process.argv[1] === self && process.argv[2] === 'serve') {
  await serve()
} else if (process.argv[1] === self) {
  const { values } = parseArgs({ options: { duration: { type: 'string', default: '3' }, repeat: { type: 'string', default: '5' }, connections: { type: 'string', default: '20' } } })
  const rows = await run({ durationSeconds: Number(values.duration), repeat: Number(values.repeat), connections: Number(values.connections) })
  process.stdout.write(`PutEvents vs POST /events, batches of ${BATCH}, embedded log, ${values.connections} connections, ${values.duration} s x ${values.repeat} (medians)\n`)
  for (const r of rows) {
    process.stdout.write(`  ${r.name.padEnd(46)} ${String(r.requestsPerSecond).padStart(6)} req/s ${String(r.eventsPerSecond).padStart(7)} events/s  p50 ${r.p50Ms} ms  p99 ${r.p99Ms} ms  ratio ${r.ratio.toFixed(2)}x${r.failures > 0 ? `  FAILURES ${r.failures}` : ''}\n`)
  }
}

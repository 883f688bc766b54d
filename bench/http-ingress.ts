// HTTP ingress throughput: sepal's POST /events over the embedded log (202 only after the durable append) against a
// bare node:http server answering 202 after reading the body. Same load generator (autocannon), same request (a
// binary-mode CloudEvent with a 1 KB JSON body), same connections and duration, loopback. Each server runs in
// its own process; the runs alternate, and each figure is the median of the repetitions. A third row runs the
// ingress over a transport whose append does nothing, to separate the HTTP cost from the storage cost.
//
//   node --import tsx bench/http-ingress.ts [--duration 5] [--repeat 5] [--connections 50]
import type { ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { autocannon } from './support/autocannon.js'
import { startServer, stopServer } from './support/child-server.js'
import { isMain } from './support/is-main.js'
import { median } from './support/stats.js'

export interface HttpIngressRow {
  readonly name: string
  /** Median of the runs: 2xx answers per second. */
  readonly requestsPerSecond: number
  readonly p50Ms: number
  readonly p99Ms: number
  /** requestsPerSecond / the bare server's, measured in the same run. */
  readonly ratio: number
  /**
   * Median server CPU time (user + system) per answered request, in microseconds. On a busy machine this is
   * steadier than req/s, and it is what req/s turns into once the server has a core to itself.
   */
  readonly serverCpuMicrosPerRequest: number
  /** Answers that were not 2xx, or connection errors, over all runs (should be 0). */
  readonly failures: number
}

export interface HttpIngressBenchOptions {
  readonly durationSeconds?: number
  readonly repeat?: number
  readonly connections?: number
}

const serverScript = fileURLToPath(new URL('./http-ingress-server.ts', import.meta.url))

/** A 1 KB JSON body and the ce- headers of a binary-mode event. */
function binaryEventRequest(): { headers: Record<string, string>; body: string } {
  const data = { orderId: 'o-1', customer: 'c-42', lines: [] as { sku: string; qty: number }[] }
  while (JSON.stringify(data).length < 1000) data.lines.push({ sku: `sku-${data.lines.length}`, qty: 1 })
  return {
    headers: {
      'content-type': 'application/json',
      'ce-specversion': '1.0',
      'ce-id': 'bench-1',
      'ce-source': 'bench.http',
      'ce-type': 'OrderPlaced',
    },
    body: JSON.stringify(data).slice(0, 1024),
  }
}

type Mode = 'bare' | 'sepal' | 'sepal-noop'

interface Sample {
  readonly cpuPerRequest: number
  readonly rps: number
  readonly p50: number
  readonly p99: number
  readonly failures: number
}

function serverCpu(child: ChildProcess): Promise<number> {
  return new Promise((resolve) => {
    child.once('message', (message) => {
      const { user, system } = (message as { cpu: NodeJS.CpuUsage }).cpu
      resolve(user + system)
    })
    child.send('cpu')
  })
}

async function measure(child: ChildProcess, port: number, durationSeconds: number, connections: number): Promise<Sample> {
  const request = binaryEventRequest()
  const cpuBefore = await serverCpu(child)
  const result = await autocannon({
    url: `http://127.0.0.1:${port}/events`,
    method: 'POST',
    headers: request.headers,
    body: request.body,
    connections,
    duration: durationSeconds,
  })
  const cpuAfter = await serverCpu(child)
  return {
    cpuPerRequest: (cpuAfter - cpuBefore) / Math.max(1, result['2xx']),
    rps: result['2xx'] / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    failures: result.non2xx + result.errors + result.timeouts,
  }
}

export async function run(options: HttpIngressBenchOptions = {}): Promise<HttpIngressRow[]> {
  const durationSeconds = options.durationSeconds ?? 5
  const repeat = options.repeat ?? 5
  const connections = options.connections ?? 50
  const samples: Record<Mode, Sample[]> = { bare: [], sepal: [], 'sepal-noop': [] }
  const modes: readonly Mode[] = ['bare', 'sepal', 'sepal-noop']
  for (let i = 0; i < repeat; i++) {
    // Rotate the order, and restart each server per run, so drift on the machine hits all alike.
    for (const mode of [...modes.slice(i % 3), ...modes.slice(0, i % 3)]) {
      const { child, port } = await startServer(serverScript, [mode], `${mode} server`)
      // A short warm-up so the JIT and SQLite's page cache are not what is measured.
      await measure(child, port, 1, connections)
      samples[mode].push(await measure(child, port, durationSeconds, connections))
      await stopServer(child)
    }
  }
  const summarise = (name: string, list: Sample[], peerRps: number): HttpIngressRow => {
    const rps = median(list.map((s) => s.rps))
    return {
      name,
      requestsPerSecond: Math.round(rps),
      p50Ms: median(list.map((s) => s.p50)),
      p99Ms: median(list.map((s) => s.p99)),
      ratio: Number((rps / peerRps).toFixed(3)),
      serverCpuMicrosPerRequest: Number(median(list.map((s) => s.cpuPerRequest)).toFixed(1)),
      failures: list.reduce((sum, s) => sum + s.failures, 0),
    }
  }
  const bareRps = median(samples.bare.map((s) => s.rps))
  return [
    summarise('bare node:http, 202 after reading the body', samples.bare, bareRps),
    summarise('sepal POST /events, 202 after durable append (sqlite)', samples.sepal, bareRps),
    // Not a target: the HTTP side alone, to tell what the ingress costs from what the storage costs.
    summarise('sepal POST /events, no-op transport (HTTP cost alone)', samples['sepal-noop'], bareRps),
  ]
}

function print(rows: readonly HttpIngressRow[], connections: number, durationSeconds: number, repeat: number): void {
  process.stdout.write(`HTTP ingress, binary-mode 1 KB event, ${connections} connections, ${durationSeconds} s x ${repeat} (medians)\n`)
  for (const row of rows) {
    process.stdout.write(
      `  ${row.name.padEnd(56)} ${String(row.requestsPerSecond).padStart(7)} req/s  p50 ${row.p50Ms} ms  p99 ${row.p99Ms} ms  ratio ${row.ratio.toFixed(2)}x  server cpu ${row.serverCpuMicrosPerRequest} us/req${row.failures > 0 ? `  FAILURES ${row.failures}` : ''}\n`,
    )
  }
  process.stdout.write('  target: sepal >= 0.6x the bare server\n')
}

if (isMain(import.meta.url)) {
  const { values } = parseArgs({
    options: { duration: { type: 'string', default: '5' }, repeat: { type: 'string', default: '5' }, connections: { type: 'string', default: '50' } },
  })
  const options = { durationSeconds: Number(values.duration), repeat: Number(values.repeat), connections: Number(values.connections) }
  const rows = await run(options)
  print(rows, options.connections, options.durationSeconds, options.repeat)
}

// `npm run bench`: every benchmark of the engine path, one after another, each against its peer in the
// same run. The pattern benchmark is longer and has its own command: `npm run bench:patterns`.
//
//   npm run bench                    # all
//   npm run bench -- engine http     # only those whose name contains one of the words
import { run as embeddedLog } from './embedded-log.js'
import { run as engineDispatch } from './engine-dispatch.js'
import { run as eventBridgePutEvents } from './eventbridge-put-events.js'
import { run as httpIngress } from './http-ingress.js'
import { run as idempotencyOverhead } from './idempotency-overhead.js'
import { run as webhookDelivery } from './webhook-delivery.js'

interface Benchmark {
  readonly name: string
  readonly target: string
  run(): Promise<readonly object[]>
}

const benchmarks: Benchmark[] = [
  { name: 'engine dispatch (memory transport) vs a bare JSON.parse loop', target: 'sepal >= 0.5x', run: () => engineDispatch() },
  { name: 'embedded log publish -> consume -> ack vs a raw better-sqlite3 loop', target: 'sepal >= 0.7x', run: () => embeddedLog() },
  { name: 'http ingress (202 after durable append) vs a bare node:http server', target: 'sepal >= 0.6x', run: () => httpIngress() },
  { name: 'eventbridge PutEvents (batches of 10) vs POST /events batches on the same server', target: 'ratio reported, no target', run: () => eventBridgePutEvents() },
  { name: 'idempotency overhead (embedded log): off vs SQLite and Redis stores', target: 'on >= 0.8x off', run: () => idempotencyOverhead() },
  { name: 'webhook delivery out (HTTP target) vs a raw fetch loop to the same receiver', target: 'sepal >= 0.8x', run: () => webhookDelivery() },
]

const words = process.argv.slice(2)
const chosen = words.length === 0 ? benchmarks : benchmarks.filter((b) => words.some((w) => b.name.includes(w)))
if (chosen.length === 0) {
  process.stderr.write(`no benchmark matches ${words.join(' ')}; names: ${benchmarks.map((b) => b.name).join('; ')}\n`)
  process.exitCode = 2
}
for (const benchmark of chosen) {
  process.stdout.write(`\n== ${benchmark.name} (target: ${benchmark.target})\n`)
  const started = Date.now()
  try {
    console.table(await benchmark.run())
  } catch (error) {
    process.stdout.write(`   failed: ${error instanceof Error ? error.message : String(error)}\n`)
    process.exitCode = 1
  }
  process.stdout.write(`   (${((Date.now() - started) / 1000).toFixed(0)} s)\n`)
}

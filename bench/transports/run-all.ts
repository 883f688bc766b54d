// `npm run bench:transports`: for each broker, publish and consume+ack through sepal against a raw client
// loop doing the same work with the same client, in one run, and one table in the style of Watermill's
// benchmark (publish / subscribe msg/s) with the ratios. A broker that is not running is reported, not skipped
// silently: start them with `scripts/services.sh up`.
//
//   npm run bench:transports                 # all four
//   npm run bench:transports -- redis nats   # some
import { run as kafka } from './kafka.js'
import { run as nats } from './nats.js'
import { run as rabbitmq } from './rabbitmq.js'
import { run as redis } from './redis.js'

interface Row {
  readonly name: string
  readonly eventsPerSecond: number
  readonly ratio: number
  readonly cpuRatio?: number
}

const brokers: Record<string, () => Promise<readonly Row[]>> = { kafka, nats, redis, rabbitmq }
const chosen = process.argv.slice(2).length > 0 ? process.argv.slice(2) : Object.keys(brokers)
const table: Array<Record<string, string | number>> = []
for (const broker of chosen) {
  const run = brokers[broker]
  if (run === undefined) {
    process.stderr.write(`unknown broker "${broker}"; choose from ${Object.keys(brokers).join(', ')}\n`)
    process.exitCode = 2
    continue
  }
  process.stdout.write(`running ${broker}...\n`)
  try {
    for (const row of await run()) {
      table.push({ broker, measure: row.name, 'msg/s': row.eventsPerSecond, ratio: row.ratio, ...(row.cpuRatio !== undefined && { 'cpu ratio': row.cpuRatio }) })
    }
  } catch (error) {
    table.push({ broker, measure: `failed: ${error instanceof Error ? error.message : String(error)}`, 'msg/s': 0, ratio: 0 })
    process.exitCode = 1
  }
}
console.table(table)
process.stdout.write('target: sepal >= 0.8x the raw client loop, publish and consume+ack, for each broker\n')

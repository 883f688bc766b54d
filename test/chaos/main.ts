// `npm run chaos`: the crash test at full size, with idempotency on and then off.
import { parseArgs } from 'node:util'
import { runChaos } from './run-chaos.js'

const { values } = parseArgs({
  options: {
    events: { type: 'string', default: '10000' },
    kills: { type: 'string', default: '20' },
    workers: { type: 'string', default: '2' },
    seed: { type: 'string', default: '42' },
    transport: { type: 'string' },
    quiet: { type: 'boolean', default: false },
  },
})

const rows = []
for (const idempotency of [true, false]) {
  const result = await runChaos({
    events: Number(values.events),
    kills: Number(values.kills),
    workers: Number(values.workers),
    idempotency,
    seed: Number(values.seed),
    ...(values.transport !== undefined && { transport: values.transport }),
    timeoutMs: 300_000,
    ...(!values.quiet && { log: (line: string) => console.log(`  [idempotency ${idempotency ? 'on' : 'off'}] ${line}`) }),
  })
  rows.push({ idempotency: idempotency ? 'on' : 'off', ...result })
}
console.table(rows)
const on = rows[0]!
if (on.missing !== 0 || on.repeats !== 0) {
  console.error(`FAILED: with idempotency on, ${on.missing} events missing and ${on.repeats} side effects repeated`)
  process.exitCode = 1
} else {
  console.log(`with idempotency on: 0 missing, 0 repeated after ${on.kills} kill -9s; off: ${rows[1]!.repeats} repeated, ${rows[1]!.missing} missing`)
}

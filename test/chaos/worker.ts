// One chaos worker: consumes the embedded log and records each handled event in a ledger. The harness
// kill -9s it at random moments and starts it again.
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { createEngine } from '../../src/engine/create-engine.js'
import { createSqliteIdempotencyStore } from '../../src/stores/sqlite-idempotency.js'
import { createTransportFromUrl } from '../../src/config/transport-registry.js'

const [directory, mode, transportUrl, topic] = process.argv.slice(2)
if (!directory || (mode !== 'on' && mode !== 'off') || !transportUrl || !topic) {
  throw new Error('usage: worker.ts <directory> on|off <transport-url> <topic>')
}

// Short leases so a killed worker's unsettled events come back within the run.
const leaseMs = 1500
const transport = await createTransportFromUrl(transportUrl, { baseDirectory: directory, dataDirectory: join(directory, 'log') })
const ledger = new Database(join(directory, 'ledger.db'))
ledger.pragma('journal_mode = WAL')
ledger.pragma('busy_timeout = 10000')
ledger.exec('CREATE TABLE IF NOT EXISTS ledger (event_id TEXT NOT NULL, pid INTEGER NOT NULL)')
const insert = ledger.prepare('INSERT INTO ledger (event_id, pid) VALUES (?, ?)')

// The idempotency store lives in the ledger's database, so the side effect and the completion mark
// commit in one transaction: a kill -9 leaves either both or neither.
const store = mode === 'on' ? createSqliteIdempotencyStore({ database: ledger }) : undefined
const record = ledger.transaction((eventId: string, key: string | undefined) => {
  insert.run(eventId, process.pid)
  if (store !== undefined && key !== undefined) store.completeSync(key, 86_400_000)
})

const engine = createEngine({
  transport,
  topic,
  group: 'workers',
  from: 'earliest',
  visibilityTimeoutMs: leaseMs,
  maxInFlight: 8,
  ...(store !== undefined && { idempotency: { store, leaseMs } }),
  rules: [
    {
      name: 'ledger',
      pattern: { source: ['chaos'] },
      targets: [
        {
          kind: 'handler',
          name: 'record',
          handler: async (event, ctx) => {
            // Work before and after the side effect, as real handlers have (a lookup, then a reply),
            // so kills land both before the effect and between the effect and the ack.
            await new Promise((resolve) => setTimeout(resolve, 1))
            record(event.id, ctx.idempotencyKey)
            await new Promise((resolve) => setTimeout(resolve, 2))
          },
        },
      ],
    },
  ],
})

await engine.start()
process.stdout.write('ready\n')
process.once('SIGTERM', () => {
  void engine.stop({ drainTimeoutMs: 5000 }).finally(async () => {
    await transport.close()
    ledger.close()
    process.exit(0)
  })
})

// A worker of the Redis scale-out test: an engine on the Redis transport, one consumer group shared
// with the other workers, recording each handled event in a SQLite ledger. The test kill -9s one.
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { createEngine } from '../../src/engine/create-engine.js'
import { createSqliteIdempotencyStore } from '../../src/stores/sqlite-idempotency.js'
import { createRedisTransport } from '../../src/transports/redis/redis-transport.js'

const [url, keyPrefix, topic, directory] = process.argv.slice(2)
if (!url || !keyPrefix || !topic || !directory) throw new Error('usage: redis-worker.ts <url> <keyPrefix> <topic> <directory>')

// Short leases so the killed worker's unsettled events come back within the run.
const leaseMs = 1500
const transport = await createRedisTransport({ url, keyPrefix, visibilityTimeoutMs: leaseMs })
const ledger = new Database(join(directory, 'ledger.db'))
ledger.pragma('journal_mode = WAL')
ledger.pragma('busy_timeout = 10000')
ledger.exec('CREATE TABLE IF NOT EXISTS ledger (event_id TEXT NOT NULL, pid INTEGER NOT NULL)')
const insert = ledger.prepare('INSERT INTO ledger (event_id, pid) VALUES (?, ?)')
// The side effect and the idempotency mark commit in one transaction: a kill -9 leaves both or neither.
const store = createSqliteIdempotencyStore({ database: ledger })
const record = ledger.transaction((eventId: string, key: string | undefined) => {
  insert.run(eventId, process.pid)
  if (key !== undefined) store.completeSync(key, 86_400_000)
})

const engine = createEngine({
  transport,
  topic,
  group: 'workers',
  from: 'earliest',
  maxInFlight: 8,
  idempotency: { store, leaseMs },
  rules: [
    {
      name: 'ledger',
      pattern: { source: ['scale-out'] },
      targets: [
        {
          kind: 'handler',
          name: 'record',
          handler: async (event, ctx) => {
            await new Promise((resolve) => setTimeout(resolve, 1))
            record(event.id, ctx.idempotencyKey)
            await new Promise((resolve) => setTimeout(resolve, 1))
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

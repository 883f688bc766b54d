import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import Database from 'better-sqlite3'
import { randomUUID } from 'node:crypto'
import { createTransportFromUrl } from '../../src/config/transport-registry.js'

export interface ChaosOptions {
  readonly events: number
  /** Kill -9s at least this many times while events are still being published and consumed. */
  readonly kills: number
  readonly workers: number
  readonly idempotency: boolean
  /** Gives up (and reports what is missing) after this long. */
  readonly timeoutMs: number
  readonly seed?: number
  /** The transport to run on; default the embedded log in the run's temporary directory. */
  readonly transport?: string
  readonly log?: (line: string) => void
}

export interface ChaosResult {
  readonly events: number
  readonly kills: number
  readonly handled: number
  readonly missing: number
  /** Side effects that happened more than once (ledger rows beyond one per event). */
  readonly repeats: number
  readonly durationMs: number
}

const workerPath = fileURLToPath(new URL('./worker.ts', import.meta.url))
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * The crash test: workers consume a stream that a publisher feeds over the run, while the harness
 * kill -9s a random worker at random moments and starts a new one. At the end every event must be in
 * the ledger, and (with idempotency) none twice.
 */
export async function runChaos(options: ChaosOptions): Promise<ChaosResult> {
  const log = options.log ?? (() => {})
  let seed = options.seed ?? 1
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31)
  const directory = mkdtempSync(join(tmpdir(), 'sepal-chaos-'))
  const transportUrl = options.transport ?? `sqlite:${join(directory, 'log')}`
  // A topic of its own per run, so leftovers on a shared broker cannot count.
  const topic = `chaos-${randomUUID()}`
  const started = Date.now()
  const workers: Array<ChildProcess | undefined> = []
  const ledger = () => {
    const db = new Database(join(directory, 'ledger.db'), { fileMustExist: true })
    try {
      return db.prepare<[], { handled: number; rows: number }>('SELECT COUNT(DISTINCT event_id) AS handled, COUNT(*) AS rows FROM ledger').get()!
    } finally {
      db.close()
    }
  }
  const spawnWorker = (slot: number) =>
    new Promise<void>((resolve, reject) => {
      const child = spawn(process.execPath, ['--import', 'tsx', workerPath, directory, options.idempotency ? 'on' : 'off', transportUrl, topic], {
        stdio: ['ignore', 'pipe', 'inherit'],
      })
      workers[slot] = child
      child.stdout!.on('data', (chunk: Buffer) => chunk.toString().includes('ready') && resolve())
      child.once('exit', (code, signal) => reject(new Error(`worker exited before it was ready (${code ?? signal})`)))
    })

  try {
    // The ledger table exists before any worker or the counter looks for it.
    new Database(join(directory, 'ledger.db')).exec('CREATE TABLE IF NOT EXISTS ledger (event_id TEXT NOT NULL, pid INTEGER NOT NULL)').close()
    await Promise.all(Array.from({ length: options.workers }, (_, slot) => spawnWorker(slot)))

    const publisher = await createTransportFromUrl(transportUrl, { baseDirectory: directory, dataDirectory: join(directory, 'log') })
    const publishing = (async () => {
      const batch = 25
      for (let i = 0; i < options.events; i += batch) {
        const events = Array.from({ length: Math.min(batch, options.events - i) }, (_, j) => ({
          specversion: '1.0' as const,
          id: `e-${i + j}`,
          source: 'chaos',
          type: 'chaos.tick',
          data: { n: i + j },
        }))
        await publisher.publish(topic, events)
        // Spread the stream over the kills, so they land mid-stream.
        await sleep(Math.max(1, (options.kills * 400) / (options.events / batch)))
      }
    })()

    let kills = 0
    while (kills < options.kills) {
      await sleep(100 + random() * 400)
      const slot = Math.floor(random() * options.workers)
      workers[slot]?.removeAllListeners('exit')
      workers[slot]?.kill('SIGKILL')
      kills++
      log(`kill -9 #${kills} (worker ${slot}); handled so far: ${ledger().handled}`)
      await spawnWorker(slot)
    }
    await publishing
    await publisher.close()

    let counts = ledger()
    while (counts.handled < options.events && Date.now() - started < options.timeoutMs) {
      await sleep(200)
      counts = ledger()
    }
    return {
      events: options.events,
      kills,
      handled: counts.handled,
      missing: options.events - counts.handled,
      repeats: counts.rows - counts.handled,
      durationMs: Date.now() - started,
    }
  } finally {
    await Promise.all(
      workers.map(
        (child) =>
          new Promise<void>((resolve) => {
            if (!child || child.exitCode !== null || child.signalCode !== null) return resolve()
            child.removeAllListeners('exit')
            child.once('exit', () => resolve())
            child.kill('SIGTERM')
            setTimeout(() => child.kill('SIGKILL'), 8000).unref()
          }),
      ),
    )
    rmSync(directory, { recursive: true, force: true })
  }
}

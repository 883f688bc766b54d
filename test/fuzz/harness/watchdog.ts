import { Worker } from 'node:worker_threads'

/**
 * Catches the hang a timer cannot: a parser looping synchronously blocks the event loop, so the per-case
 * timeout never fires. A worker thread watches a heartbeat the cases write to shared memory; when it stops
 * for `limitMs`, the worker names the target, seed and case number on stderr and kills the process.
 */
export interface Watchdog {
  /** Marks the start of case `index` of target number `target`, run with `seed`. */
  beat(target: number, seed: number, index: number): void
  stop(): Promise<void>
}

const WORKER = `
const { workerData } = require('node:worker_threads')
const { writeSync } = require('node:fs')
const cells = new Int32Array(workerData.buffer)
let seen = Atomics.load(cells, 0)
let since = Date.now()
setInterval(() => {
  const now = Atomics.load(cells, 0)
  if (now !== seen) { seen = now; since = Date.now(); return }
  if (Date.now() - since < workerData.limitMs) return
  const name = workerData.names[Atomics.load(cells, 1)] ?? '?'
  const seed = Atomics.load(cells, 2)
  const index = Atomics.load(cells, 3)
  writeSync(2, '\\nfuzz: HANG — ' + name + ' has been stuck in case ' + index + ' for over ' + workerData.limitMs + ' ms (the event loop is blocked).\\n' +
    'replay it: npm run fuzz -- --only ' + name + ' --seed ' + seed + ' --path ' + index + '\\n')
  process.kill(process.pid, 'SIGKILL')
}, 250)
`

export function startWatchdog(names: readonly string[], limitMs: number): Watchdog {
  const buffer = new SharedArrayBuffer(4 * Int32Array.BYTES_PER_ELEMENT)
  const cells = new Int32Array(buffer)
  const worker = new Worker(WORKER, { eval: true, workerData: { buffer, names, limitMs } })
  worker.unref()
  return {
    beat(target, seed, index) {
      Atomics.store(cells, 1, target)
      Atomics.store(cells, 2, seed | 0)
      Atomics.store(cells, 3, index)
      Atomics.add(cells, 0, 1)
    },
    stop: async () => {
      await worker.terminate()
    },
  }
}

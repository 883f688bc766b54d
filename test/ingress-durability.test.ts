// A 202 is a promise: every event the ingress accepted is consumed even when the server is killed with
// SIGKILL right after answering. The real `sepal run` is spawned (from source, through tsx) with a rule
// whose handler appends each event id to a ledger file. In the first run the handler refuses every event
// (so nothing can be consumed before the kill and the events must come from the durable log); after kill -9
// and a restart with the handler working, every accepted id must be in the ledger.
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'

const cli = fileURLToPath(new URL('./fixtures/sepal-cli.ts', import.meta.url))
const root = fileURLToPath(new URL('..', import.meta.url))
const N = 500
const BATCH = 10

const work = mkdtempSync(join(tmpdir(), 'sepal-durability-'))
const ledger = join(work, 'ledger.txt')
const config = join(work, 'sepal.yaml')
writeFileSync(
  join(work, 'ledger.mjs'),
  [
    "import { appendFileSync } from 'node:fs'",
    'export function record(event) {',
    "  if (process.env.LEDGER_HOLD === '1') throw new Error('held: this run must not consume')",
    "  appendFileSync(process.env.LEDGER_FILE, event.id + '\\n')",
    '}',
    '',
  ].join('\n'),
)
writeFileSync(
  config,
  [
    'rules:',
    '  - name: keep-ledger',
    '    pattern: { source: ["durability.test"] }',
    // Refused events are retried (the engine backs off up to 5 s), never given up on.
    '    maxAttempts: 1000',
    '    targets:',
    '      - handler: ./ledger.mjs#record',
    '',
  ].join('\n'),
)

const children: ChildProcess[] = []
afterAll(() => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
  rmSync(work, { recursive: true, force: true })
})

/** Starts `sepal run` and resolves with its base URL once it prints where to send events. */
function startSepal(hold: boolean): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', cli, 'run', config, '--port', '0', '--data', join(work, 'data'), '--log-level', 'warn'], {
    cwd: root,
    env: { ...process.env, LEDGER_FILE: ledger, LEDGER_HOLD: hold ? '1' : '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  children.push(child)
  let output = ''
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer): void => {
      output += chunk.toString('utf8')
      const found = /POST (http:\/\/[\d.]+:\d+)\/events/.exec(output)
      if (found?.[1] !== undefined) {
        child.stdout?.off('data', onData)
        resolve({ child, url: found[1] })
      }
    }
    child.stdout?.on('data', onData)
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')))
    child.once('exit', (code, signal) => reject(new Error(`sepal run exited early (${code ?? signal}):\n${output}`)))
  })
}

function structured(id: string): RequestInit {
  const event = { specversion: '1.0', id, source: 'durability.test', type: 'Tick', data: { id } }
  return { method: 'POST', headers: { 'content-type': 'application/cloudevents+json' }, body: JSON.stringify(event) }
}

function binary(id: string): RequestInit {
  return {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'ce-specversion': '1.0', 'ce-id': id, 'ce-source': 'durability.test', 'ce-type': 'Tick' },
    body: JSON.stringify({ id }),
  }
}

function batch(ids: readonly string[]): RequestInit {
  const events = ids.map((id) => ({ specversion: '1.0', id, source: 'durability.test', type: 'Tick', data: { id } }))
  return { method: 'POST', headers: { 'content-type': 'application/cloudevents-batch+json' }, body: JSON.stringify(events) }
}

/** N ids as a mix of single structured, single binary and batch requests. */
function requests(): { ids: string[]; init: RequestInit }[] {
  const out: { ids: string[]; init: RequestInit }[] = []
  let n = 0
  while (n < N) {
    const kind = out.length % 3
    if (kind === 2 && n + BATCH <= N) {
      const ids = Array.from({ length: BATCH }, (_, i) => `evt-${n + i}`)
      out.push({ ids, init: batch(ids) })
      n += BATCH
    } else {
      const id = `evt-${n++}`
      out.push({ ids: [id], init: kind === 0 ? structured(id) : binary(id) })
    }
  }
  return out
}

function ledgerIds(): Set<string> {
  if (!existsSync(ledger)) return new Set()
  return new Set(readFileSync(ledger, 'utf8').split('\n').filter((line) => line.length > 0))
}

async function waitFor(check: () => boolean, timeoutMs: number): Promise<boolean> {
  const until = Date.now() + timeoutMs
  while (Date.now() < until) {
    if (check()) return true
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  return check()
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve()
  return new Promise((resolve) => child.once('exit', () => resolve()))
}

describe('ingress durability', () => {
  it('consumes every event answered 202 even after kill -9 right after the last answer', { timeout: 150_000 }, async () => {
    const first = await startSepal(true)
    const accepted: string[] = []
    const pending = requests()
    // A few requests in flight at once, as real producers do, so appends are grouped.
    const workers = Array.from({ length: 8 }, async () => {
      for (let next = pending.shift(); next !== undefined; next = pending.shift()) {
        const res = await fetch(`${first.url}/events`, next.init)
        expect(res.status).toBe(202)
        accepted.push(...next.ids)
      }
    })
    await Promise.all(workers)
    first.child.kill('SIGKILL')
    await exited(first.child)
    expect(accepted).toHaveLength(N)
    expect(ledgerIds().size).toBe(0)

    const second = await startSepal(false)
    const allThere = await waitFor(() => {
      const seen = ledgerIds()
      return accepted.every((id) => seen.has(id))
      // Deliveries in flight at the kill come back after the visibility timeout (30 s by default).
    }, 75_000)
    second.child.kill('SIGTERM')
    await exited(second.child)

    const seen = ledgerIds()
    const missing = accepted.filter((id) => !seen.has(id))
    expect(missing).toEqual([])
    expect(allThere).toBe(true)
  })
})

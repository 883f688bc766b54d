import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { runCommand } from '../src/cli/commands/run.js'
import { recordingIo, startRun } from '../src/cli/commands/test-io.js'
import { ErrorCodes } from '../src/errors.js'

const folder = mkdtempSync(join(tmpdir(), 'sepal-auth-run-'))
afterAll(() => rmSync(folder, { recursive: true, force: true }))

const KEY = 'run-publisher-key-0123456789abcdef'

const start = (argv: string[]) => startRun(argv, folder)

const event = JSON.stringify({ specversion: '1.0', id: '1', source: 'cli.test', type: 'Hello' })
const post = (url: string, headers: Record<string, string> = {}, body = event) =>
  fetch(`${url}/events`, { method: 'POST', headers: { 'content-type': 'application/cloudevents+json', ...headers }, body })

describe('sepal run with auth and limits', () => {
  it('asks for the key named in sepal.yaml, through the in-process CLI', async () => {
    writeFileSync(join(folder, 'key.txt'), `${KEY}\n`)
    writeFileSync(join(folder, 'auth.yaml'), 'transport: "memory:"\nauth:\n  keys:\n    - { name: app, scope: publish, keyFromFile: key.txt }\n')
    const run = start(['auth.yaml', '--port', '0', '--log-level', 'silent'])
    const url = await run.url
    const refused = await post(url)
    expect(refused.status).toBe(401)
    expect(await refused.json()).toEqual({ code: ErrorCodes.UNAUTHORIZED })
    expect((await post(url, { authorization: `Bearer ${KEY}` })).status).toBe(202)
    expect(run.io.err()).not.toContain('authentication is OFF')
    run.stop()
    expect(await run.exit).toBe(0)
  })

  it('warns loudly when auth is absent on loopback', async () => {
    const run = start(['--port', '0', '--transport', 'memory:', '--log-level', 'silent'])
    await run.url
    expect(run.io.err()).toContain('WARNING: authentication is OFF')
    run.stop()
    expect(await run.exit).toBe(0)
  })

  it('refuses to listen beyond loopback without auth, and says how to fix it', async () => {
    const io = recordingIo({ cwd: folder })
    expect(await runCommand.run(['--host', '0.0.0.0', '--port', '0', '--transport', 'memory:', '--log-level', 'silent'], io)).toBe(2)
    expect(io.err()).toContain('refusing to listen on 0.0.0.0 without authentication')
  })

  it('exits 2 naming the variable when a key env var is unset', async () => {
    writeFileSync(join(folder, 'env.yaml'), 'transport: "memory:"\nauth:\n  keys:\n    - { name: app, scope: publish, keyFromEnv: SEPAL_NOT_SET_KEY }\n')
    const io = recordingIo({ cwd: folder })
    expect(await runCommand.run(['env.yaml', '--port', '0', '--log-level', 'silent'], io)).toBe(2)
    expect(io.err()).toContain('SEPAL_NOT_SET_KEY')
  })

  it('applies the configured rate limit with 429 and Retry-After', async () => {
    writeFileSync(join(folder, 'limits.yaml'), 'transport: "memory:"\nlimits: { requestsPerSecond: 0.001, burst: 2 }\n')
    const run = start(['limits.yaml', '--port', '0', '--log-level', 'silent'])
    const url = await run.url
    expect((await post(url)).status).toBe(202)
    expect((await post(url)).status).toBe(202)
    const limited = await post(url)
    expect(limited.status).toBe(429)
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0)
    expect(((await limited.json()) as { code: string }).code).toBe(ErrorCodes.RATE_LIMITED)
    run.stop()
    expect(await run.exit).toBe(0)
  })
})

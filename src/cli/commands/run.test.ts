import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { isLoopback, runBanner } from './run-banner.js'
import { runCommand } from './run.js'
import { recordingIo, startRun } from './test-io.js'

const folder = mkdtempSync(join(tmpdir(), 'sepal-run-'))
afterAll(() => rmSync(folder, { recursive: true, force: true }))

const start = (argv: string[]) => startRun(argv, folder)

describe('sepal run', () => {
  it('serves the ingress with no config, accepts an event, and stops cleanly on the signal', async () => {
    const run = start(['--port', '0', '--transport', 'memory:', '--log-level', 'silent'])
    const url = await run.url
    expect((await fetch(`${url}/healthz`)).status).toBe(200)
    const response = await fetch(`${url}/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/cloudevents+json' },
      body: JSON.stringify({ specversion: '1.0', id: '1', source: 'cli.test', type: 'Hello' }),
    })
    expect(response.status).toBe(202)
    expect(run.io.out()).toContain(`curl -i ${url}/events`)
    run.stop()
    expect(await run.exit).toBe(0)
    expect(run.io.out()).toMatch(/stopped\n$/)
  })

  it('runs the rules of a config file: a handler reaction shows up in /metrics', async () => {
    writeFileSync(join(folder, 'count.js'), "export function count(event, ctx) { ctx.metrics.increment('test_hello_total') }\n")
    writeFileSync(join(folder, 'sepal.yaml'), 'transport: "memory:"\nrules:\n  - { name: hello, pattern: { detail-type: [Hello] }, targets: [{ handler: ./count.js#count }] }\n')
    const run = start(['sepal.yaml', '--port', '0', '--log-level', 'silent'])
    const url = await run.url
    await fetch(`${url}/events`, { method: 'POST', headers: { 'content-type': 'application/cloudevents+json' }, body: JSON.stringify({ specversion: '1.0', id: '1', source: 's', type: 'Hello' }) })
    let metrics = ''
    for (let i = 0; i < 100 && !metrics.includes('test_hello_total 1'); i++) {
      metrics = await (await fetch(`${url}/metrics`)).text()
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
    expect(metrics).toContain('test_hello_total 1')
    run.stop()
    expect(await run.exit).toBe(0)
  })

  it('exits 1 with a hint when the port is taken', async () => {
    const first = start(['--port', '0', '--transport', 'memory:', '--log-level', 'silent'])
    const port = new URL(await first.url).port
    const io = recordingIo({ cwd: folder })
    expect(await runCommand.run(['--port', port, '--transport', 'memory:', '--log-level', 'silent'], io)).toBe(1)
    expect(io.err()).toContain(`port ${port} on 127.0.0.1 is already in use`)
    first.stop()
    expect(await first.exit).toBe(0)
  })

  it('exits 2 with the problems of an invalid config', async () => {
    writeFileSync(join(folder, 'broken.yaml'), 'rules: 3\n')
    const io = recordingIo({ cwd: folder })
    expect(await runCommand.run(['broken.yaml'], io)).toBe(2)
    expect(io.err()).toContain('broken.yaml:1:8 rules: invalid input: expected array')
  })
})

describe('the run banner', () => {
  it('suggests a curl that the first rule matches', () => {
    const banner = runBanner({ url: 'http://127.0.0.1:8080', rules: [{ name: 'r', pattern: { source: ['app.orders'], 'detail-type': ['OrderPlaced'] }, targets: [] }], transport: 'sqlite:/x', topic: 'events', dataDirectory: '/x' })
    expect(banner).toContain(`-d '{"specversion":"1.0","id":"hello-1","source":"app.orders","type":"OrderPlaced"`)
  })

  it('knows loopback from the rest', () => {
    expect(['127.0.0.1', 'localhost', '::1'].map(isLoopback)).toEqual([true, true, true])
    expect(['0.0.0.0', '::', '192.168.1.2'].map(isLoopback)).toEqual([false, false, false])
  })
})

// The shop example end to end: the real CLI in a child process, real HTTP, the embedded log in a temp folder,
// and the demo script that a newcomer runs with `npm run demo`.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const root = fileURLToPath(new URL('..', import.meta.url))
const dataDirectory = mkdtempSync(join(tmpdir(), 'sepal-shop-'))
// Runs src/ through tsx so the test needs no build; the same main() that bin/sepal.js runs from dist/.
const cli = `import { main } from ${JSON.stringify(join(root, 'src/cli/main.ts'))}
process.exitCode = await main(process.argv.slice(1), { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd() })`

let server: ChildProcessWithoutNullStreams
let url: string
let serverOutput = ''

function lines(file: string): Record<string, unknown>[] {
  return readFileSync(join(dataDirectory, 'shop', file), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>)
}

beforeAll(async () => {
  server = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', cli, 'run', 'examples/shop/sepal.yaml', '--port', '0', '--data', dataDirectory, '--log-level', 'warn'], { cwd: root })
  url = await new Promise<string>((resolve, reject) => {
    server.stdout.on('data', (chunk: Buffer) => {
      serverOutput += chunk.toString()
      const found = /POST (http:\/\/\S+)\/events/.exec(serverOutput)
      if (found?.[1] !== undefined) resolve(found[1])
    })
    server.stderr.on('data', (chunk: Buffer) => (serverOutput += chunk.toString()))
    server.once('exit', (code) => reject(new Error(`sepal run exited with ${code}:\n${serverOutput}`)))
  })
})

afterAll(() => {
  if (server.exitCode === null) server.kill('SIGKILL')
  rmSync(dataDirectory, { recursive: true, force: true })
})

describe('examples/shop', () => {
  it('prints where to send events and a curl to do it', () => {
    expect(serverOutput).toContain('rules:      7: order-confirmation, welcome-start')
    expect(serverOutput).toContain(`curl -i ${url}/events`)
    expect(serverOutput).toContain(`data:       ${dataDirectory}`)
  })

  it('reacts to each of the five seed events as the demo shows', async () => {
    const demo = spawn(process.execPath, ['examples/shop/demo.js'], { cwd: root, env: { ...process.env, SEPAL_URL: url, SEPAL_DATA_DIR: dataDirectory } })
    let output = ''
    demo.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()))
    demo.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()))
    const code = await new Promise<number | null>((resolve) => demo.once('exit', resolve))
    expect(output, serverOutput).toContain('all five reactions seen')
    expect(code).toBe(0)

    const outbox = lines('outbox.ndjson')
    expect(outbox.map((m) => m['to'])).toEqual(expect.arrayContaining(['alice@example.com', 'bob@example.com']))
    expect(outbox).toHaveLength(2)
    expect(lines('workflow.ndjson')).toEqual([expect.objectContaining({ step: 'welcome-completed' })])
    expect(lines('alerts.ndjson').map((a) => a['value'])).toEqual([35.2])
    const stock = JSON.parse(readFileSync(join(dataDirectory, 'shop', 'stock.json'), 'utf8')) as { stock: Record<string, number> }
    expect(stock.stock).toEqual({ 'sku-kettle': 9, 'sku-mug': 23, 'sku-teapot': 3 })
    const metrics = await (await fetch(`${url}/metrics`)).text()
    expect(metrics).toContain('shop_log_lines_total{level="error",service="checkout"} 1')
    expect(metrics).not.toContain('level="info"')
  })

  it('consumes an event that `sepal publish --data-dir` wrote straight into its embedded log from another process', async () => {
    const publish = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', cli, 'publish', '--data-dir', dataDirectory, '--id', 'direct-1', '--source', 'sensors', '--type', 'SensorReading', '--data', '{"sensorId":"cellar","kind":"temperature","value":41}'], { cwd: root })
    let output = ''
    publish.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()))
    publish.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()))
    expect(await new Promise((resolve) => publish.once('exit', resolve)), output).toBe(0)
    let alerts: Record<string, unknown>[] = []
    for (let i = 0; i < 100 && !alerts.some((a) => a['eventId'] === 'direct-1'); i++) {
      await new Promise((resolve) => setTimeout(resolve, 50))
      alerts = lines('alerts.ndjson')
    }
    expect(alerts.find((a) => a['eventId'] === 'direct-1')).toMatchObject({ sensorId: 'cellar', value: 41 })
  })

  it('stops cleanly on SIGTERM', async () => {
    const exited = new Promise<number | null>((resolve) => server.once('exit', resolve))
    server.kill('SIGTERM')
    expect(await exited).toBe(0)
    expect(serverOutput).toMatch(/stopped\n$/)
  })
})

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { CliIo } from '../src/cli/command.js'
import { dlqCommand } from '../src/cli/commands/dlq.js'
import { createEngineFromConfig } from '../src/config/create-engine-from-config.js'
import { createSqliteTransport } from '../src/transports/sqlite/sqlite-transport.js'

let dir: string
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sepal-dead-letters-'))
  writeFileSync(
    join(dir, 'handlers.mjs'),
    `export function reject() { throw Object.assign(new Error('payment provider said no'), { name: 'PaymentError' }) }\n`,
  )
  writeFileSync(
    join(dir, 'sepal.yaml'),
    [
      'rules:',
      '  - name: capture',
      '    pattern: { source: [app.payments] }',
      '    retry: { maxAttempts: 2, initialDelayMs: 5, maxDelayMs: 10 }',
      '    targets:',
      '      - handler: ./handlers.mjs#reject',
      '        name: charge',
      '',
    ].join('\n'),
  )
})
afterEach(() => rmSync(dir, { recursive: true, force: true }))

function io() {
  const out: string[] = []
  const value: CliIo = { stdout: { write: (s: string) => out.push(s) }, stderr: { write: () => true }, env: {}, cwd: dir }
  return { value, text: () => out.join('') }
}

async function until(check: () => Promise<boolean>, what: string): Promise<void> {
  const end = Date.now() + 10_000
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

describe('dead letters of the embedded setup, end to end', () => {
  it('dead-letters into the data directory, lists them with sepal dlq and redrives them with the same id', async () => {
    const { engine, transport, closeStores } = await createEngineFromConfig(join(dir, 'sepal.yaml'), { cwd: dir })
    await engine.start()
    await engine.publish({ specversion: '1.0', id: 'pay-1', source: 'app.payments', type: 'PaymentCaptured', data: { amount: 12 } })
    const listed = async () => {
      const cli = io()
      await dlqCommand.run(['list', '--json', '--data', '.sepal'], cli.value)
      return JSON.parse(cli.text()) as Array<{ id: string; rule: string; target: string; error: string }>
    }
    await until(async () => (await listed()).length === 1, 'the dead letter')
    await engine.stop({ drainTimeoutMs: 1000 })
    await transport.close()
    await closeStores()
    expect((await listed())[0]).toMatchObject({ id: 'pay-1', rule: 'capture', target: 'charge', error: 'payment provider said no' })

    const redrive = io()
    expect(await dlqCommand.run(['redrive', '--to', 'redriven', '--json', '--data', '.sepal'], redrive.value)).toBe(0)
    expect(JSON.parse(redrive.text())).toEqual({ redriven: 1 })
    expect(await listed()).toEqual([])

    const log = createSqliteTransport({ directory: join(dir, '.sepal') })
    const subscription = await log.subscribe('redriven', { group: 'check', from: 'earliest' })
    for await (const delivery of subscription) {
      expect(delivery.event).toMatchObject({ id: 'pay-1', source: 'app.payments', data: { amount: 12 }, sepalredrives: 1 })
      expect(delivery.event['sepalerror']).toBeUndefined()
      await delivery.ack()
      break
    }
    await log.close()
  })
})

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { randomBytes } from 'node:crypto'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Webhook } from 'standardwebhooks'
import { afterAll, describe, expect, it } from 'vitest'
import { runCommand } from '../src/cli/commands/run.js'
import { recordingIo } from '../src/cli/commands/test-io.js'
import { startWebhookReceiver } from './support/webhook-receiver.js'

const folder = mkdtempSync(join(tmpdir(), 'sepal-webhooks-e2e-'))
afterAll(() => rmSync(folder, { recursive: true, force: true }))

describe('sepal run with webhooks in and out', () => {
  it('turns a signed webhook into an event whose rule posts a signed webhook to a receiver', async () => {
    const inbound = `whsec_${randomBytes(24).toString('base64')}`
    const outbound = `whsec_${randomBytes(24).toString('base64')}`
    const receiver = await startWebhookReceiver({ secret: outbound })
    writeFileSync(
      join(folder, 'sepal.yaml'),
      [
        'transport: "memory:"',
        'allowHosts: ["127.0.0.1"]',
        'webhooks:',
        '  - { name: billing, scheme: standard-webhooks, secretsFromEnv: [BILLING_IN] }',
        'rules:',
        '  - name: forward',
        '    pattern: { source: [/webhooks/billing], type: [invoice.paid] }',
        `    targets: [{ http: "${receiver.url}/partner", secretsFromEnv: [PARTNER_OUT] }]`,
        '',
      ].join('\n'),
    )
    const stop = new AbortController()
    let listening: (url: string) => void = () => undefined
    const ready = new Promise<string>((resolve) => (listening = resolve))
    const io = {
      ...recordingIo({
        cwd: folder,
        signal: stop.signal,
        onStdout: (out) => {
          const found = /POST (http:\/\/\S+)\/events/.exec(out)
          if (found?.[1] !== undefined) listening(found[1])
        },
      }),
      env: { BILLING_IN: inbound, PARTNER_OUT: outbound },
    }
    const exit = runCommand.run(['sepal.yaml', '--port', '0', '--log-level', 'silent', '--data', join(folder, 'data')], io)
    try {
      const url = await Promise.race([ready, exit.then((code) => Promise.reject(new Error(`exited ${code}: ${io.err()}`)))])
      const body = JSON.stringify({ type: 'invoice.paid', invoice: 'in_1' })
      const at = new Date()
      const headers = { 'webhook-id': 'msg_e2e', 'webhook-timestamp': String(Math.floor(at.getTime() / 1000)), 'webhook-signature': new Webhook(inbound).sign('msg_e2e', at, body) }
      const response = await fetch(`${url}/webhooks/billing`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body })
      expect(response.status).toBe(202)
      for (let i = 0; i < 250 && receiver.received.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 20))
      expect(receiver.received).toHaveLength(1)
      expect(receiver.received[0]).toMatchObject({ url: '/partner', verified: true, body })
      expect(receiver.received[0]?.headers).toMatchObject({ 'ce-id': 'msg_e2e', 'ce-source': '/webhooks/billing', 'ce-type': 'invoice.paid' })
    } finally {
      stop.abort()
      await exit
      await receiver.close()
    }
  })
})

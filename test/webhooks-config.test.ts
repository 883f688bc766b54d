import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { randomBytes } from 'node:crypto'
import { Webhook } from 'standardwebhooks'
import { afterEach, describe, expect, it } from 'vitest'
import { resolveConfig } from '../src/config/load-config.js'
import { startHttpServer, type HttpServer } from '../src/http/server.js'
import { createRecordingTransport } from './support/http-recording-transport.js'

const servers: HttpServer[] = []
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()))
})

describe('webhooks and HTTP targets in sepal.yaml', () => {
  it('reads webhook secrets from the environment and from files, and http targets with their options', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sepal-webhooks-'))
    writeFileSync(join(dir, 'gh.secret'), 'from-a-file\n')
    const loaded = await resolveConfig(
      {
        transport: 'memory:',
        webhooks: [
          { name: 'billing', scheme: 'standard-webhooks', secretsFromEnv: ['BILLING_SECRET'], typeFrom: { field: 'type' } },
          { name: 'github', scheme: 'github', secretsFromFiles: ['gh.secret'] },
        ],
        rules: [{ name: 'out', pattern: { source: ['x'] }, targets: [{ http: 'https://example.com/hook', secretsFromEnv: ['OUT_SECRET'], concurrency: 4, rateLimit: 10, mode: 'structured' }] }],
      },
      { baseDirectory: dir, env: { BILLING_SECRET: 'whsec_AAAA', OUT_SECRET: 'whsec_BBBB' } },
    )
    expect(loaded.webhooks).toEqual([
      { name: 'billing', scheme: 'standard-webhooks', secrets: ['whsec_AAAA'], typeFrom: { field: 'type' } },
      { name: 'github', scheme: 'github', secrets: ['from-a-file'] },
    ])
    expect(loaded.engineOptions.rules[0]?.targets[0]).toEqual({
      kind: 'http',
      url: 'https://example.com/hook',
      secret: ['whsec_BBBB'],
      concurrency: 4,
      rateLimit: 10,
      mode: 'structured',
    })
  })

  it('lists a missing environment variable, an unreadable file and an endpoint without secrets, never a secret value', async () => {
    const error = await resolveConfig(
      {
        transport: 'memory:',
        webhooks: [
          { name: 'a', scheme: 'bearer', secretsFromEnv: ['NOT_SET'] },
          { name: 'b', scheme: 'bearer', secretsFromFiles: ['missing.txt'] },
          { name: 'c', scheme: 'bearer' },
        ],
      },
      { env: {} },
    ).catch((e: unknown) => e as Error)
    expect(String(error)).toMatch(/NOT_SET is not set/)
    expect(String(error)).toMatch(/"missing.txt" cannot be read/)
    expect(String(error)).toMatch(/"c" has no secrets/)
  })

  it('reports a malformed secret and a duplicate endpoint name with the other config problems', async () => {
    const error = await resolveConfig(
      {
        transport: 'memory:',
        webhooks: [
          { name: 'a', scheme: 'standard-webhooks', secretsFromEnv: ['BAD'] },
          { name: 'a', scheme: 'bearer', secretsFromEnv: ['GOOD'] },
        ],
        rules: [{ name: 'r', pattern: { source: ['x'] }, targets: [{ http: 'https://example.com/', secretsFromEnv: ['BAD'] }] }],
      },
      { env: { BAD: 'whsec_not base64!', GOOD: 'token' } },
    ).catch((e: unknown) => e as Error)
    expect(String(error)).toMatch(/webhooks\[0\].*not base64/)
    expect(String(error)).toMatch(/rules\[0\]\.targets\[0\].*not base64/)
    expect(String(error)).toMatch(/duplicate webhook name "a"/)
    expect(String(error)).not.toContain('not base64!')
  })

  it('refuses an http target whose URL is not http(s)', async () => {
    const error = await resolveConfig({ transport: 'memory:', rules: [{ name: 'r', pattern: { source: ['x'] }, targets: [{ http: 'ftp://x/y' }] }] }).catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'SEPAL_ERR_CONFIG_INVALID' })
    expect(String(error)).toMatch(/rules\[0\]\.targets\[0\]/)
    expect(String(error)).not.toMatch(/pattern/)
  })

  it('serves a configured endpoint end to end', async () => {
    const secret = `whsec_${randomBytes(24).toString('base64')}`
    const loaded = await resolveConfig(
      { transport: 'memory:', webhooks: [{ name: 'billing', scheme: 'standard-webhooks', secretsFromEnv: ['S'] }] },
      { env: { S: secret } },
    )
    const transport = createRecordingTransport()
    const server = await startHttpServer({ transport, port: 0, webhooks: loaded.webhooks })
    servers.push(server)
    const body = '{"type":"invoice.paid"}'
    const at = new Date()
    const headers = { 'webhook-id': 'msg_1', 'webhook-timestamp': String(Math.floor(at.getTime() / 1000)), 'webhook-signature': new Webhook(secret).sign('msg_1', at, body) }
    const response = await fetch(`${server.url}/webhooks/billing`, { method: 'POST', headers, body })
    expect(response.status).toBe(202)
    expect(transport.appends[0]?.events[0]).toMatchObject({ id: 'msg_1', type: 'invoice.paid' })
  })
})

import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import type { CliIo } from '../src/cli/command.js'
import { validateCommand } from '../src/cli/commands/validate.js'
import { loadConfig } from '../src/config/load-config.js'
import { expandEnvReferences } from '../src/config/secrets.js'
import { createMemoryDeadLetterStore } from '../src/delivery/dead-letter-store.js'
import { createEngine } from '../src/engine/create-engine.js'
import type { Logger } from '../src/engine/types.js'
import { createMemoryTransport } from '../src/transports/memory/memory-transport.js'

// Secrets that would be easy to spot in any output: random, so no fixture text can match them by chance.
const signingSecret = `whsec_${randomBytes(32).toString('base64')}`
const brokerPassword = `pw-${randomBytes(12).toString('hex')}`
const apiToken = `tok-${randomBytes(12).toString('hex')}`

const folders: string[] = []
afterEach(() => {
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true })
})

function configFolder(lines: readonly string[]): string {
  const folder = mkdtempSync(join(tmpdir(), 'sepal-secrets-'))
  folders.push(folder)
  writeFileSync(join(folder, 'sepal.yaml'), `${lines.join('\n')}\n`)
  return folder
}

function captureIo(cwd: string, env: Record<string, string>): { io: CliIo; output: () => string } {
  let text = ''
  const sink = { write: (chunk: string) => (text += chunk) }
  return { io: { stdout: sink, stderr: sink, env, cwd }, output: () => text }
}

const env = { SIGNING: signingSecret, BROKER_PASSWORD: brokerPassword, RECEIVER_TOKEN: `Bearer ${apiToken}` }
const withSecrets = [
  'transport: "redis://sepal:${BROKER_PASSWORD}@127.0.0.1:6379"',
  'rules:',
  '  - name: forward',
  '    pattern: { source: [app] }',
  '    targets: [{ http: "https://hooks.example.test/in", secretsFromEnv: [SIGNING], headersFromEnv: { authorization: RECEIVER_TOKEN } }]',
]

describe('secrets in sepal.yaml', () => {
  it('a ${NAME} reference in the transport URL is filled from the environment, percent-encoded', () => {
    expect(expandEnvReferences('amqp://u:${P}@h', { P: 'a@b/c' })).toEqual({ value: 'amqp://u:a%40b%2Fc@h', missing: [] })
    expect(expandEnvReferences('amqp://u:${P}@h', {}).missing).toEqual(['P'])
  })

  it('the loaded config carries the secrets from the environment', async () => {
    const folder = configFolder(withSecrets)
    const loaded = await loadConfig('sepal.yaml', { cwd: folder, env, resolveHandlers: false })
    expect(loaded.transport.url).toContain(brokerPassword)
    const target = loaded.engineOptions.rules[0]?.targets[0]
    expect(target !== undefined && 'secret' in target ? target.secret : undefined).toEqual([signingSecret])
    expect(target !== undefined && 'headers' in target ? target.headers : undefined).toEqual({ authorization: `Bearer ${apiToken}` })
  })

  it('sepal validate prints neither the broker password nor the signing secret, in text or JSON', async () => {
    const folder = configFolder(withSecrets)
    for (const args of [['sepal.yaml'], ['sepal.yaml', '--json']]) {
      const { io, output } = captureIo(folder, env)
      expect(await validateCommand.run(args, io)).toBe(0)
      expect(output()).not.toContain(brokerPassword)
      expect(output()).not.toContain(signingSecret.slice(6))
      expect(output()).not.toContain(apiToken)
    }
  })

  it('a malformed secret and a missing variable are reported without their values', async () => {
    const folder = configFolder(withSecrets)
    const broken = `whsec_${apiToken}!!`
    const { io, output } = captureIo(folder, { SIGNING: broken })
    expect(await validateCommand.run(['sepal.yaml'], io)).toBe(2)
    expect(output()).toContain('BROKER_PASSWORD')
    expect(output()).toContain('RECEIVER_TOKEN')
    expect(output()).not.toContain(apiToken)
  })
})

describe('secrets at run time', () => {
  it('an HTTP target URL with credentials is refused at addRule, without echoing them', () => {
    const engine = createEngine({ transport: createMemoryTransport() })
    let message = ''
    try {
      engine.addRule({ name: 'r', pattern: { source: ['app'] }, targets: [{ kind: 'http', url: `https://user:${brokerPassword}@hooks.example.test/in` }] })
    } catch (error) {
      message = (error as Error).message
    }
    expect(message).toContain('must not contain credentials')
    expect(message).not.toContain(brokerPassword)
  })

  it('a failing signed target with an Authorization header leaks no secret into logs or dead letters', async () => {
    const lines: string[] = []
    const record = (level: string) => (obj: object, msg?: string) => void lines.push(`${level} ${msg ?? ''} ${JSON.stringify(obj)}`)
    const logger: Logger = { debug: record('debug'), info: record('info'), warn: record('warn'), error: record('error') }
    const deadLetters = createMemoryDeadLetterStore()
    const engine = createEngine({
      transport: createMemoryTransport(),
      from: 'earliest',
      logger,
      deadLetters,
      allowHosts: ['127.0.0.1'],
      retry: { initialDelayMs: 1, maxDelayMs: 2 },
      rules: [
        {
          name: 'forward',
          pattern: { source: ['app'] },
          maxAttempts: 2,
          targets: [
            // Port 1 on loopback refuses connections: a network error, logged and dead-lettered.
            { kind: 'http', url: `http://127.0.0.1:1/in?token=${apiToken}`, secret: signingSecret, headers: { authorization: `Bearer ${brokerPassword}` } },
          ],
        },
      ],
    })
    await engine.start()
    try {
      await engine.publish({ specversion: '1.0', id: 'e1', source: 'app', type: 't' })
      const end = Date.now() + 5000
      while ((await deadLetters.list()).length === 0 && Date.now() < end) await new Promise((resolve) => setTimeout(resolve, 5))
      const letters = await deadLetters.list()
      expect(letters).toHaveLength(1)
      const everything = `${lines.join('\n')}\n${JSON.stringify(letters)}`
      for (const secret of [brokerPassword, apiToken, signingSecret.slice(6)]) expect(everything).not.toContain(secret)
    } finally {
      await engine.stop({ drainTimeoutMs: 100 })
    }
  })
})

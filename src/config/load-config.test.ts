import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { createEvent } from '../event/create-event.js'
import { createEngineFromConfig } from './create-engine-from-config.js'
import { ConfigError, HandlerNotFoundError } from './errors.js'
import { loadConfig, resolveConfig } from './load-config.js'

const folder = mkdtempSync(join(tmpdir(), 'sepal-config-'))
writeFileSync(join(folder, 'handlers.js'), 'export const calls = []\nexport function onOrder(event) { calls.push(event.id) }\nexport const notAFunction = 1\n')

function file(name: string, text: string): string {
  const path = join(folder, name)
  writeFileSync(path, text)
  return path
}

async function problemsOf(promise: Promise<unknown>): Promise<string[]> {
  const error = await promise.then(() => undefined, (e: unknown) => e)
  expect(error).toBeInstanceOf(ConfigError)
  return (error as ConfigError).problems.map((p) => `${p.line}:${p.column} ${p.path}: ${p.message}`)
}

afterAll(() => rmSync(folder, { recursive: true, force: true }))

describe('loadConfig', () => {
  it('turns a valid file into engine options with defaults and handlers resolved next to the file', async () => {
    const path = file('valid.yaml', `rules:\n  - name: orders\n    pattern: { source: [app.orders], detail-type: [OrderPlaced] }\n    targets:\n      - handler: ./handlers.js#onOrder\n        publishTo: follow-ups\n      - { publish: audit, timeoutMs: 500 }\n`)
    const loaded = await loadConfig(path, { cwd: folder })
    expect(loaded.engineOptions.topic).toBe('events')
    expect(loaded.engineOptions.group).toBe('sepal')
    expect(loaded.http).toEqual({ port: 8080, host: '127.0.0.1', maxEventBytes: 256 * 1024 })
    expect(loaded.transport.url).toBe(`sqlite:${join(folder, '.sepal')}`)
    const [rule] = loaded.engineOptions.rules
    expect(rule?.targets.map((t) => [t.kind, t.name])).toEqual([['handler', './handlers.js#onOrder'], ['publish', 'publish:audit']])
    expect(typeof (rule?.targets[0] as { handler?: unknown }).handler).toBe('function')
    expect(rule?.targets[0]).toMatchObject({ publishTo: 'follow-ups' })
    expect(rule?.targets[1]).toMatchObject({ timeoutMs: 500 })
  })

  it('names file, line, column and path of a pattern error inside the YAML', async () => {
    const path = file('bad-pattern.yaml', ['rules:', '  - name: big', '    pattern:', '      detail:', '        amount:', '          - numeric: [">", "ten"]', '    targets: [{ publish: x }]', ''].join('\n'))
    const error = await loadConfig(path, { cwd: folder }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ConfigError)
    expect((error as ConfigError).code).toBe('SEPAL_ERR_CONFIG_INVALID')
    const [problem] = (error as ConfigError).problems
    expect(problem?.file).toBe('bad-pattern.yaml')
    expect(problem?.path).toMatch(/^rules\[0\]\.pattern\.detail\.amount\[0\]/)
    expect(problem?.line).toBe(6)
    expect((error as Error).message).toContain('bad-pattern.yaml:6:')
  })

  it('lists every shape problem at once, unknown keys at the key itself', async () => {
    const path = file('shape.yaml', ['topic: events', 'htttp: { port: 1 }', 'http: { port: "eighty" }', 'rules:', '  - name: a', '    pattern: {}', '    targets: [{ handler: "no-hash" }]', ''].join('\n'))
    const problems = await problemsOf(loadConfig(path, { cwd: folder }))
    expect(problems).toEqual([
      expect.stringMatching(/^2:1 htttp: unknown key "htttp"/),
      expect.stringMatching(/^3:15 http\.port: invalid input: expected number/),
      expect.stringMatching(/^6:14 rules\[0\]\.pattern: an empty object matches nothing/),
      expect.stringMatching(/^7:26 rules\[0\]\.targets\[0\]\.handler: write the handler as "module#export"/),
    ])
  })

  it('reports a YAML syntax error with its position', async () => {
    const path = file('syntax.yaml', 'rules:\n  - name: a\n  name: b\n')
    const problems = await problemsOf(loadConfig(path, { cwd: folder }))
    expect(problems[0]).toMatch(/^\d+:\d+ : YAML syntax: /)
  })

  it('says a missing file was not found', async () => {
    const problems = await problemsOf(loadConfig('nowhere.yaml', { cwd: folder }))
    expect(problems[0]).toContain('file not found')
  })

  it('rejects duplicate rule names and unknown transports, and accepts every broker scheme', async () => {
    const path = file('dupes.yaml', ['transport: "carrier-pigeon://coop"', 'rules:', '  - { name: a, pattern: { source: [x] }, targets: [{ publish: t }] }', '  - { name: a, pattern: { source: [y] }, targets: [{ publish: t }] }', ''].join('\n'))
    const problems = await problemsOf(loadConfig(path, { cwd: folder }))
    expect(problems).toEqual(expect.arrayContaining([expect.stringMatching(/rules\[1\]\.name: duplicate rule name "a"/), expect.stringMatching(/^1:\d+ transport: unknown transport scheme "carrier-pigeon:"/)]))
    for (const url of ['kafka://127.0.0.1:9092', 'nats://127.0.0.1:4222', 'redis://127.0.0.1:6379', 'amqp://guest:guest@127.0.0.1:5672']) {
      const path = file('broker.yaml', `transport: ${url}\n`)
      await expect(loadConfig(path, { cwd: folder }), url).resolves.toMatchObject({ transport: { url } })
    }
  })

  it('fails with SEPAL_ERR_HANDLER_NOT_FOUND for a missing module or export, saying what exists', async () => {
    const path = file('handlers-missing.yaml', ['rules:', '  - name: a', '    pattern: { source: [x] }', '    targets:', '      - handler: ./nope.js#run', '      - handler: ./handlers.js#onOrdr', '      - handler: ./handlers.js#notAFunction', ''].join('\n'))
    const error = await loadConfig(path, { cwd: folder }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(HandlerNotFoundError)
    expect((error as HandlerNotFoundError).code).toBe('SEPAL_ERR_HANDLER_NOT_FOUND')
    const messages = (error as HandlerNotFoundError).problems.map((p) => `${p.line} ${p.message}`)
    expect(messages[0]).toMatch(/^5 handler module "\.\/nope\.js" not found/)
    expect(messages[1]).toMatch(/^6 .*has no export "onOrdr" \(it exports "onOrder"\)/)
    expect(messages[2]).toMatch(/^7 .*exports a non-function "notAFunction"/)
  })
})

describe('resolveConfig and createEngineFromConfig (the same configuration from code)', () => {
  it('builds an engine whose handler runs for a matching event', async () => {
    const loaded = await resolveConfig(
      { transport: 'memory:', rules: [{ name: 'orders', pattern: { 'detail-type': ['OrderPlaced'] }, targets: [{ handler: './handlers.js#onOrder' }] }] },
      { baseDirectory: folder, cwd: folder },
    )
    const { engine, transport } = await createEngineFromConfig(loaded)
    const report = await engine.dispatch(createEvent({ id: 'e-1', source: 'app.orders', type: 'OrderPlaced', data: {} }))
    expect(report.matched).toEqual(['orders'])
    const handlers = (await import(join(folder, 'handlers.js'))) as { calls: string[] }
    expect(handlers.calls).toContain('e-1')
    await transport.close()
  })

  it('rejects an object with a problem path but no line', async () => {
    const error = await resolveConfig({ rules: [{ name: 'x', pattern: { source: 'not-an-array' }, targets: [{ publish: 't' }] }] }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ConfigError)
    expect((error as ConfigError).problems[0]).toMatchObject({ file: '<config>', path: 'rules[0].pattern.source' })
    expect((error as ConfigError).problems[0]?.line).toBeUndefined()
  })
})

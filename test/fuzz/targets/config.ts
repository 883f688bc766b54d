import fc from 'fast-check'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { stringify } from 'yaml'
import { loadConfig, resolveConfig } from '../../../src/config/load-config.js'
import { patternObject } from '../../../src/pattern/pattern-arbitraries.js'
import { anyText, perturbed, textInput } from '../harness/mutate.js'
import { outcomeOf } from '../harness/outcome.js'
import type { FuzzTarget } from '../harness/runner.js'

const name = fc.oneof({ arbitrary: fc.stringMatching(/^[a-z][a-z0-9-]{0,10}$/), weight: 8 }, { arbitrary: fc.constantFrom('bad name', '', '-x', 'a'.repeat(130)), weight: 1 })
const smallInt = fc.oneof({ arbitrary: fc.integer({ min: 1, max: 1000 }), weight: 8 }, { arbitrary: fc.constantFrom(0, -1, 3_600_001, 1e308, -0, 1.5), weight: 1 })

const target = fc.oneof(
  fc.record({ handler: fc.constantFrom('./h.js#run', 'h.js#a', 'no-hash', './x.js#1bad', '#x'), timeoutMs: smallInt }, { requiredKeys: ['handler'] }),
  fc.record({ publish: name, name }, { requiredKeys: ['publish'] }),
  fc.record(
    {
      url: fc.oneof(fc.webUrl(), fc.constantFrom('http://127.0.0.1:9/x', 'ftp://x', 'not a url', 'http://[::1')),
      method: fc.constantFrom('POST', 'PUT', 'GET', 'BREW'),
      headers: fc.dictionary(fc.string({ maxLength: 10 }), fc.oneof(fc.string({ maxLength: 10 }), fc.integer())),
      sign: fc.oneof(
        fc.record({ scheme: fc.constantFrom('standard-webhooks', 'bogus'), secret: fc.constantFrom('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', 'whsec_!', 'plain'), secretFromEnv: fc.constantFrom('SECRET', '') }, { requiredKeys: [] }),
        fc.jsonValue({ maxDepth: 1 }),
      ),
      timeoutMs: smallInt,
      inputTransformer: fc.record({ inputPathsMap: fc.dictionary(fc.string({ maxLength: 5 }), fc.constantFrom('$.detail', '$.source', '$', 'x', '$..a')), inputTemplate: fc.constantFrom('<a>', '{"a": <a>}', '<', '"<b>"', '') }, { requiredKeys: [] }),
    },
    { requiredKeys: ['url'] },
  ),
  fc.constant({ publish: 'out' }),
)

const rule = fc.record(
  {
    name,
    description: fc.string({ maxLength: 10 }),
    pattern: fc.oneof({ arbitrary: patternObject, weight: 4 }, { arbitrary: patternObject.map((p) => JSON.stringify(p)), weight: 2 }, { arbitrary: fc.jsonValue({ maxDepth: 2 }), weight: 1 }),
    targets: fc.array(target, { minLength: 1, maxLength: 3 }),
    maxAttempts: smallInt,
    retry: fc.record({ maxAttempts: smallInt, initialDelayMs: smallInt, maxDelayMs: smallInt, maxAgeMs: smallInt }, { requiredKeys: [] }),
    idempotency: fc.oneof(fc.constant(false), fc.record({ leaseMs: smallInt, ttlMs: smallInt }, { requiredKeys: [] })),
    orderBy: fc.constantFrom('data.customerId', 'subject', 'data.a', 'a..b'),
    concurrency: smallInt,
    example: fc.dictionary(fc.string({ maxLength: 5 }), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 3 }),
  },
  { requiredKeys: ['name', 'pattern', 'targets'] },
)

const webhook = fc.record(
  {
    name,
    scheme: fc.constantFrom('github', 'stripe', 'bearer', 'github', 'stripe', 'bearer', 'bogus'),
    secrets: fc.array(fc.oneof({ arbitrary: fc.constantFrom('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', 'token'), weight: 6 }, { arbitrary: fc.constantFrom('whsec_%%%', 'whpk_AAAA', ''), weight: 1 }), { minLength: 1, maxLength: 2 }),
    secretsFromEnv: fc.array(fc.constantFrom('HOOK_SECRET', 'HOOK_SECRET', 'UNSET', ''), { maxLength: 1 }),
    toleranceSec: smallInt,
    typeFrom: fc.oneof(fc.record({ header: fc.string({ minLength: 1, maxLength: 8 }) }), fc.record({ field: fc.string({ minLength: 1, maxLength: 8 }) }), fc.constant({ header: '' })),
    maxBytes: smallInt,
  },
  { requiredKeys: ['name', 'scheme'] },
)

const configObject = fc.record(
  {
    transport: fc.oneof({ arbitrary: fc.constantFrom('memory:', 'sqlite:./data'), weight: 6 }, { arbitrary: fc.constantFrom('sqlite:', 'redis://127.0.0.1:1', 'nats://x', 'kafka://', 'bogus:', 'postgres://u@h/db', '::'), weight: 1 }),
    topic: name,
    group: name,
    http: fc.record({ port: smallInt, host: fc.constantFrom('127.0.0.1', '0.0.0.0', 'localhost'), maxEventBytes: smallInt }, { requiredKeys: [] }),
    rules: fc.array(rule, { maxLength: 3 }),
    webhooks: fc.array(webhook, { maxLength: 2 }),
    retry: fc.record({ maxAttempts: smallInt, maxDelayMs: smallInt }, { requiredKeys: [] }),
    idempotency: fc.record({ store: fc.constantFrom('sqlite', 'memory', 'none', 'redis://127.0.0.1:1', 'postgres://x@127.0.0.1:1/db', 'mongo', 'sqlite', 'memory'), leaseMs: smallInt }, { requiredKeys: [] }),
    deadLetters: fc.record({ store: fc.constantFrom('sqlite', 'topic', 'sqlite', 'topic', 'kafka') }, { requiredKeys: [] }),
  },
  { requiredKeys: [] },
)

const configValue: fc.Arbitrary<unknown> = fc.oneof(
  { arbitrary: configObject, weight: 4 },
  { arbitrary: perturbed(configObject, ['transport', 'topic', 'group', 'http', 'rules', 'webhooks', 'retry', 'idempotency', 'deadLetters', '__proto__', 'extra']), weight: 2 },
  { arbitrary: fc.jsonValue({ maxDepth: 3 }), weight: 1 },
)

/** YAML's own sharp edges: anchors and alias bombs, tags, merge keys, duplicate keys, documents, deep nesting. */
const yamlEdges = fc.constantFrom(
  'a: &a [1,2]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n',
  'rules: &r\n  - name: a\n    pattern: {source: [x]}\n    targets: [{publish: t}]\n  - *r\n',
  'topic: !!js/function "function(){}"\n', 'topic: !!binary aGk=\n', 'topic: !custom x\n', 'topic: a\ntopic: b\n', '<<: {topic: a}\n',
  '--- {}\n--- {}\n', '%YAML 1.1\n---\ntopic: yes\n', 'rules: ' + '['.repeat(300) + ']'.repeat(300) + '\n', 'rules:\n' + '  - '.repeat(200) + 'x\n',
  '? [a, b]\n: c\n', 'topic: *unknown\n', '"\\u0000": x\n', 'topic: 0x1F\n', '\t- a\n', 'http:\n  port: 1e3\n', '__proto__: {polluted: true}\n',
)

const yamlText: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: textInput(configValue.map((value) => stringify(value))), weight: 6 },
  { arbitrary: textInput(configValue.map((value) => JSON.stringify(value) ?? 'null')), weight: 1 },
  { arbitrary: textInput(yamlEdges), weight: 2 },
  { arbitrary: anyText, weight: 1 },
)

/** Secrets named by `secretsFromEnv` come from here, never from the real environment. */
const env = { HOOK_SECRET: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', SECRET: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' }

/** `loadConfig` on arbitrary YAML text written to a temp file (handler modules are not imported). */
export const yamlConfigTarget: FuzzTarget<string> = {
  name: 'config-yaml',
  input: yamlText,
  async open() {
    const directory = await mkdtemp(join(tmpdir(), 'sepal-fuzz-config-'))
    const file = join(directory, 'sepal.yaml')
    return {
      async check(text) {
        await writeFile(file, text)
        return outcomeOf(() => loadConfig(file, { cwd: directory, resolveHandlers: false, env }))
      },
      close: () => rm(directory, { recursive: true, force: true }),
    }
  },
}

/** `resolveConfig` on configuration objects built in code. */
export const objectConfigTarget: FuzzTarget<unknown> = {
  name: 'config-object',
  input: configValue,
  async open() {
    const directory = await mkdtemp(join(tmpdir(), 'sepal-fuzz-config-'))
    return {
      check: (value) => outcomeOf(() => resolveConfig(value, { cwd: directory, resolveHandlers: false, env })),
      close: () => rm(directory, { recursive: true, force: true }),
    }
  },
}

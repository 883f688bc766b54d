import type { Rule } from '../../engine/types.js'
import type { RuleConfig } from '../../config/schema.js'
import { redactUrl } from '../../config/transport-registry.js'

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1', '[::1]'])

export function isLoopback(host: string): boolean {
  return LOOPBACK.has(host) || host.startsWith('127.')
}

/**
 * A sample event for the printed curl: the first rule's `example` when it has one, else one built from the
 * first rule's source and detail-type, so pasting it shows a reaction rather than nothing.
 */
export function sampleEvent(rules: readonly Rule[], configured: readonly RuleConfig[] = []): Record<string, unknown> {
  const example = configured.find((r) => r.example !== undefined)?.example
  if (example !== undefined) return { specversion: '1.0', id: 'hello-1', ...example }
  const pattern = rules.map((r) => r.pattern).find((p): p is Readonly<Record<string, unknown>> => typeof p === 'object')
  const first = (key: string, fallback: string): string => {
    const values = pattern?.[key]
    return Array.isArray(values) && typeof values[0] === 'string' ? values[0] : fallback
  }
  return { specversion: '1.0', id: 'hello-1', source: first('source', 'example.cli'), type: first('detail-type', first('type', 'Hello')), data: { hello: 'world' } }
}

/** What `sepal run` prints once it listens: where to send events and how. */
export function runBanner(input: { url: string; rules: readonly Rule[]; configured?: readonly RuleConfig[]; transport: string; topic: string; dataDirectory: string }): string {
  const sample = sampleEvent(input.rules, input.configured)
  const event = JSON.stringify(sample)
  const names = input.rules.map((r) => r.name)
  return [
    'sepal is running',
    `  rules:      ${names.length === 0 ? 'none (every event is accepted and acked)' : `${names.length}: ${names.join(', ')}`}`,
    `  transport:  ${redactUrl(input.transport)} (topic "${input.topic}")`,
    `  data:       ${input.dataDirectory}`,
    `  ingress:    POST ${input.url}/events   (also GET /healthz, /readyz, /metrics)`,
    '',
    'Send an event (structured CloudEvent JSON; batches use application/cloudevents-batch+json):',
    `  curl -i ${input.url}/events \\`,
    `    -H 'content-type: application/cloudevents+json' \\`,
    `    -d '${event.replace(/'/g, "'\\''")}'`,
    '',
    `or: npx sepal publish --url ${input.url} --source ${shellWord(sample['source'])} --type ${shellWord(sample['type'])}${sample['data'] === undefined ? '' : ` --data ${shellWord(JSON.stringify(sample['data']))}`}`,
    '',
    'Press Ctrl+C to stop.',
    '',
  ].join('\n')
}

function shellWord(value: unknown): string {
  const text = String(value)
  return /^[\w.:/@-]+$/.test(text) ? text : `'${text.replace(/'/g, "'\\''")}'`
}

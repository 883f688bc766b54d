/**
 * The node contenders. Each one turns (rules, events) into a Step; building the step is its compile phase, which
 * the worker times and weighs. The sepal matcher is imported at run time (not statically) so the benchmark can
 * also measure another build of it, named by BENCH_PATTERN_MODULE (a path or URL to a module with the same API).
 */
import { createRequire } from 'node:module'
import { pathToFileURL } from 'node:url'
import type { Step } from './measure.js'

export interface BenchRule {
  readonly id: string
  readonly pattern: Record<string, unknown>
}

export interface BenchInputs {
  readonly rules: readonly BenchRule[]
  readonly texts: readonly string[]
  /** The same events, parsed once up front, for the pre-parsed rows. */
  readonly objects: readonly object[]
}

export const CONTENDER_NAMES = [
  'sepal-compiled-text',
  'sepal-compiled-object',
  'sepal-reference-text',
  'sepal-reference-object',
  'json-parse',
  'coorpacademy-text',
  'coorpacademy-object',
] as const
export type ContenderName = (typeof CONTENDER_NAMES)[number]

interface MatcherModule {
  compileMatcher(rules: Iterable<readonly [string, unknown]>): { match(event: unknown): readonly string[] }
  referenceMatcher(rules: Iterable<readonly [string, unknown]>): { match(event: unknown): readonly string[] }
}

type MatchesPattern = (pattern: unknown, event: unknown) => boolean

const NOTHING: readonly string[] = []
/** Written by the JSON.parse contender so the parse cannot be optimised away. */
export let lastParsed: unknown

export async function buildContender(name: ContenderName, inputs: BenchInputs): Promise<Step> {
  const { rules, texts, objects } = inputs
  switch (name) {
    case 'sepal-compiled-text':
    case 'sepal-compiled-object':
    case 'sepal-reference-text':
    case 'sepal-reference-object': {
      const module = await loadMatcherModule()
      const build = name.startsWith('sepal-compiled') ? module.compileMatcher : module.referenceMatcher
      const matcher = build(rules.map((rule) => [rule.id, rule.pattern] as const))
      return name.endsWith('-text') ? (i) => matcher.match(texts[i]) : (i) => matcher.match(objects[i])
    }
    case 'json-parse':
      return (i) => {
        lastParsed = JSON.parse(texts[i]!)
        return NOTHING
      }
    case 'coorpacademy-text':
    case 'coorpacademy-object': {
      // It matches one pattern at a time, so a rule set is a loop over every rule, as its plugin does.
      const matchesPattern = loadCoorpacademy()
      const fromText = name === 'coorpacademy-text'
      return (i) => {
        const event = fromText ? JSON.parse(texts[i]!) : objects[i]
        const matched: string[] = []
        for (const rule of rules) if (matchesPattern(rule.pattern, event)) matched.push(rule.id)
        return matched
      }
    }
  }
}

async function loadMatcherModule(): Promise<MatcherModule> {
  const override = process.env['BENCH_PATTERN_MODULE']
  const url = override
    ? (override.includes('://') ? override : pathToFileURL(override).href)
    : new URL('../../src/pattern/index.js', import.meta.url).href
  const module = (await import(url)) as Partial<MatcherModule>
  if (typeof module.compileMatcher !== 'function' || typeof module.referenceMatcher !== 'function') {
    throw new Error(`'${url}' does not export compileMatcher and referenceMatcher`)
  }
  return module as MatcherModule
}

function loadCoorpacademy(): MatchesPattern {
  // The package is CommonJS and exports matchesPattern from src/eventbridge.js (version 1.0.1).
  const require = createRequire(import.meta.url)
  const module = require('@coorpacademy/serverless-offline-eventbridge/src/eventbridge.js') as {
    matchesPattern?: MatchesPattern
  }
  if (typeof module.matchesPattern !== 'function') {
    throw new Error('@coorpacademy/serverless-offline-eventbridge no longer exports matchesPattern')
  }
  return module.matchesPattern
}

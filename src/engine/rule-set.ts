import { compileMatcher } from '../pattern/compiled-matcher.js'
import { compilePattern } from '../pattern/compile-pattern.js'
import { OptionsError, SepalError, ErrorCodes } from '../errors.js'
import { compileTarget } from '../targets/compile-target.js'
import type { CompiledTarget, TargetEnvironment } from '../targets/types.js'
import type { Counter, Metrics } from './metrics.js'
import { createSlimView, needsEnvelopeView, topLevelNames } from './pattern-view.js'
import type { CloudEvent } from '../event/cloud-event.js'
import type { Rule } from './types.js'

export const DEFAULT_MAX_ATTEMPTS = 3

/** A target plus the counter it bumps when it fails, resolved once instead of per event. */
export interface RuleTarget {
  readonly compiled: CompiledTarget
  readonly failed: Counter
}

/** A rule checked and made runnable at `addRule`. */
export interface CompiledRule {
  readonly name: string
  readonly rule: Rule
  readonly targets: readonly RuleTarget[]
  readonly maxAttempts: number
  readonly matched: Counter
  readonly needsEnvelope: boolean
  readonly topLevelNames: readonly string[]
}

/**
 * An immutable snapshot of the rules and their matcher. Adding or removing a rule builds a new one
 * and swaps it in; a dispatch already under way keeps the snapshot it started with.
 */
export interface RuleSet {
  readonly rules: readonly CompiledRule[]
  /** Some rule names `detail` / `detail-type`, so events are matched through `view`. */
  readonly needsEnvelope: boolean
  /** The envelope view, cut down to the names the rules mention. */
  readonly view: (event: CloudEvent) => object
  readonly byName: ReadonlyMap<string, CompiledRule>
  match(view: object): readonly CompiledRule[]
}

export class RuleDuplicateError extends SepalError {
  constructor(name: string) {
    super(ErrorCodes.RULE_DUPLICATE, `a rule named "${name}" already exists; remove it first or pick another name`)
  }
}

const NO_RULES: readonly CompiledRule[] = Object.freeze([])
const identity = (event: CloudEvent): object => event

export function buildRuleSet(rules: readonly CompiledRule[]): RuleSet {
  const byName = new Map(rules.map((r) => [r.name, r] as const))
  if (rules.length === 0) return { rules, byName, needsEnvelope: false, view: identity, match: () => NO_RULES }
  const matcher = compileMatcher<CompiledRule>(rules.map((r) => [r, r.rule.pattern] as const))
  return {
    rules,
    byName,
    needsEnvelope: rules.some((r) => r.needsEnvelope),
    view: createSlimView(rules.flatMap((r) => r.topLevelNames)),
    match: (view) => matcher.match(view),
  }
}

/** Validates a rule (throws OptionsError or PatternError) and compiles its targets. */
export function compileRule(rule: Rule, env: TargetEnvironment, metrics: Metrics): CompiledRule {
  if (typeof rule !== 'object' || rule === null) throw new OptionsError('a rule must be an object with name, pattern and targets')
  const { name } = rule
  if (typeof name !== 'string' || name === '') {
    throw new OptionsError(`a rule needs a non-empty string "name", got ${JSON.stringify(name)}`)
  }
  compilePattern(rule.pattern)
  if (!Array.isArray(rule.targets) || rule.targets.length === 0) {
    throw new OptionsError(`rule "${name}" needs at least one target in "targets"`)
  }
  const maxAttempts = rule.maxAttempts ?? DEFAULT_MAX_ATTEMPTS
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1) {
    throw new OptionsError(`rule "${name}": maxAttempts must be an integer >= 1, got ${String(rule.maxAttempts)}`)
  }
  const seen = new Set<string>()
  const targets = rule.targets.map((target, index): RuleTarget => {
    const compiled = compileTarget(name, target, index, env)
    if (seen.has(compiled.name)) {
      throw new OptionsError(`rule "${name}" has two targets named "${compiled.name}"; give each a distinct "name"`)
    }
    seen.add(compiled.name)
    return { compiled, failed: metrics.counter('sepal_target_failed_total', { rule: name, target: compiled.name }) }
  })
  return {
    name,
    rule,
    targets,
    maxAttempts,
    matched: metrics.counter('sepal_rule_matched_total', { rule: name }),
    needsEnvelope: needsEnvelopeView(rule.pattern),
    topLevelNames: topLevelNames(rule.pattern),
  }
}

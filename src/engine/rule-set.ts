import { compileMatcher } from '../pattern/compiled-matcher.js'
import { compilePattern } from '../pattern/compile-pattern.js'
import { OptionsError, SepalError, ErrorCodes } from '../errors.js'
import { compileTarget } from '../targets/compile-target.js'
import type { CompiledTarget, TargetEnvironment } from '../targets/types.js'
import type { Counter, Metrics } from './metrics.js'
import { createSlimView, needsEnvelopeView, topLevelNames } from './pattern-view.js'
import type { CloudEvent } from '../event/cloud-event.js'
import { createKeySequencer, type KeySequencer } from '../delivery/key-sequencer.js'
import { resolvePolicy, type RetryPolicy, type RetryPolicyOverride } from '../delivery/retry-policy.js'
import { idempotencySettingsFor, withIdempotency } from './idempotent-target.js'
import type { EngineIdempotency, Logger, Rule } from './types.js'

export const DEFAULT_MAX_ATTEMPTS = 3

/** What compiling a rule needs from the engine besides its targets' environment. */
export interface DeliveryDefaults {
  readonly retry?: RetryPolicyOverride | undefined
  readonly idempotency?: EngineIdempotency | undefined
  readonly maxInFlight: number
  readonly logger: Logger
}

/** A target plus the counter it bumps when it fails, resolved once instead of per event. */
export interface RuleTarget {
  readonly compiled: CompiledTarget
  readonly failed: Counter
  /** The target's retry policy: engine defaults, then the rule's, then the target's own. */
  readonly retry: RetryPolicy
}

/** A rule checked and made runnable at `addRule`. */
export interface CompiledRule {
  readonly name: string
  readonly rule: Rule
  readonly targets: readonly RuleTarget[]
  readonly maxAttempts: number
  /** Present when the rule has an ordering key or a concurrency limit. */
  readonly sequencer?: KeySequencer
  readonly orderBy?: (event: CloudEvent) => string | undefined
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
export function compileRule(rule: Rule, env: TargetEnvironment, metrics: Metrics, delivery: DeliveryDefaults): CompiledRule {
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
  if (rule.orderBy !== undefined && typeof rule.orderBy !== 'function') {
    throw new OptionsError(`rule "${name}": orderBy must be a function from an event to its ordering key`)
  }
  if (rule.concurrency !== undefined && !(Number.isInteger(rule.concurrency) && rule.concurrency >= 1)) {
    throw new OptionsError(`rule "${name}": concurrency must be an integer >= 1, got ${String(rule.concurrency)}`)
  }
  const idempotency = idempotencySettingsFor(rule, delivery.idempotency)
  const seen = new Set<string>()
  const targets = rule.targets.map((target, index): RuleTarget => {
    const plain = compileTarget(name, target, index, env)
    if (seen.has(plain.name)) {
      throw new OptionsError(`rule "${name}" has two targets named "${plain.name}"; give each a distinct "name"`)
    }
    seen.add(plain.name)
    const compiled = idempotency === undefined ? plain : withIdempotency(plain, name, idempotency, delivery.logger)
    const retry = resolvePolicy(delivery.retry, { maxAttempts: rule.maxAttempts }, rule.retry, target.retry)
    return { compiled, retry, failed: metrics.counter('sepal_target_failed_total', { rule: name, target: compiled.name }) }
  })
  const sequenced = rule.orderBy !== undefined || rule.concurrency !== undefined
  return {
    name,
    rule,
    targets,
    maxAttempts,
    ...(sequenced && { sequencer: createKeySequencer({ concurrency: rule.concurrency ?? delivery.maxInFlight }) }),
    ...(rule.orderBy !== undefined && { orderBy: rule.orderBy }),
    matched: metrics.counter('sepal_rule_matched_total', { rule: name }),
    needsEnvelope: needsEnvelopeView(rule.pattern),
    topLevelNames: topLevelNames(rule.pattern),
  }
}

import type { Rule, Target } from '../../engine/types.js'
import type { Logger } from '../../engine/types.js'
import type { ApiRule, ApiStore } from './api-store.js'
import { toEngineTarget } from './api-targets.js'
import type { ApiIdentity } from './event-view.js'

export const DEFAULT_BUS = 'default'
/** The CloudEvents extension that says which bus an event was put on (absent: the default bus). */
export const BUS_EXTENSION = 'eventbus'

/** What the registry needs of the engine: rules come and go while it runs. */
export interface RuleHost {
  addRule(rule: Rule): void
  removeRule(name: string): boolean
}

export interface RegistryOptions {
  readonly store: ApiStore
  readonly engine: RuleHost
  readonly engineTopic: string
  readonly identity: ApiIdentity
  readonly logger: Logger
}

/**
 * Buses and rules made through the EventBridge API: the stored truth, mirrored into the engine. An
 * enabled rule with targets is an engine rule named `eventbridge/<name>` (`eventbridge/<bus>/<name>` on
 * another bus), so it never collides with a rule from sepal.yaml.
 */
export class ApiRegistry {
  readonly #options: RegistryOptions
  readonly #buses = new Set<string>([DEFAULT_BUS])
  readonly #rules = new Map<string, ApiRule>()

  constructor(options: RegistryOptions) {
    this.#options = options
    for (const bus of options.store.buses()) this.#buses.add(bus)
    for (const rule of options.store.rules()) {
      this.#rules.set(key(rule.bus, rule.name), rule)
      try {
        this.#mirror(rule)
      } catch (error) {
        options.logger.error({ rule: rule.name, bus: rule.bus, err: { message: (error as Error).message } }, 'a stored EventBridge rule could not be loaded; it stays stored but inactive')
      }
    }
  }

  get identity(): ApiIdentity {
    return this.#options.identity
  }

  get engineTopic(): string {
    return this.#options.engineTopic
  }

  hasBus(name: string): boolean {
    return this.#buses.has(name)
  }

  buses(): string[] {
    return [...this.#buses].sort()
  }

  createBus(name: string): void {
    this.#options.store.saveBus(name)
    this.#buses.add(name)
  }

  deleteBus(name: string): void {
    for (const rule of this.rules(name)) this.#options.engine.removeRule(engineRuleName(rule))
    this.#options.store.deleteBus(name)
    for (const rule of this.rules(name)) this.#rules.delete(key(rule.bus, rule.name))
    this.#buses.delete(name)
  }

  rule(bus: string, name: string): ApiRule | undefined {
    return this.#rules.get(key(bus, name))
  }

  rules(bus: string): ApiRule[] {
    return [...this.#rules.values()].filter((r) => r.bus === bus).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
  }

  /** Stores the rule and brings the engine in line; on an engine refusal the old rule stays in force. */
  saveRule(rule: ApiRule): void {
    const previous = this.rule(rule.bus, rule.name)
    try {
      this.#mirror(rule)
    } catch (error) {
      if (previous !== undefined) this.#mirror(previous)
      throw error
    }
    try {
      this.#options.store.saveRule(rule)
    } catch (error) {
      if (previous === undefined) this.#options.engine.removeRule(engineRuleName(rule))
      else this.#mirror(previous)
      throw error
    }
    this.#rules.set(key(rule.bus, rule.name), rule)
  }

  deleteRule(bus: string, name: string): void {
    const rule = this.rule(bus, name)
    if (rule === undefined) return
    this.#options.store.deleteRule(bus, name)
    this.#options.engine.removeRule(engineRuleName(rule))
    this.#rules.delete(key(bus, name))
  }

  ruleArn(bus: string, name: string): string {
    const { region, account } = this.#options.identity
    return `arn:aws:events:${region}:${account}:rule/${bus === DEFAULT_BUS ? '' : `${bus}/`}${name}`
  }

  busArn(name: string): string {
    const { region, account } = this.#options.identity
    return `arn:aws:events:${region}:${account}:event-bus/${name}`
  }

  /** Replaces the engine's copy of the rule: none while disabled or without targets. */
  #mirror(rule: ApiRule): void {
    const name = engineRuleName(rule)
    let next: Rule | undefined
    if (rule.state === 'ENABLED' && rule.targets.length > 0) {
      const ctx = { ruleName: rule.name, ruleArn: this.ruleArn(rule.bus, rule.name), engineTopic: this.#options.engineTopic, identity: this.#options.identity }
      const targets: Target[] = rule.targets.map((t) => toEngineTarget(t, ctx))
      next = { name, pattern: scopedPattern(rule), targets }
    }
    this.#options.engine.removeRule(name)
    if (next !== undefined) this.#options.engine.addRule(next)
  }
}

function key(bus: string, name: string): string {
  return `${bus}\u0000${name}`
}

export function engineRuleName(rule: { bus: string; name: string }): string {
  return rule.bus === DEFAULT_BUS ? `eventbridge/${rule.name}` : `eventbridge/${rule.bus}/${rule.name}`
}

/** The rule's pattern, narrowed to events of its bus (unless the pattern names the bus itself). */
export function scopedPattern(rule: ApiRule): Record<string, unknown> {
  const pattern = JSON.parse(rule.eventPattern) as Record<string, unknown>
  if (BUS_EXTENSION in pattern) return pattern
  return { ...pattern, [BUS_EXTENSION]: rule.bus === DEFAULT_BUS ? [{ exists: false }] : [rule.bus] }
}

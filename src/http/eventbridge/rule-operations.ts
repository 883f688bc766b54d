import { compilePattern, PatternError } from '../../pattern/index.js'
import { invalidPatternError, notFoundError, validationError } from './api-error.js'
import { busName, optionalString, page, requiredString, type ApiInput } from './api-input.js'
import type { ApiRegistry } from './api-registry.js'
import type { ApiRule } from './api-store.js'

export const RULE_NAME = /^[.\-_A-Za-z0-9]{1,64}$/
const MAX_PATTERN_LENGTH = 4096

export function existingBus(registry: ApiRegistry, input: ApiInput): string {
  const bus = busName(input)
  if (!registry.hasBus(bus)) throw notFoundError(`event bus ${JSON.stringify(bus)} does not exist`)
  return bus
}

export function existingRule(registry: ApiRegistry, input: ApiInput, member = 'Name'): ApiRule {
  const bus = existingBus(registry, input)
  const name = requiredString(input, member, RULE_NAME)
  const rule = registry.rule(bus, name)
  if (rule === undefined) throw notFoundError(`rule ${JSON.stringify(name)} does not exist on event bus ${JSON.stringify(bus)}`)
  return rule
}

/** Checks a pattern's text the way PutRule and TestEventPattern need it; PatternError says where it is wrong. */
export function checkPattern(text: string): ReturnType<typeof compilePattern> {
  if (text.length > MAX_PATTERN_LENGTH) throw invalidPatternError(`event pattern is ${text.length} characters; the limit is ${MAX_PATTERN_LENGTH}`)
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    throw invalidPatternError('event pattern is not valid JSON')
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw invalidPatternError('event pattern must be a JSON object')
  try {
    return compilePattern(parsed)
  } catch (error) {
    if (error instanceof PatternError) throw invalidPatternError(`event pattern is not valid: ${error.message}`)
    throw error
  }
}

function describe(registry: ApiRegistry, rule: ApiRule): Record<string, unknown> {
  const out: Record<string, unknown> = {
    Name: rule.name,
    Arn: registry.ruleArn(rule.bus, rule.name),
    EventPattern: rule.eventPattern,
    State: rule.state,
    EventBusName: rule.bus,
  }
  if (rule.description !== undefined) out['Description'] = rule.description
  return out
}

export function putRule(registry: ApiRegistry, input: ApiInput): { RuleArn: string } {
  const name = requiredString(input, 'Name', RULE_NAME)
  const bus = existingBus(registry, input)
  if (optionalString(input, 'ScheduleExpression') !== undefined) {
    throw validationError('ScheduleExpression is not supported: sepal rules match events; give an EventPattern')
  }
  const eventPattern = requiredString(input, 'EventPattern')
  checkPattern(eventPattern)
  const stateText = optionalString(input, 'State') ?? 'ENABLED'
  if (!['ENABLED', 'DISABLED', 'ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS'].includes(stateText)) {
    throw validationError(`State ${JSON.stringify(stateText)} must be ENABLED or DISABLED`)
  }
  const description = optionalString(input, 'Description')
  const previous = registry.rule(bus, name)
  const rule: ApiRule = {
    bus,
    name,
    eventPattern,
    state: stateText === 'DISABLED' ? 'DISABLED' : 'ENABLED',
    ...(description === undefined ? {} : { description }),
    targets: previous?.targets ?? [],
  }
  registry.saveRule(rule)
  return { RuleArn: registry.ruleArn(bus, name) }
}

export function describeRule(registry: ApiRegistry, input: ApiInput): Record<string, unknown> {
  return describe(registry, existingRule(registry, input))
}

export function listRules(registry: ApiRegistry, input: ApiInput): Record<string, unknown> {
  const prefix = optionalString(input, 'NamePrefix') ?? ''
  const { items, nextToken } = page(registry.rules(existingBus(registry, input)).filter((r) => r.name.startsWith(prefix)), input)
  return { Rules: items.map((r) => describe(registry, r)), ...(nextToken === undefined ? {} : { NextToken: nextToken }) }
}

/** Like AWS: deleting a rule that is not there succeeds; one with targets must lose them first. */
export function deleteRule(registry: ApiRegistry, input: ApiInput): Record<string, never> {
  const bus = existingBus(registry, input)
  const name = requiredString(input, 'Name', RULE_NAME)
  const rule = registry.rule(bus, name)
  if (rule === undefined) return {}
  if (rule.targets.length > 0 && input['Force'] !== true) {
    throw validationError(`rule ${JSON.stringify(name)} can't be deleted since it has targets; remove them with RemoveTargets first`)
  }
  registry.deleteRule(bus, name)
  return {}
}

export function setRuleState(state: ApiRule['state']) {
  return (registry: ApiRegistry, input: ApiInput): Record<string, never> => {
    const rule = existingRule(registry, input)
    if (rule.state !== state) registry.saveRule({ ...rule, state })
    return {}
  }
}

export function testEventPattern(_registry: ApiRegistry, input: ApiInput): { Result: boolean } {
  const pattern = checkPattern(requiredString(input, 'EventPattern'))
  const eventText = requiredString(input, 'Event')
  let event: unknown
  try {
    event = JSON.parse(eventText)
  } catch {
    throw validationError('Event is not valid JSON; give the event as JSON text')
  }
  if (typeof event !== 'object' || event === null || Array.isArray(event)) throw validationError('Event must be the text of a JSON object')
  return { Result: pattern.matches(event) }
}

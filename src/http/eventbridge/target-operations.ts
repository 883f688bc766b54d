import { TransformError, compileInputTransformer } from '../../transform/index.js'
import { EventBridgeApiError, limitExceededError, validationError } from './api-error.js'
import { optionalArray, type ApiInput } from './api-input.js'
import type { ApiRegistry } from './api-registry.js'
import type { ApiTarget } from './api-store.js'
import { parseDestination } from './api-targets.js'
import { existingRule } from './rule-operations.js'

const TARGET_ID = /^[.\-_A-Za-z0-9]{1,64}$/
export const MAX_TARGETS_PER_RULE = 5

type FailedEntry = { TargetId: string; ErrorCode: string; ErrorMessage: string }

/** Checks one target of PutTargets; returns the part sepal keeps. */
function readTarget(value: unknown, engineTopic: string): ApiTarget {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw validationError('each target must be an object with Id and Arn')
  const t = value as Record<string, unknown>
  const id = t['Id']
  if (typeof id !== 'string' || !TARGET_ID.test(id)) throw validationError(`target Id ${JSON.stringify(id)} must be 1 to 64 letters, digits, ".", "-" or "_"`)
  const arn = t['Arn']
  if (typeof arn !== 'string' || arn === '') throw validationError(`target ${JSON.stringify(id)} needs an Arn`)
  parseDestination(arn, engineTopic)
  const target: Record<string, unknown> = { Id: id, Arn: arn }
  for (const member of ['Input', 'InputPath', 'InputTransformer']) if (t[member] !== undefined && t[member] !== null) target[member] = t[member]
  try {
    compileInputTransformer(target)
  } catch (error) {
    if (error instanceof TransformError) throw validationError(error.message)
    throw error
  }
  return target as unknown as ApiTarget
}

export function putTargets(registry: ApiRegistry, input: ApiInput): { FailedEntryCount: number; FailedEntries: FailedEntry[] } {
  const rule = existingRule(registry, input, 'Rule')
  const list = optionalArray(input, 'Targets', 1, 10)
  if (list === undefined) throw validationError('Targets is required: a list of 1 to 10 targets')
  const failed: FailedEntry[] = []
  const targets = new Map(rule.targets.map((t) => [t.Id, t]))
  for (const value of list) {
    try {
      const target = readTarget(value, registry.engineTopic)
      targets.set(target.Id, target)
    } catch (error) {
      if (!(error instanceof EventBridgeApiError)) throw error
      const id = (value as { Id?: unknown } | null)?.Id
      failed.push({ TargetId: typeof id === 'string' ? id : '', ErrorCode: error.type, ErrorMessage: error.message })
    }
  }
  if (targets.size > MAX_TARGETS_PER_RULE) {
    throw limitExceededError(`rule ${JSON.stringify(rule.name)} would have ${targets.size} targets; the limit is ${MAX_TARGETS_PER_RULE}`)
  }
  registry.saveRule({ ...rule, targets: [...targets.values()] })
  return { FailedEntryCount: failed.length, FailedEntries: failed }
}

export function listTargetsByRule(registry: ApiRegistry, input: ApiInput): { Targets: ApiTarget[] } {
  return { Targets: [...existingRule(registry, input, 'Rule').targets] }
}

/** Ids the rule does not have are ignored, as AWS does. */
export function removeTargets(registry: ApiRegistry, input: ApiInput): { FailedEntryCount: number; FailedEntries: FailedEntry[] } {
  const rule = existingRule(registry, input, 'Rule')
  const ids = optionalArray(input, 'Ids', 1, 100)
  if (ids === undefined) throw validationError('Ids is required: the Ids of the targets to remove')
  const remove = new Set(ids.filter((id): id is string => typeof id === 'string'))
  registry.saveRule({ ...rule, targets: rule.targets.filter((t) => !remove.has(t.Id)) })
  return { FailedEntryCount: 0, FailedEntries: [] }
}

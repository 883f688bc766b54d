import { parseJsonPath, type JsonPath } from './json-path.js'
import { parseTemplate, type ParsedTemplate, type Placeholder } from './template.js'
import { TransformError } from './transform-error.js'

/** What EventBridge's PutTargets takes to shape a target's input (the names are EventBridge's). */
export interface InputTransformerTarget {
  /** Constant JSON text sent instead of the event. */
  readonly Input?: string
  /** A JSON path: only the part of the event it selects is sent. */
  readonly InputPath?: string
  readonly InputTransformer?: {
    /** Variable name → JSON path into the event; at most 100. */
    readonly InputPathsMap?: Readonly<Record<string, string>>
    readonly InputTemplate: string
  }
}

export interface TransformContext {
  readonly ruleName?: string
  readonly ruleArn?: string
  /** ISO 8601 time the event was received, for `<aws.events.event.ingestion-time>`. Default: now. */
  readonly ingestionTime?: string
}

export interface InputTransformer {
  /** The text to deliver; undefined when EventBridge would deliver nothing (an InputPath that selects nothing). */
  apply(event: object, context?: TransformContext): string | undefined
}

export const MAX_INPUT_PATHS = 100
const KEY = /^[A-Za-z0-9_-]{1,256}$/
const PREDEFINED = new Set(['aws.events.rule-name', 'aws.events.rule-arn', 'aws.events.event', 'aws.events.event.json', 'aws.events.event.ingestion-time'])
/** Their content is a whole event, not escaped: only a JSON value (or the whole text template) can hold it. */
const EVENT_VALUES = new Set(['aws.events.event', 'aws.events.event.json'])

/**
 * Compiles a target's InputPath / InputTransformer (or constant Input) with EventBridge's semantics.
 * Every mistake throws TransformError (`SEPAL_ERR_TRANSFORM_INVALID`) here, never while events flow.
 * `apply` takes the EventBridge view of an event (`detail-type`, `detail`, …) and never throws.
 */
export function compileInputTransformer(target: InputTransformerTarget): InputTransformer {
  if (typeof target !== 'object' || target === null) throw new TransformError('the target must be an object with InputPath or InputTransformer')
  const given = (['Input', 'InputPath', 'InputTransformer'] as const).filter((key) => target[key] !== undefined)
  if (given.length > 1) {
    throw new TransformError(`a target takes only one of Input, InputPath and InputTransformer, got ${given.join(' and ')}; keep one`)
  }
  if (target.Input !== undefined) return constantInput(target.Input)
  if (target.InputPath !== undefined) return inputPath(parseJsonPath(target.InputPath, 'InputPath'))
  if (target.InputTransformer === undefined) return { apply: (event) => JSON.stringify(event) }
  return transformer(target.InputTransformer)
}

function constantInput(input: unknown): InputTransformer {
  if (typeof input !== 'string') throw new TransformError(`Input must be JSON text, got ${typeof input}`)
  try {
    JSON.parse(input)
  } catch {
    throw new TransformError(`Input ${JSON.stringify(input.slice(0, 80))} is not valid JSON; quote a string as "\\"text\\""`)
  }
  return { apply: () => input }
}

function inputPath(path: JsonPath): InputTransformer {
  return {
    apply(event) {
      const value = path.select(event)
      return value === undefined ? undefined : JSON.stringify(value)
    },
  }
}

function transformer(definition: NonNullable<InputTransformerTarget['InputTransformer']>): InputTransformer {
  if (typeof definition !== 'object' || definition === null) throw new TransformError('InputTransformer must be an object with an InputTemplate')
  const template = parseTemplate(definition.InputTemplate)
  const paths = compilePathsMap(definition.InputPathsMap)
  for (const part of template.parts) {
    if (typeof part === 'string') continue
    if (!paths.has(part.name) && !PREDEFINED.has(part.name)) {
      const known = [...paths.keys()].map((k) => `<${k}>`).join(', ')
      throw new TransformError(`InputTemplate uses <${part.name}>, which InputPathsMap does not define${known === '' ? '' : ` (it defines ${known})`}; add it or fix the name`)
    }
    if (EVENT_VALUES.has(part.name) && (part.inString || template.kind === 'string')) {
      throw new TransformError(`<${part.name}> holds a whole event and can only be a JSON value, e.g. {"event": <${part.name}>}, not part of a string`)
    }
  }
  return { apply: (event, context) => render(template, resolveValues(paths, template, event, context ?? {})) }
}

function compilePathsMap(map: unknown): Map<string, JsonPath> {
  const paths = new Map<string, JsonPath>()
  if (map === undefined) return paths
  if (typeof map !== 'object' || map === null || Array.isArray(map)) throw new TransformError('InputPathsMap must be an object of variable name → JSON path')
  const entries = Object.entries(map)
  if (entries.length > MAX_INPUT_PATHS) {
    throw new TransformError(`InputPathsMap has ${entries.length} variables; EventBridge allows at most ${MAX_INPUT_PATHS}`)
  }
  for (const [key, path] of entries) {
    if (key.toLowerCase().startsWith('aws.')) {
      throw new TransformError(`InputPathsMap key ${JSON.stringify(key)} starts with "AWS.", which is reserved for predefined variables; rename it`)
    }
    if (!KEY.test(key)) {
      throw new TransformError(`InputPathsMap key ${JSON.stringify(key)} must be 1 to 256 letters, digits, "_" or "-"`)
    }
    paths.set(key, parseJsonPath(path, `InputPathsMap.${key}`))
  }
  return paths
}

function resolveValues(paths: Map<string, JsonPath>, template: ParsedTemplate, event: object, context: TransformContext): Map<string, unknown> {
  const values = new Map<string, unknown>()
  for (const part of template.parts) {
    if (typeof part === 'string' || values.has(part.name)) continue
    const path = paths.get(part.name)
    values.set(part.name, path === undefined ? predefined(part.name, event, context) : path.select(event))
  }
  return values
}

function predefined(name: string, event: object, context: TransformContext): unknown {
  switch (name) {
    case 'aws.events.rule-name':
      return context.ruleName
    case 'aws.events.rule-arn':
      return context.ruleArn
    case 'aws.events.event.ingestion-time':
      return context.ingestionTime ?? new Date().toISOString()
    case 'aws.events.event.json':
      return event
    case 'aws.events.event': {
      // The event without its detail, as the guide defines it.
      const { detail: _detail, ...rest } = event as Record<string, unknown>
      return rest
    }
    default:
      return undefined
  }
}

function render(template: ParsedTemplate, values: Map<string, unknown>): string {
  let out = ''
  for (const part of template.parts) out += typeof part === 'string' ? part : fill(part, values.get(part.name), template.kind)
  if (template.kind !== 'json') return out
  try {
    return JSON.stringify(JSON.parse(out)) // EventBridge passes JSON on minified
  } catch {
    return out
  }
}

function fill(placeholder: Placeholder, value: unknown, kind: ParsedTemplate['kind']): string {
  if (kind === 'text') return value === undefined ? '' : typeof value === 'string' ? value : JSON.stringify(value)
  if (!placeholder.inString) return value === undefined ? 'null' : JSON.stringify(value)
  if (value === undefined) return ''
  // Inside quotes an object or array loses its own quotes so the string stays valid (the guide's rule).
  const text = typeof value === 'string' ? value : typeof value === 'object' && value !== null ? JSON.stringify(value).replaceAll('"', '') : String(value)
  // Escaped so the output is always valid JSON (EventBridge itself inserts the text unescaped).
  return JSON.stringify(text).slice(1, -1)
}

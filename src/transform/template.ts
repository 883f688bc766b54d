import { TransformError } from './transform-error.js'

/**
 * An InputTemplate cut into literal text and placeholders. EventBridge's input transformation guide
 * knows three shapes, told apart by the first character:
 * - `json`: `{...}` or `[...]`; a placeholder outside quotes becomes a JSON value (strings quoted,
 *   objects and arrays as JSON, a missing value `null`), inside quotes it becomes text;
 * - `string`: one or more quoted strings (one per line for multi-line text); placeholders become text;
 * - `text`: anything else, e.g. `<instance> is in state <status>`; placeholders become raw text.
 */
export type TemplateKind = 'json' | 'string' | 'text'

export interface Placeholder {
  readonly name: string
  /** Inside a JSON string literal (always true in a `string` template). */
  readonly inString: boolean
}

export interface ParsedTemplate {
  readonly kind: TemplateKind
  /** Literal text and placeholders in order; literals are strings. */
  readonly parts: readonly (string | Placeholder)[]
}

const PLACEHOLDER = /^<([A-Za-z0-9_.-]{1,256})>/
export const MAX_TEMPLATE_LENGTH = 8192

export function parseTemplate(template: unknown): ParsedTemplate {
  if (typeof template !== 'string' || template.length === 0 || template.length > MAX_TEMPLATE_LENGTH) {
    throw new TransformError(`InputTemplate must be a string of 1 to ${MAX_TEMPLATE_LENGTH} characters, got ${describe(template)}`)
  }
  const first = template.trimStart()[0]
  const kind: TemplateKind = first === '{' || first === '[' ? 'json' : first === '"' ? 'string' : 'text'
  const parts: (string | Placeholder)[] = []
  let literal = ''
  let inString = false
  for (let i = 0; i < template.length; ) {
    const c = template[i] as string
    if (c === '<') {
      const match = PLACEHOLDER.exec(template.slice(i, i + 260))
      if (match !== null) {
        if (literal !== '') parts.push(literal)
        literal = ''
        parts.push({ name: match[1] as string, inString: kind === 'string' || inString })
        i += match[0].length
        continue
      }
    }
    if (kind !== 'text') {
      if (inString && c === '\\' && i + 1 < template.length) {
        literal += c + (template[i + 1] as string)
        i += 2
        continue
      }
      if (c === '"') inString = !inString
    }
    literal += c
    i++
  }
  if (literal !== '') parts.push(literal)
  const parsed = { kind, parts }
  if (kind === 'json') checkJsonTemplate(parsed)
  if (kind === 'string') checkStringTemplate(parsed)
  return parsed
}

/** A JSON template must be JSON once its placeholders are filled, and a placeholder cannot be an object key. */
function checkJsonTemplate(template: ParsedTemplate): void {
  const marker = '\u0000sepal-placeholder\u0000'
  const probe = template.parts
    .map((part) => (typeof part === 'string' ? part : part.inString ? marker : JSON.stringify(marker)))
    .join('')
    .replaceAll(marker, '\\u0000')
  let parsed: unknown
  try {
    parsed = JSON.parse(probe)
  } catch (error) {
    throw new TransformError(
      `InputTemplate starts like JSON but is not valid JSON once placeholders are filled (${(error as Error).message}); fix the template, or start it with a quote for a string template`,
    )
  }
  if (hasMarkedKey(parsed)) {
    throw new TransformError('InputTemplate uses a placeholder as an object key; EventBridge allows placeholders in values only')
  }
}

function hasMarkedKey(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false
  if (Array.isArray(value)) return value.some(hasMarkedKey)
  return Object.entries(value).some(([key, child]) => key.includes('\u0000') || hasMarkedKey(child))
}

const STRING_LITERAL = '"(?:[^"\\\\\\u0000-\\u001f]|\\\\.)*"'
const STRING_LINES = new RegExp(`^\\s*${STRING_LITERAL}(?:\\s+${STRING_LITERAL})*\\s*$`)

/** A string template is one or more quoted JSON strings (one per line for multi-line text). */
function checkStringTemplate(template: ParsedTemplate): void {
  const probe = template.parts.map((part) => (typeof part === 'string' ? part : '')).join('')
  if (!STRING_LINES.test(probe)) {
    throw new TransformError(
      'InputTemplate starts with a quote but is not a quoted string (or one quoted string per line); escape inner quotes as \\" or drop the leading quote for plain text',
    )
  }
}

function describe(value: unknown): string {
  if (typeof value === 'string') return value.length === 0 ? 'an empty string' : `${value.length} characters`
  return value === undefined ? 'nothing' : typeof value
}

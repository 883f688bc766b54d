import { TransformError } from './transform-error.js'

/**
 * The JSON path subset EventBridge evaluates (its input transformation guide): `$`, dot notation with
 * names of letters, digits, dashes, underscores and slashes, array indices `[0]`, and the wildcard
 * `*` (as `.*` or `[*]`). Bracket notation for names is not part of it.
 */
type Step = { readonly kind: 'name'; readonly name: string } | { readonly kind: 'index'; readonly index: number } | { readonly kind: 'wildcard' }

export interface JsonPath {
  readonly text: string
  /** True when some step can select several values (a wildcard): the result is then an array. */
  readonly many: boolean
  /** The selected value, or undefined when the path selects nothing. */
  select(root: unknown): unknown
}

const NAME = /^[A-Za-z0-9_\-/@:]+/
const MAX_PATH_LENGTH = 256

export function parseJsonPath(text: unknown, where: string): JsonPath {
  if (typeof text !== 'string' || text.length === 0 || text.length > MAX_PATH_LENGTH) {
    throw new TransformError(`${where}: ${JSON.stringify(text)} is not a JSON path; write one such as "$.detail.state" (1 to ${MAX_PATH_LENGTH} characters)`)
  }
  if (text[0] !== '$') throw new TransformError(`${where}: JSON path ${JSON.stringify(text)} must start with "$", e.g. "$.detail"`)
  const steps: Step[] = []
  let rest = text.slice(1)
  while (rest.length > 0) {
    if (rest.startsWith('.*')) {
      steps.push({ kind: 'wildcard' })
      rest = rest.slice(2)
    } else if (rest.startsWith('[*]')) {
      steps.push({ kind: 'wildcard' })
      rest = rest.slice(3)
    } else if (rest[0] === '.') {
      const name = NAME.exec(rest.slice(1))?.[0]
      if (name === undefined) throw badStep(text, where)
      steps.push({ kind: 'name', name })
      rest = rest.slice(1 + name.length)
    } else if (rest[0] === '[') {
      const index = /^\[(\d{1,9})\]/.exec(rest)
      if (index === null) throw badStep(text, where)
      steps.push({ kind: 'index', index: Number(index[1]) })
      rest = rest.slice(index[0].length)
    } else {
      throw badStep(text, where)
    }
  }
  const many = steps.some((s) => s.kind === 'wildcard')
  return {
    text,
    many,
    select(root) {
      if (!many) return selectOne(root, steps)
      const found: unknown[] = []
      collect(root, steps, 0, found)
      return found.length === 0 ? undefined : found
    },
  }
}

function badStep(text: string, where: string): TransformError {
  return new TransformError(
    `${where}: JSON path ${JSON.stringify(text)} is not supported; use dot notation ("$.detail.state"), array indices ("$.resources[0]") or "*"`,
  )
}

function child(value: unknown, step: Step): unknown {
  if (step.kind === 'name') {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined
    return Object.hasOwn(value, step.name) ? (value as Record<string, unknown>)[step.name] : undefined
  }
  if (step.kind === 'index') return Array.isArray(value) ? value[step.index] : undefined
  return undefined
}

function selectOne(root: unknown, steps: readonly Step[]): unknown {
  let value = root
  for (const step of steps) {
    value = child(value, step)
    if (value === undefined) return undefined
  }
  return value
}

function collect(value: unknown, steps: readonly Step[], at: number, out: unknown[]): void {
  if (value === undefined) return
  const step = steps[at]
  if (step === undefined) {
    out.push(value)
    return
  }
  if (step.kind !== 'wildcard') return collect(child(value, step), steps, at + 1, out)
  if (typeof value !== 'object' || value === null) return
  for (const item of Array.isArray(value) ? value : Object.values(value)) collect(item, steps, at + 1, out)
}

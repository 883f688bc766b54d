import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml'

export type ConfigPath = readonly (string | number)[]

export interface Position {
  readonly line: number
  readonly column: number
}

/** A parsed YAML document that can say where any path of it sits in the text. */
export interface LocatedDocument {
  readonly value: unknown
  /** YAML syntax errors, each with its position. */
  readonly errors: readonly { readonly message: string; readonly position?: Position }[]
  /** Position of the deepest node that exists along `path` (the parent when the last key is missing). */
  locate(path: ConfigPath, options?: { key?: boolean }): Position | undefined
}

export function parseYamlWithPositions(text: string): LocatedDocument {
  const lineCounter = new LineCounter()
  const document: Document = parseDocument(text, { lineCounter, prettyErrors: false })
  const at = (offset: number): Position => {
    const { line, col } = lineCounter.linePos(offset)
    return { line, column: col }
  }
  const errors = document.errors.map((error) => ({
    message: error.message.split('\n')[0] ?? error.message,
    position: at(error.pos[0]),
  }))
  let value: unknown
  if (errors.length === 0) {
    try {
      value = document.toJS({ maxAliasCount: 100 })
    } catch (error) {
      // The yaml package throws here (not into document.errors) for alias bombs: report it as the file's problem.
      errors.push({ message: `${error instanceof Error ? error.message : String(error)} (aliases may expand to at most 100 nodes)`, position: at(0) })
    }
  }
  return {
    value,
    errors,
    locate(path, options = {}) {
      let node: unknown = document.contents
      let found: { node: unknown; keyNode?: unknown } = { node }
      for (const segment of path) {
        const next = child(node, segment)
        if (next === undefined) break
        found = next
        node = next.node
      }
      const target = options.key === true && found.keyNode !== undefined ? found.keyNode : (found.node ?? found.keyNode)
      const range = rangeOf(target)
      return range === undefined ? undefined : at(range)
    },
  }
}

function child(node: unknown, segment: string | number): { node: unknown; keyNode?: unknown } | undefined {
  if (isMap(node)) {
    for (const pair of node.items) {
      if (!isPair(pair)) continue
      const key = isScalar(pair.key) ? pair.key.value : pair.key
      if (String(key) === String(segment)) return { node: pair.value ?? pair.key, keyNode: pair.key }
    }
    return undefined
  }
  if (isSeq(node) && typeof segment === 'number') {
    const item: unknown = node.items[segment]
    return item === undefined ? undefined : { node: item }
  }
  return undefined
}

function rangeOf(node: unknown): number | undefined {
  const range = (node as Node | null | undefined)?.range
  return range?.[0]
}

/** `rules[1].pattern.detail.amount`; keys that are not plain words are quoted: `a["b c"]`. */
export function formatPath(path: ConfigPath): string {
  let text = ''
  for (const segment of path) {
    if (typeof segment === 'number') text += `[${segment}]`
    else if (/^[A-Za-z_$][\w$-]*$/.test(segment)) text += text === '' ? segment : `.${segment}`
    else text += `[${JSON.stringify(segment)}]`
  }
  return text
}

/** `/detail/amount/0` → ['detail', 'amount', 0] (RFC 6901 unescaping; digits become indexes). */
export function pointerToPath(pointer: string): (string | number)[] {
  if (pointer === '' || pointer === '/') return []
  return pointer
    .replace(/^\//, '')
    .split('/')
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((part) => (/^(0|[1-9]\d*)$/.test(part) ? Number(part) : part))
}

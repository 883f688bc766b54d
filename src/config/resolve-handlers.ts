import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import { isAbsolute, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import type { Handler } from '../engine/types.js'
import type { ConfigProblem } from './errors.js'

/** Where a `module#export` reference appears, so a problem can point at it. */
export interface HandlerReference {
  readonly reference: string
  readonly locate: () => Omit<ConfigProblem, 'message'>
}

export interface ResolvedHandlers {
  readonly handlers: ReadonlyMap<string, Handler>
  readonly problems: readonly ConfigProblem[]
}

/**
 * Imports every handler module once and picks the named exports. `./x.js` and `../x.js` resolve against
 * the config file's folder, absolute paths as they are, anything else as a package seen from that folder.
 * Nothing throws: every failure becomes a problem that says what to do.
 */
export async function resolveHandlers(references: readonly HandlerReference[], baseDirectory: string): Promise<ResolvedHandlers> {
  const handlers = new Map<string, Handler>()
  const problems: ConfigProblem[] = []
  const modules = new Map<string, Promise<Record<string, unknown>>>()

  for (const { reference, locate } of references) {
    if (handlers.has(reference)) continue
    const hash = reference.lastIndexOf('#')
    const specifier = reference.slice(0, hash)
    const exportName = reference.slice(hash + 1)
    const location = moduleLocation(specifier, baseDirectory)
    if (location.missing !== undefined) {
      problems.push({ ...locate(), message: `handler module ${JSON.stringify(specifier)} not found (looked for ${location.missing}); create it or fix the path, which is relative to the config file` })
      continue
    }
    let loading = modules.get(location.url)
    if (loading === undefined) {
      loading = import(location.url) as Promise<Record<string, unknown>>
      modules.set(location.url, loading)
    }
    let namespace: Record<string, unknown>
    try {
      namespace = await loading
    } catch (error) {
      const reason = error instanceof Error ? error.message.split('\n')[0] : String(error)
      problems.push({ ...locate(), message: `handler module ${JSON.stringify(specifier)} failed to load: ${reason}; fix the module (plain ESM JavaScript, no build step)` })
      continue
    }
    const handler = namespace[exportName]
    if (typeof handler !== 'function') {
      const functions = Object.keys(namespace).filter((k) => typeof namespace[k] === 'function')
      const hint = functions.length > 0 ? `it exports ${functions.map((f) => JSON.stringify(f)).join(', ')}` : 'it exports no functions'
      const what = handler === undefined ? 'has no export' : 'exports a non-function'
      problems.push({ ...locate(), message: `handler module ${JSON.stringify(specifier)} ${what} ${JSON.stringify(exportName)} (${hint}); export a function (event, ctx) => ...` })
      continue
    }
    handlers.set(reference, handler as Handler)
  }
  return { handlers, problems }
}

function moduleLocation(specifier: string, baseDirectory: string): { url: string; missing?: undefined } | { url?: undefined; missing: string } {
  if (specifier.startsWith('.') || isAbsolute(specifier)) {
    const path = resolve(baseDirectory, specifier)
    return existsSync(path) ? { url: pathToFileURL(path).href } : { missing: path }
  }
  if (specifier.startsWith('file:')) return { url: specifier }
  try {
    const path = createRequire(resolve(baseDirectory, 'sepal.yaml')).resolve(specifier)
    return { url: pathToFileURL(path).href }
  } catch {
    return { missing: `package ${JSON.stringify(specifier)} from ${baseDirectory}` }
  }
}

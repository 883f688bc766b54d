import type { CloudEvent } from '../event/cloud-event.js'
import { readFile } from 'node:fs/promises'
import { dirname, isAbsolute, relative, resolve } from 'node:path'
import type { z } from 'zod'
import type { Rule, Target } from '../engine/types.js'
import { ErrorCodes } from '../errors.js'
import { parsePattern } from '../pattern/parse-pattern.js'
import type { Transport } from '../transports/contract.js'
import { ConfigError, HandlerNotFoundError, type ConfigProblem } from './errors.js'
import { resolveHandlers, type HandlerReference } from './resolve-handlers.js'
import { httpTargetFromConfig, webhookEndpointFromConfig, type SecretContext } from './webhooks-config.js'
import type { WebhookEndpointOptions } from '../http/webhooks/endpoint-options.js'
import { configSchema, type HttpConfig, type SepalConfig } from './schema.js'
import { expandEnvReferences } from './secrets.js'
import { checkTransportUrl, createTransportFromUrl } from './transport-registry.js'
import { formatPath, parseYamlWithPositions, pointerToPath, type ConfigPath, type Position } from './yaml-positions.js'

export interface LoadConfigOptions {
  /** Relative config paths and the default data directory resolve against this. Default `process.cwd()`. */
  readonly cwd?: string
  /** Local state (the embedded log) lives here. Default `<cwd>/.sepal`. */
  readonly dataDirectory?: string
  /** Use this transport URL instead of the file's `transport:` (e.g. `sepal run --transport memory:`). */
  readonly transport?: string
  /** Import the handler modules (default true). `false` checks only the file itself. */
  readonly resolveHandlers?: boolean
  /** Where `secretsFromEnv` reads. Default `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>>
}

/** A validated configuration, ready to build an engine from. Everything in sepal.yaml is here. */
export interface LoadedConfig {
  /** Absolute path of the file, or undefined for a configuration given as an object. */
  readonly file: string | undefined
  readonly config: SepalConfig
  /** What `createEngine` needs besides the transport. */
  readonly engineOptions: { readonly topic: string; readonly group: string; readonly rules: readonly Rule[]; readonly allowHosts?: readonly string[] }
  readonly http: HttpConfig
  /** The `webhooks:` endpoints with their secrets read, for the HTTP server. */
  readonly webhooks: readonly WebhookEndpointOptions[]
  readonly dataDirectory: string
  /** The transport URL (the embedded log in the data directory when the file names none) and its factory. */
  readonly transport: { readonly url: string; create(): Promise<Transport> }
}

/** Reads, validates and resolves a sepal.yaml. Throws ConfigError (every problem, with line:column) or HandlerNotFoundError. */
export async function loadConfig(path: string, options: LoadConfigOptions = {}): Promise<LoadedConfig> {
  const cwd = options.cwd ?? process.cwd()
  const file = resolve(cwd, path)
  const shown = isAbsolute(path) ? (relative(cwd, file).startsWith('..') ? file : relative(cwd, file)) : path
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found; check the path or create it' : `cannot read the file: ${(error as Error).message}`
    throw new ConfigError([{ file: shown, path: '', message: reason }], { cause: error })
  }
  const document = parseYamlWithPositions(text)
  if (document.errors.length > 0) {
    throw new ConfigError(document.errors.map((e) => ({ file: shown, ...e.position, path: '', message: `YAML syntax: ${lowerFirst(e.message)}` })))
  }
  return resolveConfig(document.value ?? {}, { ...options, cwd, file: shown, baseDirectory: dirname(file), locate: document.locate, absoluteFile: file })
}

export interface ResolveConfigOptions extends LoadConfigOptions {
  /** Handler modules and relative transport paths resolve against this. Default: `cwd`. */
  readonly baseDirectory?: string
  /** Name used in problems. Default `<config>`. */
  readonly file?: string
  /** @internal positions of a parsed file */
  readonly locate?: (path: ConfigPath, options?: { key?: boolean }) => Position | undefined
  /** @internal */
  readonly absoluteFile?: string
}

/** The same as loadConfig for a configuration object built in code (the shape of sepal.yaml). */
export async function resolveConfig(input: unknown, options: ResolveConfigOptions = {}): Promise<LoadedConfig> {
  const cwd = options.cwd ?? process.cwd()
  const baseDirectory = options.baseDirectory ?? cwd
  const fileName = options.file ?? '<config>'
  const problemAt = (path: ConfigPath, message: string, key = false): ConfigProblem => ({
    file: fileName,
    ...options.locate?.(path, { key }),
    path: formatPath(path),
    message,
  })

  // Shape, patterns, rule names and transport are all checked before reporting, so one run lists every problem.
  const parsed = configSchema.safeParse(input)
  const problems: ConfigProblem[] = parsed.success ? [] : parsed.error.issues.flatMap((issue) => zodProblems(issue, problemAt))
  const raw = (typeof input === 'object' && input !== null ? input : {}) as { rules?: unknown; transport?: unknown }
  const seen = new Set<string>()
  ;(Array.isArray(raw.rules) ? (raw.rules as unknown[]) : []).forEach((rule, index) => {
    const { name, pattern } = (typeof rule === 'object' && rule !== null ? rule : {}) as { name?: unknown; pattern?: unknown }
    if (typeof name === 'string' && seen.has(name)) problems.push(problemAt(['rules', index, 'name'], `duplicate rule name ${JSON.stringify(name)}; rule names must be unique`))
    if (typeof name === 'string') seen.add(name)
    if (pattern === undefined) return
    try {
      parsePattern(pattern)
    } catch (error) {
      if ((error as { code?: unknown }).code !== ErrorCodes.PATTERN_INVALID) throw error
      const pointer = (error as { pointer?: unknown }).pointer
      const inside = typeof pointer === 'string' && typeof pattern !== 'string' ? pointerToPath(pointer) : []
      // The pattern error's message starts with its pointer; the problem's path already says where.
      const reason = (error as Error).message.replace(/^[^:]*: /, '')
      problems.push(problemAt(['rules', index, 'pattern', ...inside], reason))
    }
  })
  if (typeof raw.transport === 'string' && raw.transport !== '' && options.transport === undefined) {
    const problem = checkTransportUrl(raw.transport)
    if (problem !== undefined) problems.push(problemAt(['transport'], problem))
  }
  if (options.transport !== undefined) {
    const problem = checkTransportUrl(options.transport)
    if (problem !== undefined) problems.push({ file: '--transport', path: '', message: problem })
  }
  if (!parsed.success || problems.length > 0) throw new ConfigError(sortByPosition(problems))
  const config = parsed.data

  const references: HandlerReference[] = []
  config.rules.forEach((rule, r) =>
    rule.targets.forEach((target, t) => {
      if ('handler' in target) references.push({ reference: target.handler, locate: () => problemAt(['rules', r, 'targets', t, 'handler'], '') })
    }),
  )
  const resolved = options.resolveHandlers === false ? undefined : await resolveHandlers(references, baseDirectory)
  if (resolved !== undefined && resolved.problems.length > 0) throw new HandlerNotFoundError(resolved.problems)

  const secretProblems: ConfigProblem[] = []
  const secretsAt = (base: ConfigPath): SecretContext => ({
    env: options.env ?? process.env,
    baseDirectory,
    problem: (path, message) => secretProblems.push(problemAt([...base, ...path], message)),
  })
  const webhookNames = new Set<string>()
  const webhooks = config.webhooks.map((endpoint, w) => {
    if (webhookNames.has(endpoint.name)) secretProblems.push(problemAt(['webhooks', w, 'name'], `duplicate webhook name ${JSON.stringify(endpoint.name)}; names must be unique`))
    webhookNames.add(endpoint.name)
    return webhookEndpointFromConfig(endpoint, secretsAt(['webhooks', w]))
  })
  const rules: Rule[] = config.rules.map((rule, r) => ({
    name: rule.name,
    pattern: rule.pattern,
    targets: rule.targets.map((target, t): Target => {
      if ('http' in target) return httpTargetFromConfig(target, secretsAt(['rules', r, 'targets', t]))
      const timeout = target.timeoutMs === undefined ? {} : { timeoutMs: target.timeoutMs }
      if ('publish' in target) return { kind: 'publish', name: target.name ?? `publish:${target.publish}`, topic: target.publish, ...timeout }
      const handler = resolved?.handlers.get(target.handler) ?? notLoaded(target.handler)
      const publishTo = target.publishTo === undefined ? {} : { publishTo: target.publishTo }
      return { kind: 'handler', name: target.name ?? target.handler, handler, ...publishTo, ...timeout }
    }),
    ...(rule.maxAttempts === undefined ? {} : { maxAttempts: rule.maxAttempts }),
    ...(rule.retry === undefined ? {} : { retry: rule.retry }),
    ...(rule.idempotency === undefined ? {} : { idempotency: rule.idempotency }),
    ...(rule.orderBy === undefined ? {} : { orderBy: readPath(rule.orderBy) }),
    ...(rule.concurrency === undefined ? {} : { concurrency: rule.concurrency }),
  }))
  // The transport URL may name its password as ${NAME}; it is checked as written and expanded only here.
  const transportText = config.transport === undefined ? undefined : expandEnvReferences(config.transport, options.env ?? process.env)
  for (const name of options.transport === undefined ? (transportText?.missing ?? []) : []) {
    secretProblems.push(problemAt(['transport'], `environment variable ${name} is not set; export it before starting sepal`))
  }
  if (secretProblems.length > 0) throw new ConfigError(sortByPosition(secretProblems))
  const dataDirectory = resolve(cwd, options.dataDirectory ?? '.sepal')
  const url = options.transport ?? transportText?.value ?? `sqlite:${dataDirectory}`
  return {
    file: options.absoluteFile,
    config,
    engineOptions: { topic: config.topic, group: config.group, rules, ...(config.allowHosts === undefined ? {} : { allowHosts: config.allowHosts }) },
    http: config.http,
    webhooks,
    dataDirectory,
    transport: { url, create: () => createTransportFromUrl(url, { baseDirectory, dataDirectory }) },
  }
}

/** An ordering key read from a dotted path of the event; absent or non-scalar values mean "no key". */
function readPath(path: string): (event: CloudEvent) => string | undefined {
  const steps = path.split('.')
  return (event) => {
    let value: unknown = event
    for (const step of steps) {
      if (value === null || typeof value !== 'object') return undefined
      value = (value as Record<string, unknown>)[step]
    }
    return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? String(value) : undefined
  }
}

/** Used when handlers were not resolved (`resolveHandlers: false`): the rule exists, running it says why it cannot. */
function notLoaded(reference: string) {
  return () => {
    throw new Error(`handler ${JSON.stringify(reference)} was not loaded (resolveHandlers: false); load the config with handlers to run it`)
  }
}

function zodProblems(issue: z.core.$ZodIssue, problemAt: (path: ConfigPath, message: string, key?: boolean) => ConfigProblem): ConfigProblem[] {
  const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol')
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => problemAt([...path, key], `unknown key ${JSON.stringify(key)}; remove it or check its spelling (see schema/sepal.schema.json)`, true))
  }
  if (issue.code === 'invalid_union' && path.length >= 2 && path.at(-2) === 'targets') {
    return [problemAt(path, 'a target is { handler: "module#export" }, { publish: "topic" } or { http: "https://…" }')]
  }
  return [problemAt(path, lowerFirst(issue.message))]
}

function sortByPosition(problems: ConfigProblem[]): ConfigProblem[] {
  return problems.sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0))
}

function lowerFirst(text: string): string {
  return text.length > 0 && !/^[A-Z]{2}/.test(text) ? text[0]!.toLowerCase() + text.slice(1) : text
}

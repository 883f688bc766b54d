import { createHash, timingSafeEqual } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { OptionsError } from '../../errors.js'
import type { AccessKeyOptions } from './sigv4-keys.js'

/** What a credential may do. `admin` may do everything, `read` and `publish` only their own. */
export type AuthScope = 'publish' | 'read' | 'admin'

export interface ApiKeyOptions {
  /** Shown in logs and used as the rate-limit bucket; never the key itself. */
  readonly name: string
  readonly scope: AuthScope
  /** When given, events published with this key must have a `source` starting with one of these. */
  readonly sources?: readonly string[]
  /** The key itself (programmatic use); the config names an env var or a file instead. */
  readonly key?: string
  readonly keyFromEnv?: string
  /** Re-read on every reload, so a key is rotated by rewriting this file. */
  readonly keyFromFile?: string
}

export interface AuthOptions {
  readonly keys: readonly ApiKeyOptions[]
  /** AWS-style access keys; the EventBridge API verifies SigV4 signatures made with them. */
  readonly accessKeys?: readonly AccessKeyOptions[]
  /** How often key files and env vars are read again. Default 5000 ms; 0 turns the timer off. */
  readonly reloadIntervalMs?: number
  /** Where keyFromEnv looks. Default process.env. */
  readonly env?: Readonly<Record<string, string | undefined>>
}

export interface Principal {
  readonly name: string
  readonly scope: AuthScope
  readonly sources: readonly string[] | undefined
}

interface StoredKey extends Principal {
  readonly hash: Buffer
}

export function sha256(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest()
}

function readSecret(spec: ApiKeyOptions, env: Readonly<Record<string, string | undefined>>): string {
  const where = `auth key ${JSON.stringify(spec.name)}`
  let value: string | undefined
  if (spec.key !== undefined) value = spec.key
  else if (spec.keyFromEnv !== undefined) {
    value = env[spec.keyFromEnv]
    if (value === undefined) throw new OptionsError(`${where}: environment variable ${JSON.stringify(spec.keyFromEnv)} is not set; set it or change keyFromEnv`)
  } else if (spec.keyFromFile !== undefined) {
    try {
      value = readFileSync(spec.keyFromFile, 'utf8')
    } catch {
      throw new OptionsError(`${where}: cannot read key file ${JSON.stringify(spec.keyFromFile)}; check the path and its permissions`)
    }
  } else throw new OptionsError(`${where}: give one of key, keyFromEnv or keyFromFile`)
  const trimmed = value.trim()
  if (trimmed.length < 16) throw new OptionsError(`${where}: the key is shorter than 16 characters; use a long random key (e.g. openssl rand -hex 32)`)
  return trimmed
}

const SCOPES: ReadonlySet<string> = new Set(['publish', 'read', 'admin'])

/**
 * The configured keys, held only as SHA-256 hashes. `reload()` reads env vars and key files again and swaps
 * the whole set at once; a reload that fails keeps the previous keys (a half-written file does not lock
 * everyone out) and reports the error.
 */
export class KeyRing {
  private keys: readonly StoredKey[]

  constructor(private readonly options: AuthOptions) {
    if (!Array.isArray(options.keys) || (options.keys.length === 0 && (options.accessKeys?.length ?? 0) === 0)) {
      throw new OptionsError('auth needs at least one key in "keys" or "accessKeys"; or say auth: none to run without authentication')
    }
    const names = new Set<string>()
    for (const spec of options.keys) {
      if (!SCOPES.has(spec.scope)) throw new OptionsError(`auth key ${JSON.stringify(spec.name)}: scope must be publish, read or admin, got ${JSON.stringify(spec.scope)}`)
      if (names.has(spec.name)) throw new OptionsError(`auth key name ${JSON.stringify(spec.name)} is used twice; names must be unique`)
      names.add(spec.name)
    }
    this.keys = this.load()
  }

  private load(): StoredKey[] {
    const env = this.options.env ?? process.env
    return this.options.keys.map((spec) => ({
      name: spec.name,
      scope: spec.scope,
      sources: spec.sources,
      hash: sha256(readSecret(spec, env)),
    }))
  }

  /** Reads every key again; throws (keeping the old keys) when one cannot be read. */
  reload(): void {
    this.keys = this.load()
  }

  /** The principal whose key this is, or undefined. Every stored hash is compared, in constant time each. */
  identify(presented: string): Principal | undefined {
    const hash = sha256(presented)
    let found: StoredKey | undefined
    for (const key of this.keys) {
      if (timingSafeEqual(key.hash, hash) && found === undefined) found = key
    }
    return found === undefined ? undefined : { name: found.name, scope: found.scope, sources: found.sources }
  }
}

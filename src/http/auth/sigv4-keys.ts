import { readFileSync } from 'node:fs'
import { OptionsError } from '../../errors.js'
import type { AuthScope, Principal } from './key-ring.js'

/** An AWS-style access key for the EventBridge API. SigV4 needs the secret itself, so it is held in memory. */
export interface AccessKeyOptions {
  readonly accessKeyId: string
  readonly scope: AuthScope
  /** When given, PutEvents entries signed with this key must have a `Source` starting with one of these. */
  readonly sources?: readonly string[]
  readonly secret?: string
  readonly secretFromEnv?: string
  /** Re-read on every reload, so a secret is rotated by rewriting this file. */
  readonly secretFromFile?: string
}

interface StoredAccessKey {
  readonly principal: Principal
  readonly secret: string
}

function readSecret(spec: AccessKeyOptions, env: Readonly<Record<string, string | undefined>>): string {
  const where = `access key ${JSON.stringify(spec.accessKeyId)}`
  let value: string | undefined
  if (spec.secret !== undefined) value = spec.secret
  else if (spec.secretFromEnv !== undefined) {
    value = env[spec.secretFromEnv]
    if (value === undefined) throw new OptionsError(`${where}: environment variable ${JSON.stringify(spec.secretFromEnv)} is not set; set it or change secretFromEnv`)
  } else if (spec.secretFromFile !== undefined) {
    try {
      value = readFileSync(spec.secretFromFile, 'utf8')
    } catch {
      throw new OptionsError(`${where}: cannot read secret file ${JSON.stringify(spec.secretFromFile)}; check the path and its permissions`)
    }
  } else throw new OptionsError(`${where}: give one of secret, secretFromEnv or secretFromFile`)
  const trimmed = value.trim()
  if (trimmed.length < 16) throw new OptionsError(`${where}: the secret is shorter than 16 characters; use a long random secret (e.g. openssl rand -hex 32)`)
  return trimmed
}

/** The configured access keys by id; `reload()` reads secrets again and swaps them all at once. */
export class AccessKeyRing {
  private keys: ReadonlyMap<string, StoredAccessKey>

  constructor(
    private readonly specs: readonly AccessKeyOptions[],
    private readonly env: Readonly<Record<string, string | undefined>> = process.env,
  ) {
    const ids = new Set<string>()
    for (const spec of specs) {
      if (ids.has(spec.accessKeyId)) throw new OptionsError(`access key id ${JSON.stringify(spec.accessKeyId)} is used twice; ids must be unique`)
      ids.add(spec.accessKeyId)
    }
    this.keys = this.load()
  }

  private load(): Map<string, StoredAccessKey> {
    return new Map(
      this.specs.map((spec) => [
        spec.accessKeyId,
        { principal: { name: spec.accessKeyId, scope: spec.scope, sources: spec.sources }, secret: readSecret(spec, this.env) },
      ]),
    )
  }

  reload(): void {
    this.keys = this.load()
  }

  find(accessKeyId: string): StoredAccessKey | undefined {
    return this.keys.get(accessKeyId)
  }
}

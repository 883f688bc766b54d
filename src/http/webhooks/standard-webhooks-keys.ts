import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto'
import { OptionsError } from '../../errors.js'

/** A Standard Webhooks key: HMAC bytes (`v1`) or an ed25519 key (`v1a`). */
export type StandardWebhooksKey =
  | { readonly version: 'v1'; readonly hmacKey: Buffer }
  | { readonly version: 'v1a'; readonly key: KeyObject }

// DER headers that turn raw ed25519 bytes into the SPKI / PKCS#8 forms node:crypto imports (RFC 8410).
const SPKI_ED25519 = Buffer.from('302a300506032b6570032100', 'hex')
const PKCS8_ED25519 = Buffer.from('302e020100300506032b657004220420', 'hex')

function decodeBase64(secret: string, body: string, what: string): Buffer {
  if (body === '' || !/^[A-Za-z0-9+/]+={0,2}$/.test(body)) {
    throw new OptionsError(`the Standard Webhooks ${what} ${mask(secret)} is not base64 after its prefix; copy it again from the sender`)
  }
  return Buffer.from(body, 'base64')
}

/** Shows the prefix and length of a secret, never the secret. */
export function mask(secret: string): string {
  const prefix = /^wh(sec|pk|sk)_/.exec(secret)?.[0] ?? ''
  return `"${prefix}…" (${secret.length} characters)`
}

/**
 * Parses a secret the way the reference libraries do: `whsec_` + base64 (the prefix is optional) is an
 * HMAC key; `whpk_` + base64 of the 32-byte ed25519 public key verifies `v1a` signatures. Used to verify.
 */
export function parseVerifyingKey(secret: string): StandardWebhooksKey {
  if (typeof secret !== 'string' || secret === '') throw new OptionsError('a Standard Webhooks secret is empty; set it to the "whsec_…" value from the sender')
  if (secret.startsWith('whpk_')) {
    const raw = decodeBase64(secret, secret.slice(5), 'public key')
    if (raw.length !== 32) throw new OptionsError(`the ed25519 public key ${mask(secret)} is ${raw.length} bytes, not 32; copy it again`)
    return { version: 'v1a', key: createPublicKey({ key: Buffer.concat([SPKI_ED25519, raw]), format: 'der', type: 'spki' }) }
  }
  if (secret.startsWith('whsk_')) {
    throw new OptionsError(`${mask(secret)} is an ed25519 signing key; a receiver needs the public key ("whpk_…")`)
  }
  const body = secret.startsWith('whsec_') ? secret.slice(6) : secret
  return { version: 'v1', hmacKey: decodeBase64(secret, body, 'secret') }
}

/** Parses a key to sign with: `whsec_` (HMAC, `v1`) or `whsk_` + base64 of the 32-byte seed or 64-byte seed‖public key (`v1a`). */
export function parseSigningKey(secret: string): StandardWebhooksKey {
  if (typeof secret === 'string' && secret.startsWith('whsk_')) {
    const raw = decodeBase64(secret, secret.slice(5), 'signing key')
    if (raw.length !== 32 && raw.length !== 64) throw new OptionsError(`the ed25519 signing key ${mask(secret)} is ${raw.length} bytes, not 32 or 64; copy it again`)
    const seed = raw.subarray(0, 32)
    return { version: 'v1a', key: createPrivateKey({ key: Buffer.concat([PKCS8_ED25519, seed]), format: 'der', type: 'pkcs8' }) }
  }
  if (typeof secret === 'string' && secret.startsWith('whpk_')) {
    throw new OptionsError(`${mask(secret)} is an ed25519 public key; signing needs the secret key ("whsk_…")`)
  }
  return parseVerifyingKey(secret)
}

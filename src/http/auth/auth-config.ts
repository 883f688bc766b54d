import { isAbsolute, resolve } from 'node:path'
import { z } from 'zod'
import type { LimitOptions } from '../limits/limit-options.js'
import type { AuthOptions } from './key-ring.js'

/** `auth:` and `limits:` in sepal.yaml. Keys are never written in the file: only where to find them. */

const apiKeySchema = z
  .strictObject({
    name: z.string().min(1).max(128).describe('Shown in logs and used as the rate-limit bucket.'),
    scope: z.enum(['publish', 'read', 'admin']).describe('publish: POST /events and PutEvents; read: GET endpoints and /metrics; admin: everything.'),
    sources: z.array(z.string().min(1)).min(1).optional().describe('Event source prefixes this key may publish. Default: any.'),
    keyFromEnv: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name').optional().describe('Environment variable holding the key.'),
    keyFromFile: z.string().min(1).optional().describe('File holding the key, relative to this file; re-read while running, so rewriting it rotates the key.'),
  })
  .refine((key) => (key.keyFromEnv === undefined) !== (key.keyFromFile === undefined), 'give exactly one of keyFromEnv or keyFromFile')

const accessKeySchema = z
  .strictObject({
    accessKeyId: z.string().regex(/^[A-Za-z0-9]{1,128}$/, 'letters and digits, as AWS access key ids are').describe('The id AWS SDKs send in the SigV4 credential scope.'),
    scope: z.enum(['publish', 'read', 'admin']).describe('publish: PutEvents; read: List*, Describe*, TestEventPattern; admin: everything.'),
    sources: z.array(z.string().min(1)).min(1).optional().describe('Source prefixes this key may PutEvents; other entries fail with AccessDeniedException. Default: any.'),
    secretFromEnv: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name').optional().describe('Environment variable holding the secret access key.'),
    secretFromFile: z.string().min(1).optional().describe('File holding the secret access key, relative to this file; re-read while running.'),
  })
  .refine((key) => (key.secretFromEnv === undefined) !== (key.secretFromFile === undefined), 'give exactly one of secretFromEnv or secretFromFile')

export const authSchema = z
  .union([
    z.literal('none').describe('No credentials: anyone who can reach the port may publish, read and configure.'),
    z.strictObject({
      keys: z.array(apiKeySchema).min(1).optional().describe('API keys, sent as Authorization: Bearer <key>.'),
      accessKeys: z.array(accessKeySchema).min(1).optional().describe('AWS-style access keys: the EventBridge API verifies SigV4 signatures made with them.'),
      reloadIntervalMs: z.int().min(0).max(3_600_000).optional().describe('How often key files and env vars are read again. Default 5000.'),
    }).refine((auth) => auth.keys !== undefined || auth.accessKeys !== undefined, 'give keys, accessKeys or both'),
  ])
  .optional()
  .describe('Who may use the HTTP server (see docs/security.md). Absent: open, and allowed on loopback only.')

export const limitsSchema = z
  .strictObject({
    requestsPerSecond: z.number().positive().optional().describe('Steady request rate per client address and per API key. Default: no limit.'),
    burst: z.int().min(1).optional().describe('Requests above the steady rate a client may make at once. Default: requestsPerSecond.'),
    maxConcurrentRequests: z.int().min(1).optional().describe('Requests served at once; more get 503. Default: no cap.'),
    maxJsonDepth: z.int().min(1).max(10_000).default(64).describe('Deepest nesting of a JSON body of POST /events. Default 64.'),
    maxBatchEvents: z.int().min(1).max(100_000).optional().describe('Most events in one batch. Default 100.'),
    maxHeaderBytes: z.int().min(1024).max(1024 * 1024).optional().describe('Largest request head; more gets 431. Default 16 KiB.'),
    maxRules: z.int().min(1).max(1_000_000).optional().describe('Most rules the engine holds (sepal.yaml and the EventBridge API together). Default 10000.'),
  })
  .prefault({})
  .describe('Abuse limits of the HTTP server.')

export type AuthConfig = z.output<typeof authSchema>
export type LimitsConfig = z.output<typeof limitsSchema>

/** The server's auth options from the config: key files relative to the config's folder, env from the caller. */
export function authFromConfig(
  auth: AuthConfig,
  baseDirectory: string,
  env: Readonly<Record<string, string | undefined>>,
): AuthOptions | 'none' | undefined {
  if (auth === undefined || auth === 'none') return auth
  return {
    env,
    ...(auth.reloadIntervalMs === undefined ? {} : { reloadIntervalMs: auth.reloadIntervalMs }),
    ...(auth.accessKeys === undefined
      ? {}
      : {
          accessKeys: auth.accessKeys.map((key) => ({
            accessKeyId: key.accessKeyId,
            scope: key.scope,
            ...(key.sources === undefined ? {} : { sources: key.sources }),
            ...(key.secretFromEnv === undefined ? {} : { secretFromEnv: key.secretFromEnv }),
            ...(key.secretFromFile === undefined ? {} : { secretFromFile: isAbsolute(key.secretFromFile) ? key.secretFromFile : resolve(baseDirectory, key.secretFromFile) }),
          })),
        }),
    keys: (auth.keys ?? []).map((key) => ({
      name: key.name,
      scope: key.scope,
      ...(key.sources === undefined ? {} : { sources: key.sources }),
      ...(key.keyFromEnv === undefined ? {} : { keyFromEnv: key.keyFromEnv }),
      ...(key.keyFromFile === undefined ? {} : { keyFromFile: isAbsolute(key.keyFromFile) ? key.keyFromFile : resolve(baseDirectory, key.keyFromFile) }),
    })),
  }
}

export function limitsFromConfig(limits: LimitsConfig): LimitOptions {
  return {
    maxJsonDepth: limits.maxJsonDepth,
    ...(limits.requestsPerSecond === undefined ? {} : { requestsPerSecond: limits.requestsPerSecond }),
    ...(limits.burst === undefined ? {} : { burst: limits.burst }),
    ...(limits.maxConcurrentRequests === undefined ? {} : { maxConcurrentRequests: limits.maxConcurrentRequests }),
  }
}

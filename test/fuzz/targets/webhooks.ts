import fc from 'fast-check'
import { createHmac, generateKeyPairSync } from 'node:crypto'
import { signWebhook } from '../../../src/http/webhooks/sign-webhook.js'
import type { VerifyWebhookResult, WebhookRequest, WebhookScheme } from '../../../src/http/webhooks/types.js'
import { verifyWebhook } from '../../../src/http/webhooks/verify-webhook.js'
import { FuzzFailure } from '../harness/failure.js'
import { anyText, textInput } from '../harness/mutate.js'
import { accepted, codeOf, rejected, type Outcome } from '../harness/outcome.js'
import type { FuzzTarget } from '../harness/runner.js'

const NOW = 1_700_000_000
export const hmacSecret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'
const { publicKey, privateKey } = generateKeyPairSync('ed25519')
const rawPublic = publicKey.export({ format: 'jwk' }).x ?? ''
const rawPrivate = privateKey.export({ format: 'jwk' }).d ?? ''
const toBase64 = (base64url: string): string => Buffer.from(base64url, 'base64url').toString('base64')
const signingKey = `whsk_${toBase64(rawPrivate)}`
const verifyingKey = `whpk_${toBase64(rawPublic)}`

const secrets: Record<WebhookScheme, string[]> = {
  'standard-webhooks': [hmacSecret, verifyingKey],
  github: ['github-secret'],
  stripe: ['whsec_stripe_secret'],
  bearer: ['token-1', 'token-2'],
}

const hex = (key: string, text: string | Uint8Array): string => createHmac('sha256', key).update(text).digest('hex')

/** The headers a genuine sender would put on `body` at `timestamp`. */
function signedHeaders(scheme: WebhookScheme, body: string, timestamp: number, msgId: string, useEd25519: boolean): Record<string, string> {
  switch (scheme) {
    case 'standard-webhooks':
      return { ...signWebhook({ msgId, timestamp, body, secret: useEd25519 ? signingKey : hmacSecret }) }
    case 'github':
      return { 'x-hub-signature-256': `sha256=${hex('github-secret', body)}`, 'x-github-event': 'push', 'x-github-delivery': msgId }
    case 'stripe':
      return { 'stripe-signature': `t=${timestamp},v1=${hex('whsec_stripe_secret', `${timestamp}.${body}`)}` }
    case 'bearer':
      return { authorization: `Bearer token-${useEd25519 ? 2 : 1}`, 'idempotency-key': msgId }
  }
}

const headerNames = ['webhook-id', 'webhook-timestamp', 'webhook-signature', 'svix-id', 'svix-timestamp', 'svix-signature', 'x-hub-signature-256', 'stripe-signature', 'authorization', 'Authorization', 'WEBHOOK-SIGNATURE', 'content-type']
const headerValue = fc.oneof(
  fc.constantFrom('', ' ', 'v1,', 'v1a,', 'v1,AAAA', 'v1,' + 'A'.repeat(44), 'v1 v1a', 'sha256=', 'sha256=zz', 't=,v1=', 't=1,v1=' + '0'.repeat(64), 'Bearer', 'Bearer ', 'bearer token-1', 'Bearer token-1 x', String(NOW), '-1', '1e9', '99999999999999999999', `${NOW}.5`, 'v1,' + '='.repeat(10)),
  textInput(fc.constantFrom('v1,K5oZfzN95Z9UVu1EsfQmfVNQhnkZ2pj9o9NDN/H/pI4=', `t=${NOW},v1=${'ab'.repeat(32)}`, `sha256=${'0'.repeat(64)}`, 'Bearer token-1')),
  anyText,
)

/** Mutations of a signed request: drop, replace or add headers, change the body or the clock. */
const change = fc.oneof(
  fc.record({ kind: fc.constant('drop' as const), name: fc.constantFrom(...headerNames) }),
  fc.record({ kind: fc.constant('set' as const), name: fc.oneof(fc.constantFrom(...headerNames), fc.string({ maxLength: 10 })), value: headerValue }),
  fc.record({ kind: fc.constant('mutate' as const), index: fc.nat(), edit: fc.string({ maxLength: 3, unit: 'binary' }), at: fc.nat() }),
  fc.record({ kind: fc.constant('body' as const), body: fc.oneof(fc.string({ maxLength: 30 }), fc.constant('')) }),
  fc.record({ kind: fc.constant('clock' as const), shift: fc.oneof(fc.integer({ min: -1000, max: 1000 }), fc.constantFrom(1e12, -1e12, Number.MAX_SAFE_INTEGER)) }),
)

export interface WebhookCase {
  readonly body: string | Uint8Array
  readonly headers: Record<string, string>
  readonly now: number
}

export function requestFor(scheme: WebhookScheme): fc.Arbitrary<WebhookCase> {
  return fc
    .record({
      body: fc.oneof(fc.jsonValue({ maxDepth: 2 }).map((v) => JSON.stringify(v)), fc.string({ maxLength: 40 })),
      skew: fc.integer({ min: -400, max: 400 }),
      msgId: fc.oneof(fc.stringMatching(/^msg_[A-Za-z0-9]{1,10}$/)),
      ed25519: fc.boolean(),
      changes: fc.array(change, { maxLength: 4 }),
      binaryBody: fc.boolean(),
    })
    .map(({ body, skew, msgId, ed25519, changes, binaryBody }) => {
      const headers = signedHeaders(scheme, body, NOW + skew, msgId, ed25519)
      let payload: string | Uint8Array = body
      let now = NOW
      for (const c of changes) {
        if (c.kind === 'drop') delete headers[c.name]
        else if (c.kind === 'set') headers[c.name] = c.value
        else if (c.kind === 'body') payload = c.body
        else if (c.kind === 'clock') now = NOW + c.shift
        else {
          const names = Object.keys(headers)
          const name = names[c.index % Math.max(names.length, 1)]
          if (name !== undefined) {
            const value = headers[name] ?? ''
            const at = c.at % (value.length + 1)
            headers[name] = value.slice(0, at) + c.edit + value.slice(at + c.edit.length)
          }
        }
      }
      return { body: binaryBody && typeof payload === 'string' ? new TextEncoder().encode(payload) : payload, headers, now }
    })
}

function checkResult(result: VerifyWebhookResult): Outcome {
  if (result.ok === true) return accepted
  if (result.ok !== false || typeof result.code !== 'string' || !result.code.startsWith('SEPAL_ERR_') || typeof result.reason !== 'string') {
    throw new FuzzFailure(`verifyWebhook answered something that is neither ok nor a coded refusal: ${JSON.stringify(result)}`)
  }
  return rejected(result.code)
}

/** `verifyWebhook` for one scheme: signed requests, then broken in up to four places. */
export function webhookTarget(scheme: WebhookScheme): FuzzTarget<WebhookCase> {
  return {
    name: `webhook-${scheme}`,
    input: requestFor(scheme),
    open: async () => ({
      async check(input): Promise<Outcome> {
        const request: WebhookRequest = { headers: input.headers, body: input.body, now: input.now }
        let result: VerifyWebhookResult
        try {
          result = verifyWebhook({ scheme, secrets: secrets[scheme] }, request)
        } catch (error) {
          throw new FuzzFailure(`verifyWebhook threw instead of answering (code ${codeOf(error)})`, { cause: error })
        }
        return checkResult(result)
      },
      close: async () => {},
    }),
  }
}

export const webhookTargets = (['standard-webhooks', 'github', 'stripe', 'bearer'] as const).map(webhookTarget)

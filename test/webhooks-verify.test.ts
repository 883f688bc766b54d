import { generateKeyPairSync, randomBytes } from 'node:crypto'
import { sign as githubSign } from '@octokit/webhooks-methods'
import { Webhook } from 'standardwebhooks'
import Stripe from 'stripe'
import { describe, expect, it } from 'vitest'
import { ErrorCodes } from '../src/errors.js'
import { signWebhook } from '../src/http/webhooks/sign-webhook.js'
import { verifyWebhook } from '../src/http/webhooks/verify-webhook.js'

const SIGNATURE = ErrorCodes.WEBHOOK_SIGNATURE_INVALID
const TIMESTAMP = ErrorCodes.WEBHOOK_TIMESTAMP_INVALID
const now = 1_700_000_000
const secret = `whsec_${randomBytes(32).toString('base64')}`
const otherSecret = `whsec_${randomBytes(32).toString('base64')}`
const body = '{"type":"invoice.paid","data":{"amount":42}}'

/** Headers exactly as the standardwebhooks library (the reference sender) produces them. */
function standardHeaders(options: { secret?: string; id?: string; at?: number; payload?: string } = {}): Record<string, string> {
  const id = options.id ?? 'msg_2KWPBgLlAfxdpx2AI54pPJ85f4W'
  const at = options.at ?? now
  const signature = new Webhook(options.secret ?? secret).sign(id, new Date(at * 1000), options.payload ?? body)
  return { 'webhook-id': id, 'webhook-timestamp': String(at), 'webhook-signature': signature }
}

const standard = (secrets: string[], headers: Record<string, string>, payload: string | Uint8Array = body, toleranceSec?: number) =>
  verifyWebhook({ scheme: 'standard-webhooks', secrets, ...(toleranceSec === undefined ? {} : { toleranceSec }) }, { headers, body: payload, now })

describe('verifyWebhook with Standard Webhooks', () => {
  it('accepts the fixed vector every reference library asserts', () => {
    const result = verifyWebhook(
      { scheme: 'standard-webhooks', secrets: ['whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'] },
      {
        headers: {
          'webhook-id': 'msg_p5jXN8AQM9LWM0D4loKWxJek',
          'webhook-timestamp': '1614265330',
          'webhook-signature': 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
        },
        body: '{"test": 2432232314}',
        now: 1614265330,
      },
    )
    expect(result).toEqual({ ok: true })
  })

  it('accepts a request signed by the standardwebhooks library, as text or as bytes', () => {
    expect(standard([secret], standardHeaders())).toEqual({ ok: true })
    expect(standard([secret], standardHeaders(), new TextEncoder().encode(body))).toEqual({ ok: true })
  })

  it('accepts header names in any case and a secret without its whsec_ prefix', () => {
    const headers = Object.fromEntries(Object.entries(standardHeaders()).map(([k, v]) => [k.toUpperCase(), v]))
    expect(standard([secret.slice(6)], headers)).toEqual({ ok: true })
  })

  it('accepts the same signature under the svix-* header names Svix senders use', () => {
    const headers = Object.fromEntries(Object.entries(standardHeaders()).map(([k, v]) => [k.replace('webhook-', 'svix-'), v]))
    expect(standard([secret], headers)).toEqual({ ok: true })
  })

  it('accepts an empty body signed correctly', () => {
    expect(standard([secret], standardHeaders({ payload: '' }), '')).toEqual({ ok: true })
  })

  it('accepts during rotation: the old secret among the configured ones, or one good signature among several', () => {
    expect(standard([otherSecret, secret], standardHeaders())).toEqual({ ok: true })
    const headers = standardHeaders()
    const other = standardHeaders({ secret: otherSecret })['webhook-signature']
    headers['webhook-signature'] = `v2,AAAA ${other} ${headers['webhook-signature']}`
    expect(standard([secret], headers)).toEqual({ ok: true })
  })

  it('refuses a tampered body, a re-serialised body and a wrong secret', () => {
    expect(standard([secret], standardHeaders(), body.replace('42', '43'))).toMatchObject({ ok: false, code: SIGNATURE })
    expect(standard([secret], standardHeaders(), JSON.stringify(JSON.parse(body), null, 1))).toMatchObject({ ok: false, code: SIGNATURE })
    expect(standard([otherSecret], standardHeaders())).toMatchObject({ ok: false, code: SIGNATURE })
  })

  it('refuses each missing header', () => {
    for (const name of ['webhook-id', 'webhook-timestamp', 'webhook-signature']) {
      const headers = standardHeaders()
      delete headers[name]
      expect(standard([secret], headers).ok, name).toBe(false)
    }
  })

  it('refuses garbage, truncated, empty, comma-less, unknown-version and one-character-changed signatures', () => {
    const good = standardHeaders()['webhook-signature'] as string
    const flipped = good.slice(0, 10) + (good[10] === 'A' ? 'B' : 'A') + good.slice(11)
    for (const signature of ['garbage', good.slice(0, 20), 'v1,', good.replace(',', ''), good.replace('v1,', 'v2,'), flipped]) {
      expect(standard([secret], { ...standardHeaders(), 'webhook-signature': signature }), signature).toMatchObject({ ok: false, code: SIGNATURE })
    }
  })

  it('refuses timestamps outside the tolerance in the past and the future, and a non-numeric or altered one', () => {
    expect(standard([secret], standardHeaders({ at: now - 301 }))).toMatchObject({ ok: false, code: TIMESTAMP })
    expect(standard([secret], standardHeaders({ at: now + 301 }))).toMatchObject({ ok: false, code: TIMESTAMP })
    expect(standard([secret], standardHeaders({ at: now - 299 }))).toEqual({ ok: true })
    expect(standard([secret], standardHeaders({ at: now - 100 }), body, 60)).toMatchObject({ ok: false, code: TIMESTAMP })
    expect(standard([secret], { ...standardHeaders(), 'webhook-timestamp': 'soon' })).toMatchObject({ ok: false, code: TIMESTAMP })
    expect(standard([secret], { ...standardHeaders(), 'webhook-timestamp': String(now + 1) })).toMatchObject({ ok: false, code: SIGNATURE })
  })

  it('verifies ed25519 (v1a) signatures against a whpk_ public key', () => {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519')
    const seed = privateKey.export({ format: 'der', type: 'pkcs8' }).subarray(-32)
    const raw = publicKey.export({ format: 'der', type: 'spki' }).subarray(-32)
    const headers = signWebhook({ msgId: 'msg_1', timestamp: now, body, secret: `whsk_${seed.toString('base64')}` })
    expect(headers['webhook-signature'].startsWith('v1a,')).toBe(true)
    expect(standard([`whpk_${raw.toString('base64')}`], { ...headers })).toEqual({ ok: true })
    expect(standard([`whpk_${raw.toString('base64')}`], { ...headers }, `${body} `)).toMatchObject({ ok: false, code: SIGNATURE })
  })

  it('rejects options without secrets or with an unknown scheme at once', () => {
    expect(() => verifyWebhook({ scheme: 'standard-webhooks', secrets: [] }, { headers: {}, body })).toThrow(/at least one/)
    expect(() => verifyWebhook({ scheme: 'hmac' as 'github', secrets: ['x'] }, { headers: {}, body })).toThrow(/not known/)
  })
})

describe('signWebhook', () => {
  it('produces headers the standardwebhooks library verifies, with several secrets for rotation', () => {
    const headers = signWebhook({ msgId: 'msg_abc', timestamp: new Date(), body, secret: [otherSecret, secret] })
    expect(headers['webhook-signature'].split(' ')).toHaveLength(2)
    expect(new Webhook(secret).verify(body, { ...headers })).toEqual(JSON.parse(body))
    expect(new Webhook(otherSecret).verify(body, { ...headers })).toEqual(JSON.parse(body))
  })

  it('refuses a message id with a full stop, which would make the signed content ambiguous', () => {
    expect(() => signWebhook({ msgId: 'a.b', timestamp: now, body, secret })).toThrow(/without "\."/)
  })
})

describe('verifyWebhook with GitHub', () => {
  const githubSecret = "It's a Secret to Everybody"
  const github = (secrets: string[], signature: string | undefined, payload = 'Hello, World!') =>
    verifyWebhook({ scheme: 'github', secrets }, { headers: signature === undefined ? {} : { 'X-Hub-Signature-256': signature }, body: payload })

  it("accepts GitHub's published vector and what @octokit/webhooks-methods signs", async () => {
    expect(github([githubSecret], 'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17')).toEqual({ ok: true })
    expect(github(['old', githubSecret], await githubSign(githubSecret, body), body)).toEqual({ ok: true })
  })

  it('refuses a wrong secret, a tampered body, a missing header and the legacy sha1 form', async () => {
    const signature = await githubSign(githubSecret, body)
    expect(github(['wrong'], signature, body)).toMatchObject({ ok: false, code: SIGNATURE })
    expect(github([githubSecret], signature, `${body}\n`)).toMatchObject({ ok: false, code: SIGNATURE })
    expect(github([githubSecret], undefined, body)).toMatchObject({ ok: false, code: SIGNATURE })
    expect(github([githubSecret], signature.replace('sha256=', 'sha1='), body)).toMatchObject({ ok: false, code: SIGNATURE })
  })
})

describe('verifyWebhook with Stripe', () => {
  const stripe = new Stripe('sk_test_placeholder')
  const stripeSecret = 'whsec_test_secret_for_sepal'
  const header = (at: number, key = stripeSecret, payload = body) =>
    stripe.webhooks.generateTestHeaderString({ payload, secret: key, timestamp: at })
  const check = (secrets: string[], signature: string, payload = body) =>
    verifyWebhook({ scheme: 'stripe', secrets }, { headers: { 'Stripe-Signature': signature }, body: payload, now })

  it("accepts Stripe's own test header, also with the secret among rotated ones", () => {
    expect(check([stripeSecret], header(now))).toEqual({ ok: true })
    expect(check(['whsec_new', stripeSecret], header(now - 10))).toEqual({ ok: true })
  })

  it('uses the whole whsec_ string as the key, unlike Standard Webhooks', () => {
    expect(check([stripeSecret.slice(6)], header(now))).toMatchObject({ ok: false, code: SIGNATURE })
  })

  it('refuses tampered bodies, wrong secrets, old and future timestamps', () => {
    expect(check([stripeSecret], header(now), `${body} `)).toMatchObject({ ok: false, code: SIGNATURE })
    expect(check(['whsec_other'], header(now))).toMatchObject({ ok: false, code: SIGNATURE })
    expect(check([stripeSecret], header(now - 600))).toMatchObject({ ok: false, code: TIMESTAMP })
    expect(check([stripeSecret], header(now + 600))).toMatchObject({ ok: false, code: TIMESTAMP })
    expect(check([stripeSecret], header(now).replace(/t=\d+/, `t=${now - 1}`))).toMatchObject({ ok: false, code: SIGNATURE })
    expect(check([stripeSecret], header(now).replace(/,v1=.*/, ''))).toMatchObject({ ok: false, code: SIGNATURE })
  })
})

describe('verifyWebhook with a bearer token', () => {
  const check = (header: string | undefined) =>
    verifyWebhook({ scheme: 'bearer', secrets: ['t0ken-old', 't0ken-new'] }, { headers: header === undefined ? {} : { authorization: header }, body })

  it('accepts any configured token and refuses others, a missing header and a basic scheme', () => {
    expect(check('Bearer t0ken-new')).toEqual({ ok: true })
    expect(check('bearer t0ken-old')).toEqual({ ok: true })
    expect(check('Bearer t0ken')).toMatchObject({ ok: false, code: SIGNATURE })
    expect(check(undefined)).toMatchObject({ ok: false, code: SIGNATURE })
    expect(check('Basic dDBrZW4tbmV3')).toMatchObject({ ok: false, code: SIGNATURE })
  })
})

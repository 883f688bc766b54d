// `npm run demo`: sends a mix of shop events to a running `sepal run examples/shop/sepal.yaml` (or starts one)
// and shows each reaction as it lands: the outbox, the welcome workflow, alerts, the stock table, /metrics.
import { spawn } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { readLines } from './handlers/files.js'

const root = fileURLToPath(new URL('../../', import.meta.url))
const dataDirectory = resolve(process.env.SEPAL_DATA_DIR ?? '.sepal')
const shop = join(dataDirectory, 'shop')
const run = Date.now().toString(36)
const say = (line) => process.stdout.write(`${line}\n`)

const event = (id, source, type, data) => ({ specversion: '1.0', id: `${run}-${id}`, source, type, datacontenttype: 'application/json', data })
const events = [
  event('order', 'app.orders', 'OrderPlaced', { orderId: `o-${run}`, email: 'alice@example.com', total: 42.5 }),
  event('signup', 'app.users', 'UserSignedUp', { userId: `u-${run}`, email: 'bob@example.com', name: 'Bob' }),
  event('reading-cool', 'sensors', 'SensorReading', { sensorId: 'greenhouse-1', kind: 'temperature', value: 24.5 }),
  event('reading-hot', 'sensors', 'SensorReading', { sensorId: 'greenhouse-2', kind: 'temperature', value: 35.2 }),
  event('payment', 'app.payments', 'PaymentCaptured', { orderId: `o-${run}`, items: [{ sku: 'sku-kettle', quantity: 1 }, { sku: 'sku-mug', quantity: 2 }] }),
  event('log-error', 'app.checkout', 'LogLine', { level: 'error', service: 'checkout', message: 'card declined' }),
  event('log-warn', 'app.checkout', 'LogLine', { level: 'warn', service: 'checkout', message: 'slow response' }),
  event('log-info', 'app.checkout', 'LogLine', { level: 'info', service: 'checkout', message: 'all good' }),
]

const server = await connect(process.env.SEPAL_URL ?? 'http://127.0.0.1:8080')
try {
  const response = await fetch(`${server.url}/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/cloudevents-batch+json' },
    body: JSON.stringify(events),
  })
  if (response.status !== 202) throw new Error(`POST /events answered ${response.status}: ${await response.text()}`)
  say(`sent ${events.length} events to ${server.url}/events (one batch, answered 202); reactions:`)
  const missing = await showReactions(server.url)
  if (missing.length > 0) {
    say(`\nno reaction within 15 s for: ${missing.join(', ')}; see the server's log`)
    process.exitCode = 1
  } else say(`\nall five reactions seen; files in ${shop}`)
} finally {
  await server.stop()
}

async function showReactions(url) {
  const checks = {
    'order placed': async () => {
      const mail = (await readLines(join(shop, 'outbox.ndjson'))).find((m) => m.eventId === `${run}-order`)
      return mail && `email "${mail.subject}" to ${mail.to} (outbox.ndjson)`
    },
    'user signed up': async () => {
      const mail = (await readLines(join(shop, 'outbox.ndjson'))).find((m) => m.eventId === `${run}-signup.queued`)
      const done = (await readLines(join(shop, 'workflow.ndjson'))).find((w) => w.eventId === `${run}-signup.queued.sent`)
      return mail && done && `UserSignedUp -> WelcomeEmailQueued -> "${mail.subject}" to ${mail.to} -> WelcomeEmailSent -> completed`
    },
    'sensor readings': async () => {
      const alerts = (await readLines(join(shop, 'alerts.ndjson'))).filter((a) => String(a.eventId).startsWith(`${run}-`))
      return alerts.length > 0 && `${alerts.length} alert: ${alerts.map((a) => a.message).join('; ')} (24.5 raised none)`
    },
    'payment captured': async () => {
      const table = JSON.parse(await readFile(join(shop, 'stock.json'), 'utf8').catch(() => '{}'))
      const reservation = table.reservations?.[`o-${run}`]
      return reservation && `reserved ${reservation.lines.map((l) => `${l.reserved}x ${l.sku}`).join(', ')}; stock now ${JSON.stringify(table.stock)} (stock.json)`
    },
    'log lines': async () => {
      const text = await (await fetch(`${url}/metrics`)).text()
      const lines = text.split('\n').filter((l) => l.startsWith('shop_log_lines_total'))
      return lines.length >= 2 && `GET /metrics: ${lines.join(', ')} (info lines are not counted)`
    },
  }
  const deadline = Date.now() + 15_000
  const pending = new Set(Object.keys(checks))
  while (pending.size > 0 && Date.now() < deadline) {
    for (const name of [...pending]) {
      const seen = await checks[name]().catch(() => undefined)
      if (seen) {
        say(`  ${name.padEnd(17)} -> ${seen}`)
        pending.delete(name)
      }
    }
    if (pending.size > 0) await new Promise((r) => setTimeout(r, 100))
  }
  return [...pending]
}

/** Uses the server at `url` when it answers; otherwise starts the shop on a free port for the length of the demo. */
async function connect(url) {
  const healthy = await fetch(`${url}/healthz`).then((r) => r.ok, () => false)
  if (healthy) return { url, stop: async () => {} }
  say(`nothing answers at ${url}; starting the shop for this demo (run \`npm start\` to keep one running)`)
  const child = spawn(process.execPath, [join(root, 'bin/sepal.js'), 'run', join(root, 'examples/shop/sepal.yaml'), '--port', '0', '--data', dataDirectory, '--log-level', 'warn'], { stdio: ['ignore', 'pipe', 'inherit'] })
  const started = await new Promise((resolvePromise, reject) => {
    let output = ''
    child.stdout.on('data', (chunk) => {
      output += chunk
      const found = /POST (http:\/\/\S+)\/events/.exec(output)
      if (found) resolvePromise(found[1])
    })
    child.once('exit', (code) => reject(new Error(`sepal run exited with code ${code} before listening:\n${output}`)))
  })
  return {
    url: started,
    stop: () => new Promise((resolvePromise) => {
      child.once('exit', resolvePromise)
      child.kill('SIGTERM')
    }),
  }
}

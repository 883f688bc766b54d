// The server side of bench/http-ingress.ts, run in its own process so the load generator does not share its
// event loop. `sepal`: the ingress over the embedded log (202 after the durable append). `bare`: node:http
// answering 202 after reading the body, nothing else: the ceiling for any Node HTTP server on this machine.
import { createServer } from 'node:http'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { AddressInfo } from 'node:net'
import { startHttpServer } from '../src/http/server.js'
import type { Transport } from '../src/transports/contract.js'
import { createMemoryTransport } from '../src/transports/memory/memory-transport.js'
import { createSqliteTransport } from '../src/transports/sqlite/sqlite-transport.js'

type Ready = { port: number }

async function startSepal(): Promise<{ port: number; stop: () => Promise<void> }> {
  const directory = mkdtempSync(join(tmpdir(), 'sepal-bench-http-'))
  const transport = createSqliteTransport({ directory })
  const server = await startHttpServer({ transport, topic: 'events', port: 0 })
  return {
    port: server.port,
    stop: async () => {
      await server.close()
      await transport.close()
      rmSync(directory, { recursive: true, force: true })
    },
  }
}

/** The ingress alone: a transport whose append costs nothing, to tell HTTP cost from storage cost. */
async function startSepalNoop(): Promise<{ port: number; stop: () => Promise<void> }> {
  const transport = createMemoryTransport()
  const noop: Transport = { name: 'noop', features: transport.features, publish: () => Promise.resolve(), subscribe: (t, o) => transport.subscribe(t, o), close: () => transport.close() }
  const server = await startHttpServer({ transport: noop, topic: 'events', port: 0 })
  return { port: server.port, stop: () => server.close() }
}

async function startBare(): Promise<{ port: number; stop: () => Promise<void> }> {
  const reply = JSON.stringify({ accepted: 1 })
  const server = createServer({ keepAlive: true }, (req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      Buffer.concat(chunks)
      res.writeHead(202, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(reply) })
      res.end(reply)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    port: (server.address() as AddressInfo).port,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      }),
  }
}

const mode = process.argv[2]
const started =
  mode === 'sepal' ? await startSepal() : mode === 'sepal-noop' ? await startSepalNoop() : mode === 'bare' ? await startBare() : undefined
if (started === undefined) {
  process.stderr.write('usage: http-ingress-server.ts sepal|sepal-noop|bare\n')
  process.exit(2)
}
const ready: Ready = { port: started.port }
process.send?.(ready)
process.on('message', (message) => {
  // CPU time used so far, so a caller can compute CPU per request (steadier than req/s on a busy machine).
  if (message === 'cpu') process.send?.({ cpu: process.cpuUsage() })
  if (message === 'stop') void started.stop().then(() => process.exit(0))
})

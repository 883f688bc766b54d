import { createConnection } from 'node:net'

/** Resolves true when something accepts TCP connections on host:port within the timeout. */
export function isReachable(host: string, port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host, port })
    const done = (ok: boolean) => {
      socket.destroy()
      resolve(ok)
    }
    socket.setTimeout(timeoutMs, () => done(false))
    socket.once('connect', () => done(true))
    socket.once('error', () => done(false))
  })
}

/**
 * Whether a suite that needs a service should run. Outside CI a missing service skips the suite with a
 * note; under CI (`CI` set) the suite always runs, so a missing service fails it loudly.
 */
export async function serviceAvailable(name: string, url: string): Promise<boolean> {
  const { hostname, port } = new URL(url)
  if (await isReachable(hostname, Number(port))) return true
  if (process.env['CI']) return true
  console.warn(`skipping ${name} tests: nothing listens at ${url} (run scripts/services.sh up)`)
  return false
}

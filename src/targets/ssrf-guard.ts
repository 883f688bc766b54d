import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns'
import { isIP } from 'node:net'
import { Agent, type Dispatcher } from 'undici'
import { ErrorCodes, PermanentError } from '../errors.js'
import { refusedAddressClass, type RefusedAddressClass } from './ssrf-guard-addresses.js'

/** An HTTP target's host resolved to an address sepal does not call (see docs/security.md). Dead-lettered. */
export class TargetAddressRefusedError extends PermanentError {
  override readonly code = ErrorCodes.TARGET_ADDRESS_REFUSED
  constructor(
    readonly host: string,
    readonly address: string,
    readonly addressClass: RefusedAddressClass,
  ) {
    super(
      `refused to call ${JSON.stringify(host)}: it resolves to ${address}, a ${addressClass} address; ` +
        `if this receiver is meant to be reached, add ${JSON.stringify(host)} to the target's or the engine's "allowHosts"`,
    )
  }
}

/** The URL's host as allow-lists name it: lower case, IPv6 without brackets. */
export function hostKey(hostname: string): string {
  const lower = hostname.toLowerCase()
  return lower.startsWith('[') && lower.endsWith(']') ? lower.slice(1, -1) : lower
}

/** True when the host is on the allow-list (exact names or addresses, or "*.example.com" for subdomains). */
export function isHostAllowed(hostname: string, allowHosts: readonly string[]): boolean {
  const host = hostKey(hostname)
  return allowHosts.some((entry) => {
    const allowed = hostKey(entry)
    return allowed.startsWith('*.') ? host.endsWith(allowed.slice(1)) : host === allowed
  })
}

/** Throws when the URL names a refused IP address directly (no DNS, so the connect-time hook never runs). */
export function checkLiteralHost(url: URL): void {
  const host = hostKey(url.hostname)
  if (isIP(host) === 0) return
  const refused = refusedAddressClass(host)
  if (refused !== undefined) throw new TargetAddressRefusedError(url.hostname, host, refused)
}

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void

/**
 * A `lookup` for net/tls.connect: resolves, refuses the whole answer if any address is refused, and hands
 * the checked addresses to the socket. The check and the connection use the same answer, so a DNS server
 * that changes its answer between the two (rebinding) gains nothing.
 */
export function guardedLookup(hostname: string, options: LookupOptions, callback: LookupCallback): void {
  dnsLookup(hostname, { ...options, all: true }, (error, addresses) => {
    if (error !== null) return callback(error, [])
    for (const { address } of addresses) {
      const refused = refusedAddressClass(address)
      if (refused !== undefined) return callback(new TargetAddressRefusedError(hostname, address, refused) as unknown as NodeJS.ErrnoException, [])
    }
    const first = addresses[0]
    if (options.all === true || first === undefined) return callback(null, addresses)
    callback(null, first.address, first.family)
  })
}

let guardedAgent: Agent | undefined

/** The shared connection pool of HTTP targets whose host is not allow-listed: every connection goes through `guardedLookup`. */
export function guardedDispatcher(): Dispatcher {
  guardedAgent ??= new Agent({ connect: { lookup: guardedLookup as never } })
  return guardedAgent
}

/** The refusal inside an error fetch threw (fetch wraps connection errors in a TypeError's `cause`). */
export function findAddressRefusal(error: unknown): TargetAddressRefusedError | undefined {
  let current: unknown = error
  for (let depth = 0; depth < 5 && current !== undefined && current !== null; depth++) {
    if (current instanceof TargetAddressRefusedError) return current
    current = (current as { cause?: unknown }).cause
  }
  return undefined
}

import type { FuzzTarget } from '../harness/runner.js'
import { cliTarget } from './cli.js'
import { objectConfigTarget, yamlConfigTarget } from './config.js'
import { batchTarget, binaryHttpTarget, structuredEventTarget } from './events.js'
import { eventBridgeTarget, ingressTarget } from './http.js'
import { httpServerTarget } from './http-server.js'
import { compilePatternTarget, matchTarget } from './patterns.js'
import { webhookTargets } from './webhooks.js'

/**
 * Every parser that takes outside input, by its fuzz name. Each target has its own input type; `any` here only
 * erases it in the list, the runner always feeds a target its own generator's values.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const fuzzTargets: readonly FuzzTarget<any>[] = [
  structuredEventTarget,
  binaryHttpTarget,
  batchTarget,
  compilePatternTarget,
  matchTarget,
  yamlConfigTarget,
  objectConfigTarget,
  ...webhookTargets,
  eventBridgeTarget,
  ingressTarget,
  httpServerTarget,
  cliTarget,
]

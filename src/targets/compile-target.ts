import { OptionsError } from '../errors.js'
import type { Target } from '../engine/types.js'
import { compileHandlerTarget } from './handler-target.js'
import { checkHttpTarget } from './http-target-options.js'
import { compileHttpTarget, DEFAULT_HTTP_TIMEOUT_MS } from './http-target.js'
import { compilePublishTarget } from './publish-target.js'
import { DEFAULT_TARGET_TIMEOUT_MS, type CompiledTarget, type TargetEnvironment } from './types.js'

/**
 * Checks one target of a rule and makes it runnable. Mistakes are programmer errors and throw here,
 * at `addRule`, never while events flow.
 */
export function compileTarget(rule: string, target: Target, index: number, env: TargetEnvironment): CompiledTarget {
  const where = `rule "${rule}" target ${index + 1}`
  if (typeof target !== 'object' || target === null) throw new OptionsError(`${where} must be an object with a "kind"`)
  const timeoutMs = target.timeoutMs ?? (target.kind === 'http' ? DEFAULT_HTTP_TIMEOUT_MS : DEFAULT_TARGET_TIMEOUT_MS)
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) {
    throw new OptionsError(`${where}: timeoutMs must be a positive number of milliseconds, got ${String(timeoutMs)}`)
  }
  if (target.name !== undefined && (typeof target.name !== 'string' || target.name === '')) {
    throw new OptionsError(`${where}: name must be a non-empty string, got ${JSON.stringify(target.name)}`)
  }
  switch (target.kind) {
    case 'handler': {
      if (typeof target.handler !== 'function') {
        throw new OptionsError(`${where}: "handler" must be a function, got ${typeof target.handler}`)
      }
      checkTopic(where, 'publishTo', target.publishTo, true)
      const name = target.name ?? (target.handler.name !== '' ? target.handler.name : `handler-${index + 1}`)
      return compileHandlerTarget(target, name, timeoutMs, env)
    }
    case 'publish': {
      checkTopic(where, 'topic', target.topic, false)
      if (target.topic === env.defaultTopic) {
        // The unchanged event would come back, match this rule again and be published forever.
        throw new OptionsError(
          `${where} publishes to "${target.topic}", the topic the engine consumes: that loops; pick another topic`,
        )
      }
      return compilePublishTarget(target, target.name ?? `publish:${target.topic}`, timeoutMs, env)
    }
    case 'http': {
      const url = checkHttpTarget(where, target)
      const allowHosts = [...(env.allowHosts ?? []), ...(target.allowHosts ?? [])]
      return compileHttpTarget(target, target.name ?? `http:${url.host}${url.pathname}`, timeoutMs, url, allowHosts)
    }
    default:
      throw new OptionsError(
        `${where} has kind ${JSON.stringify((target as { kind?: unknown }).kind)}; use "handler", "publish" or "http"`,
      )
  }
}

function checkTopic(where: string, option: string, topic: unknown, optional: boolean): void {
  if (optional && topic === undefined) return
  if (typeof topic !== 'string' || topic === '') {
    throw new OptionsError(`${where}: "${option}" must be a non-empty topic name, got ${JSON.stringify(topic)}`)
  }
}

import type { CloudEvent } from '../../event/cloud-event.js'
import type { Target } from '../../engine/types.js'
import { compileInputTransformer, type InputTransformer } from '../../transform/index.js'
import { validationError } from './api-error.js'
import type { ApiTarget } from './api-store.js'
import { eventBridgeEnvelope, eventBridgeView, type ApiIdentity } from './event-view.js'

/** A PutTargets `Arn` sepal can deliver to: another topic of the transport, or an http(s) URL. */
export type Destination = { readonly kind: 'publish'; readonly topic: string } | { readonly kind: 'http'; readonly url: string }

const PUBLISH_PREFIX = 'sepal:publish:'

/** Reads a target Arn; throws a ValidationException naming what works instead. */
export function parseDestination(arn: string, engineTopic: string): Destination {
  if (arn.startsWith(PUBLISH_PREFIX) && arn.length > PUBLISH_PREFIX.length) {
    const topic = arn.slice(PUBLISH_PREFIX.length)
    if (topic === engineTopic) {
      throw validationError(`target ${JSON.stringify(arn)} publishes to "${topic}", the topic the rules read: that loops; pick another topic`)
    }
    return { kind: 'publish', topic }
  }
  if (/^https?:\/\//i.test(arn)) {
    try {
      return { kind: 'http', url: new URL(arn).toString() }
    } catch {
      // falls through to the error below
    }
  }
  throw validationError(`target Arn ${JSON.stringify(arn.slice(0, 200))} is not something sepal can deliver to; use "sepal:publish:<topic>" or an http(s) URL`)
}

export interface TargetBuildContext {
  readonly ruleName: string
  readonly ruleArn: string
  readonly engineTopic: string
  readonly identity: ApiIdentity
}

/** Turns a stored API target into an engine target; the transformer was checked when the target was put. */
export function toEngineTarget(target: ApiTarget, ctx: TargetBuildContext): Target {
  const destination = parseDestination(target.Arn, ctx.engineTopic)
  const shaped = target.Input !== undefined || target.InputPath !== undefined || target.InputTransformer !== undefined
  const transformer = shaped ? compileInputTransformer(target) : undefined
  const transformContext = { ruleName: ctx.ruleName, ruleArn: ctx.ruleArn }
  const input = (event: CloudEvent): string | undefined =>
    transformer === undefined
      ? JSON.stringify(eventBridgeEnvelope(event, ctx.identity))
      : transformer.apply(eventBridgeView(event, ctx.identity), { ...transformContext, ingestionTime: new Date().toISOString() })

  if (destination.kind === 'publish') {
    if (transformer === undefined) return { kind: 'publish', name: target.Id, topic: destination.topic }
    return {
      kind: 'handler',
      name: target.Id,
      publishTo: destination.topic,
      // The same event (same id, so consumers stay idempotent) carrying the transformed input as its data.
      handler: (event) => {
        const text = input(event)
        return text === undefined ? undefined : [withData(event, text)]
      },
    }
  }
  // The HTTP target brings the delivery rules of a webhook out: no redirects, 429/5xx retried, other 4xx dead-lettered.
  return { kind: 'http', name: target.Id, url: destination.url, input }
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text)
    return true
  } catch {
    return false
  }
}

function withData(event: CloudEvent, text: string): CloudEvent {
  const { data: _data, data_base64: _base64, datacontenttype: _type, ...attributes } = event
  return isJson(text)
    ? { ...attributes, datacontenttype: 'application/json', data: JSON.parse(text) as unknown }
    : { ...attributes, datacontenttype: 'text/plain', data: text }
}

import { ErrorCodes, OptionsError, SepalError } from '../errors.js'
import type { CloudEvent } from '../event/cloud-event.js'
import type { PendingAttempts } from '../targets/await-target.js'
import { isPromiseLike } from '../targets/handler-target.js'
import type { TargetEnvironment } from '../targets/types.js'
import type { Delivery } from '../transports/contract.js'
import { createConsumer } from './consumer.js'
import { checkEngineOptions } from './engine-options.js'
import { createMetrics } from './metrics.js'
import { noopLogger } from './noop-logger.js'
import { buildRuleSet, compileRule, RuleDuplicateError, type CompiledRule, type RuleSet } from './rule-set.js'
import { describeError, runTargets, type RunEnvironment, type SkipTarget } from './run-targets.js'
import { retryDelayMs, type SettleDecision, type SettlementPolicy } from './settle.js'
import { createTopicDeadLetterSink } from '../delivery/dead-letter-store.js'
import { createDeliverySettlement } from './delivery-settlement.js'
import { idempotencySettingsFor, targetIdempotencyKey } from './idempotent-target.js'
import type { DispatchReport, Engine, EngineHooks, EngineOptions, Rule, Settlement } from './types.js'
import { validateAll, validateOne } from './validate.js'

const DEFAULT_DRAIN_TIMEOUT_MS = 10_000
export const DEFAULT_MAX_RULES = 10_000

/** A cap on rules keeps a misbehaving client (or a loop creating rules) from growing the matcher without end. */
export class RuleLimitError extends SepalError {
  constructor(limit: number) {
    super(ErrorCodes.RULE_LIMIT, `this engine already holds ${limit} rules, its limit; remove rules or raise maxRules`)
  }
}
const NOTHING: readonly never[] = Object.freeze([])

/**
 * The engine: receive → match → run targets → settle. It consumes one topic as one consumer group,
 * runs up to `maxInFlight` deliveries at once, and alone decides ack and nack. It does not own the
 * transport: closing it stays with the caller.
 */
export function createEngine(options: EngineOptions): Engine {
  const { transport, topic, group, maxInFlight } = checkEngineOptions(options)
  const logger = options.logger ?? noopLogger
  const maxRules = options.maxRules ?? DEFAULT_MAX_RULES
  if (!(Number.isInteger(maxRules) && maxRules >= 1)) throw new OptionsError(`maxRules must be an integer >= 1, got ${String(options.maxRules)}`)
  const hooks: EngineHooks = options.hooks ?? {}
  const metrics = options.metrics ?? createMetrics()
  const pending: PendingAttempts = new Set()
  // Set when a stop spends its drain budget: ordered work still queued must then not start.
  const halted = { value: false }
  pending.add(() => (halted.value = true))
  const runEnv: RunEnvironment = { logger, metrics, hooks, pending, halted }
  const policy: SettlementPolicy =
    options.settlement ??
    createDeliverySettlement({
      topic,
      deadLetters: options.deadLetters ?? createTopicDeadLetterSink(transport, `${topic}.dead-letters`),
      logger,
      metrics,
      markDone: markDeadLetteredTargetDone,
    })

  /** With idempotency on, a dead-lettered target counts as done for every worker: it never runs again for this event. */
  async function markDeadLetteredTargetDone(event: CloudEvent, ruleName: string, target: string): Promise<void> {
    const rule = ruleSet.byName.get(ruleName)?.rule
    const settings = rule === undefined ? undefined : idempotencySettingsFor(rule, options.idempotency)
    if (settings === undefined) return
    await settings.store.complete(targetIdempotencyKey(settings.key(event), ruleName, target), settings.ttlMs)
  }
  const targetEnv: TargetEnvironment = {
    defaultTopic: topic,
    publish: (to, events) => transport.publish(to, events),
    validate: validateOne,
    ...(options.allowHosts === undefined ? {} : { allowHosts: options.allowHosts }),
  }
  const received = metrics.counter('sepal_events_received_total')
  const acked = metrics.counter('sepal_deliveries_acked_total')
  const nacked = metrics.counter('sepal_deliveries_nacked_total')
  const givenUp = metrics.counter('sepal_deliveries_given_up_total')

  let ruleSet: RuleSet = buildRuleSet([])

  function hookThrew(name: keyof EngineHooks, error: unknown): void {
    logger.error({ hook: name, err: describeError(error) }, 'hook threw; ignored')
  }

  /** Match and run targets against one rule-set snapshot. Synchronous when every target was. */
  function dispatchWith(set: RuleSet, event: CloudEvent, attempt: number, skip?: SkipTarget): DispatchReport | Promise<DispatchReport> {
    received.inc()
    // Hooks are called inline, not through a helper taking rest arguments: this runs for every event.
    if (hooks.onReceived !== undefined) {
      try {
        hooks.onReceived(event, attempt)
      } catch (error) {
        hookThrew('onReceived', error)
      }
    }
    const matched = set.match(set.needsEnvelope ? set.view(event) : event)
    if (matched.length === 0) return { event, attempt, matched: NOTHING, targets: NOTHING }
    for (let i = 0; i < matched.length; i++) (matched[i] as CompiledRule).matched.inc()
    if (hooks.onMatched !== undefined) {
      try {
        hooks.onMatched(event, matched.map((r) => r.name))
      } catch (error) {
        hookThrew('onMatched', error)
      }
    }
    return runTargets(event, attempt, matched, runEnv, skip)
  }

  function handleDelivery(delivery: Delivery): Promise<void> {
    const set = ruleSet
    let report: DispatchReport | Promise<DispatchReport>
    try {
      const skip = policy.skipFor === undefined ? undefined : policy.skipFor(delivery.event, delivery.attempt)
      report = dispatchWith(set, delivery.event, delivery.attempt, skip)
    } catch (error) {
      // Only a bug gets here (the matcher never throws on JSON): keep the event and say so.
      logger.error({ eventId: delivery.event.id, err: describeError(error) }, 'dispatch failed; nacking')
      return carryOut(delivery, { kind: 'nack', delayMs: retryDelayMs(delivery.attempt) }, undefined)
    }
    if (report instanceof Promise) return report.then((r) => settle(delivery, r, set))
    return settle(delivery, report, set)
  }

  function settle(delivery: Delivery, report: DispatchReport, set: RuleSet): Promise<void> {
    let decision: SettleDecision | Promise<SettleDecision>
    try {
      decision = policy.decide(report, set.byName)
    } catch (error) {
      decision = Promise.reject(error)
    }
    if (!isPromiseLike(decision)) return carryOut(delivery, decision, report)
    return Promise.resolve(decision).then(
      (d) => carryOut(delivery, d, report),
      (error: unknown) => {
        // Fail closed: when the policy could not make its decision durable, the event must come back.
        logger.error({ eventId: delivery.event.id, err: describeError(error) }, 'settlement policy failed; nacking')
        return carryOut(delivery, { kind: 'nack', delayMs: retryDelayMs(delivery.attempt) }, report)
      },
    )
  }

  function carryOut(delivery: Delivery, decision: SettleDecision, report: DispatchReport | undefined): Promise<void> {
    let settlement: Settlement
    let done: Promise<void>
    try {
      if (decision.kind !== 'ack' && decision.kind !== 'give-up') {
        // A nack, or a decision this engine does not know: fail closed, the event comes back.
        settlement = 'nack'
        nacked.inc()
        const delayMs = decision.kind === 'nack' && decision.delayMs > 0 ? decision.delayMs : 0
        done = delivery.nack(delayMs > 0 ? { delayMs } : undefined)
      } else {
        settlement = decision.kind
        if (decision.kind === 'give-up') {
          givenUp.inc()
          const { event } = delivery
          for (const failed of decision.failed) {
            logger.error(
              { eventId: event.id, eventSource: event.source, rule: failed.rule, target: failed.target, attempts: delivery.attempt, err: describeError(failed.error) },
              'giving up on event: target failed on its last attempt',
            )
          }
        }
        acked.inc()
        done = delivery.ack()
      }
    } catch (error) {
      done = Promise.reject(error)
      settlement = decision.kind === 'ack' || decision.kind === 'give-up' ? decision.kind : 'nack'
    }
    return settled(done, delivery, settlement, report)
  }

  /** Waits for the transport to take the settlement; an async function rather than closures per event. */
  async function settled(done: Promise<void>, delivery: Delivery, settlement: Settlement, report: DispatchReport | undefined): Promise<void> {
    try {
      await done
    } catch (error) {
      // The transport will hand the delivery out again; nothing is lost, but it should be seen.
      logger.error({ eventId: delivery.event.id, settlement, err: describeError(error) }, 'settling a delivery failed')
      return
    }
    if (report === undefined || hooks.onSettled === undefined) return
    try {
      hooks.onSettled(report, settlement)
    } catch (error) {
      hookThrew('onSettled', error)
    }
  }

  const consumer = createConsumer({ transport, topic, group, maxInFlight, from: options.from, visibilityTimeoutMs: options.visibilityTimeoutMs, logger, handle: handleDelivery, pending })

  const engine: Engine = {
    get rules(): readonly Rule[] {
      return ruleSet.rules.map((r) => r.rule)
    },
    metrics,

    addRule(rule: Rule) {
      if (ruleSet.rules.length >= maxRules) throw new RuleLimitError(maxRules)
      const compiled = compileRule(rule, targetEnv, metrics, { retry: options.retry, idempotency: options.idempotency, maxInFlight, logger })
      if (ruleSet.byName.has(compiled.name)) throw new RuleDuplicateError(compiled.name)
      ruleSet = buildRuleSet([...ruleSet.rules, compiled])
    },

    removeRule(name: string) {
      if (!ruleSet.byName.has(name)) return false
      ruleSet = buildRuleSet(ruleSet.rules.filter((r: CompiledRule) => r.name !== name))
      return true
    },

    async publish(events, publishOptions) {
      const list = Array.isArray(events) ? validateAll(events) : [validateOne(events)]
      if (list.length === 0) return
      await (publishOptions === undefined ? transport.publish(topic, list) : transport.publish(topic, list, publishOptions))
    },

    async dispatch(event) {
      return dispatchWith(ruleSet, validateOne(event), 1)
    },

    start() {
      return consumer.start()
    },

    stop(stopOptions = {}) {
      const drainTimeoutMs = stopOptions.drainTimeoutMs ?? DEFAULT_DRAIN_TIMEOUT_MS
      if (!(drainTimeoutMs >= 0)) {
        return Promise.reject(new OptionsError(`stop: drainTimeoutMs must be a number >= 0, got ${String(drainTimeoutMs)}`))
      }
      return consumer.stop(drainTimeoutMs)
    },
  }

  for (const rule of options.rules ?? []) engine.addRule(rule)
  return engine
}

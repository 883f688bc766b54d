import { afterEach, describe, it, type TestContext } from 'vitest'
import type { Transport, TransportFeatures } from '../transports/contract.js'
import * as basic from './transport-suite-basic.js'
import * as groups from './transport-suite-groups.js'
import { createSuiteContext, type SuiteContext, type TransportSuiteOptions } from './transport-suite-helpers.js'
import * as settle from './transport-suite-settle.js'

export type { TransportSuiteOptions } from './transport-suite-helpers.js'

type Scenario = (ctx: SuiteContext) => Promise<void>

/** A scenario, the features it needs, and the name it runs under. */
const scenarios: ReadonlyArray<readonly [string, Scenario, ReadonlyArray<keyof TransportFeatures>]> = [
  ['round-trips every attribute, extension and kind of data', basic.roundTripsEveryAttribute, []],
  ['keeps topics apart', basic.isolatesTopics, []],
  ['delivers every event from many concurrent publishers', basic.receivesFromConcurrentPublishers, []],
  ['flushes publishes under way on close and refuses work afterwards', basic.closeFlushesPublishes, []],
  ['keeps working after concurrent subscribe and close', basic.survivesConcurrentSubscribeAndClose, []],
  ['ends the iteration when the signal aborts', basic.endsIterationOnAbort, []],
  ['keeps other subscriptions working when one is closed', basic.keepsOtherSubscriptionsWorking, []],
  ['redelivers nacked events without losing any', settle.redeliversNackedEvents, []],
  ['counts attempts up on every redelivery', settle.countsAttempts, []],
  ['keeps the first settle of a delivery', settle.keepsTheFirstSettle, []],
  ['neither loses nor stalls events after repeated nacks', settle.continuesAfterRepeatedNacks, []],
  ['holds a delayed nack back without blocking other events', settle.delaysNackWithoutBlocking, ['nativeDelay']],
  ['hands out no more than maxInFlight unsettled deliveries', settle.appliesBackPressure, []],
  ['redelivers what a closed consumer left unsettled after the visibility timeout', settle.redeliversAfterVisibilityTimeout, []],
  ['moves an expired lease of a hung consumer to another member', settle.movesExpiredLeasesToAnotherMember, ['consumerGroups']],
  ['gives every consumer group the whole stream', groups.givesEveryGroupTheWholeStream, ['consumerGroups']],
  ['shares the work between members of one group', groups.sharesWorkWithinAGroup, ['consumerGroups']],
  ['starts a new group at the end, or at the beginning when asked', groups.startsWhereAsked, []],
  ['acks events of one key in publish order', groups.keepsOrderPerKey, ['orderedPerKey', 'consumerGroups']],
  ['loses nothing across rounds of subscribe and close', groups.continuesAfterSubscriptionClose, []],
]

/**
 * The shared conformance suite every transport runs (Watermill-style scenarios, see
 * docs/transports.md). Scenarios whose features the transport does not declare are skipped at run
 * time. Each scenario uses its own topic and closes every transport it opened.
 */
export function runTransportSuite(name: string, options: TransportSuiteOptions): void {
  describe(`transport conformance: ${name}`, () => {
    const opened: Transport[] = []
    afterEach(async () => {
      await Promise.allSettled(opened.splice(0).map((transport) => transport.close()))
    })

    for (const [title, scenario, needs] of scenarios) {
      it(title, async (test: TestContext) => {
        const ctx = createSuiteContext(options, opened)
        if (needs.length > 0) {
          const probe = await ctx.open()
          const features = ctx.features(probe)
          if (needs.some((feature) => !features[feature])) test.skip(`needs ${needs.join(', ')}`)
        }
        await scenario(ctx)
      })
    }

    // Two broker restarts: slow brokers (a RabbitMQ node boots in several seconds) need more than the default test time.
    it.runIf(options.restartBroker !== undefined)(
      'reconnects after the broker restarts',
      async () => {
        await groups.reconnectsAfterBrokerRestart(createSuiteContext(options, opened))
      },
      120_000 * (options.timeoutFactor ?? 1),
    )
  })
}

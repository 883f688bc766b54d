import { createEngine } from '../../src/engine/create-engine.js'
import type { DispatchReport, EngineOptions } from '../../src/engine/types.js'
import { sampler, type Sample } from './stats.js'

/**
 * Times an engine from `start()` until `count` events have settled, then stops it (the caller closes the
 * transport and whatever else it built). `check` sees every report first and may throw to fail the run.
 */
export async function timeEngineUntilSettled(
  count: number,
  options: Omit<EngineOptions, 'hooks'>,
  check?: (report: DispatchReport) => void,
): Promise<Sample> {
  let settled = 0
  let finished: () => void = () => undefined
  const allSettled = new Promise<void>((resolve) => (finished = resolve))
  const engine = createEngine({
    ...options,
    hooks: {
      onSettled: (report) => {
        check?.(report)
        if (++settled === count) finished()
      },
    },
  })
  const done = sampler(count)
  await engine.start()
  await allSettled
  const sample = done()
  await engine.stop()
  return sample
}

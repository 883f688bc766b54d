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
  let failed: (error: unknown) => void = () => undefined
  const allSettled = new Promise<void>((resolve, reject) => {
    finished = resolve
    failed = reject
  })
  const engine = createEngine({
    ...options,
    hooks: {
      onSettled: (report) => {
        // The engine does not pass on what a hook throws, so a failed check ends the run here instead of
        // leaving it waiting for events that will never count.
        try {
          check?.(report)
        } catch (error) {
          failed(error)
          return
        }
        if (++settled === count) finished()
      },
    },
  })
  const done = sampler(count)
  await engine.start()
  try {
    await allSettled
    // The clocks stop before the engine does: stopping is not part of the throughput.
    return done()
  } finally {
    await engine.stop()
  }
}

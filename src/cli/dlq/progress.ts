import cliProgress from 'cli-progress'
import type { CliIo } from '../command.js'

export interface Progress {
  tick(): void
  stop(): void
}

/**
 * A progress bar on stderr for long work. Shown on a terminal only: in a pipe or a log file it would
 * be noise, and `--json` output on stdout must stay clean either way.
 */
export function startProgress(io: CliIo, label: string, total: number): Progress {
  if (!io.stderr.isTTY || total < 2) return { tick() {}, stop() {} }
  const bar = new cliProgress.SingleBar(
    { format: `${label} [{bar}] {value}/{total} {eta_formatted}`, stream: io.stderr as NodeJS.WritableStream, hideCursor: true },
    cliProgress.Presets.shades_classic,
  )
  bar.start(total, 0)
  return {
    tick: () => bar.increment(),
    stop: () => bar.stop(),
  }
}

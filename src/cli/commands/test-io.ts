import type { CliIo } from '../command.js'

/** A CliIo that records what a command writes, for in-process command tests. */
export interface RecordingIo extends CliIo {
  readonly out: () => string
  readonly err: () => string
}

export function recordingIo(options: { cwd?: string; signal?: AbortSignal; onStdout?: (text: string) => void } = {}): RecordingIo {
  let out = ''
  let err = ''
  return {
    stdout: {
      write(chunk: string) {
        out += chunk
        options.onStdout?.(out)
        return true
      },
    },
    stderr: {
      write(chunk: string) {
        err += chunk
        return true
      },
    },
    env: {},
    cwd: options.cwd ?? process.cwd(),
    ...(options.signal === undefined ? {} : { signal: options.signal }),
    out: () => out,
    err: () => err,
  }
}

import { runCommand } from './run.js'
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

/** Starts `sepal run` in process (tests only); `url` resolves with the ingress URL once the banner is out. */
export function startRun(argv: string[], cwd: string) {
  const stop = new AbortController()
  let listening: (url: string) => void = () => {}
  const ready = new Promise<string>((resolve) => (listening = resolve))
  const io = recordingIo({
    cwd,
    signal: stop.signal,
    onStdout: (out) => {
      const found = /POST (http:\/\/\S+)\/events/.exec(out)
      if (found?.[1] !== undefined) listening(found[1])
    },
  })
  const exit = runCommand.run(argv, io)
  return { io, exit, stop: () => stop.abort(), url: Promise.race([ready, exit.then((code) => Promise.reject(new Error(`exited ${code}: ${io.err()}`)))]) }
}

/** What a CLI command gets instead of the process: tests run commands in process with fakes. */
export interface CliIo {
  readonly stdout: { write(chunk: string): unknown; isTTY?: boolean }
  readonly stderr: { write(chunk: string): unknown; isTTY?: boolean }
  readonly env: Readonly<Record<string, string | undefined>>
  readonly cwd: string
  /** Aborted on SIGINT / SIGTERM for long-running commands such as `run`. */
  readonly signal?: AbortSignal
}

/** Exit codes shared by every command. */
export const ExitCode = {
  ok: 0,
  /** The command ran and failed (or, for test-pattern, "no match"). */
  failure: 1,
  /** The command was used wrongly: bad flag, missing argument, invalid input file. */
  usage: 2,
} as const

export interface CliCommand {
  readonly name: string
  readonly summary: string
  run(argv: readonly string[], io: CliIo): Promise<number>
}

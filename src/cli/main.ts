import { commands } from './commands/index.js'
import { ExitCode, type CliIo } from './command.js'

function usage(): string {
  const width = Math.max(...commands.map((c) => c.name.length), 4)
  const lines = commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`)
  return ['Usage: sepal <command> [options]', '', 'Commands:', ...lines, '', 'Run `sepal <command> --help` for the options of one command.', ''].join('\n')
}

/** Entry point of the `sepal` binary; returns the exit code instead of exiting so tests can call it. */
export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(usage())
    return name === undefined ? ExitCode.usage : ExitCode.ok
  }
  const command = commands.find((c) => c.name === name)
  if (!command) {
    io.stderr.write(`sepal: unknown command '${name}'\n\n${usage()}`)
    return ExitCode.usage
  }
  try {
    return await command.run(rest, io)
  } catch (error) {
    io.stderr.write(`sepal ${name}: ${error instanceof Error ? error.message : String(error)}\n`)
    return ExitCode.failure
  }
}

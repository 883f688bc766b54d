import { Command, CommanderError } from 'commander'
import { ExitCode, type CliIo } from '../command.js'

/** A commander program for one sepal command, writing through the injected io and never exiting the process. */
export function createProgram(name: string, summary: string, io: CliIo): Command {
  return new Command(`sepal ${name}`)
    .description(summary)
    .helpOption('-h, --help', 'show the options of this command')
    .exitOverride()
    .configureOutput({
      writeOut: (text) => void io.stdout.write(text),
      writeErr: (text) => void io.stderr.write(text),
      outputError: (text, write) => write(text),
    })
    .showHelpAfterError('(run with --help for the options)')
}

/**
 * Parses argv; returns the exit code when parsing already decided the outcome (--help: 0, usage error: 2),
 * or undefined when the command should run.
 */
export function parseArguments(program: Command, argv: readonly string[]): number | undefined {
  try {
    program.parse([...argv], { from: 'user' })
    return undefined
  } catch (error) {
    if (!(error instanceof CommanderError)) throw error
    return error.code === 'commander.helpDisplayed' || error.code === 'commander.version' ? ExitCode.ok : ExitCode.usage
  }
}

/** Parses a whole number flag; commander hands values over as strings. */
export function integerOption(name: string, min: number, max: number) {
  return (value: string): number => {
    const number = Number(value)
    if (!Number.isSafeInteger(number) || number < min || number > max) {
      throw new CommanderError(ExitCode.usage, 'sepal.invalidArgument', `error: ${name} must be a whole number from ${min} to ${max}, got ${JSON.stringify(value)}`)
    }
    return number
  }
}

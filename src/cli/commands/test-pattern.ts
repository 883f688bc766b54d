import { readFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import type { CloudEvent } from '../../event/cloud-event.js'
import { explain } from '../../pattern/explain.js'
import { patternView } from '../../pattern/cloud-event-view.js'
import { PatternError } from '../../pattern/pattern-error.js'
import { ExitCode, type CliCommand, type CliIo } from '../command.js'
import { createProgram, parseArguments } from './commander-io.js'

const summary = 'check an event against an event pattern offline: exit 0 match, 1 no match, 2 invalid'

/** An argument that looks like JSON is JSON; anything else names a file (relative to the working directory). */
async function readArgument(value: string, io: CliIo): Promise<string> {
  const trimmed = value.trimStart()
  if (trimmed.startsWith('{') || trimmed.startsWith('[') || trimmed.startsWith('"')) return value
  return readFile(resolve(io.cwd, value), 'utf8')
}

/** `sepal test-pattern --pattern <file|json> --event <file|json> [--explain] [--json]`. */
export const testPatternCommand: CliCommand = {
  name: 'test-pattern',
  summary,
  async run(argv, io) {
    const program = createProgram('test-pattern', summary, io)
      .requiredOption('--pattern <file|json>', 'the event pattern, as JSON text or a file holding it')
      .requiredOption('--event <file|json>', 'the event, as JSON text or a file holding it; a CloudEvent also gets detail-type and detail')
      .option('--explain', 'on no match, list every condition that failed')
      .option('--json', 'print the result as JSON')
    const early = parseArguments(program, argv)
    if (early !== undefined) return early
    const options = program.opts<{ pattern: string; event: string; explain?: boolean; json?: boolean }>()

    let patternText: string
    let eventText: string
    try {
      patternText = await readArgument(options.pattern, io)
      eventText = await readArgument(options.event, io)
    } catch (error) {
      io.stderr.write(`sepal test-pattern: cannot read ${error instanceof Error ? error.message : String(error)}\n`)
      return ExitCode.usage
    }
    let event: unknown
    try {
      event = JSON.parse(eventText)
    } catch (error) {
      io.stderr.write(`sepal test-pattern: the event is not valid JSON (${error instanceof Error ? error.message : String(error)})\n`)
      return ExitCode.usage
    }
    if (typeof event === 'object' && event !== null && !Array.isArray(event) && typeof (event as { specversion?: unknown }).specversion === 'string') {
      event = patternView(event as CloudEvent)
    }

    let result: ReturnType<typeof explain>
    try {
      result = explain(patternText, event)
    } catch (error) {
      if (!(error instanceof PatternError)) throw error
      if (options.json === true) {
        io.stdout.write(`${JSON.stringify({ valid: false, code: error.code, pointer: error.pointer, message: error.message })}\n`)
      } else {
        io.stderr.write(`invalid pattern: ${error.message}\n`)
      }
      return ExitCode.usage
    }

    if (options.json === true) {
      io.stdout.write(`${JSON.stringify({ valid: true, matches: result.matches, failures: result.failures })}\n`)
    } else if (result.matches) {
      io.stdout.write('match\n')
    } else {
      io.stdout.write('no match\n')
      if (options.explain === true) {
        for (const failure of result.failures) io.stdout.write(`  ${failure.message}  (pattern ${failure.pointer || '/'})\n`)
      }
    }
    return result.matches ? ExitCode.ok : ExitCode.failure
  },
}

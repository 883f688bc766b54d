import { ConfigError, HandlerNotFoundError, formatProblem } from '../../config/errors.js'
import { loadConfig } from '../../config/load-config.js'
import { redactUrl } from '../../config/transport-registry.js'
import { ExitCode, type CliCommand } from '../command.js'
import { createProgram, parseArguments } from './commander-io.js'

const summary = 'check a sepal.yaml: shape, patterns, transport and handler modules'

/** `sepal validate [config]`: exit 0 when valid, 2 with every problem listed when not. */
export const validateCommand: CliCommand = {
  name: 'validate',
  summary,
  async run(argv, io) {
    const program = createProgram('validate', summary, io)
      .argument('[config]', 'the configuration file', 'sepal.yaml')
      .option('--json', 'print the result as JSON')
    const early = parseArguments(program, argv)
    if (early !== undefined) return early
    const [file = 'sepal.yaml'] = program.args
    const json = program.opts<{ json?: boolean }>().json === true
    try {
      const loaded = await loadConfig(file, { cwd: io.cwd, env: io.env })
      const rules = loaded.engineOptions.rules
      if (json) {
        io.stdout.write(`${JSON.stringify({ valid: true, file, rules: rules.map((r) => r.name), transport: redactUrl(loaded.transport.url) })}\n`)
      } else {
        const names = rules.length === 0 ? '' : `: ${rules.map((r) => r.name).join(', ')}`
        io.stdout.write(`${file} is valid (${rules.length} ${rules.length === 1 ? 'rule' : 'rules'}${names})\n`)
      }
      return ExitCode.ok
    } catch (error) {
      if (!(error instanceof ConfigError || error instanceof HandlerNotFoundError)) throw error
      if (json) {
        io.stdout.write(`${JSON.stringify({ valid: false, file, code: error.code, problems: error.problems })}\n`)
      } else {
        const count = error.problems.length === 1 ? '1 problem' : `${error.problems.length} problems`
        io.stderr.write(`${file} is invalid (${count}):\n${error.problems.map((p) => `  ${formatProblem(p)}\n`).join('')}`)
      }
      return ExitCode.usage
    }
  },
}

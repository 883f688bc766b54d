import { ErrorCodes, SepalError, type SepalErrorOptions } from '../errors.js'

/** One thing wrong with a configuration, located in its file when there is one. */
export interface ConfigProblem {
  /** The file as the user named it (relative paths stay relative), or `<config>` for an object. */
  readonly file: string
  /** 1-based; absent when the problem has no place in a file (an object passed from code). */
  readonly line?: number
  readonly column?: number
  /** Where in the configuration, e.g. `rules[1].pattern.detail.amount`; empty for the whole file. */
  readonly path: string
  readonly message: string
}

/** `sepal.yaml:12:9 rules[1].pattern.detail.amount: message` */
export function formatProblem(problem: ConfigProblem): string {
  const place = problem.line === undefined ? problem.file : `${problem.file}:${problem.line}:${problem.column ?? 1}`
  return problem.path === '' ? `${place} ${problem.message}` : `${place} ${problem.path}: ${problem.message}`
}

/** The configuration is invalid; `problems` lists every problem found, each with file, line and path. */
export class ConfigError extends SepalError {
  readonly problems: readonly ConfigProblem[]

  constructor(problems: readonly ConfigProblem[], options: SepalErrorOptions = {}) {
    const file = problems[0]?.file ?? '<config>'
    const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`
    const lines = problems.map((p) => `  ${formatProblem(p)}`)
    super(ErrorCodes.CONFIG_INVALID, [`invalid configuration "${file}" (${count}); fix each and run \`sepal validate\`:`, ...lines].join('\n'), options)
    this.problems = problems
  }
}

/** Handlers named `module#export` in the configuration cannot be loaded; `problems` says which and why. */
export class HandlerNotFoundError extends SepalError {
  readonly problems: readonly ConfigProblem[]

  constructor(problems: readonly ConfigProblem[], options: SepalErrorOptions = {}) {
    super(ErrorCodes.HANDLER_NOT_FOUND, problems.map(formatProblem).join('\n'), options)
    this.problems = problems
  }
}

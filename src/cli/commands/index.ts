import type { CliCommand } from '../command.js'
import { dlqCommand } from './dlq.js'
import { publishCommand } from './publish.js'
import { runCommand } from './run.js'
import { testPatternCommand } from './test-pattern.js'
import { validateCommand } from './validate.js'

/** Every command `sepal` knows, in the order `sepal --help` lists them. */
export const commands: readonly CliCommand[] = [runCommand, publishCommand, validateCommand, testPatternCommand, dlqCommand]

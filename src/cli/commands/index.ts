import type { CliCommand } from '../command.js'

/** Every command `sepal` knows, in the order `sepal --help` lists them. */
export const commands: readonly CliCommand[] = []

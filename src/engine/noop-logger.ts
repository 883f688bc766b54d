import type { Logger } from './types.js'

const ignore = (): void => {}

/** The default logger: says nothing, costs nothing. */
export const noopLogger: Logger = Object.freeze({ debug: ignore, info: ignore, warn: ignore, error: ignore })

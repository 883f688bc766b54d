import { fileURLToPath } from 'node:url'

/** True when the module at `moduleUrl` (its `import.meta.url`) is the script node was started with. */
export function isMain(moduleUrl: string): boolean {
  return process.argv[1] !== undefined && process.argv[1] === fileURLToPath(moduleUrl)
}

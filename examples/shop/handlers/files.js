// Small file helpers shared by the shop handlers: everything lands in <data dir>/shop/.
import { appendFile, mkdir, readFile, rename, writeFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'

/** `sepal run` tells handlers where its data directory is; outside it, ./.sepal as sepal's default. */
export function shopDirectory() {
  return join(resolve(process.env.SEPAL_DATA_DIR ?? '.sepal'), 'shop')
}

/**
 * Appends one JSON line. Delivery is at least once, so a record carries the id of the event that caused it
 * and is written only once per (event id, kind): a redelivered event does not send a second email.
 * @param {string} file
 * @param {{ eventId: string } & Record<string, unknown>} record
 */
export async function appendOnce(file, record) {
  return serialised(async () => {
    const path = join(shopDirectory(), file)
    await mkdir(shopDirectory(), { recursive: true })
    const existing = await readLines(path)
    if (existing.some((line) => line.eventId === record.eventId)) return false
    await appendFile(path, `${JSON.stringify(record)}\n`)
    return true
  })
}

/** @param {string} path @returns {Promise<Array<Record<string, unknown>>>} */
export async function readLines(path) {
  const text = await readFile(path, 'utf8').catch((error) => (error.code === 'ENOENT' ? '' : Promise.reject(error)))
  return text.split('\n').filter((line) => line.trim() !== '').map((line) => JSON.parse(line))
}

/**
 * Read-modify-write of a JSON file, one at a time within this process, replaced atomically (write + rename)
 * so a crash never leaves half a file.
 * @template T
 * @param {string} file
 * @param {() => T} initial
 * @param {(value: T) => T} change
 * @returns {Promise<T>}
 */
export async function updateJson(file, initial, change) {
  return serialised(async () => {
    const path = join(shopDirectory(), file)
    await mkdir(shopDirectory(), { recursive: true })
    const text = await readFile(path, 'utf8').catch((error) => (error.code === 'ENOENT' ? undefined : Promise.reject(error)))
    const next = change(text === undefined ? initial() : JSON.parse(text))
    await writeFile(`${path}.tmp`, `${JSON.stringify(next, null, 2)}\n`)
    await rename(`${path}.tmp`, path)
    return next
  })
}

let queue = Promise.resolve()
/** The engine runs targets concurrently; file updates take turns. @template T @param {() => Promise<T>} work @returns {Promise<T>} */
function serialised(work) {
  const run = queue.then(work)
  queue = run.then(() => undefined, () => undefined)
  return run
}

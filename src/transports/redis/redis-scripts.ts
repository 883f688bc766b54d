import { createHash } from 'node:crypto'
import type { Redis } from 'ioredis'

// Lua scripts run atomically on the server, so a settle that touches several keys never leaves half
// of its work done when a connection or the process dies. Time comes from the server (TIME), so
// workers on hosts with different clocks agree on when a delayed event is due.

/** A script sent by its SHA1, and in full when the server does not know it (after a restart). */
export class Script {
  readonly #source: string
  readonly #sha: string

  constructor(source: string) {
    this.#source = source
    this.#sha = createHash('sha1').update(source).digest('hex')
  }

  async run(client: Redis, keys: readonly string[], args: ReadonlyArray<string | number | Buffer>): Promise<unknown> {
    try {
      return await client.evalsha(this.#sha, keys.length, ...keys, ...args)
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error
      return client.eval(this.#source, keys.length, ...keys, ...args)
    }
  }
}

// A settle is honoured only while the entry is still pending with the consumer that settles it: once
// the visibility timeout passed and another member claimed it, a late ack or nack does nothing.
const OWNED = `
local owned = redis.call('XPENDING', KEYS[1], ARGV[1], ARGV[2], ARGV[2], 1, ARGV[3])
if #owned == 0 then return 0 end
redis.call('XACK', KEYS[1], ARGV[1], ARGV[2])
if ARGV[4] == '1' then redis.call('XDEL', KEYS[1], ARGV[2]) end`

/**
 * Ack: KEYS = the stream of the entry; ARGV = group, entry id, consumer, '1' when the entry came from
 * a retry stream (read by one group only, so it is deleted too).
 */
export const ACK = new Script(`${OWNED}
return 1`)

/**
 * Nack: KEYS = the stream the entry came from, the group's retry stream, the group's delayed set;
 * ARGV = group, entry id, consumer, '1' when from a retry stream, delay in ms, then the fields to write
 * again. The entry is acked; its copy goes to the retry stream now, or to the delayed set scored by
 * its due time.
 */
export const NACK = new Script(`${OWNED}
local fields = {}
for i = 6, #ARGV do fields[#fields + 1] = ARGV[i] end
local delay = tonumber(ARGV[5])
if delay <= 0 then
  redis.call('XADD', KEYS[2], '*', unpack(fields))
  return 1
end
local t = redis.call('TIME')
local due = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) + delay
table.insert(fields, 1, KEYS[1] .. ' ' .. ARGV[2])
redis.call('ZADD', KEYS[3], due, cmsgpack.pack(fields))
return 1`)

/**
 * Moves due delayed events to the retry stream. KEYS = the delayed set, the retry stream; ARGV = the
 * most to move. Returns { moved, ms until the next is due or -1 }.
 */
export const MOVE_DUE = new Script(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, tonumber(ARGV[1]))
for _, member in ipairs(due) do
  local fields = cmsgpack.unpack(member)
  table.remove(fields, 1)
  redis.call('XADD', KEYS[2], '*', unpack(fields))
  redis.call('ZREM', KEYS[1], member)
end
local following = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if following[2] then return { #due, tonumber(following[2]) - now } end
return { #due, -1 }`)

/**
 * Removes a consumer from the group on every stream in KEYS, but only when it holds no pending entry
 * anywhere: deleting a consumer drops its pending entries, which would lose them.
 */
export const DELETE_IDLE_CONSUMER = new Script(`
for _, key in ipairs(KEYS) do
  local pending = redis.pcall('XPENDING', key, ARGV[1], '-', '+', 1, ARGV[2])
  if pending.err == nil and #pending > 0 then return 0 end
end
for _, key in ipairs(KEYS) do redis.pcall('XGROUP', 'DELCONSUMER', key, ARGV[1], ARGV[2]) end
return 1`)

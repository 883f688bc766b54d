import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DescribeRuleCommand, EventBridgeClient, ListTargetsByRuleCommand, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge'
import { afterAll, describe, expect, it } from 'vitest'
import { runCommand } from '../src/cli/commands/run.js'
import { recordingIo } from '../src/cli/commands/test-io.js'

const folder = mkdtempSync(join(tmpdir(), 'sepal-eventbridge-run-'))
afterAll(() => rmSync(folder, { recursive: true, force: true }))

/** `sepal run` in process, with the data directory of this test; resolves with its URL once it listens. */
function start() {
  const stop = new AbortController()
  let listening: (url: string) => void = () => {}
  const ready = new Promise<string>((resolve) => (listening = resolve))
  const io = recordingIo({
    cwd: folder,
    signal: stop.signal,
    onStdout: (out) => {
      const found = /POST (http:\/\/\S+)\/events/.exec(out)
      if (found?.[1] !== undefined) listening(found[1])
    },
  })
  const exit = runCommand.run(['--port', '0', '--transport', 'memory:', '--data', join(folder, 'data'), '--log-level', 'silent'], io)
  const url = Promise.race([ready, exit.then((code) => Promise.reject(new Error(`exited ${code}: ${io.err()}`)))])
  return { url, exit, stop: () => stop.abort() }
}

function client(url: string): EventBridgeClient {
  return new EventBridgeClient({ endpoint: url, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } })
}

describe('sepal run serves the EventBridge API', () => {
  it('keeps rules and targets made through the API in the data directory across restarts', async () => {
    const first = start()
    const events = client(await first.url)
    await events.send(new PutRuleCommand({ Name: 'kept', EventPattern: '{"source":["shop.orders"]}', Description: 'survives a restart' }))
    await events.send(new PutTargetsCommand({ Rule: 'kept', Targets: [{ Id: 'copy', Arn: 'sepal:publish:copies' }] }))
    events.destroy()
    first.stop()
    expect(await first.exit).toBe(0)

    const second = start()
    const again = client(await second.url)
    try {
      expect(await again.send(new DescribeRuleCommand({ Name: 'kept' }))).toMatchObject({ Name: 'kept', State: 'ENABLED', Description: 'survives a restart' })
      expect((await again.send(new ListTargetsByRuleCommand({ Rule: 'kept' }))).Targets).toEqual([{ Id: 'copy', Arn: 'sepal:publish:copies' }])
    } finally {
      again.destroy()
      second.stop()
    }
    expect(await second.exit).toBe(0)
  })
})

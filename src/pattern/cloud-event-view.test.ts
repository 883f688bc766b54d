import { describe, expect, it } from 'vitest'
import { recordingIo } from '../cli/commands/test-io.js'
import { main } from '../cli/main.js'
import type { CloudEvent } from '../event/cloud-event.js'
import { patternView } from './cloud-event-view.js'

describe('patternView on an event that was never validated', () => {
  it('treats a non-string datacontenttype as not JSON instead of throwing', () => {
    const event = { specversion: '1.0', id: '1', source: 'a', type: 't', data: { a: 1 }, datacontenttype: [] } as unknown as CloudEvent
    const view = patternView(event)
    expect(view['detail']).toBeUndefined()
    expect(view['detail-type']).toBe('t')
  })

  it('lets sepal test-pattern answer "no match" for such an event rather than fail with a TypeError', async () => {
    const io = recordingIo()
    const event = JSON.stringify({ specversion: '1.0', id: '1', source: 'a', type: 't', data: [], datacontenttype: [] })
    const code = await main(['test-pattern', '--pattern', '{"detail":{"a":["x"]}}', '--event', event], io)
    expect(code).toBe(1)
    expect(io.err()).not.toMatch(/is not a function/)
  })
})

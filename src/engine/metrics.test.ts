import { describe, expect, it } from 'vitest'
import { OptionsError } from '../errors.js'
import { createMetrics, renderPrometheus } from './metrics.js'

describe('metrics', () => {
  it('counts increments per name and label set, whatever the label order', () => {
    const metrics = createMetrics()
    metrics.increment('orders_total', { region: 'eu', kind: 'new' })
    metrics.increment('orders_total', { kind: 'new', region: 'eu' }, 2)
    metrics.increment('orders_total', { kind: 'old', region: 'eu' })
    expect(metrics.counter('orders_total', { region: 'eu', kind: 'new' }).value).toBe(3)
    expect(metrics.snapshot()).toHaveLength(2)
  })

  it('hands out the same counter object for the same series, so hot paths can keep it', () => {
    const metrics = createMetrics()
    const counter = metrics.counter('hits_total', { rule: 'a' })
    counter.inc()
    expect(metrics.counter('hits_total', { rule: 'a' })).toBe(counter)
    expect(counter.value).toBe(1)
  })

  it('rejects names and labels Prometheus cannot carry, and negative increments', () => {
    const metrics = createMetrics()
    expect(() => metrics.increment('1bad')).toThrow(OptionsError)
    expect(() => metrics.increment('ok_total', { 'bad-label': 'x' })).toThrow(/label name "bad-label"/)
    expect(() => metrics.increment('ok_total', undefined, -1)).toThrow(/>= 0/)
  })

  it('renders the Prometheus text format with escaped label values, one TYPE line per name', () => {
    const metrics = createMetrics()
    metrics.increment('b_total')
    metrics.increment('a_total', { rule: 'say "hi"\\\n' }, 5)
    metrics.increment('a_total', { rule: 'plain' })
    expect(renderPrometheus(metrics)).toBe(
      [
        '# TYPE a_total counter',
        'a_total{rule="plain"} 1',
        'a_total{rule="say \\"hi\\"\\\\\\n"} 5',
        '# TYPE b_total counter',
        'b_total 1',
        '',
      ].join('\n'),
    )
  })

  it('renders nothing at all for an empty registry', () => {
    expect(renderPrometheus(createMetrics())).toBe('')
  })
})

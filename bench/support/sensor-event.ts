import type { CloudEvent } from '../../src/event/cloud-event.js'

/** A CloudEvent of about 1 KB in its JSON form, distinct per index: a sensor reading of 24 channels. */
export function sensorEvent(i: number): CloudEvent {
  return {
    specversion: '1.0',
    id: `reading-${i}`,
    source: 'plant.sensors',
    type: 'SensorReading',
    subject: `sensor-${i % 311}`,
    time: '2026-12-04T12:00:00.000Z',
    datacontenttype: 'application/json',
    data: {
      sensor: `sensor-${i % 311}`,
      values: Array.from({ length: 24 }, (_, n) => ({ channel: `ch-${n}`, value: (i * 7 + n) % 1000, unit: 'mbar' })),
      site: { name: 'north hall', line: i % 4, shift: 'late' },
    },
  }
}

import { appendOnce } from './files.js'

/**
 * SensorReading over the threshold (the rule's `numeric` pattern decides that) → an alert record.
 * @param {import('sepal').CloudEvent<{ sensorId: string, kind: string, value: number }>} event
 * @param {import('sepal').HandlerContext} ctx
 */
export async function raiseAlert(event, ctx) {
  const reading = event.data
  await appendOnce('alerts.ndjson', {
    eventId: event.id,
    sensorId: reading?.sensorId,
    value: reading?.value,
    message: `${reading?.kind} ${reading?.value} on ${reading?.sensorId} is over the limit`,
  })
  ctx.metrics.increment('shop_alerts_total', { sensor: String(reading?.sensorId ?? 'unknown') })
}

/**
 * LogLine (warn or error, the rule filters) → `shop_log_lines_total{level,service}` + 1, served at GET /metrics.
 * @param {import('sepal').CloudEvent<{ level: string, service?: string, message?: string }>} event
 * @param {import('sepal').HandlerContext} ctx
 */
export function countLogLine(event, ctx) {
  ctx.metrics.increment('shop_log_lines_total', { level: String(event.data?.level), service: event.data?.service ?? event.source })
}

import { appendOnce } from './files.js'

// The welcome workflow is a chain: each step returns the next event and the engine publishes it.
// Follow-up ids derive from the cause's id, so a redelivered step publishes the same event, not a new one.

/** @param {string} id @param {string} type @param {unknown} data @returns {import('sepal').CloudEvent} */
function followUp(id, type, data) {
  return { specversion: '1.0', id, source: 'shop.welcome', type, time: new Date().toISOString(), datacontenttype: 'application/json', data }
}

/**
 * UserSignedUp → WelcomeEmailQueued
 * @param {import('sepal').CloudEvent<{ userId: string, email: string, name?: string }>} event
 */
export function queueWelcomeEmail(event) {
  const user = event.data
  if (!user?.userId || !user.email) throw new Error(`signup event ${event.id} has no data.userId or data.email`)
  return [followUp(`${event.id}.queued`, 'WelcomeEmailQueued', { userId: user.userId, email: user.email, name: user.name ?? 'there' })]
}

/**
 * WelcomeEmailQueued → the welcome email in the outbox → WelcomeEmailSent
 * @param {import('sepal').CloudEvent<{ userId: string, email: string, name: string }>} event
 */
export async function sendWelcomeEmail(event) {
  const { userId, email, name } = /** @type {{ userId: string, email: string, name: string }} */ (event.data)
  await appendOnce('outbox.ndjson', { eventId: event.id, to: email, subject: `Welcome, ${name}!`, body: 'Glad to have you with us.' })
  return [followUp(`${event.id}.sent`, 'WelcomeEmailSent', { userId, email })]
}

/**
 * WelcomeEmailSent → the end of the workflow, recorded in workflow.ndjson
 * @param {import('sepal').CloudEvent<{ userId: string }>} event
 */
export async function completeWelcome(event) {
  await appendOnce('workflow.ndjson', { eventId: event.id, userId: event.data?.userId, step: 'welcome-completed' })
}

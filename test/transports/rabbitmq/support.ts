import { execFile } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { promisify } from 'node:util'
import amqp from 'amqplib'
import { serviceAvailable } from '../../support/services.js'

// What every RabbitMQ test of one run shares: the broker, and a name prefix for everything the run declares.

export const url = process.env['SEPAL_TEST_RABBITMQ_URL'] ?? 'amqp://guest:guest@127.0.0.1:5672'
export const available = await serviceAvailable('rabbitmq', url.replace(/^amqps?:/, 'tcp:'))
/** Exchanges and queues of this run only, so they can be removed afterwards. */
export const namePrefix = `sepaltest.${randomUUID().slice(0, 8)}.`
const exec = promisify(execFile)

export async function restartRabbitmq(): Promise<void> {
  await exec('bash', ['scripts/services.sh', 'restart', 'rabbitmq'])
}

/** Deletes what this run declared. AMQP cannot list names, so rabbitmqctl does (on a local broker); elsewhere they stay. */
export async function removeRunObjects(): Promise<void> {
  const names = async (kind: string): Promise<string[]> => {
    const listed = await exec('rabbitmqctl', ['-q', `list_${kind}`, 'name']).catch(() => undefined)
    return (listed?.stdout.split('\n') ?? []).filter((name) => name.startsWith(namePrefix))
  }
  const [queues, exchanges] = [await names('queues'), await names('exchanges')]
  const client = await amqp.connect(url)
  const channel = await client.createChannel()
  for (const queue of queues) await channel.deleteQueue(queue)
  for (const exchange of exchanges) await channel.deleteExchange(exchange)
  await client.close()
}

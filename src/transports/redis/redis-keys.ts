import { OptionsError } from '../../errors.js'

/**
 * The keys of one topic. All carry the topic in a `{hash tag}`, so a Redis Cluster keeps them in one
 * slot and the scripts that touch several of them stay legal there.
 *
 * - `stream`: the topic's stream; every group reads it.
 * - `retry(group)`: a group's own stream of nacked events written again; only that group reads it,
 *   so a retry never reaches the other groups of the topic.
 * - `delayed(group)`: a sorted set of the group's events nacked with a delay, scored by due time.
 */
export interface TopicKeys {
  readonly stream: string
  retry(group: string): string
  delayed(group: string): string
}

export function topicKeys(prefix: string, topic: string): TopicKeys {
  const base = `${prefix}{${topic}}`
  return {
    stream: base,
    retry: (group) => `${base}:retry:${group}`,
    delayed: (group) => `${base}:delayed:${group}`,
  }
}

export function checkKeyPrefix(prefix: string): string {
  if (typeof prefix !== 'string' || /[{}]/.test(prefix)) {
    throw new OptionsError(`keyPrefix must be a string without braces, got ${JSON.stringify(prefix)}; braces mark the hash tag sepal adds`)
  }
  return prefix
}

export function checkTopicName(topic: string): void {
  if (/[{}]/.test(topic)) {
    throw new OptionsError(`a redis topic cannot contain braces, got ${JSON.stringify(topic)}; braces mark the key's hash tag`)
  }
}

import type { GroupPartitionsAssigner, GroupPartitionsAssignments } from '@platformatic/kafka'

/**
 * Gives partition `i` of every topic to the same member (members sorted by id, `i mod n`). A group
 * reads its topic and its retry topic, which have the same number of partitions, and a nacked event
 * is re-published to the retry partition with its original partition's number: so the member that
 * holds back later events of a key also receives that key's retry, and can release them.
 */
export const coPartitionAssigner: GroupPartitionsAssigner = (_current, members, topics, metadata) => {
  const memberIds = [...members.keys()].sort()
  const result: GroupPartitionsAssignments[] = memberIds.map((memberId) => ({ memberId, assignments: new Map() }))
  for (const topic of topics) {
    const eligible = result.filter(({ memberId }) => {
      const wanted = members.get(memberId)?.topics
      return wanted === undefined || wanted.includes(topic)
    })
    const count = metadata.topics.get(topic)?.partitionsCount ?? 0
    if (eligible.length === 0) continue
    for (let partition = 0; partition < count; partition++) {
      const member = eligible[partition % eligible.length]!
      let assignment = member.assignments.get(topic)
      if (assignment === undefined) {
        assignment = { topic, partitions: [] }
        member.assignments.set(topic, assignment)
      }
      assignment.partitions.push(partition)
    }
  }
  return result
}

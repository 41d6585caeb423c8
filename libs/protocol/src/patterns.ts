/**
 * Message pattern names: the one place where microservice channels are named.
 *
 * The NestJS Redis transport is pub/sub, so every subscriber of a channel receives every request on it.
 * Requests meant for one storage node therefore carry the node id in the channel itself; `{node}` is
 * replaced by the node's id when a node subscribes and when a client addresses it.
 */
export const NODE_PLACEHOLDER = '{node}';

export const StoragePatterns = {
  write: 'storage.{node}.write',
  read: 'storage.{node}.read',
  /** Many writes in one message: what a gateway coalesces for one node within one event-loop turn. */
  writeBatch: 'storage.{node}.write-batch',
  /** Many reads in one message, likewise. */
  readBatch: 'storage.{node}.read-batch',
  list: 'storage.{node}.list',
} as const;

export type StoragePattern = (typeof StoragePatterns)[keyof typeof StoragePatterns];

export const MembershipPatterns = {
  register: 'membership.register',
  ring: 'membership.ring',
  putKeyspace: 'membership.keyspaces.put',
  catalog: 'membership.keyspaces.list',
} as const;

/** Fire-and-forget events. Lossy by design: receivers also poll, so a lost event only delays them. */
export const MembershipEvents = {
  heartbeat: 'membership.heartbeat',
  /** Membership's message to itself, proving that it can still hear the transport. */
  selfEcho: 'membership.self-echo',
  ringChanged: 'events.ring.changed',
  catalogChanged: 'events.catalog.changed',
} as const;

/** The channel on which one storage node serves `pattern`. */
export function addressTo(pattern: string, nodeId: string): string {
  return pattern.replace(NODE_PLACEHOLDER, nodeId);
}

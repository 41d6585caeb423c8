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
  /** Keys of this node still queued for a manual resolution. */
  openConflicts: 'storage.{node}.open-conflicts',
  /** The replicator reads a peer's next outbox rows, and records how far the peer has applied them. */
  outboxRead: 'storage.{node}.outbox-read',
  /** How far a peer has applied them, from a replicator of an earlier release (this one's ride on outboxRead). */
  outboxAck: 'storage.{node}.outbox-ack',
  /** The replicator hands the node versions that came from another region. */
  applyRemote: 'storage.{node}.apply-remote',
  /** The replicator asks the node to drop what every peer has (outbox rows) and old tombstones. */
  collectGarbage: 'storage.{node}.collect-garbage',
  /** Anti-entropy: the digest of each bucket of the hash space, over a step of the node's versions. */
  bucketDigests: 'storage.{node}.bucket-digests',
  /** Anti-entropy: every version the node holds in the given buckets. */
  bucketVersions: 'storage.{node}.bucket-versions',
  /** Every stored version of one key (tombstones included), for a read across regions. */
  keyVersions: 'storage.{node}.key-versions',
  /** A coordinator hands the key's other replicas the versions a write made (or a read repairs). */
  replicaWriteBatch: 'storage.{node}.replica-write-batch',
  /** A coordinator asks the key's other replicas for their versions. */
  replicaReadBatch: 'storage.{node}.replica-read-batch',
  /** CASPaxos phase 1 on the strong keys whose acceptor this node is (their primary replica). */
  acceptorPrepareBatch: 'storage.{node}.acceptor-prepare-batch',
  /** CASPaxos phase 2, likewise. */
  acceptorAcceptBatch: 'storage.{node}.acceptor-accept-batch',
  /** A rebalance hands strong keys' acceptor state from their old acceptor node to their new one. */
  acceptorHandover: 'storage.{node}.acceptor-handover',
  /** A page of the keys of a strong keyspace this node holds acceptor state for (AcceptorKeysRequest), for a listing. */
  acceptorKeys: 'storage.{node}.acceptor-keys',
  /** A page of the acceptor state this node holds of a peer region's lost acceptor's keys (AcceptorStatesRequest). */
  acceptorStates: 'storage.{node}.acceptor-states',
  /** Garbage collection: the next rows of this node's acceptor state, and which are worth a collection round. */
  acceptorCollectionScan: 'storage.{node}.acceptor-collection-scan',
  /** Garbage collection: drop the rows a collection round emptied (CollectRequest), raising the node's floor. */
  acceptorCollectBatch: 'storage.{node}.acceptor-collect-batch',
} as const;

export type StoragePattern = (typeof StoragePatterns)[keyof typeof StoragePatterns];

export const MembershipPatterns = {
  register: 'membership.register',
  /** A node's heartbeat; the answer (HeartbeatAnswer) renews its acceptor lease. */
  heartbeat: 'membership.heartbeat',
  ring: 'membership.ring',
  putKeyspace: 'membership.keyspaces.put',
  deleteKeyspace: 'membership.keyspaces.delete',
  catalog: 'membership.keyspaces.list',
  /** Every keyspace with its (changedAtMs, originRegion), for replication to peer regions. */
  definitions: 'membership.keyspaces.definitions',
  /** Definitions from a peer region; each is adopted only if it is newer than the one held. */
  adoptDefinitions: 'membership.keyspaces.adopt',
  /** Join, drain or leave: starts a rebalance. */
  rebalance: 'membership.nodes.rebalance',
  /** The replicator has rebuilt a lost node's acceptor state from the peer regions (AcceptorsRebuilt). */
  acceptorsRebuilt: 'membership.nodes.acceptors-rebuilt',
} as const;

/**
 * Replication between regions. `{region}` is the receiving region: a shipment is published on the
 * receiving region's Redis, and that region's replicator serves it.
 */
export const REGION_PLACEHOLDER = '{region}';

export const ReplicationPatterns = {
  ship: 'replication.{region}.ship',
  /** A peer's keyspace definitions. */
  keyspaces: 'replication.{region}.keyspaces',
  /** Anti-entropy: a step of the region's bucket digests, from which a peer builds the region's Merkle tree. */
  regionDigests: 'replication.{region}.region-digests',
  /** Anti-entropy: the region's versions in the given buckets. */
  bucketVersions: 'replication.{region}.bucket-versions',
  /** Run anti-entropy against every peer now (POST /v1/admin/anti-entropy). */
  antiEntropy: 'replication.anti-entropy',
  /** A peer's versions of one key, for a majority read. */
  keyVersions: 'replication.{region}.key-versions',
  /** Brings this region up to date with a majority of regions for one key (X-Consistency: strong). */
  majorityRead: 'replication.majority-read',
  /** The local replicator's view of every peer (GET /v1/admin/replication). */
  status: 'replication.status',
  /** A peer's proposer: CASPaxos phase 1 on this region's acceptors (the keys' primary nodes). */
  acceptorPrepareBatch: 'replication.{region}.acceptor-prepare-batch',
  /** A peer's proposer: CASPaxos phase 2 on this region's acceptors. */
  acceptorAcceptBatch: 'replication.{region}.acceptor-accept-batch',
  /** A peer's listing of a strong keyspace: each of this region's acceptor nodes' page of its keys. */
  acceptorKeys: 'replication.{region}.acceptor-keys',
  /** A peer rebuilding a lost acceptor: this region's acceptor state of its keys, a page at a time. */
  acceptorStates: 'replication.{region}.acceptor-states',
  /** A peer's garbage collection: drop the rows its collection round emptied on this region's acceptors. */
  acceptorCollectBatch: 'replication.{region}.acceptor-collect-batch',
} as const;

/** The channel on which `region`'s replicator serves `pattern`. */
export function regionAddressed(pattern: string, region: string): string {
  return pattern.replace(REGION_PLACEHOLDER, region);
}

/** Fire-and-forget events. Lossy by design: receivers also poll, so a lost event only delays them. */
export const MembershipEvents = {
  /** Membership's message to itself, proving that it can still hear the transport. */
  selfEcho: 'membership.self-echo',
  ringChanged: 'events.ring.changed',
  catalogChanged: 'events.catalog.changed',
  /**
   * The catalog's version alone, on membership's timer: a process holding an older one fetches the catalog.
   * Re-publishing the whole catalog every 2 s cost every process a decode of all keyspaces each time.
   */
  catalogVersion: 'events.catalog.version',
} as const;

/** The channel on which one storage node serves `pattern`. */
export function addressTo(pattern: string, nodeId: string): string {
  return pattern.replace(NODE_PLACEHOLDER, nodeId);
}

import type { ConflictResolution, KeyspaceDefinition } from './keyspace-policy';
import type { ReplicaQuorum, RequestMeta } from './storage-messages';

/** A version as it travels between regions: everything a replica needs to merge it. */
export interface ReplicatedVersion {
  readonly keyspace: string;
  readonly key: string;
  readonly dotActor: string;
  readonly dotCounter: number;
  /** The version's vector clock (its causal context), actor → counter. */
  readonly context: Readonly<Record<string, number>>;
  readonly hlcWallMs: number;
  readonly hlcLogical: number;
  readonly originRegion: string;
  readonly tombstone: boolean;
  /** Null for a tombstone (and for every version of a digest read). */
  readonly value: Buffer | null;
  readonly contentType: string | null;
  readonly expiresAtMs: number | null;
}

/**
 * The conflict strategy of each keyspace that a message's versions belong to, as the sending region knows
 * it. A receiver that knows the keyspace itself uses its own definition.
 */
export type StrategiesByKeyspace = Readonly<Record<string, ConflictResolution>>;

/** Where one peer stands in a shard's outbox: the (transaction id, row id) of the last row it acknowledged. */
export interface OutboxPosition {
  /** PostgreSQL xid8, as a decimal string. */
  readonly txid: string;
  /** Outbox row id, as a decimal string. */
  readonly id: string;
}

/** The replicator asks a storage node for the next outbox rows a peer has not acknowledged. */
export interface OutboxReadRequest extends RequestMeta {
  readonly peer: string;
  /**
   * Read after this position instead of after the peer's cursor: a replicator with shipments still in
   * flight reads ahead of what the peer has acknowledged.
   */
  readonly after?: OutboxPosition;
  readonly limit: number;
  /** When nothing is pending, wait up to this long for a commit before answering empty. */
  readonly waitMs: number;
  /**
   * Also report what the peer lacks: the rows after `after` when given, which the replicator asks for only
   * when the peer has applied everything up to it, else the rows after the peer's cursor. A page that is
   * neither empty nor full is itself the answer (what a commit still running will add shows in the next
   * one); otherwise a second query counts them.
   */
  readonly countPending: boolean;
  /**
   * The peer has applied everything up to here: the node moves the peer's cursor with the read (before it,
   * for a read from the cursor), so that acknowledging costs no message of its own.
   */
  readonly acknowledge?: OutboxPosition;
}

/** What a peer has not acknowledged yet in one shard. */
export interface PendingSummary {
  /** Rows the peer has not acknowledged. */
  readonly backlog: number;
  /** When the oldest unacknowledged row was written (ms since the epoch); null when none is pending. */
  readonly oldestPendingAtMs: number | null;
}

export interface OutboxReadResult {
  readonly versions: readonly ReplicatedVersion[];
  /** The position after the last version returned; null when none was. */
  readonly next: OutboxPosition | null;
  /** Present when the request asked for it (countPending). */
  readonly pending: PendingSummary | null;
}

/**
 * Durably records that `peer` has applied everything up to `position`: a separate acknowledgement, as
 * replicators of earlier releases send it (see OutboxReadRequest.acknowledge).
 */
export interface OutboxAckRequest extends RequestMeta {
  readonly peer: string;
  readonly position: OutboxPosition;
}

/**
 * Garbage collection on one storage node, driven by the replicator (which knows the peers): outbox rows
 * every peer has acknowledged go, and tombstones older than the grace period go once no peer is still
 * missing any write of this node from before them.
 */
export interface CollectGarbageRequest extends RequestMeta {
  readonly peers: readonly string[];
  readonly tombstoneGraceMs: number;
}

export interface CollectGarbageResult {
  readonly outboxTrimmed: number;
  readonly tombstonesPurged: number;
}

/**
 * Remote versions for one storage node to merge; answered after they are durable.
 * - Without `asReplica`, the node coordinates: it hands each version to the key's other replicas by its
 *   own ring and answers once a write quorum of each key has it.
 * - With `asReplica`, the replicator has sent each version to every replica of its key itself, by the ring
 *   of `asReplica.ringEpoch`: the node commits its own copy only, keeping a hint for the down nodes that
 *   `asReplica.hints` names by the version's index. A node whose ring is newer than that coordinates
 *   instead, since the sender's replicas may no longer be the key's.
 */
export interface ApplyRemoteRequest extends RequestMeta {
  readonly versions: readonly ReplicatedVersion[];
  readonly strategies: StrategiesByKeyspace;
  /** Each keyspace's replicas and write quorum in this region; a keyspace absent here has one replica. */
  readonly replication?: Readonly<Record<string, ReplicaQuorum>>;
  readonly asReplica?: {
    readonly ringEpoch: number;
    readonly hints: Readonly<Record<number, readonly string[]>>;
  };
}

export interface ApplyRemoteResult {
  /** Versions that changed the node's state (the rest were already known or obsolete). */
  readonly applied: number;
  /** The indexes in the request of the versions that changed the node's state. */
  readonly changed: readonly number[];
}

/** One region's shipment to a peer, published on the peer's Redis. */
export interface ShipmentRequest extends RequestMeta {
  readonly sourceRegion: string;
  readonly versions: readonly ReplicatedVersion[];
  readonly strategies: StrategiesByKeyspace;
}

export interface ShipmentResult {
  readonly applied: number;
  /**
   * The answering replicator process's identity, new at every start: a sender that sees it change knows
   * the shipments the earlier process had not answered are lost, and sends them again at once.
   */
  readonly incarnation: string;
}

/**
 * Most value bytes in one shipment (an outbox page, an anti-entropy repair), besides its count limit
 * (GEOKV_REPLICATION_BATCH); a shipment always carries its first version, however large. Counted in
 * versions only, a page of 500 versions of 1 MiB was a 500 MiB read, message and merge: after a burst of
 * large writes the nodes grew to gigabytes and the region answered nothing for minutes.
 */
export const SHIPMENT_MAX_VALUE_BYTES = 4 * 1_048_576;

/** Every keyspace definition of the sending region, published on the receiving region's Redis. */
export interface KeyspacesShipment extends RequestMeta {
  readonly sourceRegion: string;
  readonly definitions: readonly KeyspaceDefinition[];
}

/** Anti-entropy cuts the hash space into this many buckets; every region must use the same number. */
export const ANTI_ENTROPY_BUCKETS = 1024;

/** Where a scan of a node's versions stopped: the id of the last version it read, in primary-key order. */
export interface VersionIdCursor {
  readonly keyspace: string;
  readonly key: string;
  readonly dotActor: string;
  readonly dotCounter: string;
}

/** The nodes of a region still scanning after a step, each with where it goes on. */
export type NodesRemaining = Readonly<Record<string, VersionIdCursor>>;

/**
 * One step of a node's digest scan. A shard is scanned in steps so that each step, and its deadline, stays
 * the same size however large the shard grows.
 */
export interface BucketDigestsRequest {
  /** Go on after this version; from the first when absent. */
  readonly after?: VersionIdCursor;
  /** Versions this step reads (at least 1; rounded up to whole pages of the node's scan); the whole shard when absent. */
  readonly maxVersions?: number;
}

export interface BucketDigestsResult {
  /** Hex digest per bucket: the XOR of the digests of the versions this step read in it. */
  readonly digests: readonly string[];
  /** Keys the step digested (a key whose versions two steps share counts in the first). */
  readonly keys: number;
  /** Where the next step goes on; null once the shard is done. */
  readonly next: VersionIdCursor | null;
}

/**
 * One step of a region's digest scan, which a peer drives: a step of each of the region's nodes still
 * scanning. `remaining` is absent for the first step (every node, from its first version).
 */
export interface RegionDigestsRequest {
  readonly remaining?: NodesRemaining;
}

export interface RegionDigestsStep {
  /** Hex digest per bucket over what this step read, every node's XORed together. */
  readonly leaves: readonly string[];
  readonly keys: number;
  /** The nodes still scanning, with where each goes on; empty once the region is done. */
  readonly remaining: NodesRemaining;
}

/** One step of a node's search for the versions in some buckets: a scan of its ids, as for the digests. */
export interface BucketVersionsRequest extends RequestMeta {
  readonly buckets: readonly number[];
  /** Go on after this version id; from the first when absent. */
  readonly after?: VersionIdCursor;
  /** Version ids this step scans (at least 1; rounded up to whole pages of the node's scan); the whole shard when absent. */
  readonly maxVersions?: number;
}

export interface NodeBucketVersions {
  /** Every unexpired version of the keys in the buckets among the ids this step scanned. */
  readonly versions: readonly ReplicatedVersion[];
  /** Where the next step goes on; null once the shard is done. */
  readonly next: VersionIdCursor | null;
}

/** One step of a region's versions in some buckets, which a peer drives as it drives the digests. */
export interface RegionBucketVersionsRequest extends RequestMeta {
  readonly buckets: readonly number[];
  /** Absent for the first step (every node, from its first version). */
  readonly remaining?: NodesRemaining;
}

export interface BucketVersionsResult {
  readonly versions: readonly ReplicatedVersion[];
  readonly strategies: StrategiesByKeyspace;
}

export interface RegionBucketVersionsStep extends BucketVersionsResult {
  /** The nodes still scanning, with where each goes on; empty once the region is done. */
  readonly remaining: NodesRemaining;
}

/** What one anti-entropy run against one peer found and did. */
export interface AntiEntropyPeerReport {
  readonly peer: string;
  /** Keys digested on this side. */
  readonly keysCompared: number;
  readonly bucketsDiffering: number;
  /** Versions that changed a region's state: sent to the peer and taken from it. */
  readonly versionsRepaired: number;
  readonly error: string | null;
}

export interface AntiEntropyReport {
  readonly region: string;
  readonly peers: readonly AntiEntropyPeerReport[];
}

export interface KeyVersionsRequest extends RequestMeta {
  readonly keyspace: string;
  readonly key: string;
  /** With this, the node asked coordinates a quorum read of the key's replicas and merges them. */
  readonly replication?: ReplicaQuorum;
  readonly conflictResolution?: ConflictResolution;
}

/** A majority read's preparation: when it answers, this region's copy includes a majority's versions. */
export interface MajorityReadResult {
  /** The regions whose versions were merged, this one included. */
  readonly regions: readonly string[];
}

export type LinkState = 'up' | 'down' | 'unknown';

/** One peer as the local replicator sees it: GET /v1/admin/replication. */
export interface PeerReplicationStatus {
  readonly peer: string;
  readonly linkState: LinkState;
  /** Age of the oldest write the peer has not acknowledged; 0 when nothing is pending. */
  readonly lagSeconds: number;
  readonly backlog: number;
  readonly lastSuccessfulApplyMs: number | null;
  readonly lastError: string | null;
}

export interface ReplicationStatus {
  readonly region: string;
  readonly peers: readonly PeerReplicationStatus[];
}

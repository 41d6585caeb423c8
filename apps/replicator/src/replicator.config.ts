import { Expose } from 'class-transformer';
import { IsInt, Max, Min } from 'class-validator';
import { CommonConfig, parsePeers, peersRule, portRule } from '@geokv/config';

export class ReplicatorConfig extends CommonConfig {
  /** HTTP port for /health and /metrics. */
  @Expose()
  @portRule()
  PORT: number = 7050;

  /**
   * The peer regions and their Redis, which carries shipments to each peer's replicator:
   * `eu-west=redis://10.0.1.5:6379,ap-south=redis://10.0.2.5:6379`.
   */
  @Expose()
  @peersRule()
  GEOKV_PEERS = '';

  /** Most versions in one shipment. */
  @Expose()
  @IsInt()
  @Min(1)
  @Max(10_000)
  GEOKV_REPLICATION_BATCH: number = 500;

  /**
   * Shipments in flight at once per (peer, storage node). Over a slow link one batch per round trip would
   * make every write wait for the previous batch's acknowledgement; four keep the link busy. Versions in
   * flight are also capped at two full batches, so that a backlog (after a partition) cannot flood the
   * peer with more than it applies within a shipment's deadline.
   */
  @Expose()
  @IsInt()
  @Min(1)
  @Max(64)
  GEOKV_REPLICATION_PIPELINE: number = 4;

  /**
   * Deadline of one shipment: longer than an interactive request's, because after a partition a peer
   * applies full batches from every region at once; a deadline shorter than that would time out and
   * resend work the peer is doing, and the backlog would never drain. It runs only while the peer answers
   * (see sendOverLink): time the link is dark does not count.
   */
  @Expose()
  @IsInt()
  @Min(1_000)
  @Max(600_000)
  GEOKV_SHIPMENT_TIMEOUT_MS: number = 30_000;

  /**
   * How long a storage node holds an outbox read open when nothing is pending. A commit answers it at
   * once, so this bounds idle polling, not replication delay.
   */
  @Expose()
  @IsInt()
  @Min(0)
  @Max(10_000)
  GEOKV_REPLICATION_WAIT_MS: number = 1_000;

  /** Pause after a failed shipment (peer unreachable, node down) before trying again; doubles while failures repeat, up to 10 s. */
  @Expose()
  @IsInt()
  @Min(10)
  @Max(60_000)
  GEOKV_REPLICATION_RETRY_MS: number = 500;

  /**
   * How long a tombstone is kept at least, once every peer has acknowledged this region's writes up to it.
   * A tombstone dropped while an older version of its key could still arrive (over a link that was down,
   * or by anti-entropy) would let that version come back, so this must exceed the longest partition the
   * regions should heal from. 24 h, as a day-long outage is the longest this is sized for.
   */
  @Expose()
  @IsInt()
  @Min(0)
  GEOKV_TOMBSTONE_GRACE_MS: number = 86_400_000;

  /** How often each storage node is asked to trim its outbox and purge old tombstones. */
  @Expose()
  @IsInt()
  @Min(100)
  @Max(3_600_000)
  GEOKV_GC_INTERVAL_MS: number = 10_000;

  /** How often each region compares its Merkle tree with every peer's and repairs the differences. */
  @Expose()
  @IsInt()
  @Min(1_000)
  GEOKV_ANTI_ENTROPY_INTERVAL_MS: number = 600_000;

  /** Deadline of each anti-entropy step (digests, versions of the differing buckets, one repair batch). */
  @Expose()
  @IsInt()
  @Min(1_000)
  @Max(600_000)
  GEOKV_ANTI_ENTROPY_TIMEOUT_MS: number = 30_000;

  /**
   * Version ids each node scans in one step of anti-entropy (its digests, and a repair's search): about 0.6 s
   * of a node's time at the default on this project's 2-core machine (a million versions took 5.7 s),
   * well within GEOKV_ANTI_ENTROPY_TIMEOUT_MS on a slow spell.
   */
  @Expose()
  @IsInt()
  @Min(1)
  @Max(10_000_000)
  GEOKV_ANTI_ENTROPY_STEP_VERSIONS: number = 100_000;

  /** How long a majority read (X-Consistency: strong) waits for each peer region before counting it out. */
  @Expose()
  @IsInt()
  @Min(50)
  @Max(60_000)
  GEOKV_MAJORITY_READ_TIMEOUT_MS: number = 2_000;

  /**
   * How often the replicator looks through this region's strong keys' acceptor rows for ones to
   * garbage-collect (at most 20,000 rows a node per pass, going on where the last pass stopped).
   */
  @Expose()
  @IsInt()
  @Min(1_000)
  @Max(86_400_000)
  GEOKV_ACCEPTOR_GC_INTERVAL_MS: number = 60_000;

  /**
   * How long a strong key's acceptor rows must have been left alone (no operation on the key, nor on this
   * region's acceptor of it) before garbage collection removes them, if the key is deleted, expired this
   * long ago, or was only ever read. A collection outbids whatever operation meets it on the key, so this
   * keeps it off keys in use. It must also exceed the gateways' GEOKV_STRONG_DEADLINE_MS plus the skew
   * between proposers' clocks: a round never collects a value written less than this ago, so an operation
   * that may still be retrying never finds the value it wrote collected (libs/caspaxos emptyForCollection).
   */
  @Expose()
  @IsInt()
  @Min(10_000)
  GEOKV_ACCEPTOR_GC_GRACE_MS: number = 3_600_000;

  /** How often the replicator refreshes the region's ring and keyspace catalog from membership. */
  @Expose()
  @IsInt()
  @Min(100)
  GEOKV_RING_POLL_INTERVAL_MS: number = 1_000;
}

/** GEOKV_PEERS as a map from region to Redis URL. */
export function peersOf(config: ReplicatorConfig): Map<string, string> {
  return parsePeers(config.GEOKV_PEERS);
}

import { Expose } from 'class-transformer';
import { IsInt, IsString, Matches, Max, Min } from 'class-validator';
import { CommonConfig, portRule, postgresUrlRule } from '@geokv/config';
import { cacheFitsHeapRule } from './kv/cache-heap-rule';

export class StorageNodeConfig extends CommonConfig {
  /** This node's id, unique in its region. With the region it names the node's actor in every clock. */
  @Expose()
  @Matches(/^[a-z0-9][a-z0-9-]{0,31}$/, { message: 'must be lowercase letters, digits and dashes (e.g. n1)' })
  GEOKV_NODE_ID!: string;

  /** The node's own database: its shard. Required; no two nodes may share one. */
  @Expose()
  @postgresUrlRule()
  DATABASE_URL!: string;

  /** HTTP port for /health and /metrics. */
  @Expose()
  @portRule()
  PORT: number = 7100;

  /**
   * Connections to the shard: one per batch in flight (GEOKV_BATCH_CONCURRENCY), the rest for reads that
   * miss the cache and for listings.
   */
  @Expose()
  @IsInt()
  @Min(2)
  @Max(200)
  GEOKV_PG_POOL_SIZE: number = 10;

  /**
   * Most writes grouped into one commit. 512 keeps one statement's parameters and locks modest while a
   * commit's fixed cost (a WAL flush) is shared by enough writes to saturate a 2-core machine.
   */
  @Expose()
  @IsInt()
  @Min(1)
  @Max(10_000)
  GEOKV_BATCH_MAX_WRITES: number = 512;

  /**
   * Batches committing at once, on disjoint keys. Raise it where commits wait on a slow WAL flush
   * (PostgreSQL flushes concurrent commits together). Where the machine is CPU-bound, as on the 2-core
   * machines this was measured on (fsync ~0.1 ms), 1 is fastest: fewer, larger batches cost less CPU
   * per write (1,500 against 850-1,100 PUT/s with 4).
   */
  @Expose()
  @IsInt()
  @Min(1)
  @Max(64)
  GEOKV_BATCH_CONCURRENCY: number = 1;

  /** Most value bytes in one commit, so that a burst of large values cannot build a huge statement. */
  @Expose()
  @IsInt()
  @Min(1_048_576)
  GEOKV_BATCH_MAX_BYTES: number = 8 * 1_048_576;

  /**
   * Most versions one key may hold at once (siblings, concurrent deletes among them). A client write that
   * would add one more is refused with 409 TOO_MANY_SIBLINGS; writing back a merge always applies. Riak
   * refuses past 100 and warns past 25; every read returns all of them in one answer.
   */
  @Expose()
  @IsInt()
  @Min(1)
  @Max(10_000)
  GEOKV_MAX_SIBLINGS: number = 64;

  /**
   * Most value bytes one key's siblings may hold together, refused like GEOKV_MAX_SIBLINGS. A single version
   * may be larger (GEOKV_MAX_VALUE_BYTES at the gateway bounds it). 8 MiB keeps a key well inside the L1
   * cache: one larger than the cache is read from PostgreSQL on every access (34 siblings of 1 MiB cost a
   * node seconds per access, and the region timed out requests for other keys).
   */
  @Expose()
  @IsInt()
  @Min(1_024)
  GEOKV_MAX_KEY_BYTES: number = 8 * 1_048_576;

  /**
   * L1 cache size in bytes. 32 MiB holds the hot set of a small shard and keeps a node under its 250 MB
   * RSS budget (a node idles at ~90-130 MB and peaks at ~215-225 MB in the write benchmark). At most a
   * quarter of the JS heap limit: 560 MB in all for a node started with --max-old-space-size=512, as geokv
   * starts them.
   */
  @Expose()
  @IsInt()
  @Min(0)
  @cacheFitsHeapRule()
  GEOKV_CACHE_MAX_BYTES: number = 32 * 1_048_576;

  /**
   * Interval between heartbeats to membership. Membership marks a node down after missing several
   * (GEOKV_FAILURE_TIMEOUT_MS there), so one lost heartbeat never flaps a node.
   */
  @Expose()
  @IsInt()
  @Min(50)
  @Max(60_000)
  GEOKV_HEARTBEAT_INTERVAL_MS: number = 500;

  /**
   * How long a conflict record is kept: each last-writer-wins loser, and each manual conflict once it is
   * resolved (an open one stays until it is). 0 keeps them for good. 30 days, as an audit trail: without a
   * limit the table grows with every conflict, and each region holds a copy of every loser.
   */
  @Expose()
  @IsInt()
  @Min(0)
  @Max(3_650 * 86_400)
  GEOKV_CONFLICT_RETENTION_SECONDS: number = 30 * 86_400;

  /** How often expired versions are purged from the shard (reads hide them from the moment they expire). */
  @Expose()
  @IsInt()
  @Min(1_000)
  GEOKV_EXPIRY_SWEEP_INTERVAL_MS: number = 30_000;

  /**
   * How often the node asks membership for the ring and the keyspace catalog. Membership publishes both on
   * every change, and re-publishes the ring (and announces the catalog's version) every
   * GEOKV_RING_BROADCAST_INTERVAL_MS (2 s), which bounds how long a node that missed an event places writes
   * by an old ring; the poll is the last resort if broadcasts stop reaching it. (Membership waits for every node to adopt a rebalance's ring before data moves.)
   * Every poll's answer reaches every process that polls, so a short interval costs the whole region.
   */
  @Expose()
  @IsInt()
  @Min(100)
  GEOKV_RING_POLL_INTERVAL_MS: number = 10_000;

  /**
   * How long a coordinator waits for another replica to make a version durable. A replica that misses it
   * counts as failed for the quorum and gets a hint instead. 2 s: far above a healthy replica's few
   * milliseconds, well below the gateway's 5 s deadline, so a dead replica that membership has not marked
   * down yet still leaves time to answer the client.
   */
  @Expose()
  @IsInt()
  @Min(50)
  @Max(60_000)
  GEOKV_REPLICA_TIMEOUT_MS: number = 2_000;

  /** How often the node hands hinted keys to their home replicas once those are up again. */
  @Expose()
  @IsInt()
  @Min(50)
  GEOKV_HINT_REPLAY_INTERVAL_MS: number = 1_000;

  /** Keys per page when a rebalance streams this node's keys to their new replicas, or when it cleans up. */
  @Expose()
  @IsInt()
  @Min(1)
  @Max(10_000)
  GEOKV_HANDOFF_BATCH: number = 500;

  /**
   * After a rebalance finishes, how long the node keeps the keys it no longer holds before deleting them:
   * time for every gateway and node to adopt the new ring (they poll every second), so none still reads
   * a key from this node.
   */
  @Expose()
  @IsInt()
  @Min(0)
  GEOKV_HANDOFF_CLEANUP_DELAY_MS: number = 5_000;

  /** Public HTTP base URL reported to membership; defaults to http://HOST:PORT. */
  @Expose()
  @IsString()
  GEOKV_ADVERTISE_URL = '';
}

import { Expose } from 'class-transformer';
import { IsInt, IsString, Matches, Max, Min } from 'class-validator';
import { CommonConfig, portRule } from '@geokv/config';

export class StorageNodeConfig extends CommonConfig {
  /** This node's id, unique in its region. With the region it names the node's actor in every clock. */
  @Expose()
  @Matches(/^[a-z0-9][a-z0-9-]{0,31}$/, { message: 'must be lowercase letters, digits and dashes (e.g. n1)' })
  GEOKV_NODE_ID!: string;

  /** The node's own database: its shard. Required; no two nodes may share one. */
  @Expose()
  @Matches(/^postgres(ql)?:\/\/.+/, { message: 'must be a postgres:// URL' })
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
   * L1 cache size in bytes. 32 MiB holds the hot set of a small shard and keeps a node under its 250 MB
   * RSS budget (a node idles at ~130 MB and peaked at ~215 MB in the write benchmark).
   */
  @Expose()
  @IsInt()
  @Min(0)
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

  /** How often expired versions are purged from the shard (reads hide them from the moment they expire). */
  @Expose()
  @IsInt()
  @Min(1_000)
  GEOKV_EXPIRY_SWEEP_INTERVAL_MS: number = 30_000;

  /** Public HTTP base URL reported to membership; defaults to http://HOST:PORT. */
  @Expose()
  @IsString()
  GEOKV_ADVERTISE_URL = '';
}

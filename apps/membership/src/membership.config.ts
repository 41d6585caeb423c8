import { Expose } from 'class-transformer';
import { IsInt, Matches, Max, Min } from 'class-validator';
import { CommonConfig, portRule, postgresUrlRule } from '@geokv/config';

export class MembershipConfig extends CommonConfig {
  /** Membership's own database: node registry, ring epoch and keyspace catalog. Required. */
  @Expose()
  @postgresUrlRule()
  DATABASE_URL!: string;

  /** HTTP port for /health and /metrics. */
  @Expose()
  @portRule()
  PORT: number = 7000;

  /**
   * Virtual nodes per storage node in the ring. 256 keeps the busiest of 10 nodes within about 1.2× the
   * mean load while the token table stays a few thousand entries. Every gateway builds the same ring from
   * this value, so change it only with a full restart of the region.
   */
  @Expose()
  @IsInt()
  @Min(1)
  @Max(4_096)
  GEOKV_VNODES_PER_NODE: number = 256;

  /**
   * A node with no heartbeat for this long is marked down. 2.5 s is five of the storage node's default
   * 500 ms heartbeats: one or two lost messages or a GC pause never flap a node, and a dead node's keys
   * turn into fast 503s within seconds instead of waiting out every client's RPC timeout.
   */
  @Expose()
  @IsInt()
  @Min(100)
  @Max(600_000)
  GEOKV_FAILURE_TIMEOUT_MS: number = 2_500;

  /** How often the failure detector looks at the heartbeats: a tenth of the timeout is precise enough. */
  @Expose()
  @IsInt()
  @Min(10)
  GEOKV_FAILURE_CHECK_INTERVAL_MS: number = 250;

  /**
   * The ring is re-published, and the keyspace catalog's version announced (a process behind it fetches
   * the catalog), this often even without a change. Events on the transport are lossy; this bounds how
   * long a gateway or storage node that missed one runs on an old ring or catalog, so that they need to
   * poll only rarely.
   */
  @Expose()
  @IsInt()
  @Min(100)
  GEOKV_RING_BROADCAST_INTERVAL_MS: number = 2_000;

  /**
   * Comma-separated ids of the storage nodes a new region starts with: they join the ring as soon as they
   * register, until the region's first rebalance (after it, a seed's id may be a removed node back with old
   * data). Any other node registers as a standby and joins through POST /v1/admin/nodes, which first hands
   * it its share of the data. (The very first node of an empty ring always joins: it has nothing to take
   * over.)
   */
  @Expose()
  @Matches(/^([a-z0-9][a-z0-9-]{0,31}(,[a-z0-9][a-z0-9-]{0,31})*)?$/, { message: 'must be comma-separated node ids (e.g. n1,n2,n3)' })
  GEOKV_SEED_NODES = '';

  /**
   * How long a rebalance's new ring is published before data starts moving, at least (membership also
   * waits until every up node reports that it has adopted it). 1 s covers a write that a coordinator had
   * already sent to the old replicas only when the new ring arrived: it commits within milliseconds.
   */
  @Expose()
  @IsInt()
  @Min(0)
  GEOKV_HANDOFF_SETTLE_MS: number = 1_000;
}

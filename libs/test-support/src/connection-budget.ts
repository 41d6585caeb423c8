import { withAdmin } from './postgres-admin';

/** What a PostgreSQL server lets new clients open, read off it before a cluster starts. */
export interface ServerConnections {
  readonly maxConnections: number;
  /** Kept for superusers; geokv's apps must not count on them. */
  readonly reservedConnections: number;
  /** Client connections open right now, other clusters' and our own admin connection included. */
  readonly inUse: number;
}

export interface ClusterConnectionNeeds {
  readonly storageNodes: number;
  /** Connections the cluster's other apps hold whatever the nodes' pools are (membership's pools). */
  readonly fixedConnections: number;
}

/** Left free for the tests' and tools' own admin connections, psql, and a node added later. */
export const SPARE_CONNECTIONS = 12;
/** The storage node's own default (GEOKV_PG_POOL_SIZE): no more is ever given. */
export const DEFAULT_NODE_POOL = 10;
/** The storage node's minimum: one commit and one read at a time. */
export const MIN_NODE_POOL = 2;

/**
 * The largest pool per storage node that lets every node fill its pool at once without the server
 * refusing connections ("sorry, too many clients already", which fails writes). Several regions on one
 * machine share one server: three regions of three nodes at the default pool of 10 need 102 connections
 * with membership's, past PostgreSQL's default max_connections of 100.
 */
export function nodePoolWithin(server: ServerConnections, needs: ClusterConnectionNeeds): number {
  const free = server.maxConnections - server.reservedConnections - server.inUse - SPARE_CONNECTIONS - needs.fixedConnections;
  const pool = Math.min(DEFAULT_NODE_POOL, Math.floor(free / needs.storageNodes));
  if (pool < MIN_NODE_POOL) {
    throw new Error(
      `PostgreSQL allows ${server.maxConnections} connections (${server.reservedConnections} reserved, ${server.inUse} in use): too few for ` +
        `${needs.storageNodes} storage nodes with ${MIN_NODE_POOL} each, ${needs.fixedConnections} for membership and ${SPARE_CONNECTIONS} spare; ` +
        'raise max_connections in postgresql.conf or stop other clients',
    );
  }
  return pool;
}

export function readServerConnections(adminUrl: string): Promise<ServerConnections> {
  return withAdmin(adminUrl, async (client) => {
    const { rows } = await client.query<{ max: number; reserved: number; in_use: number }>(
      `SELECT current_setting('max_connections')::int AS max,
              current_setting('superuser_reserved_connections')::int AS reserved,
              (SELECT count(*)::int FROM pg_stat_activity WHERE backend_type = 'client backend') AS in_use`,
    );
    return { maxConnections: rows[0].max, reservedConnections: rows[0].reserved, inUse: rows[0].in_use };
  });
}

import type { QueryResultRow } from 'pg';
import { Ring } from '@geokv/partitioning';
import { placementKey } from '@geokv/protocol';
import { withAdmin, type RunningRegion } from '@geokv/test-support';
import { http, jsonOf } from './http';

/** Runs one query on a database of ours (a storage node's shard, say) on a fresh connection. */
export async function query<T extends QueryResultRow>(databaseUrl: string, sql: string, params: unknown[] = []): Promise<T[]> {
  return (await withAdmin(databaseUrl, (client) => client.query<T>(sql, params))).rows;
}

/** Keys of `keyspace` starting with `prefix` that a shard holds any version of (tombstones included). */
export async function keysStored(databaseUrl: string, keyspace: string, prefix: string): Promise<number> {
  const sql = 'SELECT count(DISTINCT key) AS count FROM versions WHERE keyspace = $1 AND key LIKE $2';
  return Number((await query<{ count: string }>(databaseUrl, sql, [keyspace, `${prefix}%`]))[0].count);
}

/**
 * Takes an EXCLUSIVE lock on a table of one of our databases and holds it until the returned function is
 * called: the table's readers go on, its writers (a storage node's commits) wait. A stalled disk, as the
 * node sees it, while the node itself keeps running and heartbeating.
 */
export async function holdTableLock(databaseUrl: string, table: 'versions' | 'outbox'): Promise<() => Promise<void>> {
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let locked!: () => void;
  const taken = new Promise<void>((resolve) => (locked = resolve));
  const held = withAdmin(databaseUrl, async (client) => {
    await client.query('BEGIN');
    await client.query(`LOCK TABLE ${table} IN EXCLUSIVE MODE`);
    locked();
    await released;
    await client.query('COMMIT');
  });
  await Promise.race([taken, held]);
  return async () => {
    release();
    await held;
  };
}

/** Outbox rows (acknowledged writes) per storage node, by node id. */
export async function outboxCounts(region: RunningRegion): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const node of region.storageNodes) {
    const rows = await query<{ count: string }>(node.databaseUrl, 'SELECT count(*) AS count FROM outbox');
    counts[node.id] = Number(rows[0].count);
  }
  return counts;
}

interface RingResponse {
  readonly vnodesPerNode: number;
  readonly members: readonly string[];
}

/** The storage node that owns a key, computed as the gateway does: the ring from /v1/admin/ring. */
export async function ringOf(gatewayUrl: string): Promise<Ring> {
  const response = await http(`${gatewayUrl}/v1/admin/ring`);
  if (response.status !== 200) throw new Error(`GET /v1/admin/ring answered ${response.status}: ${response.body.toString('utf8')}`);
  const ring = jsonOf(response) as RingResponse;
  return new Ring(ring.members.map((id) => ({ id })), { vnodesPerNode: ring.vnodesPerNode });
}

export function ownerOf(ring: Ring, keyspace: string, key: string): string {
  return ring.ownerOf(placementKey(keyspace, key));
}

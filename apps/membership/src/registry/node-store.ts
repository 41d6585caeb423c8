import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { NodeRole, NodeStatus, NodeView } from '@geokv/protocol';
import type { Rebalance } from './rebalance-plan';

interface NodeRow {
  readonly id: string;
  readonly http_url: string;
  readonly status: NodeStatus;
  readonly role: NodeRole;
  readonly joined_at: Date;
  readonly last_heartbeat: Date;
}

export interface RingState {
  readonly epoch: number;
  readonly rebalance: Rebalance | null;
  readonly lastRebalanceId: number | null;
}

/** A change to the registry, made durable as a whole with a new epoch. */
export interface RegistryChange {
  readonly saved?: readonly NodeView[];
  readonly deleted?: readonly string[];
  /** Omitted: unchanged. */
  readonly rebalance?: Rebalance | null;
  readonly lastRebalanceId?: number;
}

/** The registry's durable part: nodes, the ring epoch and the rebalance in progress. Heartbeat times stay in memory. */
@Injectable()
export class NodeStore {
  constructor(private readonly db: DataSource) {}

  async loadNodes(): Promise<NodeView[]> {
    const rows = (await this.db.query('SELECT id, http_url, status, role, joined_at, last_heartbeat FROM nodes')) as NodeRow[];
    return rows.map((row) => ({
      id: row.id,
      httpUrl: row.http_url,
      status: row.status,
      role: row.role,
      joinedAtMs: row.joined_at.getTime(),
      lastHeartbeatMs: row.last_heartbeat.getTime(),
    }));
  }

  async loadState(): Promise<RingState> {
    const rows = (await this.db.query('SELECT epoch, rebalance, last_rebalance_id FROM ring_state WHERE id = 1')) as {
      epoch: string;
      rebalance: Rebalance | null;
      last_rebalance_id: string | null;
    }[];
    const row = rows[0];
    return { epoch: Number(row.epoch), rebalance: row.rebalance, lastRebalanceId: row.last_rebalance_id === null ? null : Number(row.last_rebalance_id) };
  }

  /** The largest replication factor of any keyspace: what a rebalance's partition count assumes. */
  async largestReplicationFactor(): Promise<number> {
    const rows = (await this.db.query('SELECT coalesce(max(replication_factor), 1)::int AS n FROM keyspaces WHERE NOT deleted')) as { n: number }[];
    return rows[0].n;
  }

  /** Whether any keyspace is strong: their acceptor state lives on each key's primary node, which a rebalance would move. */
  async hasStrongKeyspaces(): Promise<boolean> {
    const rows = (await this.db.query(`SELECT EXISTS (SELECT 1 FROM keyspaces WHERE consistency = 'strong' AND NOT deleted) AS strong`)) as { strong: boolean }[];
    return rows[0].strong;
  }

  /** Applies the change and bumps the epoch in one transaction; returns the new epoch. */
  apply(change: RegistryChange): Promise<number> {
    return this.db.transaction(async (manager) => {
      for (const node of change.saved ?? []) {
        await manager.query(
          `INSERT INTO nodes (id, http_url, status, role, joined_at, last_heartbeat)
           VALUES ($1, $2, $3, $4, to_timestamp($5 / 1000.0), to_timestamp($6 / 1000.0))
           ON CONFLICT (id) DO UPDATE
             SET http_url = excluded.http_url, status = excluded.status, role = excluded.role, last_heartbeat = excluded.last_heartbeat`,
          [node.id, node.httpUrl, node.status, node.role, node.joinedAtMs, node.lastHeartbeatMs],
        );
      }
      if (change.deleted?.length) await manager.query('DELETE FROM nodes WHERE id = ANY($1::text[])', [change.deleted]);
      if (change.rebalance !== undefined) {
        await manager.query('UPDATE ring_state SET rebalance = $1::jsonb WHERE id = 1', [change.rebalance === null ? null : JSON.stringify(change.rebalance)]);
      }
      if (change.lastRebalanceId !== undefined) {
        await manager.query('UPDATE ring_state SET last_rebalance_id = $1 WHERE id = 1', [change.lastRebalanceId]);
      }
      // TypeORM answers an UPDATE … RETURNING with [rows, affected].
      const result = (await manager.query('UPDATE ring_state SET epoch = epoch + 1 WHERE id = 1 RETURNING epoch')) as [{ epoch: string }[], number] | { epoch: string }[];
      const rows = Array.isArray(result[0]) ? (result[0] as { epoch: string }[]) : (result as { epoch: string }[]);
      return Number(rows[0].epoch);
    });
  }
}

import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { NodeStatus, NodeView } from '@geokv/protocol';

interface NodeRow {
  readonly id: string;
  readonly http_url: string;
  readonly status: NodeStatus;
  readonly joined_at: Date;
  readonly last_heartbeat: Date;
}

/** The registry's durable part: nodes and the ring epoch. Heartbeat times stay in memory. */
@Injectable()
export class NodeStore {
  constructor(private readonly db: DataSource) {}

  async loadNodes(): Promise<NodeView[]> {
    const rows = (await this.db.query('SELECT id, http_url, status, joined_at, last_heartbeat FROM nodes')) as NodeRow[];
    return rows.map((row) => ({
      id: row.id,
      httpUrl: row.http_url,
      status: row.status,
      joinedAtMs: row.joined_at.getTime(),
      lastHeartbeatMs: row.last_heartbeat.getTime(),
    }));
  }

  async loadEpoch(): Promise<number> {
    const rows = (await this.db.query('SELECT epoch FROM ring_state WHERE id = 1')) as { epoch: string }[];
    return Number(rows[0].epoch);
  }

  /** Records a node's new state and bumps the epoch in one transaction; returns the new epoch. */
  async saveNodeAndBumpEpoch(node: NodeView): Promise<number> {
    const rows = (await this.db.query(
      `WITH saved AS (
         INSERT INTO nodes (id, http_url, status, joined_at, last_heartbeat)
         VALUES ($1, $2, $3, to_timestamp($4 / 1000.0), to_timestamp($5 / 1000.0))
         ON CONFLICT (id) DO UPDATE
           SET http_url = excluded.http_url, status = excluded.status, last_heartbeat = excluded.last_heartbeat
       )
       UPDATE ring_state SET epoch = epoch + 1 WHERE id = 1 RETURNING epoch`,
      [node.id, node.httpUrl, node.status, node.joinedAtMs, node.lastHeartbeatMs],
    )) as [{ epoch: string }[], number] | { epoch: string }[];
    const result = Array.isArray(rows[0]) ? (rows[0] as { epoch: string }[]) : (rows as { epoch: string }[]);
    return Number(result[0].epoch);
  }
}

import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Catalog, ConflictResolution, Consistency, KeyspacePolicy } from '@geokv/protocol';

interface KeyspaceRow {
  readonly name: string;
  readonly consistency: Consistency;
  readonly conflict_resolution: ConflictResolution;
  readonly default_ttl_seconds: number | null;
  readonly replication_factor: number;
  readonly read_quorum: number;
  readonly write_quorum: number;
  readonly version: string;
}

@Injectable()
export class CatalogStore {
  constructor(private readonly db: DataSource) {}

  async load(): Promise<Catalog> {
    const rows = (await this.db.query(
      `SELECT name, consistency, conflict_resolution, default_ttl_seconds, replication_factor, read_quorum,
              write_quorum, version
         FROM keyspaces ORDER BY name`,
    )) as KeyspaceRow[];
    return {
      version: rows.reduce((max, row) => Math.max(max, Number(row.version)), 0),
      keyspaces: rows.map(policyFromRow),
    };
  }

  /** Creates or replaces a keyspace's policy with a new catalog version. */
  async upsert(policy: KeyspacePolicy): Promise<void> {
    await this.db.query(
      `INSERT INTO keyspaces (name, consistency, conflict_resolution, default_ttl_seconds, replication_factor,
                              read_quorum, write_quorum)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (name) DO UPDATE
         SET consistency = excluded.consistency, conflict_resolution = excluded.conflict_resolution,
             default_ttl_seconds = excluded.default_ttl_seconds, replication_factor = excluded.replication_factor,
             read_quorum = excluded.read_quorum, write_quorum = excluded.write_quorum,
             version = nextval('catalog_version'), updated_at = now()`,
      [
        policy.name,
        policy.consistency,
        policy.conflictResolution,
        policy.defaultTtlSeconds,
        policy.replicationFactor,
        policy.readQuorum,
        policy.writeQuorum,
      ],
    );
  }
}

function policyFromRow(row: KeyspaceRow): KeyspacePolicy {
  return {
    name: row.name,
    consistency: row.consistency,
    conflictResolution: row.conflict_resolution,
    defaultTtlSeconds: row.default_ttl_seconds,
    replicationFactor: row.replication_factor,
    readQuorum: row.read_quorum,
    writeQuorum: row.write_quorum,
  };
}

import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Catalog, ConflictResolution, Consistency, KeyspaceDefinition, KeyspacePolicy } from '@geokv/protocol';

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

  /**
   * Creates or replaces a keyspace's policy, made here in `region`, with a new catalog version. Its
   * replication timestamp is now, or just after the definition it replaces if that one is newer (a peer's
   * clock may run ahead), so a local change always wins over what it replaces.
   */
  async upsert(policy: KeyspacePolicy, region: string): Promise<void> {
    await this.db.query(
      `INSERT INTO keyspaces (${DEFINITION_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
       ON CONFLICT (name) DO UPDATE SET ${ASSIGN_DEFINITION},
         changed_at_ms = GREATEST(excluded.changed_at_ms, keyspaces.changed_at_ms + 1)`,
      definitionParams({ policy, changedAtMs: Date.now(), originRegion: region }),
    );
  }

  /** Every keyspace with its replication timestamp and origin. */
  async definitions(): Promise<KeyspaceDefinition[]> {
    const rows = (await this.db.query(
      `SELECT name, consistency, conflict_resolution, default_ttl_seconds, replication_factor, read_quorum,
              write_quorum, version, changed_at_ms, origin_region
         FROM keyspaces ORDER BY name`,
    )) as (KeyspaceRow & { changed_at_ms: string; origin_region: string })[];
    return rows.map((row) => ({ policy: policyFromRow(row), changedAtMs: Number(row.changed_at_ms), originRegion: row.origin_region }));
  }

  /** Adopts a peer's definition if it is newer than the one held (last writer wins); returns whether it did. */
  async adopt(definition: KeyspaceDefinition): Promise<boolean> {
    const rows = (await this.db.query(
      `INSERT INTO keyspaces (${DEFINITION_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
       ON CONFLICT (name) DO UPDATE SET ${ASSIGN_DEFINITION}, changed_at_ms = excluded.changed_at_ms
         WHERE (keyspaces.changed_at_ms, keyspaces.origin_region) < (excluded.changed_at_ms, excluded.origin_region)
       RETURNING name`,
      definitionParams(definition),
    )) as unknown[];
    return rows.length > 0;
  }
}

const DEFINITION_COLUMNS =
  'name, consistency, conflict_resolution, default_ttl_seconds, replication_factor, read_quorum, write_quorum, changed_at_ms, origin_region';

const ASSIGN_DEFINITION = `consistency = excluded.consistency, conflict_resolution = excluded.conflict_resolution,
  default_ttl_seconds = excluded.default_ttl_seconds, replication_factor = excluded.replication_factor,
  read_quorum = excluded.read_quorum, write_quorum = excluded.write_quorum, origin_region = excluded.origin_region,
  version = nextval('catalog_version'), updated_at = now()`;

function definitionParams({ policy, changedAtMs, originRegion }: KeyspaceDefinition): unknown[] {
  return [
    policy.name,
    policy.consistency,
    policy.conflictResolution,
    policy.defaultTtlSeconds,
    policy.replicationFactor,
    policy.readQuorum,
    policy.writeQuorum,
    changedAtMs,
    originRegion,
  ];
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

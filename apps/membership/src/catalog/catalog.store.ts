import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Catalog, CatalogAnswer, ConflictResolution, Consistency, KeyspaceDefinition, KeyspacePolicy } from '@geokv/protocol';

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

  /** The catalog, or only its version when that is `heldVersion` (the asker is current). */
  async loadUnlessHeld(heldVersion: number | undefined): Promise<CatalogAnswer> {
    if (heldVersion !== undefined) {
      const version = await this.version();
      if (version === heldVersion) return { version, unchanged: true };
    }
    return this.load();
  }

  /** The catalog's version: that of its most recently changed keyspace. */
  async version(): Promise<number> {
    const [row] = (await this.db.query('SELECT coalesce(max(version), 0)::text AS version FROM keyspaces')) as { version: string }[];
    return Number(row.version);
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

  /**
   * Adopts each of a peer's definitions that is newer than the one held (last writer wins), in one
   * statement: a peer ships every definition it has, and one statement per definition took longer than the
   * RPC deadline at a few thousand keyspaces, so the shipment timed out and was sent again, forever. Rows
   * go in name order, the same lock order for every adopt, so two peers' shipments cannot deadlock.
   * Returns how many definitions it adopted.
   */
  async adopt(definitions: readonly KeyspaceDefinition[]): Promise<number> {
    const newest = newestPerName(definitions);
    if (newest.length === 0) return 0;
    const columns = definitionColumns(newest);
    const rows = (await this.db.query(
      `INSERT INTO keyspaces (${DEFINITION_COLUMNS})
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::int[], $5::int[], $6::int[], $7::int[], $8::bigint[], $9::text[])
       ON CONFLICT (name) DO UPDATE SET ${ASSIGN_DEFINITION}, changed_at_ms = excluded.changed_at_ms
         WHERE (keyspaces.changed_at_ms, keyspaces.origin_region) < (excluded.changed_at_ms, excluded.origin_region)
       RETURNING name`,
      columns,
    )) as unknown[];
    return rows.length;
  }
}

/** One definition per name (the newest; one statement may not update a row twice), sorted by name. */
function newestPerName(definitions: readonly KeyspaceDefinition[]): KeyspaceDefinition[] {
  const byName = new Map<string, KeyspaceDefinition>();
  for (const definition of definitions) {
    const held = byName.get(definition.policy.name);
    if (held === undefined || isNewer(definition, held)) byName.set(definition.policy.name, definition);
  }
  return [...byName.values()].sort((a, b) => (a.policy.name < b.policy.name ? -1 : a.policy.name > b.policy.name ? 1 : 0));
}

/** The same order as the statement's row comparison: time, then region. */
function isNewer(a: KeyspaceDefinition, b: KeyspaceDefinition): boolean {
  return a.changedAtMs !== b.changedAtMs ? a.changedAtMs > b.changedAtMs : a.originRegion > b.originRegion;
}

const DEFINITION_COLUMNS =
  'name, consistency, conflict_resolution, default_ttl_seconds, replication_factor, read_quorum, write_quorum, changed_at_ms, origin_region';

const ASSIGN_DEFINITION = `consistency = excluded.consistency, conflict_resolution = excluded.conflict_resolution,
  default_ttl_seconds = excluded.default_ttl_seconds, replication_factor = excluded.replication_factor,
  read_quorum = excluded.read_quorum, write_quorum = excluded.write_quorum, origin_region = excluded.origin_region,
  version = nextval('catalog_version'), updated_at = now()`;

function definitionParams(definition: KeyspaceDefinition): unknown[] {
  return definitionColumns([definition]).map(([value]) => value);
}

/** The definitions as one array per column, in DEFINITION_COLUMNS order. */
function definitionColumns(definitions: readonly KeyspaceDefinition[]): unknown[][] {
  return [
    definitions.map(({ policy }) => policy.name),
    definitions.map(({ policy }) => policy.consistency),
    definitions.map(({ policy }) => policy.conflictResolution),
    definitions.map(({ policy }) => policy.defaultTtlSeconds),
    definitions.map(({ policy }) => policy.replicationFactor),
    definitions.map(({ policy }) => policy.readQuorum),
    definitions.map(({ policy }) => policy.writeQuorum),
    definitions.map(({ changedAtMs }) => changedAtMs),
    definitions.map(({ originRegion }) => originRegion),
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

import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { supersedes, type Catalog, type CatalogAnswer, type ConflictResolution, type Consistency, type KeyspaceDefinition, type KeyspacePolicy } from '@geokv/protocol';

interface KeyspaceRow {
  readonly name: string;
  readonly consistency: Consistency;
  readonly conflict_resolution: ConflictResolution;
  readonly default_ttl_seconds: number | null;
  readonly replication_factor: number;
  readonly read_quorum: number;
  readonly write_quorum: number;
  readonly version: string;
  readonly deleted: boolean;
}

const POLICY_COLUMNS = 'name, consistency, conflict_resolution, default_ttl_seconds, replication_factor, read_quorum, write_quorum, version, deleted';

@Injectable()
export class CatalogStore {
  constructor(private readonly db: DataSource) {}

  async load(): Promise<Catalog> {
    const rows = (await this.db.query(`SELECT ${POLICY_COLUMNS} FROM keyspaces ORDER BY name`)) as KeyspaceRow[];
    return {
      version: rows.reduce((max, row) => Math.max(max, Number(row.version)), 0),
      keyspaces: rows.filter((row) => !row.deleted).map(policyFromRow),
      deleted: rows.filter((row) => row.deleted).map((row) => row.name),
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
   * clock may run ahead), so a local change always wins over what it replaces. False, and nothing saved,
   * when the name is a deleted keyspace's: it is never reused.
   */
  upsert(policy: KeyspacePolicy, region: string): Promise<boolean> {
    return this.save({ policy, changedAtMs: Date.now(), originRegion: region, deleted: false });
  }

  /**
   * Deletes a keyspace, here in `region`: its definition becomes a tombstone, which replicates and beats any
   * live definition. False when no live keyspace has the name.
   */
  async delete(name: string, region: string): Promise<boolean> {
    const [held] = (await this.db.query(`SELECT ${POLICY_COLUMNS} FROM keyspaces WHERE name = $1`, [name])) as KeyspaceRow[];
    if (held === undefined || held.deleted) return false;
    // Not saved only if a deletion replicated from a peer got there first.
    return this.save({ policy: policyFromRow(held), changedAtMs: Date.now(), originRegion: region, deleted: true });
  }

  /** Saves a definition made here, unless its keyspace is deleted; whether it did. */
  private async save(definition: KeyspaceDefinition): Promise<boolean> {
    const rows = (await this.db.query(
      `INSERT INTO keyspaces (${DEFINITION_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
       ON CONFLICT (name) DO UPDATE SET ${ASSIGN_DEFINITION},
         changed_at_ms = GREATEST(excluded.changed_at_ms, keyspaces.changed_at_ms + 1)
         WHERE NOT keyspaces.deleted
       RETURNING name`,
      definitionParams(definition),
    )) as unknown[];
    return rows.length > 0;
  }

  /** Every keyspace, deleted ones included, with its replication timestamp and origin. */
  async definitions(): Promise<KeyspaceDefinition[]> {
    const rows = (await this.db.query(`SELECT ${POLICY_COLUMNS}, changed_at_ms, origin_region FROM keyspaces ORDER BY name`)) as (KeyspaceRow & {
      changed_at_ms: string;
      origin_region: string;
    })[];
    return rows.map((row) => ({ policy: policyFromRow(row), changedAtMs: Number(row.changed_at_ms), originRegion: row.origin_region, deleted: row.deleted }));
  }

  /**
   * Adopts each of a peer's definitions that supersedes the one held (last writer wins, but a deletion
   * beats any live definition; see supersedes), in one
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
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::int[], $5::int[], $6::int[], $7::int[], $8::bigint[], $9::text[], $10::boolean[])
       ON CONFLICT (name) DO UPDATE SET ${ASSIGN_DEFINITION}, changed_at_ms = excluded.changed_at_ms
         WHERE (keyspaces.deleted, keyspaces.changed_at_ms, keyspaces.origin_region) < (excluded.deleted, excluded.changed_at_ms, excluded.origin_region)
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
    if (held === undefined || supersedes(definition, held)) byName.set(definition.policy.name, definition);
  }
  return [...byName.values()].sort((a, b) => (a.policy.name < b.policy.name ? -1 : a.policy.name > b.policy.name ? 1 : 0));
}

const DEFINITION_COLUMNS =
  'name, consistency, conflict_resolution, default_ttl_seconds, replication_factor, read_quorum, write_quorum, changed_at_ms, origin_region, deleted';

const ASSIGN_DEFINITION = `consistency = excluded.consistency, conflict_resolution = excluded.conflict_resolution,
  default_ttl_seconds = excluded.default_ttl_seconds, replication_factor = excluded.replication_factor,
  read_quorum = excluded.read_quorum, write_quorum = excluded.write_quorum, origin_region = excluded.origin_region,
  deleted = excluded.deleted, version = nextval('catalog_version'), updated_at = now()`;

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
    definitions.map(({ deleted }) => deleted === true),
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

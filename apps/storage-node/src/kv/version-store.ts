import { Injectable } from '@nestjs/common';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import type { Histogram } from 'prom-client';
import type { Pool, QueryResultRow } from 'pg';
import { DataSource } from 'typeorm';
import { Metric } from '@geokv/observability';
import type { StoredVersion } from '../versions/stored-version';
import type { BatchChanges } from './batch-changes';
import { keyIdOf, type KeyRef } from './key-id';
import { unnestVersions, VERSION_COLUMNS, VersionColumns, versionFromRow, type VersionRow } from './version-rows';

/**
 * The shard's SQL. Every write of a batch goes out as ONE statement (data-modifying CTEs), which
 * PostgreSQL runs as one transaction: a batch is durable whole or not at all, with its outbox rows, in a
 * single round trip.
 */
@Injectable()
export class VersionStore {
  private readonly pool: Pool;

  constructor(
    db: DataSource,
    @InjectMetric(Metric.dbQueryDuration) private readonly queryDuration: Histogram<string>,
  ) {
    // TypeORM's own pool, used directly for named prepared statements: the batch statement is large, and
    // planning it on every execution would cost more CPU than running it.
    this.pool = (db.driver as unknown as { master: Pool }).master;
  }

  /** The versions of each key, tombstones and expired ones included; absent keys map to []. */
  async load(refs: readonly KeyRef[]): Promise<Map<string, StoredVersion[]>> {
    const byKey = new Map<string, StoredVersion[]>(refs.map((ref) => [keyIdOf(ref), []]));
    const rows = await this.timed<VersionRow[]>(
      'load_versions',
      `SELECT ${VERSION_COLUMNS} FROM versions
        WHERE (keyspace, key) IN (SELECT * FROM unnest($1::text[], $2::text[]))`,
      [refs.map((ref) => ref.keyspace), refs.map((ref) => ref.key)],
    );
    for (const row of rows) {
      byKey.get(keyIdOf(row))?.push(versionFromRow(row));
    }
    return byKey;
  }

  async commit(changes: BatchChanges): Promise<void> {
    const upserts = new VersionColumns();
    for (const change of changes.upserted) upserts.push(change.keyspace, change.key, change.version);
    const outbox = new VersionColumns();
    for (const change of changes.outbox) outbox.push(change.keyspace, change.key, change.version);
    const losers = new VersionColumns();
    for (const conflict of changes.conflicts) losers.push(conflict.keyspace, conflict.key, conflict.version);

    // Removed and upserted never share a primary key (an upserted version is in the final state, a
    // removed one is not), so the CTEs never touch one row twice.
    await this.timed<QueryResultRow[]>(
      'commit_batch',
      `WITH removed AS (
         DELETE FROM versions v
          USING unnest($1::text[], $2::text[], $3::text[], $4::bigint[]) AS r(keyspace, key, dot_actor, dot_counter)
          WHERE v.keyspace = r.keyspace AND v.key = r.key AND v.dot_actor = r.dot_actor AND v.dot_counter = r.dot_counter
       ), upserted AS (
         INSERT INTO versions (${VERSION_COLUMNS})
         SELECT * FROM ${unnestVersions(5)}
         ON CONFLICT (keyspace, key, dot_actor, dot_counter) DO UPDATE SET context = excluded.context
       ), logged AS (
         INSERT INTO outbox (${VERSION_COLUMNS})
         SELECT * FROM ${unnestVersions(17)}
       ), conflicted AS (
         INSERT INTO conflicts (${VERSION_COLUMNS.replace(', expires_at', '')}, resolution, winner_actor, winner_counter)
         SELECT l.keyspace, l.key, l.dot_actor, l.dot_counter, l.context, l.hlc_wall_ms, l.hlc_logical, l.origin_region,
                l.tombstone, l.value, l.content_type, w.resolution, w.winner_actor, w.winner_counter
           FROM ${unnestVersions(29)} WITH ORDINALITY
                AS l(keyspace, key, dot_actor, dot_counter, context, hlc_wall_ms, hlc_logical, origin_region,
                     tombstone, value, content_type, expires_at, n)
           JOIN unnest($41::text[], $42::text[], $43::bigint[]) WITH ORDINALITY
                AS w(resolution, winner_actor, winner_counter, n) USING (n)
         ON CONFLICT (keyspace, key, dot_actor, dot_counter) DO NOTHING
       )
       SELECT 1`,
      [
        changes.removed.map((r) => r.keyspace),
        changes.removed.map((r) => r.key),
        changes.removed.map((r) => r.version.dot.actor),
        changes.removed.map((r) => r.version.dot.counter),
        ...upserts.params(),
        ...outbox.params(),
        ...losers.params(),
        changes.conflicts.map((c) => c.resolution),
        changes.conflicts.map((c) => c.winner?.dot.actor ?? null),
        changes.conflicts.map((c) => c.winner?.dot.counter ?? null),
      ],
    );
  }

  /** Live keys of a keyspace in byte order, after `after`, starting with `prefix`. */
  async listKeys(keyspace: string, prefix: string, after: string | null, limit: number): Promise<string[]> {
    const rows = await this.timed<{ key: string }[]>(
      'list_keys',
      `SELECT key FROM versions
        WHERE keyspace = $1 AND key LIKE $2 AND ($3::text IS NULL OR key > $3)
        GROUP BY key
       HAVING bool_or(NOT tombstone AND (expires_at IS NULL OR expires_at > now()))
        ORDER BY key
        LIMIT $4`,
      [keyspace, `${escapeLike(prefix)}%`, after, limit],
    );
    return rows.map((row) => row.key);
  }

  /** Deletes up to 1,000 expired versions; returns how many. */
  async purgeExpired(): Promise<number> {
    const rows = await this.timed<{ purged: string }[]>(
      'purge_expired',
      `WITH purged AS (
         DELETE FROM versions WHERE ctid = ANY(ARRAY(
           SELECT ctid FROM versions WHERE expires_at IS NOT NULL AND expires_at < now() LIMIT 1000))
         RETURNING 1)
       SELECT count(*) AS purged FROM purged`,
      [],
    );
    return Number(rows[0].purged);
  }

  /** Runs a named prepared statement (parsed once per connection) and records its duration. */
  private async timed<T extends QueryResultRow[]>(name: string, sql: string, params: unknown[]): Promise<T> {
    const end = this.queryDuration.startTimer({ query: name });
    try {
      const result = await this.pool.query<T[number]>({ name, text: sql, values: params });
      return result.rows as T;
    } finally {
      end();
    }
  }
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (char) => `\\${char}`);
}

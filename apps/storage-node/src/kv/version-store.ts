import { Injectable } from '@nestjs/common';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import type { Histogram } from 'prom-client';
import type { Pool, QueryResultRow } from 'pg';
import { DataSource } from 'typeorm';
import { Metric } from '@geokv/observability';
import type { StoredVersion } from '../versions/stored-version';
import type { BatchChanges } from './batch-changes';
import { keyIdOf, type KeyRef } from './key-id';
import { prefixRange } from './prefix-range';
import { COMMIT_BATCH, LIST_KEYS, LOAD_VERSIONS, PURGE_EXPIRED, type ShardStatement } from './shard-statements';
import { VersionColumns, versionFromRow, type VersionRow } from './version-rows';

/** The shard's SQL (the statements themselves are in shard-statements.ts). */
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
    const rows = await this.timed<VersionRow[]>(LOAD_VERSIONS, [refs.map((ref) => ref.keyspace), refs.map((ref) => ref.key)]);
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

    await this.timed<QueryResultRow[]>(COMMIT_BATCH, [
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
    ]);
  }

  /** Live keys of a keyspace in byte order, after `after`, starting with `prefix`. */
  async listKeys(keyspace: string, prefix: string, after: string | null, limit: number): Promise<string[]> {
    const range = prefixRange(prefix);
    const rows = await this.timed<{ key: string }[]>(LIST_KEYS, [keyspace, range.from, range.before, after, limit]);
    return rows.map((row) => row.key);
  }

  /** Deletes up to 1,000 expired versions; returns how many. */
  async purgeExpired(): Promise<number> {
    const rows = await this.timed<{ purged: string }[]>(PURGE_EXPIRED, []);
    return Number(rows[0].purged);
  }

  /** Runs a named prepared statement (parsed once per connection) and records its duration. */
  private async timed<T extends QueryResultRow[]>(statement: ShardStatement, params: unknown[]): Promise<T> {
    const end = this.queryDuration.startTimer({ query: statement.name });
    try {
      const result = await this.pool.query<T[number]>({ name: statement.name, text: statement.text, values: params });
      return result.rows as T;
    } finally {
      end();
    }
  }
}

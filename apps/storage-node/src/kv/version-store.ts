import { Injectable } from '@nestjs/common';
import type { StoredVersion } from '../versions/stored-version';
import type { BatchChanges, Hint } from './batch-changes';
import { keyIdOf, type KeyRef } from './key-id';
import { prefixRange } from './prefix-range';
import { ShardDatabase } from './shard-database';
import type { OpenConflict, OutboxPosition } from '@geokv/protocol';
import { COMMIT_BATCH, LIST_KEYS, LOAD_VERSIONS, OPEN_MANUAL_CONFLICTS, PURGE_DELETED_KEYSPACES, PURGE_EXPIRED, PURGE_OLD_CONFLICTS, RECORD_HINTS } from './shard-statements';
import { VersionColumns, versionFromRow, type VersionRow } from './version-rows';

export interface CommitResult {
  readonly applied: boolean;
  readonly lastOutbox: OutboxPosition | null;
}

/** The shard's SQL (the statements themselves are in shard-statements.ts). */
@Injectable()
export class VersionStore {
  constructor(private readonly db: ShardDatabase) {}

  /** The versions of each key, tombstones and expired ones included; absent keys map to []. */
  async load(refs: readonly KeyRef[]): Promise<Map<string, StoredVersion[]>> {
    const byKey = new Map<string, StoredVersion[]>(refs.map((ref) => [keyIdOf(ref), []]));
    const rows = await this.db.run<VersionRow>(LOAD_VERSIONS, [refs.map((ref) => ref.keyspace), refs.map((ref) => ref.key)]);
    for (const row of rows) {
      byKey.get(keyIdOf(row))?.push(versionFromRow(row));
    }
    return byKey;
  }

  /**
   * Commits the batch in one statement. `applied` is false when a key in `assumedAbsent` turned out to have
   * rows: then nothing was written. `lastOutbox` is the position of the batch's last outbox row, if it wrote any.
   */
  async commit(changes: BatchChanges): Promise<CommitResult> {
    const upserts = new VersionColumns();
    for (const change of changes.upserted) upserts.push(change.keyspace, change.key, change.version);
    const outbox = new VersionColumns();
    for (const change of changes.outbox) outbox.push(change.keyspace, change.key, change.version);
    const losers = new VersionColumns();
    for (const conflict of changes.conflicts) losers.push(conflict.keyspace, conflict.key, conflict.version);

    const rows = await this.db.run<{ applied: boolean; outbox_txid: string | null; outbox_last_id: string | null }>(COMMIT_BATCH, [
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
      ...hintColumns(changes.hints),
      changes.assumedAbsent.map((ref) => ref.keyspace),
      changes.assumedAbsent.map((ref) => ref.key),
      upserts.values.bytes(),
      outbox.values.bytes(),
      losers.values.bytes(),
    ]);
    const [row] = rows;
    const lastOutbox = row.outbox_txid === null || row.outbox_last_id === null ? null : { txid: row.outbox_txid, id: row.outbox_last_id };
    return { applied: row.applied, lastOutbox };
  }

  /** Records hints outside a group commit: for replicas that a coordinator's forward did not reach. */
  async recordHints(hints: readonly Hint[]): Promise<void> {
    await this.db.run(RECORD_HINTS, hintColumns(hints));
  }

  /** Live keys of a keyspace in byte order, after `after`, starting with `prefix`. */
  async listKeys(keyspace: string, prefix: string, after: string | null, limit: number): Promise<string[]> {
    const range = prefixRange(prefix);
    const rows = await this.db.run<{ key: string }>(LIST_KEYS, [keyspace, range.from, range.before, after, limit]);
    return rows.map((row) => row.key);
  }

  /** Keys still queued for a manual resolution, oldest first. */
  async openConflicts(limit: number): Promise<OpenConflict[]> {
    const rows = await this.db.run<{ keyspace: string; key: string; siblings: number; queued_at: Date }>(OPEN_MANUAL_CONFLICTS, [limit]);
    return rows.map((row) => ({ keyspace: row.keyspace, key: row.key, siblings: row.siblings, queuedAtMs: row.queued_at.getTime() }));
  }

  /** One slice of expired versions (VERSIONS_PURGE_SLICE); returns how many went. */
  async purgeExpired(): Promise<number> {
    const rows = await this.db.run<{ purged: string }>(PURGE_EXPIRED, []);
    return Number(rows[0].purged);
  }

  /**
   * One slice of each table's rows of the deleted keyspaces (see PURGE_DELETED_KEYSPACES): the most one
   * table lost (a full slice means another may follow), and the rows in all.
   */
  async purgeDeletedKeyspaces(keyspaces: readonly string[]): Promise<{ slice: number; rows: number }> {
    const [result] = await this.db.run<{ purged: string; rows: string }>(PURGE_DELETED_KEYSPACES, [keyspaces]);
    return { slice: Number(result.purged), rows: Number(result.rows) };
  }

  /** One slice of conflict records older than the retention (VERSIONS_PURGE_SLICE); returns how many went. */
  async purgeOldConflicts(retentionSeconds: number): Promise<number> {
    const rows = await this.db.run<{ purged: string }>(PURGE_OLD_CONFLICTS, [retentionSeconds]);
    return Number(rows[0].purged);
  }
}

function hintColumns(hints: readonly Hint[]): string[][] {
  return [hints.map((h) => h.target), hints.map((h) => h.keyspace), hints.map((h) => h.key), hints.map((h) => h.strategy)];
}

import { Injectable } from '@nestjs/common';
import type { CollectGarbageRequest, CollectGarbageResult } from '@geokv/protocol';
import { drainInSlices } from '../kv/drain-in-slices';
import { keyIdOf } from '../kv/key-id';
import { ShardDatabase } from '../kv/shard-database';
import { OUTBOX_TRIM_SLICE, PURGE_TOMBSTONES, TRIM_OUTBOX, VERSIONS_PURGE_SLICE } from '../kv/shard-statements';
import { VersionCache } from '../kv/version-cache';
import { WriteBatcher } from '../kv/write-batcher';
import { OutboxStore } from './outbox-store';

/**
 * Clock skew allowed between a tombstone's HLC time and the time its outbox row was written (the node's
 * and PostgreSQL's clocks): a tombstone is kept while any unacknowledged row is less than this much older.
 */
const CLOCK_MARGIN_MS = 60_000;

/**
 * How long one collection may go on deleting, well inside the replicator's RPC deadline (5 s by default);
 * whatever is left waits for the next round (GEOKV_GC_INTERVAL_MS).
 */
const COLLECT_BUDGET_MS = 2_000;

/**
 * Reclaims what replication no longer needs. A tombstone must outlive every version it deletes: were it
 * dropped while an older version of the key could still arrive from somewhere, that version would come
 * back to life. So a tombstone goes only when it is older than the grace period (time for every region's
 * writes from before it to arrive, anti-entropy included) and every peer has acknowledged every write
 * this node made up to then.
 */
@Injectable()
export class GarbageCollector {
  constructor(
    private readonly db: ShardDatabase,
    private readonly outbox: OutboxStore,
    private readonly cache: VersionCache,
    private readonly batcher: WriteBatcher,
  ) {}

  async collect(request: CollectGarbageRequest): Promise<CollectGarbageResult> {
    const deadlineMs = Date.now() + COLLECT_BUDGET_MS;
    const trimSlice = async (): Promise<number> => (await this.db.run<{ trimmed: number }>(TRIM_OUTBOX, [request.peers]))[0].trimmed;
    const trimmed = await drainInSlices(trimSlice, OUTBOX_TRIM_SLICE, deadlineMs);
    const pending = await Promise.all(request.peers.map((peer) => this.outbox.backlog(peer)));
    let cutoffMs = Date.now() - request.tombstoneGraceMs;
    for (const { oldestPendingAtMs } of pending) {
      if (oldestPendingAtMs !== null) cutoffMs = Math.min(cutoffMs, oldestPendingAtMs - CLOCK_MARGIN_MS);
    }
    const purged = await drainInSlices(() => this.purgeTombstonesBefore(cutoffMs), VERSIONS_PURGE_SLICE, deadlineMs);
    return { outboxTrimmed: trimmed, tombstonesPurged: purged };
  }

  /** One slice of tombstones older than the cutoff; returns how many went. */
  private async purgeTombstonesBefore(cutoffMs: number): Promise<number> {
    const purged = await this.db.run<{ keyspace: string; key: string }>(PURGE_TOMBSTONES, [cutoffMs]);
    for (const ref of purged) {
      const keyId = keyIdOf(ref);
      // A batch holding the key owns its cache entry; any other copy may still show the purged tombstone.
      if (!this.batcher.inFlight.has(keyId)) this.cache.forget(keyId);
    }
    return purged.length;
  }
}

import { Injectable } from '@nestjs/common';
import type { CollectGarbageRequest, CollectGarbageResult } from '@geokv/protocol';
import { keyIdOf } from '../kv/key-id';
import { ShardDatabase } from '../kv/shard-database';
import { PURGE_TOMBSTONES, TRIM_OUTBOX } from '../kv/shard-statements';
import { VersionCache } from '../kv/version-cache';
import { WriteBatcher } from '../kv/write-batcher';
import { OutboxStore } from './outbox-store';

/**
 * Clock skew allowed between a tombstone's HLC time and the time its outbox row was written (the node's
 * and PostgreSQL's clocks): a tombstone is kept while any unacknowledged row is less than this much older.
 */
const CLOCK_MARGIN_MS = 60_000;

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
    const [{ trimmed }] = await this.db.run<{ trimmed: number }>(TRIM_OUTBOX, [request.peers]);
    const pending = await Promise.all(request.peers.map((peer) => this.outbox.backlog(peer)));
    let cutoffMs = Date.now() - request.tombstoneGraceMs;
    for (const { oldestPendingAtMs } of pending) {
      if (oldestPendingAtMs !== null) cutoffMs = Math.min(cutoffMs, oldestPendingAtMs - CLOCK_MARGIN_MS);
    }
    const purged = await this.db.run<{ keyspace: string; key: string }>(PURGE_TOMBSTONES, [cutoffMs]);
    for (const ref of purged) {
      const keyId = keyIdOf(ref);
      // A batch holding the key owns its cache entry; any other copy may still show the purged tombstone.
      if (!this.batcher.inFlight.has(keyId)) this.cache.forget(keyId);
    }
    return { outboxTrimmed: trimmed, tombstonesPurged: purged.length };
  }
}

import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import type { Counter, Histogram } from 'prom-client';
import { APP_CONFIG } from '@geokv/config';
import { Metric } from '@geokv/observability';
import type { ConflictResolution } from '@geokv/protocol';
import { HybridLogicalClock, compareHlc, type HlcTimestamp } from '@geokv/vector-clock';
import type { StorageNodeConfig } from '../storage-node.config';
import { ErrorCode } from '@geokv/protocol';
import { applyLocalWrite, type LocalWrite } from '../versions/local-write';
import { preconditionFailure, type Preconditions } from '../versions/preconditions';
import { isLive, type ConflictRecord, type StoredVersion } from '../versions/stored-version';
import type { BatchChanges } from './batch-changes';
import { keyIdOf, type KeyRef } from './key-id';
import { StorageError, storageUnavailable } from './storage-errors';
import { VersionCache } from './version-cache';
import { VersionStore } from './version-store';

export interface WriteOutcome {
  /** The version this write created; null when a delete found nothing live and wrote nothing. */
  readonly written: StoredVersion | null;
}

interface PendingWrite {
  readonly ref: KeyRef;
  readonly keyId: string;
  readonly write: LocalWrite;
  readonly strategy: ConflictResolution;
  readonly preconditions: Preconditions;
  readonly bytes: number;
  readonly resolve: (outcome: WriteOutcome) => void;
  readonly reject: (error: Error) => void;
}

/**
 * Group commit. Writes queue while the previous batch is in flight, and the next batch takes them all
 * (up to a count and a byte limit) into one statement. At low load a batch is a single write and adds no
 * delay; under load the cost of a commit is shared by many writes. A write is acknowledged only after the
 * statement holding it has committed.
 *
 * This process is the shard's only writer and runs one batch at a time, so the state it reads (cache or
 * database) cannot change under it between the read and the commit. Do not run batches in parallel:
 * two batches touching one key would each merge against a stale state and lose a version.
 */
@Injectable()
export class WriteBatcher {
  private readonly logger = new Logger(WriteBatcher.name);
  private readonly clock = new HybridLogicalClock();
  private queue: PendingWrite[] = [];
  private draining = false;
  /** Keys of the batch being committed; readers must not fill the cache for them meanwhile. */
  readonly inFlight = new Set<string>();

  constructor(
    private readonly store: VersionStore,
    private readonly cache: VersionCache,
    @Inject(APP_CONFIG) private readonly config: StorageNodeConfig,
    @InjectMetric(Metric.writeBatchSize) private readonly batchSize: Histogram<string>,
    @InjectMetric(Metric.lwwConflicts) private readonly lwwConflicts: Counter<string>,
  ) {}

  submit(ref: KeyRef, write: LocalWrite, strategy: ConflictResolution, preconditions: Preconditions = {}): Promise<WriteOutcome> {
    return new Promise<WriteOutcome>((resolve, reject) => {
      const bytes = write.value?.length ?? 0;
      this.queue.push({ ref, keyId: keyIdOf(ref), write, strategy, preconditions, bytes, resolve, reject });
      void this.drain();
    });
  }

  private async drain(): Promise<void> {
    if (this.draining) return;
    this.draining = true;
    try {
      while (this.queue.length > 0) {
        await this.commitBatch(this.takeBatch());
      }
    } finally {
      this.draining = false;
    }
  }

  private takeBatch(): PendingWrite[] {
    let bytes = 0;
    let count = 0;
    while (count < this.queue.length && count < this.config.GEOKV_BATCH_MAX_WRITES) {
      bytes += this.queue[count].bytes;
      if (count > 0 && bytes > this.config.GEOKV_BATCH_MAX_BYTES) break;
      count += 1;
    }
    return this.queue.splice(0, count);
  }

  private async commitBatch(batch: PendingWrite[]): Promise<void> {
    for (const pending of batch) this.inFlight.add(pending.keyId);
    try {
      const initial = await this.currentStates(batch);
      const states = new Map(initial);
      const outcomes: (WriteOutcome | StorageError)[] = [];
      const outbox: BatchChanges['outbox'][number][] = [];
      const conflicts = new Map<string, ConflictRecord>();
      const nowMs = Date.now();

      for (const pending of batch) {
        const current = states.get(pending.keyId) ?? [];
        const failure = preconditionFailure(current, pending.preconditions, nowMs);
        if (failure !== null) {
          outcomes.push(new StorageError(ErrorCode.PreconditionFailed, failure));
          continue;
        }
        if (pending.write.tombstone && !current.some((version) => isLive(version, nowMs))) {
          outcomes.push({ written: null });
          continue;
        }
        const coordinator = { actor: this.actor, region: this.config.GEOKV_REGION, conflictResolution: pending.strategy };
        const outcome = applyLocalWrite(current, pending.write, coordinator, this.nextTimestamp(current, nowMs));
        states.set(pending.keyId, outcome.versions);
        outbox.push({ ...pending.ref, version: outcome.written });
        outcomes.push({ written: outcome.written });
        for (const loser of outcome.losers) {
          const record = { ...pending.ref, version: loser, resolution: outcome.resolution!, winner: outcome.winner };
          conflicts.set(`${pending.keyId}\n${loser.dot.actor}\n${loser.dot.counter}`, record);
          if (record.resolution === 'lww') this.lwwConflicts.inc({ keyspace: pending.ref.keyspace });
        }
      }

      await this.store.commit({ ...diffStates(batch, initial, states), outbox, conflicts: [...conflicts.values()] });
      this.batchSize.observe(batch.length);
      for (const [keyId, versions] of states) this.cache.store(keyId, versions);
      batch.forEach((pending, i) => {
        const outcome = outcomes[i];
        if (outcome instanceof StorageError) pending.reject(outcome);
        else pending.resolve(outcome);
      });
    } catch (error) {
      this.logger.error({ err: error, writes: batch.length }, 'group commit failed');
      for (const pending of batch) this.cache.forget(pending.keyId);
      const failure = storageUnavailable(error);
      for (const pending of batch) pending.reject(failure);
    } finally {
      this.inFlight.clear();
    }
  }

  private get actor(): string {
    return `${this.config.GEOKV_REGION}/${this.config.GEOKV_NODE_ID}`;
  }

  /** A local write's timestamp is after every version it may replace, so LWW never favours the past. */
  private nextTimestamp(current: readonly StoredVersion[], nowMs: number): HlcTimestamp {
    if (current.length === 0) return this.clock.tick(nowMs);
    const newest = current.map((version) => version.hlc).reduce((a, b) => (compareHlc(a, b) >= 0 ? a : b));
    return this.clock.observe(newest, nowMs);
  }

  private async currentStates(batch: readonly PendingWrite[]): Promise<Map<string, readonly StoredVersion[]>> {
    const states = new Map<string, readonly StoredVersion[]>();
    const missing: KeyRef[] = [];
    for (const pending of batch) {
      if (states.has(pending.keyId)) continue;
      const cached = this.cache.get(pending.keyId);
      if (cached) states.set(pending.keyId, cached);
      else {
        states.set(pending.keyId, []);
        missing.push(pending.ref);
      }
    }
    if (missing.length > 0) {
      for (const [keyId, versions] of await this.store.load(missing)) states.set(keyId, versions);
    }
    return states;
  }
}

/** The net change per key: versions that left, and versions that are new or whose context grew. */
function diffStates(
  batch: readonly PendingWrite[],
  initial: ReadonlyMap<string, readonly StoredVersion[]>,
  final: ReadonlyMap<string, readonly StoredVersion[]>,
): Pick<BatchChanges, 'removed' | 'upserted'> {
  const refs = new Map(batch.map((pending) => [pending.keyId, pending.ref]));
  const removed: BatchChanges['removed'][number][] = [];
  const upserted: BatchChanges['upserted'][number][] = [];
  for (const [keyId, ref] of refs) {
    const before = initial.get(keyId) ?? [];
    const after = final.get(keyId) ?? [];
    const kept = new Set(after);
    const afterDots = new Set(after.map(dotId));
    for (const version of before) {
      if (!afterDots.has(dotId(version))) removed.push({ ...ref, version });
    }
    const unchanged = new Set(before.filter((version) => kept.has(version)));
    for (const version of after) {
      if (!unchanged.has(version)) upserted.push({ ...ref, version });
    }
  }
  return { removed, upserted };
}

function dotId(version: StoredVersion): string {
  return `${version.dot.actor}\n${version.dot.counter}`;
}
